#include "iter.h"

#include <string.h>

#include "parallel.h"

void tl_iter_init(tl_iter *it, int nops, int ndim, const int64_t *shape, char **data,
                  const int64_t *const *estrides, const size_t *esize) {
  it->nops = nops;
  it->numel = 1;
  for (int k = 0; k < nops; k++) it->data[k] = data[k];
  int nd = 0;
  for (int i = 0; i < ndim; i++) {
    it->numel *= shape[i];
    if (shape[i] == 1) continue; /* size-1 dims never move the pointers */
    it->shape[nd] = shape[i];
    for (int k = 0; k < nops; k++) it->strides[k][nd] = estrides[k][i] * (int64_t)esize[k];
    nd++;
  }
  /* merge dimension j into j-1 when every operand steps through them as one run */
  int out = 0;
  for (int j = 1; j < nd; j++) {
    int merge = 1;
    for (int k = 0; k < nops && merge; k++)
      if (it->strides[k][out] != it->strides[k][j] * it->shape[j]) merge = 0;
    if (merge) {
      it->shape[out] *= it->shape[j];
      for (int k = 0; k < nops; k++) it->strides[k][out] = it->strides[k][j];
    } else {
      out++;
      it->shape[out] = it->shape[j];
      for (int k = 0; k < nops; k++) it->strides[k][out] = it->strides[k][j];
    }
  }
  it->ndim = nd == 0 ? 0 : out + 1;
}

tl_status tl_iter_tensors(tl_iter *it, int nops, const tl_tensor *const *ops, int ndim,
                          const int64_t *shape) {
  int64_t st[TL_ITER_MAX_OPS][TL_MAX_DIMS];
  const int64_t *sp[TL_ITER_MAX_OPS];
  char *data[TL_ITER_MAX_OPS];
  size_t es[TL_ITER_MAX_OPS];
  for (int k = 0; k < nops; k++) {
    tl_status s = tl_broadcast_strides(ops[k], ndim, shape, st[k]);
    if (s != TL_OK) return s;
    sp[k] = st[k];
    data[k] = (char *)tl_data(ops[k]);
    es[k] = tl_dtype_size(ops[k]->dtype);
  }
  tl_iter_init(it, nops, ndim, shape, data, sp, es);
  return TL_OK;
}

void tl_iter_run(const tl_iter *it, tl_loop_fn fn, void *ctx) {
  if (it->numel == 0) return;
  int nops = it->nops;
  char *ptr[TL_ITER_MAX_OPS];
  int64_t inner[TL_ITER_MAX_OPS];
  if (it->ndim == 0) {
    for (int k = 0; k < nops; k++) { ptr[k] = it->data[k]; inner[k] = 0; }
    fn(ptr, inner, 1, ctx);
    return;
  }
  int last = it->ndim - 1;
  for (int k = 0; k < nops; k++) inner[k] = it->strides[k][last];
  int64_t n = it->shape[last];
  if (it->ndim == 2) { /* rows (a row vector broadcast over a matrix, ...): step the pointers */
    const int64_t rows = it->shape[0];
    for (int64_t r = 0; r < rows; r++) {
      for (int k = 0; k < nops; k++) ptr[k] = it->data[k] + r * it->strides[k][0];
      fn(ptr, inner, n, ctx);
    }
    return;
  }
  int64_t idx[TL_MAX_DIMS] = {0};
  for (;;) {
    for (int k = 0; k < nops; k++) {
      char *p = it->data[k];
      for (int d = 0; d < last; d++) p += idx[d] * it->strides[k][d];
      ptr[k] = p;
    }
    fn(ptr, inner, n, ctx);
    int d = last - 1;
    while (d >= 0 && ++idx[d] == it->shape[d]) idx[d--] = 0;
    if (d < 0) break;
  }
}

tl_status tl_broadcast_shapes(int na, const int64_t *a, int nb, const int64_t *b, int *nout,
                              int64_t *out) {
  int n = na > nb ? na : nb;
  if (n > TL_MAX_DIMS)
    return tl_error(TL_ERR_VALUE, "tensors can have at most %d dimensions", TL_MAX_DIMS);
  int64_t res[TL_MAX_DIMS]; /* out may alias a or b */
  for (int i = 0; i < n; i++) {
    int ia = na - n + i, ib = nb - n + i;
    int64_t sa = ia >= 0 ? a[ia] : 1, sb = ib >= 0 ? b[ib] : 1;
    if (sa == sb || sb == 1) res[i] = sa;
    else if (sa == 1) res[i] = sb;
    else
      return tl_error(TL_ERR_VALUE,
                      "The size of tensor a (%lld) must match the size of tensor b (%lld) at "
                      "non-singleton dimension %d",
                      (long long)sa, (long long)sb, i);
  }
  for (int i = 0; i < n; i++) out[i] = res[i];
  *nout = n;
  return TL_OK;
}

