/* Creation functions: full/zeros/ones/empty, ranges, eye and the random generators. */
#include "r_tensor.h"

#include "../core/ops/creation.h"
#include "../core/random.h"

/* Reads requires_grad and checks it against the dtype before anything is allocated. */
static int grad_flag(SEXP requires_grad, tl_dtype dt) {
  int rg = tl_r_flag(requires_grad, "requires_grad");
  if (rg && !tl_dtype_is_floating(dt))
    tl_r_stop(TL_ERR_RUNTIME,
              "Only Tensors of floating point and complex dtype can require gradients");
  return rg;
}

static tl_tensor *finish(tl_tensor *t, int rg) {
  if (!t) tl_r_throw();
  t->requires_grad = rg;
  return t;
}

SEXP C_tl_full(SEXP size, SEXP value, SEXP dtype, SEXP requires_grad) {
  int64_t shape[TL_MAX_DIMS];
  int nd = tl_r_shape(size, shape);
  double v = tl_r_double(value, "fill_value");
  tl_dtype dflt = TL_FLOAT32;
  if (TYPEOF(value) == LGLSXP) dflt = TL_BOOL;
  else if (TYPEOF(value) == INTSXP) dflt = TL_INT64;
  tl_dtype dt = tl_r_dtype(dtype, dflt);
  int rg = grad_flag(requires_grad, dt);
  tl_tensor *t = tl_tensor_empty(dt, nd, shape);
  if (t && tl_fill(t, v) != TL_OK) {
    tl_tensor_release(t);
    t = NULL;
  }
  return tl_r_wrap(finish(t, rg));
}

SEXP C_tl_zeros(SEXP size, SEXP dtype, SEXP requires_grad) {
  int64_t shape[TL_MAX_DIMS];
  int nd = tl_r_shape(size, shape);
  tl_dtype dt = tl_r_dtype(dtype, TL_FLOAT32);
  int rg = grad_flag(requires_grad, dt);
  return tl_r_wrap(finish(tl_tensor_zeros(dt, nd, shape), rg));
}

SEXP C_tl_arange(SEXP start, SEXP end, SEXP step, SEXP dtype, SEXP requires_grad) {
  tl_dtype dt = tl_r_dtype(dtype, TL_FLOAT32);
  int rg = grad_flag(requires_grad, dt);
  double a = tl_r_double(start, "start"), b = tl_r_double(end, "end"),
         s = tl_r_double(step, "step");
  return tl_r_wrap(finish(tl_arange(a, b, s, dt), rg));
}

SEXP C_tl_linspace(SEXP start, SEXP end, SEXP steps, SEXP dtype, SEXP requires_grad) {
  tl_dtype dt = tl_r_dtype(dtype, TL_FLOAT32);
  int rg = grad_flag(requires_grad, dt);
  double a = tl_r_double(start, "start"), b = tl_r_double(end, "end"),
         n = tl_r_double(steps, "steps");
  if (!(n >= 0 && n <= 9e15 && n == (double)(int64_t)n))
    tl_r_stop(TL_ERR_VALUE, "number of steps must be a non-negative whole number");
  return tl_r_wrap(finish(tl_linspace(a, b, (int64_t)n, dt), rg));
}

SEXP C_tl_eye(SEXP n, SEXP m, SEXP dtype, SEXP requires_grad) {
  tl_dtype dt = tl_r_dtype(dtype, TL_FLOAT32);
  int rg = grad_flag(requires_grad, dt);
  double nn = tl_r_double(n, "n"), mm = tl_r_double(m, "m");
  if (!(nn >= 0 && nn <= 9e15 && nn == (double)(int64_t)nn) ||
      !(mm >= 0 && mm <= 9e15 && mm == (double)(int64_t)mm))
    tl_r_stop(TL_ERR_VALUE, "n and m must be non-negative whole numbers");
  return tl_r_wrap(finish(tl_eye((int64_t)nn, (int64_t)mm, dt), rg));
}

/* ---------------------------------------------------------------- random */

SEXP C_tl_manual_seed(SEXP seed) {
  double s = tl_r_double(seed, "seed");
  if (!(s >= 0 && s <= 18446744073709551615.0 && s == (double)(uint64_t)s))
    tl_r_stop(TL_ERR_VALUE, "seed must be a non-negative whole number");
  tl_rng_manual_seed((uint64_t)s);
  return R_NilValue;
}

SEXP C_tl_rand(SEXP size, SEXP normal, SEXP dtype, SEXP requires_grad) {
  int64_t shape[TL_MAX_DIMS];
  int nd = tl_r_shape(size, shape);
  tl_dtype dt = tl_r_dtype(dtype, TL_FLOAT32);
  int rg = grad_flag(requires_grad, dt);
  int norm = tl_r_flag(normal, "normal");
  if (!tl_dtype_is_floating(dt))
    tl_r_stop(TL_ERR_TYPE, "\"%s\" not implemented for '%s'",
              norm ? "normal_kernel_cpu" : "uniform_kernel_cpu", tl_dtype_name(dt));
  tl_tensor *t = tl_tensor_empty(dt, nd, shape);
  if (!t) tl_r_throw();
  if (dt == TL_FLOAT32) {
    if (norm) tl_rng_normal_f32(tl_data(t), t->numel, 0.0, 1.0);
    else tl_rng_uniform_f32(tl_data(t), t->numel, 0.0, 1.0);
  } else {
    if (norm) tl_rng_normal_f64(tl_data(t), t->numel, 0.0, 1.0);
    else tl_rng_uniform_f64(tl_data(t), t->numel, 0.0, 1.0);
  }
  return tl_r_wrap(finish(t, rg));
}

SEXP C_tl_randint(SEXP low, SEXP high, SEXP size, SEXP dtype, SEXP requires_grad) {
  int64_t shape[TL_MAX_DIMS];
  int nd = tl_r_shape(size, shape);
  double lo = tl_r_double(low, "low"), hi = tl_r_double(high, "high");
  if (!(lo == (double)(int64_t)lo && hi == (double)(int64_t)hi))
    tl_r_stop(TL_ERR_VALUE, "low and high must be whole numbers");
  if (!(lo < hi))
    tl_r_stop(TL_ERR_VALUE, "random_ expects 'from' to be less than 'to', but got from=%lld >= to=%lld",
              (long long)lo, (long long)hi);
  /* R torch's randint returns the default dtype (float32), unlike PyTorch's int64 */
  tl_dtype dt = tl_r_dtype(dtype, TL_FLOAT32);
  int rg = grad_flag(requires_grad, dt);
  if (dt == TL_BOOL) tl_r_stop(TL_ERR_TYPE, "randint is not implemented for dtype Bool");
  tl_tensor *t = tl_tensor_empty(dt, nd, shape);
  if (!t) tl_r_throw();
  int64_t l = (int64_t)lo, h = (int64_t)hi;
  switch (dt) {
  case TL_INT64: tl_rng_randint_i64(tl_data(t), t->numel, l, h); break;
  case TL_INT32: tl_rng_randint_i32(tl_data(t), t->numel, l, h); break;
  case TL_FLOAT32: tl_rng_randint_f32(tl_data(t), t->numel, l, h); break;
  default: tl_rng_randint_f64(tl_data(t), t->numel, l, h); break;
  }
  return tl_r_wrap(finish(t, rg));
}
