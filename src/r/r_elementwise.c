/* .Call wrappers of the elementwise ops: argument checks and conversions, then one core call.
 *
 * How R values become operands follows R torch:
 * - a `self`-like argument (the tensor an op is applied to, and the left operand of an
 *   operator) that is not a tensor becomes a tensor as torch_tensor() makes it (an R double
 *   is a float32 tensor of shape 1): `1 - x` is torch_sub(torch_tensor(1), x), with one
 *   deliberate difference: next to a float64 tensor, R doubles become float64 (see
 *   ew_tensor);
 * - an `other`-like argument of length one becomes a 0-d "wrapped number" (R double ->
 *   float64, integer -> int64, logical -> bool) that does not widen the result dtype within
 *   its category, as libtorch's Scalar arguments: `x * 2` stays float32.
 * All checks that can fail run before anything is allocated; conversions themselves report
 * failures through the core's error, so held tensors are released before throwing.
 *
 * Differentiable ops go through the autograd layer's tl_ag_* functions (the kernel plus the
 * grad_fn node); in-place forms without a recorded derivative first pass
 * tl_ag_check_inplace() (R torch's "a leaf Variable that requires grad ..." error). */
#include "r_tensor.h"

#include <string.h>

#include "../core/autograd/derivatives.h"
#include "../core/ops/elementwise.h"
#include "calls_elementwise.h"

enum { AS_TENSOR = 0, AS_SCALAR = 1 };

/* Throws unless x is a tensor or an atomic numeric/integer/logical vector; returns the
 * tensor (borrowed), or NULL for an R vector. */
static tl_tensor *ew_check(SEXP x, const char *what) {
  if (tl_r_is_tensor(x)) return tl_r_unwrap(x); /* errors for a handle whose memory is gone */
  int type = TYPEOF(x);
  if ((type == REALSXP || type == INTSXP || type == LGLSXP) && !OBJECT(x)) return NULL;
  const char *desc = Rf_type2char((SEXPTYPE)type);
  if (OBJECT(x)) {
    SEXP cl = Rf_getAttrib(x, R_ClassSymbol);
    if (TYPEOF(cl) == STRSXP && XLENGTH(cl) > 0) desc = CHAR(STRING_ELT(cl, 0));
  }
  tl_r_stop(TL_ERR_TYPE,
            "%s must be a torch_tensor or a numeric, integer or logical value, not '%s'", what,
            desc);
}

/* The tensor for an argument that passed ew_check: a new reference, or NULL with the core's
 * error set (allocation failure). Never throws. `like` (a dtype code, or -1) is the dtype of
 * the tensor on the other side: R doubles made into tensors take it when it is floating, so
 * that `0.1 - x` keeps 0.1 to double precision when x is float64 (R torch would round it to
 * float32 first, and a float32 tensor of shape 1 would even make the result float32 when x
 * has no dimensions). */
