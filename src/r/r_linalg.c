/* .Call wrappers of the matrix products. Each calls one core function. */
#include "r_tensor.h"

#include "../core/autograd/derivatives.h"

#include "../core/ops/linalg.h"

/* A tensor argument: a handle's tensor, or R data converted to a tensor that a new R handle
 * owns (so that an error raised while converting the other argument leaks nothing). The
 * caller unprotects `*nprot` objects. */
static tl_tensor *arg(SEXP x, int *nprot) {
  if (tl_r_is_tensor(x)) return tl_r_unwrap(x);
  SEXP h = PROTECT(tl_r_wrap(tl_r_as_tensor(x)));
  (*nprot)++;
  return tl_r_unwrap(h);
}

typedef tl_tensor *(*binop)(const tl_tensor *, const tl_tensor *);

static SEXP call2(SEXP x, SEXP y, binop f) {
  int np = 0;
  tl_tensor *a = arg(x, &np);
  tl_tensor *b = arg(y, &np);
  tl_tensor *r = f(a, b);
  SEXP out = tl_r_wrap(r);
  UNPROTECT(np);
  return out;
}

SEXP C_tl_mm(SEXP x, SEXP y) { return call2(x, y, tl_ag_mm); }
SEXP C_tl_bmm(SEXP x, SEXP y) { return call2(x, y, tl_ag_bmm); }
SEXP C_tl_mv(SEXP x, SEXP y) { return call2(x, y, tl_ag_mv); }
SEXP C_tl_dot(SEXP x, SEXP y) { return call2(x, y, tl_ag_dot); }
SEXP C_tl_matmul(SEXP x, SEXP y) { return call2(x, y, tl_ag_matmul); }

SEXP C_tl_linear(SEXP input, SEXP weight, SEXP bias) {
  if (!tl_r_is_tensor(input) || !tl_r_is_tensor(weight) ||
      (!Rf_isNull(bias) && !tl_r_is_tensor(bias)))
    tl_r_stop(TL_ERR_VALUE, "nnf_linear() expects tensors for input, weight and bias");
  tl_tensor *b = Rf_isNull(bias) ? NULL : tl_r_unwrap(bias);
  return tl_r_wrap(tl_ag_linear(tl_r_unwrap(input), tl_r_unwrap(weight), b));
}

/* internal: the direct path for small float products; NULL asks, FALSE switches it off,
 * TRUE on (where available). Returns whether it is on. */
SEXP C_tl_small_gemm(SEXP mode) {
  int m = Rf_isNull(mode) ? -1 : Rf_asLogical(mode) == TRUE ? 1 : 0;
  return Rf_ScalarLogical(tl_small_gemm(m));
}
