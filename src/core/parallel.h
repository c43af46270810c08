/* Threads and the BLAS the package was linked with. */
#ifndef TL_PARALLEL_H
#define TL_PARALLEL_H

void tl_set_num_threads(int n);
int tl_get_num_threads(void);
/* "OpenBLAS <config>" or a description of the fallback BLAS */
const char *tl_blas_name(void);
int tl_have_openmp(void);

#endif