static tl_tensor *ew_tensor(SEXP x, int how, int like) {
  tl_tensor *t0 = tl_r_tensor_or_null(x); /* ew_check has rejected dead handles */
  if (t0) {
    tl_tensor_retain(t0);
    return t0;
  }
  SEXP dim = Rf_getAttrib(x, R_DimSymbol);
  R_xlen_t n = XLENGTH(x);
  if (n == 1 && Rf_isNull(dim)) {
    tl_tensor *t;
    int64_t one = 1;
    if (how == AS_SCALAR) {
      switch (TYPEOF(x)) {
      case REALSXP: return tl_wrapped_number(TL_FLOAT64, REAL(x)[0], 0);
      case INTSXP:
        return tl_wrapped_number(TL_INT64, 0,
                                 INTEGER(x)[0] == NA_INTEGER ? INT64_MIN : INTEGER(x)[0]);
      default: return tl_wrapped_number(TL_BOOL, 0, LOGICAL(x)[0] != 0);
      }
    }
    tl_dtype dt = TYPEOF(x) == REALSXP ? TL_FLOAT32 : TYPEOF(x) == INTSXP ? TL_INT64 : TL_BOOL;
    if (TYPEOF(x) == REALSXP && like == TL_FLOAT64) dt = TL_FLOAT64;
    t = tl_tensor_empty(dt, 1, &one);
    if (!t) return NULL;
    switch (TYPEOF(x)) {
    case REALSXP:
      if (dt == TL_FLOAT64) *(double *)tl_data(t) = REAL(x)[0];
      else *(float *)tl_data(t) = (float)REAL(x)[0];
      break;
    case INTSXP: *(int64_t *)tl_data(t) = INTEGER(x)[0]; break;
    default: *(uint8_t *)tl_data(t) = LOGICAL(x)[0] != 0; break;
    }
    return t;
  }
  /* a vector or array: torch_tensor(x), column-major R data into a row-major tensor */
  int64_t shape[TL_MAX_DIMS], strides[TL_MAX_DIMS];
  int nd;
  if (Rf_isNull(dim)) {
    nd = 1;
    shape[0] = (int64_t)n;
  } else {
    nd = (int)XLENGTH(dim);
    if (nd > TL_MAX_DIMS) {
      tl_error(TL_ERR_VALUE, "tensors can have at most %d dimensions, got %d", TL_MAX_DIMS, nd);
      return NULL;
    }
    for (int i = 0; i < nd; i++) shape[i] = INTEGER(dim)[i];
  }
  int64_t s = 1;
  for (int i = 0; i < nd; i++) {
    strides[i] = s;
    s *= shape[i];
  }
  tl_dtype src_dt, dt;
  void *ptr;
  switch (TYPEOF(x)) {
  case REALSXP:
    src_dt = TL_FLOAT64;
    dt = like == TL_FLOAT64 ? TL_FLOAT64 : TL_FLOAT32;
    ptr = REAL(x);
    break;
  case INTSXP: src_dt = TL_INT32; dt = TL_INT64; ptr = INTEGER(x); break;
  default: src_dt = TL_INT32; dt = TL_BOOL; ptr = LOGICAL(x); break;
  }
  tl_tensor *src = tl_tensor_borrow(ptr, src_dt, nd, shape, strides);
  if (!src) return NULL;
  tl_tensor *out = tl_tensor_empty(dt, nd, shape);
  if (out && tl_copy_into(out, src) != TL_OK) {
    tl_tensor_release(out);
    out = NULL;
  }
  tl_tensor_release(src);
  return out;
}

/* Two operands: checks both, converts both (releasing the first if the second fails). */
static void ew_pair(SEXP x, int hx, SEXP y, int hy, const char *wx, const char *wy,
                    tl_tensor **a, tl_tensor **b) {
  tl_tensor *tx = ew_check(x, wx);
  tl_tensor *ty = ew_check(y, wy);
  if (tx) tl_tensor_retain(tx);
  *a = tx ? tx : ew_tensor(x, hx, ty ? (int)ty->dtype : -1);
  if (!*a) tl_r_throw();
  if (ty) tl_tensor_retain(ty);
  *b = ty ? ty : ew_tensor(y, hy, tx ? (int)tx->dtype : -1);
  if (!*b) {
    tl_tensor_release(*a);
    tl_r_throw();
  }
}

/* The result of a core call that took two operands. */
static SEXP ew_result2(tl_tensor *r, tl_tensor *a, tl_tensor *b) {
  tl_tensor_release(a);
  tl_tensor_release(b);
  return tl_r_wrap(r); /* throws the core's error when r is NULL */
}

/* in-place: self must be a tensor; returns self */
static SEXP ew_done_(SEXP self, tl_status st, tl_tensor *held1, tl_tensor *held2) {
  tl_tensor_release(held1);
  tl_tensor_release(held2);
  if (st != TL_OK) tl_r_throw();
  return self;
}

static tl_tensor *ew_self(SEXP self) {
  if (!tl_r_is_tensor(self))
    tl_r_stop(TL_ERR_TYPE, "self must be a torch_tensor for an in-place operation");
  return tl_r_unwrap(self);
}

static tl_rounding_mode rounding_mode(SEXP mode) {
  if (Rf_isNull(mode)) return TL_ROUND_NONE;
  if (TYPEOF(mode) == STRSXP && XLENGTH(mode) == 1 && STRING_ELT(mode, 0) != NA_STRING) {
    const char *m = CHAR(STRING_ELT(mode, 0));
    if (!strcmp(m, "trunc")) return TL_ROUND_TRUNC;
    if (!strcmp(m, "floor")) return TL_ROUND_FLOOR;
    tl_r_stop(TL_ERR_VALUE,
              "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '%s'",
              m);
  }
  tl_r_stop(TL_ERR_VALUE, "rounding_mode must be NULL, \"trunc\" or \"floor\"");
}

/* ---------------------------------------------------------------- operators */

