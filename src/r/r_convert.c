/* Conversions between R vectors/arrays and tensors. R arrays are column-major and tensors
 * row-major with the same dim, as in R torch: element x[i, j] is the same on both sides. */
#include "r_tensor.h"

#include "../core/iter.h"

/* Column-major strides for an R array of this shape. */
static void colmajor_strides(int ndim, const int64_t *shape, int64_t *strides) {
  int64_t s = 1;
  for (int i = 0; i < ndim; i++) {
    strides[i] = s;
    s *= shape[i];
  }
}

/* shape of an R object: its dim attribute, or its length as one dimension */
static int r_shape(SEXP data, int64_t *shape) {
  SEXP dim = Rf_getAttrib(data, R_DimSymbol);
  if (Rf_isNull(dim)) {
    shape[0] = (int64_t)XLENGTH(data);
    return 1;
  }
  int nd = (int)XLENGTH(dim);
  if (nd > TL_MAX_DIMS)
    tl_r_stop(TL_ERR_VALUE, "tensors can have at most %d dimensions, got %d", TL_MAX_DIMS, nd);
  for (int i = 0; i < nd; i++) shape[i] = INTEGER(dim)[i];
  return nd;
}

/* Converts R data to a new tensor; dt < 0 means the default dtype for the data's type. */
tl_tensor *tl_r_from_array(SEXP data, int dt_code) {
  tl_dtype src_dt, dflt;
  void *ptr;
  switch (TYPEOF(data)) {
  case REALSXP: src_dt = TL_FLOAT64; dflt = TL_FLOAT32; ptr = REAL(data); break;
  case INTSXP:
    if (Rf_isFactor(data))
      tl_r_stop(TL_ERR_VALUE, "torch_tensor() does not convert factors; use as.integer() first");
    src_dt = TL_INT32; dflt = TL_INT64; ptr = INTEGER(data); break;
  case LGLSXP: src_dt = TL_INT32; dflt = TL_BOOL; ptr = LOGICAL(data); break;
  default:
    tl_r_stop(TL_ERR_VALUE,
              "torch_tensor() cannot convert an object of type '%s': use a numeric, integer "
              "or logical vector, matrix or array",
              Rf_type2char(TYPEOF(data)));
  }
  tl_dtype dt = dt_code < 0 ? dflt : (tl_dtype)dt_code;
  int64_t shape[TL_MAX_DIMS], strides[TL_MAX_DIMS];
  int nd = r_shape(data, shape);
  colmajor_strides(nd, shape, strides);
  tl_tensor *src = tl_tensor_borrow(ptr, src_dt, nd, shape, strides);
  if (!src) tl_r_throw();
  tl_tensor *out = tl_tensor_empty(dt, nd, shape);
  if (!out) {
    tl_tensor_release(src);
    tl_r_throw();
  }
  tl_status st = tl_copy_into(out, src);
  tl_tensor_release(src);
  if (st != TL_OK) {
    tl_tensor_release(out);
    tl_r_throw();
  }
  return out;
}

SEXP C_tl_from_r(SEXP data, SEXP dtype, SEXP requires_grad) {
  int dt = Rf_isNull(dtype) ? -1 : (int)tl_r_dtype(dtype, TL_FLOAT32);
  int rg = tl_r_flag(requires_grad, "requires_grad");
  if (rg) {
    tl_dtype eff = dt >= 0 ? (tl_dtype)dt : TYPEOF(data) == REALSXP ? TL_FLOAT32 : TL_INT64;
    if (!tl_dtype_is_floating(eff))
      tl_r_stop(TL_ERR_RUNTIME,
                "Only Tensors of floating point and complex dtype can require gradients");
  }
  tl_tensor *out = tl_r_from_array(data, dt);
  out->requires_grad = rg;
  return tl_r_wrap(out);
}

tl_tensor *tl_r_as_tensor(SEXP x) {
  if (tl_r_is_tensor(x)) {
    tl_tensor *t = tl_r_unwrap(x);
    tl_tensor_retain(t);
    return t;
  }
  /* type first: XLENGTH() of NULL or a function is itself an (unclassed) R error */
  if (TYPEOF(x) != REALSXP && TYPEOF(x) != INTSXP && TYPEOF(x) != LGLSXP)
    tl_r_stop(TL_ERR_VALUE,
              "expected a torch_tensor or R numbers (a numeric, integer or logical vector), "
              "got an object of type '%s'",
              Rf_type2char(TYPEOF(x)));
  if (XLENGTH(x) == 1 && Rf_isNull(Rf_getAttrib(x, R_DimSymbol)) && !Rf_isFactor(x)) {
    tl_dtype dt = TYPEOF(x) == REALSXP ? TL_FLOAT64 : TYPEOF(x) == INTSXP ? TL_INT64 : TL_BOOL;
    tl_tensor *t = tl_tensor_empty(dt, 0, NULL);
    if (!t) tl_r_throw();
    switch (TYPEOF(x)) {
    case REALSXP: *(double *)tl_data(t) = REAL(x)[0]; break;
    case INTSXP:
      *(int64_t *)tl_data(t) = INTEGER(x)[0] == NA_INTEGER ? INT64_MIN : INTEGER(x)[0];
      break;
    default: *(uint8_t *)tl_data(t) = LOGICAL(x)[0] != 0; break;
    }
    t->wrapped_number = 1;
    return t;
  }
  return tl_r_from_array(x, -1);
}

