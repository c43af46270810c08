#include "creation.h"

#include <math.h>

tl_tensor *tl_arange(double start, double end, double step, tl_dtype dt) {
  if (step == 0 || !isfinite(step)) {
    tl_error(TL_ERR_VALUE, "step must be nonzero");
    return NULL;
  }
  if (!isfinite(start) || !isfinite(end)) {
    tl_error(TL_ERR_VALUE, "unsupported range: %g -> %g", start, end);
    return NULL;
  }
  if ((step > 0 && end < start) || (step < 0 && end > start)) {
    tl_error(TL_ERR_VALUE, "upper bound and larger bound inconsistent with step sign");
    return NULL;
  }
  double len = ceil((end - start) / step);
  if (len > 9.0e15) {
    tl_error(TL_ERR_VALUE, "the range has too many elements");
    return NULL;
  }
  int64_t n = (int64_t)len;
  tl_tensor *t = tl_tensor_empty(dt, 1, &n);
  if (!t) return NULL;
  void *p = tl_data(t);
  for (int64_t i = 0; i < n; i++) {
    double v = start + step * (double)i; /* libtorch accumulates in double */
    switch (dt) {
    case TL_FLOAT32: ((float *)p)[i] = (float)v; break;
    case TL_FLOAT64: ((double *)p)[i] = v; break;
    case TL_INT32: ((int32_t *)p)[i] = (int32_t)v; break;
    case TL_INT64: ((int64_t *)p)[i] = (int64_t)v; break;
    case TL_BOOL: ((uint8_t *)p)[i] = v != 0; break;
    default: break;
    }
  }
  return t;
}

/* libtorch fills the first half forwards from start and the second half backwards from
 * end, in the tensor's own precision for floating types. */
#define LINSPACE(T, ST)                                                                   \
  do {                                                                                    \
    T *o = (T *)tl_data(t);                                                               \
    ST s0 = (ST)start, s1 = (ST)end;                                                      \
    ST step = steps > 1 ? (s1 - s0) / (ST)(steps - 1) : 0;                                \
    int64_t half = steps / 2;                                                             \
    for (int64_t i = 0; i < steps; i++)                                                   \
      o[i] = (T)(i < half ? s0 + step * (ST)i : s1 - step * (ST)(steps - i - 1));         \
  } while (0)

tl_tensor *tl_linspace(double start, double end, int64_t steps, tl_dtype dt) {
  if (steps < 0) {
    tl_error(TL_ERR_VALUE, "number of steps must be non-negative");
    return NULL;
  }
  tl_tensor *t = tl_tensor_empty(dt, 1, &steps);
  if (!t) return NULL;
  if (steps == 1) {
    double v = start;
    tl_tensor *src = tl_tensor_borrow(&v, TL_FLOAT64, 0, NULL, NULL);
    tl_status st = src ? tl_copy_into(t, src) : tl_last_status();
    tl_tensor_release(src);
    if (st != TL_OK) { tl_tensor_release(t); return NULL; }
    return t;
  }
  switch (dt) {
  case TL_FLOAT32: LINSPACE(float, float); break;
  case TL_FLOAT64: LINSPACE(double, double); break;
  case TL_INT32: LINSPACE(int32_t, double); break;
  case TL_INT64: LINSPACE(int64_t, double); break;
  default:
    tl_tensor_release(t);
    tl_error(TL_ERR_TYPE, "linspace is not implemented for dtype %s", tl_dtype_name(dt));
    return NULL;
  }
  return t;
}

tl_tensor *tl_eye(int64_t n, int64_t m, tl_dtype dt) {
  if (n < 0 || m < 0) {
    tl_error(TL_ERR_VALUE, "n and m must be non-negative, got %lld and %lld", (long long)n,
             (long long)m);
    return NULL;
  }
  int64_t shape[2] = {n, m};
  tl_tensor *t = tl_tensor_zeros(dt, 2, shape);
  if (!t) return NULL;
  char *p = tl_data(t);
  size_t es = tl_dtype_size(dt);
  int64_t k = n < m ? n : m;
  for (int64_t i = 0; i < k; i++) {
    char *e = p + (size_t)(i * m + i) * es;
    switch (dt) {
    case TL_FLOAT32: *(float *)e = 1; break;
    case TL_FLOAT64: *(double *)e = 1; break;
    case TL_INT32: *(int32_t *)e = 1; break;
    case TL_INT64: *(int64_t *)e = 1; break;
    case TL_BOOL: *(uint8_t *)e = 1; break;
    default: break;
    }
  }
  return t;
}