#define OP_ENTRY(NAME, HX, HY, WHAT, CALL)                                                \
  SEXP C_tl_op_##NAME(SEXP e1, SEXP e2) {                                                 \
    tl_tensor *a, *b;                                                                     \
    ew_pair(e1, HX, e2, HY, "the left operand of " WHAT, "the right operand of " WHAT, &a,   \
            &b);                                                                          \
    return ew_result2(CALL, a, b);                                                        \
  }

OP_ENTRY(add, AS_SCALAR, AS_SCALAR, "+", tl_ag_add(a, b))
OP_ENTRY(sub, AS_SCALAR, AS_SCALAR, "-", tl_ag_sub(a, b, 1))
OP_ENTRY(mul, AS_SCALAR, AS_SCALAR, "*", tl_ag_mul(a, b))
OP_ENTRY(div, AS_SCALAR, AS_SCALAR, "/", tl_ag_div(a, b))
OP_ENTRY(pow, AS_SCALAR, AS_SCALAR, "^", tl_ag_pow(a, b))
OP_ENTRY(fmod, AS_TENSOR, AS_SCALAR, "%%", tl_ag_binary(TL_BIN_FMOD, a, b))
OP_ENTRY(intdiv, AS_TENSOR, AS_SCALAR, "%/%", tl_ag_binary(TL_BIN_DIV_TRUNC, a, b))
OP_ENTRY(ne, AS_TENSOR, AS_SCALAR, "!=", tl_ne(a, b))
/* R torch converts both sides of these with torch_tensor() */
OP_ENTRY(eq, AS_TENSOR, AS_TENSOR, "==", tl_eq(a, b))
OP_ENTRY(lt, AS_TENSOR, AS_TENSOR, "<", tl_lt(a, b))
OP_ENTRY(le, AS_TENSOR, AS_TENSOR, "<=", tl_le(a, b))
OP_ENTRY(gt, AS_TENSOR, AS_TENSOR, ">", tl_gt(a, b))
OP_ENTRY(ge, AS_TENSOR, AS_TENSOR, ">=", tl_ge(a, b))
OP_ENTRY(and, AS_TENSOR, AS_TENSOR, "&", tl_logical_and(a, b))
OP_ENTRY(or, AS_TENSOR, AS_TENSOR, "|", tl_logical_or(a, b))

/* unary minus and plus: R torch computes zeros_like(x) - x and x + zeros_like(x) */
static tl_tensor *zero_like(const tl_tensor *x) { return tl_tensor_zeros(x->dtype, 0, NULL); }

SEXP C_tl_op_neg(SEXP e1) {
  tl_tensor *x = tl_r_unwrap(e1);
  tl_tensor *z = zero_like(x);
  if (!z) tl_r_throw();
  tl_tensor *r = tl_ag_sub(z, x, 1);
  tl_tensor_release(z);
  return tl_r_wrap(r);
}

SEXP C_tl_op_pos(SEXP e1) {
  tl_tensor *x = tl_r_unwrap(e1);
  tl_tensor *z = zero_like(x);
  if (!z) tl_r_throw();
  tl_tensor *r = tl_ag_add(x, z);
  tl_tensor_release(z);
  return tl_r_wrap(r);
}

/* ---------------------------------------------------------------- binary functions */

SEXP C_tl_add(SEXP self, SEXP other, SEXP alpha) {
  double al = tl_r_double(alpha, "alpha");
  tl_tensor *a, *b;
  ew_pair(self, AS_TENSOR, other, AS_SCALAR, "self", "other", &a, &b);
  return ew_result2(al == 1 ? tl_ag_add(a, b) : tl_ag_add_alpha(a, b, al), a, b);
}

SEXP C_tl_sub(SEXP self, SEXP other, SEXP alpha) {
  double al = tl_r_double(alpha, "alpha");
  tl_tensor *a, *b;
  ew_pair(self, AS_TENSOR, other, AS_SCALAR, "self", "other", &a, &b);
  return ew_result2(tl_ag_sub(a, b, al), a, b);
}

SEXP C_tl_div(SEXP self, SEXP other, SEXP mode) {
  tl_rounding_mode m = rounding_mode(mode);
  tl_tensor *a, *b;
  ew_pair(self, AS_TENSOR, other, AS_SCALAR, "self", "other", &a, &b);
  return ew_result2(m == TL_ROUND_NONE ? tl_ag_div(a, b)
                                       : tl_ag_binary(m == TL_ROUND_TRUNC ? TL_BIN_DIV_TRUNC : TL_BIN_DIV_FLOOR, a, b),
                    a, b);
}