static void check_i32_range(char **d, const int64_t *s, int64_t n, void *ctx) {
  int *bad = ctx;
  const char *p = d[0];
  for (int64_t k = 0; k < n; k++, p += s[0]) {
    int64_t v = *(const int64_t *)p;
    if (v > INT32_MAX || v < INT32_MIN) *bad = 1;
  }
}

static int int64_fits_int(const tl_tensor *t) {
  tl_iter it;
  const tl_tensor *ops[1] = {t};
  if (tl_iter_tensors(&it, 1, ops, t->ndim, t->shape) != TL_OK) return 0;
  int bad = 0;
  tl_iter_run(&it, check_i32_range, &bad);
  return !bad;
}

/* Copies t into a new R vector laid out with the given element strides. */
static SEXP to_r_vector(const tl_tensor *t, const int64_t *strides, int *overflow, int dbl) {
  SEXPTYPE type;
  tl_dtype dst_dt;
  switch (dbl ? TL_FLOAT64 : t->dtype) {
  case TL_FLOAT32: case TL_FLOAT64: type = REALSXP; dst_dt = TL_FLOAT64; break;
  case TL_INT32: case TL_INT64: type = INTSXP; dst_dt = TL_INT32; break;
  default: type = LGLSXP; dst_dt = TL_INT32; break;
  }
  *overflow = !dbl && t->dtype == TL_INT64 && !int64_fits_int(t);
  SEXP out = PROTECT(Rf_allocVector(type, (R_xlen_t)t->numel));
  void *ptr = type == REALSXP ? (void *)REAL(out) : type == INTSXP ? (void *)INTEGER(out)
                                                                   : (void *)LOGICAL(out);
  tl_tensor *dst = tl_tensor_borrow(ptr, dst_dt, t->ndim, t->shape, strides);
  if (!dst) tl_r_throw();
  tl_status st = tl_copy_into(dst, t);
  tl_tensor_release(dst);
  if (st != TL_OK) tl_r_throw();
  UNPROTECT(1);
  return out;
}

static void warn_overflow(int overflow) {
  if (overflow)
    Rf_warning("Converting integers > .Machine$integer.max is undefined and returns wrong "
               "results. Use as.integer64(x)");
}

/* as_array(): dims set for 2 and more dimensions, a plain vector otherwise. With `dbl`,
 * every dtype comes back as doubles (as.numeric() of an int64 tensor is then exact). */
SEXP C_tl_as_array(SEXP x, SEXP as_double) {
  int dbl = tl_r_flag(as_double, "as_double");
  tl_tensor *t = tl_r_unwrap(x);
  int64_t strides[TL_MAX_DIMS];
  colmajor_strides(t->ndim, t->shape, strides);
  int overflow;
  SEXP out = PROTECT(to_r_vector(t, strides, &overflow, dbl));
  if (t->ndim >= 2) {
    SEXP dim = PROTECT(Rf_allocVector(INTSXP, t->ndim));
    for (int i = 0; i < t->ndim; i++) INTEGER(dim)[i] = (int)t->shape[i];
    Rf_setAttrib(out, R_DimSymbol, dim);
    UNPROTECT(1);
  }
  warn_overflow(overflow);
  UNPROTECT(1);
  return out;
}

/* All values in row-major order, as R vectors (used by print): doubles for floating and
 * 64-bit integer tensors, integers for int32, logicals for bool. */
SEXP C_tl_values(SEXP x) {
  tl_tensor *t = tl_r_unwrap(x);
  int64_t strides[TL_MAX_DIMS];
  tl_contiguous_strides(t->ndim, t->shape, strides);
  SEXPTYPE type = (t->dtype == TL_INT32) ? INTSXP : (t->dtype == TL_BOOL) ? LGLSXP : REALSXP;
  tl_dtype dst_dt = type == REALSXP ? TL_FLOAT64 : TL_INT32;
  SEXP out = PROTECT(Rf_allocVector(type, (R_xlen_t)t->numel));
  void *ptr = type == REALSXP ? (void *)REAL(out) : type == INTSXP ? (void *)INTEGER(out)
                                                                   : (void *)LOGICAL(out);
  tl_tensor *dst = tl_tensor_borrow(ptr, dst_dt, t->ndim, t->shape, strides);
  if (!dst) tl_r_throw();
  tl_status st = tl_copy_into(dst, t);
  tl_tensor_release(dst);
  if (st != TL_OK) tl_r_throw();
  UNPROTECT(1);
  return out;
}

SEXP C_tl_item(SEXP x) {
  tl_tensor *t = tl_r_unwrap(x);
  if (t->numel != 1)
    tl_r_stop(TL_ERR_RUNTIME, "a Tensor with %lld elements cannot be converted to Scalar",
              (long long)t->numel);
  double v = tl_get_double(t, 0);
  switch (t->dtype) {
  case TL_BOOL: return Rf_ScalarLogical(v != 0);
  case TL_INT32: return Rf_ScalarInteger((int)v);
  case TL_INT64:
    if (v > INT32_MAX || v <= INT32_MIN) return Rf_ScalarReal(v);
    return Rf_ScalarInteger((int)v);
  default: return Rf_ScalarReal(v);
  }
}
