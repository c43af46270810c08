#include "parallel.h"

#ifdef _OPENMP
#include <omp.h>
#endif

#ifdef TL_HAVE_OPENBLAS
/* OpenBLAS's own entry points (declared here to avoid depending on its header layout) */
void openblas_set_num_threads(int n);
int openblas_get_num_threads(void);
char *openblas_get_config(void);
#endif

static int tl_threads = 0;

void tl_set_num_threads(int n) {
  if (n < 1) n = 1;
  tl_threads = n;
#ifdef _OPENMP
  omp_set_num_threads(n);
#endif
#ifdef TL_HAVE_OPENBLAS
  openblas_set_num_threads(n);
#endif
}

int tl_get_num_threads(void) {
  if (tl_threads > 0) return tl_threads;
#ifdef _OPENMP
  return omp_get_max_threads();
#else
  return 1;
#endif
}

const char *tl_blas_name(void) {
#ifdef TL_HAVE_OPENBLAS
  return openblas_get_config();
#else
  return "R's BLAS (BLAS_LIBS)";
#endif
}

int tl_have_openmp(void) {
#ifdef _OPENMP
  return 1;
#else
  return 0;
#endif
}

int tl_blas_serial_begin(void) {
#ifdef TL_HAVE_OPENBLAS
  int saved = openblas_get_num_threads();
  if (saved != 1) openblas_set_num_threads(1);
  return saved;
#else
  return 1;
#endif
}

void tl_blas_serial_end(int saved) {
#ifdef TL_HAVE_OPENBLAS
  if (saved != 1) openblas_set_num_threads(saved);
#else
  (void)saved;
#endif
}