tl_status tl_broadcast_strides(const tl_tensor *t, int ndim, const int64_t *shape,
                               int64_t *strides) {
  if (t->ndim > ndim)
    return tl_error(TL_ERR_VALUE, "a tensor with %d dimensions cannot be broadcast to %d",
                    t->ndim, ndim);
  for (int i = 0; i < ndim; i++) {
    int j = t->ndim - ndim + i;
    if (j < 0) { strides[i] = 0; continue; }
    if (t->shape[j] == shape[i]) strides[i] = t->strides[j];
    else if (t->shape[j] == 1) strides[i] = 0;
    else
      return tl_error(TL_ERR_VALUE,
                      "The expanded size of the tensor (%lld) must match the existing size "
                      "(%lld) at non-singleton dimension %d",
                      (long long)shape[i], (long long)t->shape[j], i);
  }
  return TL_OK;
}

void tl_iter_run_range(const tl_iter *it, tl_loop_fn fn, void *ctx, int64_t begin, int64_t end) {
  if (begin >= end) return;
  int nops = it->nops;
  char *ptr[TL_ITER_MAX_OPS];
  int64_t inner[TL_ITER_MAX_OPS];
  if (it->ndim == 0) {
    for (int k = 0; k < nops; k++) { ptr[k] = it->data[k]; inner[k] = 0; }
    fn(ptr, inner, 1, ctx);
    return;
  }
  int last = it->ndim - 1;
  for (int k = 0; k < nops; k++) inner[k] = it->strides[k][last];
  /* multi-index of `begin` */
  int64_t idx[TL_MAX_DIMS];
  int64_t rem = begin;
  for (int d = last; d >= 0; d--) {
    idx[d] = rem % it->shape[d];
    rem /= it->shape[d];
  }
  int64_t pos = begin;
  while (pos < end) {
    for (int k = 0; k < nops; k++) {
      char *p = it->data[k];
      for (int d = 0; d <= last; d++) p += idx[d] * it->strides[k][d];
      ptr[k] = p;
    }
    int64_t n = it->shape[last] - idx[last];
    if (n > end - pos) n = end - pos;
    fn(ptr, inner, n, ctx);
    pos += n;
    idx[last] += n;
    for (int d = last; d > 0 && idx[d] == it->shape[d]; d--) {
      idx[d] = 0;
      idx[d - 1]++;
    }
  }
}

void tl_iter_run_parallel(const tl_iter *it, tl_loop_fn fn, void *ctx, int64_t grain) {
#ifdef _OPENMP
  int64_t numel = it->numel;
  int nt = tl_get_num_threads();
  if (grain < 1) grain = 1;
  if (nt > 1 && numel >= 2 * grain) {
    int64_t max_chunks = numel / grain;
    int chunks = max_chunks < nt ? (int)max_chunks : nt;
#pragma omp parallel for num_threads(chunks) schedule(static, 1)
    for (int c = 0; c < chunks; c++) {
      /* chunk boundaries on multiples of 16 elements keep vector loops aligned */
      int64_t b = (numel * c / chunks) & ~(int64_t)15;
      int64_t e = c == chunks - 1 ? numel : (numel * (c + 1) / chunks) & ~(int64_t)15;
      tl_iter_run_range(it, fn, ctx, b, e);
    }
    return;
  }
#else
  (void)grain;
#endif
  tl_iter_run(it, fn, ctx);
}

void tl_parallel_tasks(int64_t ntasks, int nthreads, tl_task_fn fn, void *ctx) {
#ifdef _OPENMP
  if (nthreads > ntasks) nthreads = (int)ntasks;
  if (nthreads > 1) {
#pragma omp parallel for num_threads(nthreads) schedule(dynamic, 1)
    for (int64_t t = 0; t < ntasks; t++) fn(ctx, t);
    return;
  }
#else
  (void)nthreads;
#endif
  for (int64_t t = 0; t < ntasks; t++) fn(ctx, t);
}
