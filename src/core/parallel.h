/* Threads and the BLAS the package was linked with. */
#ifndef TL_PARALLEL_H
#define TL_PARALLEL_H

void tl_set_num_threads(int n);
int tl_get_num_threads(void);
/* "OpenBLAS <config>" or a description of the fallback BLAS */
const char *tl_blas_name(void);
int tl_have_openmp(void);

/* Between these two calls the linked OpenBLAS runs every call on the calling thread (its
 * own thread pool stays asleep), so that torchlite's OpenMP team can split a matrix product
 * itself: one thread team for BLAS and kernels, instead of two pools spinning against each
 * other. begin returns what end restores. Without OpenBLAS both do nothing. */
int tl_blas_serial_begin(void);
void tl_blas_serial_end(int saved);

#endif