/* torch_pow(2, x): a scalar base is a Scalar in R torch */
SEXP C_tl_pow(SEXP self, SEXP exponent) {
  tl_tensor *a, *b;
  ew_pair(self, AS_SCALAR, exponent, AS_SCALAR, "self", "exponent", &a, &b);
  if (a->wrapped_number && b->wrapped_number) {
    tl_tensor_release(a);
    tl_tensor_release(b);
    tl_r_stop(TL_ERR_TYPE, "torch_pow needs a tensor as self or exponent");
  }
  return ew_result2(tl_ag_pow(a, b), a, b);
}

SEXP C_tl_add_(SEXP self, SEXP other, SEXP alpha) {
  double al = tl_r_double(alpha, "alpha");
  tl_tensor *s = ew_self(self);
  ew_check(other, "other");
  tl_tensor *b = ew_tensor(other, AS_SCALAR, -1);
  if (!b) tl_r_throw();
  return ew_done_(self, tl_ag_add_(s, b, al, 0), b, NULL);
}

SEXP C_tl_sub_(SEXP self, SEXP other, SEXP alpha) {
  double al = tl_r_double(alpha, "alpha");
  tl_tensor *s = ew_self(self);
  ew_check(other, "other");
  tl_tensor *b = ew_tensor(other, AS_SCALAR, -1);
  if (!b) tl_r_throw();
  return ew_done_(self, tl_ag_add_(s, b, al, 1), b, NULL);
}

SEXP C_tl_div_(SEXP self, SEXP other, SEXP mode) {
  tl_rounding_mode m = rounding_mode(mode);
  tl_tensor *s = ew_self(self);
  ew_check(other, "other");
  tl_tensor *b = ew_tensor(other, AS_SCALAR, -1);
  if (!b) tl_r_throw();
  tl_status st = m == TL_ROUND_NONE ? tl_ag_div_(s, b)
                                    : tl_ag_binary_(m == TL_ROUND_TRUNC ? TL_BIN_DIV_TRUNC : TL_BIN_DIV_FLOOR, s, b);
  return ew_done_(self, st, b, NULL);
}

SEXP C_tl_pow_(SEXP self, SEXP exponent) {
  tl_tensor *s = ew_self(self);
  ew_check(exponent, "exponent");
  tl_tensor *b = ew_tensor(exponent, AS_SCALAR, -1);
  if (!b) tl_r_throw();
  tl_status st = tl_ag_check_inplace(s);
  if (st == TL_OK) st = tl_pow_(s, b);
  return ew_done_(self, st, b, NULL);
}

/* the differentiable ones through autograd */
static tl_tensor *binary_ag(tl_binary_op op, const tl_tensor *a, const tl_tensor *b) {
  switch (op) {
  case TL_BIN_MUL: return tl_ag_mul(a, b);
  case TL_BIN_MAXIMUM: return tl_ag_maximum(a, b);
  case TL_BIN_MINIMUM: return tl_ag_minimum(a, b);
  default: return tl_ag_binary(op, a, b);
  }
}

static tl_status binary_ag_(tl_binary_op op, tl_tensor *self, const tl_tensor *other) {
  return tl_ag_binary_(op, self, other);
}

#define BINARY_ENTRIES(X, name, OP)                                                       \
  SEXP C_tl_##name(SEXP self, SEXP other) {                                               \
    tl_tensor *a, *b;                                                                     \
    ew_pair(self, AS_TENSOR, other, AS_SCALAR, "self", "other", &a, &b);                  \
    return ew_result2(binary_ag(OP, a, b), a, b);                                         \
  }                                                                                       \
  SEXP C_tl_##name##_(SEXP self, SEXP other) {                                            \
    tl_tensor *s = ew_self(self);                                                         \
    ew_check(other, "other");                                                             \
    tl_tensor *b = ew_tensor(other, AS_SCALAR, -1);                                           \
    if (!b) tl_r_throw();                                                                 \
    return ew_done_(self, binary_ag_(OP, s, b), b, NULL);                                 \
  }
TL_EW_BINARY_OPS(BINARY_ENTRIES, X)

/* ---------------------------------------------------------------- unary functions */

/* logical_not has a bool result: nothing to differentiate */
static tl_tensor *unary_ag(tl_unary_op op, const tl_tensor *x) {
  return op == TL_UN_LOGICAL_NOT ? tl_unary(op, x) : tl_ag_unary(op, x);
}

static tl_status unary_ag_(tl_unary_op op, tl_tensor *self) {
  tl_status st = tl_ag_check_inplace(self);
  return st == TL_OK ? tl_unary_(op, self) : st;
}

