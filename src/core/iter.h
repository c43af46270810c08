/* Strided iteration over up to TL_ITER_MAX_OPS tensors of one shape.
 *
 * The iterator drops size-1 dimensions and merges dimensions that are contiguous for every
 * operand, so a contiguous tensor becomes a single run: the inner loop receives the length
 * of the innermost run and each operand's stride in bytes, and can take a fast path when
 * every stride equals its element size. Broadcast operands simply carry stride 0. */
#ifndef TL_ITER_H
#define TL_ITER_H

#include <stdint.h>

#include "tensor.h"

#define TL_ITER_MAX_OPS 4

typedef struct {
  int nops;
  int ndim; /* after coalescing; 0 means a single element */
  int64_t numel;
  int64_t shape[TL_MAX_DIMS];                    /* outermost first */
  int64_t strides[TL_ITER_MAX_OPS][TL_MAX_DIMS]; /* bytes */
  char *data[TL_ITER_MAX_OPS];
} tl_iter;

/* inner loop: n elements; data[k] advances by strides[k] bytes */
typedef void (*tl_loop_fn)(char **data, const int64_t *strides, int64_t n, void *ctx);

/* shape: the iteration shape; estrides[k]: element strides of operand k over that shape
 * (0 where broadcast); esize[k]: element size of operand k in bytes. */
void tl_iter_init(tl_iter *it, int nops, int ndim, const int64_t *shape, char **data,
                  const int64_t *const *estrides, const size_t *esize);
/* Convenience: operands are tensors, all of shape `shape` after broadcasting. */
tl_status tl_iter_tensors(tl_iter *it, int nops, const tl_tensor *const *ops, int ndim,
                          const int64_t *shape);
void tl_iter_run(const tl_iter *it, tl_loop_fn fn, void *ctx);
/* Runs fn over the elements [begin, end) of the iteration (row-major order). */
void tl_iter_run_range(const tl_iter *it, tl_loop_fn fn, void *ctx, int64_t begin, int64_t end);
/* Like tl_iter_run, but splits the elements into contiguous ranges run on OpenMP threads
 * when there are at least `grain` elements per thread (fn must be safe to call
 * concurrently on disjoint ranges and must not call back into R). */
void tl_iter_run_parallel(const tl_iter *it, tl_loop_fn fn, void *ctx, int64_t grain);

/* Runs fn(ctx, t) for t in [0, ntasks), the tasks handed out one at a time to up to
 * `nthreads` OpenMP threads (all on the calling thread without OpenMP or when nthreads < 2);
 * fn must be safe to call concurrently and must not call back into R, allocate through
 * tl_malloc or record errors. */
typedef void (*tl_task_fn)(void *ctx, int64_t task);
void tl_parallel_tasks(int64_t ntasks, int nthreads, tl_task_fn fn, void *ctx);

/* Broadcasts two shapes (PyTorch rules); error message as PyTorch's. */
tl_status tl_broadcast_shapes(int na, const int64_t *a, int nb, const int64_t *b, int *nout,
                              int64_t *out);
/* Strides of t broadcast to (ndim, shape); error if t cannot be broadcast. */
tl_status tl_broadcast_strides(const tl_tensor *t, int ndim, const int64_t *shape,
                               int64_t *strides);

#endif
