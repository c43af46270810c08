/* Memory bandwidth of a plain copy of a 1e8-byte buffer (bench/run.R compiles and runs it).
 *
 *   cc -O2 -fopenmp bench/physical.c -o build/physical && ./build/physical [threads]
 *
 * Copies src to dst with memcpy, once on one thread and once split across `threads` threads
 * (OpenMP, when compiled with it); prints the best of 10 copies of each as one line
 * "copy <threads> <seconds> <GB/s>", where GB/s counts the bytes copied (1e8 / seconds;
 * twice that crosses the memory bus: one read and one write per byte). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#define NBYTES 100000000L
#define REPS 10

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static double best_copy(char *dst, const char *src, int threads) {
  double best = 1e30;
  for (int r = 0; r < REPS; r++) {
    double t0 = now();
    if (threads <= 1) {
      memcpy(dst, src, NBYTES);
    } else {
#ifdef _OPENMP
#pragma omp parallel num_threads(threads)
      {
        int nt = omp_get_num_threads(), id = omp_get_thread_num();
        long chunk = (NBYTES + nt - 1) / nt;
        long lo = id * chunk, hi = lo + chunk > NBYTES ? NBYTES : lo + chunk;
        if (hi > lo) memcpy(dst + lo, src + lo, (size_t)(hi - lo));
      }
#else
      memcpy(dst, src, NBYTES);
#endif
    }
    double t = now() - t0;
    if (t < best) best = t;
  }
  return best;
}

int main(int argc, char **argv) {
  int threads = argc > 1 ? atoi(argv[1]) : 2;
  char *src = malloc(NBYTES), *dst = malloc(NBYTES);
  if (!src || !dst) return 1;
  memset(src, 1, NBYTES); /* touch every page before timing */
  memset(dst, 0, NBYTES);
  double t1 = best_copy(dst, src, 1);
  printf("copy 1 %.6f %.3f\n", t1, NBYTES / t1 / 1e9);
#ifdef _OPENMP
  if (threads > 1) {
    double tn = best_copy(dst, src, threads);
    printf("copy %d %.6f %.3f\n", threads, tn, NBYTES / tn / 1e9);
  }
#endif
  if (dst[NBYTES - 1] != 1) return 2; /* keep the copies observable */
  free(src);
  free(dst);
  return 0;
}