#define UNARY_ENTRIES(X, name, OP)                                                        \
  SEXP C_tl_##name(SEXP x) {                                                              \
    ew_check(x, "self");                                                                  \
    tl_tensor *t = ew_tensor(x, AS_TENSOR, -1);                                               \
    if (!t) tl_r_throw();                                                                 \
    tl_tensor *r = unary_ag(OP, t);                                                       \
    tl_tensor_release(t);                                                                 \
    return tl_r_wrap(r);                                                                  \
  }                                                                                       \
  SEXP C_tl_##name##_(SEXP self) { return ew_done_(self, unary_ag_(OP, ew_self(self)), NULL, NULL); }
TL_EW_UNARY_OPS(UNARY_ENTRIES, X)

static int64_t decimals_arg(SEXP decimals) {
  double d = tl_r_double(decimals, "decimals");
  if (!(d == (double)(int64_t)d) || d > 400 || d < -400)
    tl_r_stop(TL_ERR_VALUE, "decimals must be a whole number");
  return (int64_t)d;
}

SEXP C_tl_round(SEXP x, SEXP decimals) {
  int64_t d = decimals_arg(decimals);
  ew_check(x, "self");
  tl_tensor *t = ew_tensor(x, AS_TENSOR, -1);
  if (!t) tl_r_throw();
  tl_tensor *r = d == 0 ? tl_ag_unary(TL_UN_ROUND, t) : tl_round(t, d);
  tl_tensor_release(t);
  return tl_r_wrap(r);
}

SEXP C_tl_round_(SEXP self, SEXP decimals) {
  int64_t d = decimals_arg(decimals);
  tl_tensor *s = ew_self(self);
  tl_status st = tl_ag_check_inplace(s);
  if (st == TL_OK) st = tl_round_(s, d);
  return ew_done_(self, st, NULL, NULL);
}

/* ---------------------------------------------------------------- clamp, where, fills */

/* optional bound: NULL stays NULL */
static void clamp_args(SEXP min, SEXP max, tl_tensor **lo, tl_tensor **hi) {
  if (!Rf_isNull(min)) ew_check(min, "min");
  if (!Rf_isNull(max)) ew_check(max, "max");
  if (Rf_isNull(min) && Rf_isNull(max))
    tl_r_stop(TL_ERR_VALUE, "At least one of 'min' or 'max' must not be None");
  *lo = *hi = NULL;
  if (!Rf_isNull(min) && !(*lo = ew_tensor(min, AS_SCALAR, -1))) tl_r_throw();
  if (!Rf_isNull(max) && !(*hi = ew_tensor(max, AS_SCALAR, -1))) {
    tl_tensor_release(*lo);
    tl_r_throw();
  }
}

SEXP C_tl_clamp(SEXP self, SEXP min, SEXP max) {
  ew_check(self, "self");
  tl_tensor *lo, *hi;
  clamp_args(min, max, &lo, &hi);
  tl_tensor *x = ew_tensor(self, AS_TENSOR, -1);
  /* scalar bounds are recorded (ClampBackward1); tensor bounds are not differentiated */
  int scalar_bounds = (!lo || lo->wrapped_number) && (!hi || hi->wrapped_number);
  tl_tensor *r = !x ? NULL : scalar_bounds ? tl_ag_clamp(x, lo, hi) : tl_ag_clamp_tensor(x, lo, hi);
  tl_tensor_release(x);
  return ew_result2(r, lo, hi);
}

SEXP C_tl_clamp_(SEXP self, SEXP min, SEXP max) {
  tl_tensor *s = ew_self(self);
  tl_tensor *lo, *hi;
  clamp_args(min, max, &lo, &hi);
  tl_status st = tl_ag_check_inplace(s);
  if (st == TL_OK) st = tl_clamp_(s, lo, hi);
  return ew_done_(self, st, lo, hi);
}

SEXP C_tl_where(SEXP condition, SEXP self, SEXP other) {
  ew_check(condition, "condition");
  tl_tensor *a, *b;
  ew_pair(self, AS_SCALAR, other, AS_SCALAR, "self", "other", &a, &b);
  tl_tensor *c = ew_tensor(condition, AS_TENSOR, -1);
  tl_tensor *r = c ? tl_ag_where(c, a, b) : NULL;
  tl_tensor_release(c);
  return ew_result2(r, a, b);
}

SEXP C_tl_masked_fill(SEXP self, SEXP mask, SEXP value) {
  ew_check(self, "self");
  tl_tensor *m, *v;
  ew_pair(mask, AS_TENSOR, value, AS_SCALAR, "mask", "value", &m, &v);
  tl_tensor *x = ew_tensor(self, AS_TENSOR, -1);
  tl_tensor *r = x ? tl_ag_masked_fill(x, m, v) : NULL;
  tl_tensor_release(x);
  return ew_result2(r, m, v);
}

SEXP C_tl_masked_fill_(SEXP self, SEXP mask, SEXP value) {
  tl_tensor *s = ew_self(self);
  tl_tensor *m, *v;
  ew_pair(mask, AS_TENSOR, value, AS_SCALAR, "mask", "value", &m, &v);
  tl_status st = tl_ag_check_inplace(s);
  if (st == TL_OK) st = tl_masked_fill_(s, m, v);
  return ew_done_(self, st, m, v);
}

SEXP C_tl_fill_(SEXP self, SEXP value) {
  tl_tensor *s = ew_self(self);
  ew_check(value, "value");
  if (!tl_r_is_tensor(value) && XLENGTH(value) != 1)
    tl_r_stop(TL_ERR_VALUE, "value must be a single number or a 0-d tensor");
  tl_tensor *v = ew_tensor(value, AS_SCALAR, -1);
  if (!v) tl_r_throw();
  tl_status st = tl_ag_check_inplace(s);
  if (st == TL_OK) st = tl_fill_(s, v);
  return ew_done_(self, st, v, NULL);
}

SEXP C_tl_zero_(SEXP self) {
  tl_tensor *s = ew_self(self);
  tl_status st = tl_ag_check_inplace(s);
  if (st == TL_OK) st = tl_zero_(s);
  return ew_done_(self, st, NULL, NULL);
}

SEXP C_tl_copy_(SEXP self, SEXP src) {
  tl_tensor *s = ew_self(self);
  ew_check(src, "src");
  tl_tensor *v = ew_tensor(src, AS_TENSOR, (int)s->dtype);
  if (!v) tl_r_throw();
  tl_status st = tl_ag_check_inplace(s);
  if (st == TL_OK) st = tl_copy_(s, v);
  return ew_done_(self, st, v, NULL);
}

/* ---------------------------------------------------------------- testing aid */

/* A view of x's storage with the given sizes, element strides and offset (from x's own
 * offset): lets the tests build non-contiguous and broadcast (stride 0) inputs. Internal. */
SEXP C_tl_ew_strided(SEXP x, SEXP size, SEXP stride, SEXP offset) {
  tl_tensor *t = tl_r_unwrap(x);
  int64_t shape[TL_MAX_DIMS], strides[TL_MAX_DIMS];
  int nd = tl_r_shape(size, shape);
  if (TYPEOF(stride) != REALSXP && TYPEOF(stride) != INTSXP)
    tl_r_stop(TL_ERR_VALUE, "stride must be numeric");
  if (XLENGTH(stride) != nd) tl_r_stop(TL_ERR_VALUE, "size and stride differ in length");
  double off = tl_r_double(offset, "offset");
  if (!(off >= 0 && off < 9e15 && off == (double)(int64_t)off))
    tl_r_stop(TL_ERR_VALUE, "offset must be a non-negative whole number");
  int64_t maxoff = 0, empty = 0;
  for (int i = 0; i < nd; i++) {
    double v = TYPEOF(stride) == REALSXP ? REAL(stride)[i] : (double)INTEGER(stride)[i];
    if (!(v >= 0 && v < 9e15 && v == (double)(int64_t)v))
      tl_r_stop(TL_ERR_VALUE, "strides must be non-negative whole numbers");
    strides[i] = (int64_t)v;
    if (shape[i] == 0) empty = 1;
    else maxoff += (shape[i] - 1) * strides[i];
  }
  int64_t start = t->offset + (int64_t)off;
  size_t es = tl_dtype_size(t->dtype);
  if (!empty && (size_t)(start + maxoff + 1) * es > t->storage->nbytes)
    tl_r_stop(TL_ERR_VALUE, "the view would reach outside the tensor's storage");
  return tl_r_wrap(tl_tensor_view_of(t->storage, t->dtype, nd, shape, strides, start));
}

SEXP C_tl_ew_simd(void) { return Rf_mkString(tl_elementwise_simd()); }
SEXP C_tl_ew_wide(void) { return Rf_ScalarLogical(tl_elementwise_wide()); }
