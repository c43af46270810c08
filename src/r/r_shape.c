/* Shape operations: views, reshape, expand, split/chunk/unbind, cat/stack.
 * Dims arrive 1-based (negative from the end) and are checked here with R-facing messages
 * before the 0-based core sees them. */
#include "r_tensor.h"

#include "../core/autograd/derivatives.h"

#include <math.h>

#include "../core/ops/shape.h"

/* One dimension argument as a 0-based dim of a tensor with `ndim` dims (a 0-d tensor
 * accepts 1 and -1, as PyTorch accepts 0 and -1). */
static int dim_value(double v, int ndim, const char *what) {
  if (ISNAN(v) || v != floor(v) || fabs(v) > 1e9)
    tl_r_stop(TL_ERR_VALUE, "%s must be a single whole number", what);
  if (v == 0) tl_r_stop(TL_ERR_INDEX, "Indexing starts at 1 and got a 0.");
  int n = ndim > 0 ? ndim : 1;
  if (v < -n || v > n)
    tl_r_stop(TL_ERR_INDEX,
              "Dimension out of range (expected to be in range of [%d, %d], but got %d)", -n, n,
              (int)v);
  return v > 0 ? (int)v - 1 : (int)v + n;
}

static double num_at(SEXP x, R_xlen_t i) {
  if (TYPEOF(x) == INTSXP) return INTEGER(x)[i] == NA_INTEGER ? NA_REAL : INTEGER(x)[i];
  return REAL(x)[i];
}

static int r_dim(SEXP d, int ndim, const char *what) {
  if ((TYPEOF(d) != REALSXP && TYPEOF(d) != INTSXP) || XLENGTH(d) != 1)
    tl_r_stop(TL_ERR_VALUE, "%s must be a single whole number", what);
  return dim_value(num_at(d, 0), ndim, what);
}

/* A vector of sizes that may contain -1 (view, reshape, expand). */
static int r_sizes(SEXP s, int64_t *out, const char *what) {
  if ((TYPEOF(s) != REALSXP && TYPEOF(s) != INTSXP) || Rf_isFactor(s))
    tl_r_stop(TL_ERR_VALUE, "%s must be a numeric vector of whole numbers", what);
  R_xlen_t n = XLENGTH(s);
  if (n > TL_MAX_DIMS)
    tl_r_stop(TL_ERR_VALUE, "tensors can have at most %d dimensions, got %d", TL_MAX_DIMS,
              (int)n);
  for (R_xlen_t i = 0; i < n; i++) {
    double v = num_at(s, i);
    if (ISNAN(v) || v != floor(v) || fabs(v) > 9.0e15)
      tl_r_stop(TL_ERR_VALUE, "%s must be a numeric vector of whole numbers", what);
    out[i] = (int64_t)v;
  }
  return (int)n;
}

static int64_t r_count(SEXP x, const char *what) {
  double v = tl_r_double(x, what);
  if (ISNAN(v) || v != floor(v) || fabs(v) > 9.0e15)
    tl_r_stop(TL_ERR_VALUE, "%s must be a whole number", what);
  return (int64_t)v;
}

SEXP C_tl_view(SEXP x, SEXP size) {
  tl_tensor *t = tl_r_unwrap(x);
  int64_t sh[TL_MAX_DIMS];
  int nd = r_sizes(size, sh, "size");
  return tl_r_wrap(tl_ag_view(t, nd, sh));
}

SEXP C_tl_reshape(SEXP x, SEXP shape) {
  tl_tensor *t = tl_r_unwrap(x);
  int64_t sh[TL_MAX_DIMS];
  int nd = r_sizes(shape, sh, "shape");
  return tl_r_wrap(tl_ag_reshape(t, nd, sh));
}

SEXP C_tl_flatten(SEXP x, SEXP start_dim, SEXP end_dim) {
  tl_tensor *t = tl_r_unwrap(x);
  int s = r_dim(start_dim, t->ndim, "start_dim"), e = r_dim(end_dim, t->ndim, "end_dim");
  return tl_r_wrap(tl_ag_flatten(t, s, e));
}

SEXP C_tl_squeeze(SEXP x, SEXP dim) {
  tl_tensor *t = tl_r_unwrap(x);
  if (Rf_isNull(dim)) return tl_r_wrap(tl_ag_squeeze(t, 0, 1));
  return tl_r_wrap(tl_ag_squeeze(t, r_dim(dim, t->ndim, "dim"), 0));
}

SEXP C_tl_unsqueeze(SEXP x, SEXP dim) {
  tl_tensor *t = tl_r_unwrap(x);
  return tl_r_wrap(tl_ag_unsqueeze(t, r_dim(dim, t->ndim + 1, "dim")));
}

SEXP C_tl_permute(SEXP x, SEXP dims) {
  tl_tensor *t = tl_r_unwrap(x);
  if ((TYPEOF(dims) != REALSXP && TYPEOF(dims) != INTSXP) || XLENGTH(dims) > TL_MAX_DIMS)
    tl_r_stop(TL_ERR_VALUE, "dims must be a numeric vector of dimensions");
  int n = (int)XLENGTH(dims), d[TL_MAX_DIMS];
  for (int i = 0; i < n; i++) d[i] = dim_value(num_at(dims, i), t->ndim, "dims");
  return tl_r_wrap(tl_ag_permute(t, d, n));
}

SEXP C_tl_transpose(SEXP x, SEXP dim0, SEXP dim1) {
  tl_tensor *t = tl_r_unwrap(x);
  int a = r_dim(dim0, t->ndim, "dim0"), b = r_dim(dim1, t->ndim, "dim1");
  return tl_r_wrap(tl_ag_transpose(t, a, b));
}

SEXP C_tl_t(SEXP x) { return tl_r_wrap(tl_ag_t(tl_r_unwrap(x))); }

SEXP C_tl_expand(SEXP x, SEXP size) {
  tl_tensor *t = tl_r_unwrap(x);
  int64_t sh[TL_MAX_DIMS];
  int nd = r_sizes(size, sh, "size");
  return tl_r_wrap(tl_ag_expand(t, nd, sh));
}

SEXP C_tl_expand_as(SEXP x, SEXP other) {
  tl_tensor *t = tl_r_unwrap(x), *o = tl_r_unwrap(other);
  return tl_r_wrap(tl_ag_expand(t, o->ndim, o->shape));
}

SEXP C_tl_narrow(SEXP x, SEXP dim, SEXP start, SEXP length) {
  tl_tensor *t = tl_r_unwrap(x);
  if (t->ndim == 0) tl_r_stop(TL_ERR_RUNTIME, "narrow() cannot be applied to a 0-dim tensor.");
  int d = r_dim(dim, t->ndim, "dim");
  int64_t s = r_count(start, "start"), len = r_count(length, "length");
  if (s == 0) tl_r_stop(TL_ERR_VALUE, "start indexing starts at 1");
  /* 1-based start; a negative start counts from the end (-1: the last element) */
  return tl_r_wrap(tl_ag_narrow(t, d, s > 0 ? s - 1 : s, len));
}

/* wraps n core tensors into an R list */
static SEXP wrap_list(tl_tensor **ts, int64_t n) {
  SEXP out = PROTECT(Rf_allocVector(VECSXP, (R_xlen_t)n));
  for (int64_t i = 0; i < n; i++) SET_VECTOR_ELT(out, (R_xlen_t)i, tl_r_wrap(ts[i]));
  UNPROTECT(1);
  return out;
}

static SEXP split_by(tl_tensor *t, int d, int64_t n, const int64_t *sizes) {
  tl_tensor **ts = (tl_tensor **)R_alloc((size_t)(n > 0 ? n : 1), sizeof(tl_tensor *));
  if (tl_ag_split_with_sizes(t, d, n, sizes, ts) != TL_OK) tl_r_throw();
  return wrap_list(ts, n);
}

/* split_size: one size (pieces of that size, the last one smaller) or, when it has several
 * elements or with_sizes is TRUE, the size of every piece. */
SEXP C_tl_split(SEXP x, SEXP split_size, SEXP dim, SEXP with_sizes) {
  tl_tensor *t = tl_r_unwrap(x);
  if (t->ndim == 0) tl_r_stop(TL_ERR_RUNTIME, "split expects at least a 1-dimensional tensor");
  int d = r_dim(dim, t->ndim, "dim");
  if ((TYPEOF(split_size) != REALSXP && TYPEOF(split_size) != INTSXP) || XLENGTH(split_size) < 1)
    tl_r_stop(TL_ERR_VALUE, "split_size must be a whole number or a vector of sizes");
  int64_t n, *sizes;
  if (XLENGTH(split_size) > 1 || tl_r_flag(with_sizes, "with_sizes")) {
    n = XLENGTH(split_size);
    sizes = (int64_t *)R_alloc((size_t)n, sizeof(int64_t));
    for (int64_t i = 0; i < n; i++) {
      double v = num_at(split_size, i);
      if (ISNAN(v) || v != floor(v) || fabs(v) > 9.0e15)
        tl_r_stop(TL_ERR_VALUE, "split sizes must be whole numbers");
      sizes[i] = (int64_t)v;
    }
  } else {
    int64_t ss = r_count(split_size, "split_size");
    n = tl_split_sizes(t->shape[d], ss, 0, NULL);
    if (n < 0) tl_r_throw();
    sizes = (int64_t *)R_alloc((size_t)n, sizeof(int64_t));
    tl_split_sizes(t->shape[d], ss, n, sizes);
  }
  return split_by(t, d, n, sizes);
}

SEXP C_tl_chunk(SEXP x, SEXP chunks, SEXP dim) {
  tl_tensor *t = tl_r_unwrap(x);
  if (t->ndim == 0) tl_r_stop(TL_ERR_RUNTIME, "chunk expects at least a 1-dimensional tensor");
  int d = r_dim(dim, t->ndim, "dim");
  int64_t c = r_count(chunks, "chunks");
  int64_t n = tl_chunk_sizes(t->shape[d], c, 0, NULL);
  if (n < 0) tl_r_throw();
  int64_t *sizes = (int64_t *)R_alloc((size_t)(n > 0 ? n : 1), sizeof(int64_t));
  tl_chunk_sizes(t->shape[d], c, n, sizes);
  return split_by(t, d, n, sizes);
}

SEXP C_tl_unbind(SEXP x, SEXP dim) {
  tl_tensor *t = tl_r_unwrap(x);
  if (t->ndim == 0)
    tl_r_stop(TL_ERR_INDEX, "Dimension specified as 1 but tensor has no dimensions");
  int d = r_dim(dim, t->ndim, "dim");
  int64_t n = t->shape[d];
  tl_tensor **ts = (tl_tensor **)R_alloc((size_t)(n > 0 ? n : 1), sizeof(tl_tensor *));
  if (tl_ag_unbind(t, d, ts) != TL_OK) tl_r_throw();
  return wrap_list(ts, n);
}

/* the tensors of a list argument (borrowed; the list keeps them alive) */
static const tl_tensor **tensor_list(SEXP tensors, int *n, const char *fn) {
  if (tl_r_is_tensor(tensors) || TYPEOF(tensors) != VECSXP)
    tl_r_stop(TL_ERR_VALUE, "%s: tensors must be a list of tensors", fn);
  R_xlen_t len = XLENGTH(tensors);
  if (len > INT_MAX) tl_r_stop(TL_ERR_VALUE, "%s: too many tensors", fn);
  const tl_tensor **ts = (const tl_tensor **)R_alloc((size_t)(len > 0 ? len : 1),
                                                    sizeof(tl_tensor *));
  for (R_xlen_t i = 0; i < len; i++) {
    SEXP el = VECTOR_ELT(tensors, i);
    if (!tl_r_is_tensor(el))
      tl_r_stop(TL_ERR_VALUE, "%s: element %d of tensors is not a tensor", fn, (int)i + 1);
    ts[i] = tl_r_unwrap(el);
  }
  *n = (int)len;
  return ts;
}

SEXP C_tl_cat(SEXP tensors, SEXP dim) {
  int n;
  const tl_tensor **ts = tensor_list(tensors, &n, "torch_cat");
  int d = 0;
  /* the dim refers to the first tensor that is not a legacy 1-d empty one */
  for (int i = 0; i < n; i++) {
    if (ts[i]->ndim == 0) break; /* the core reports it */
    if (!(ts[i]->ndim == 1 && ts[i]->numel == 0)) {
      d = r_dim(dim, ts[i]->ndim, "dim");
      break;
    }
  }
  return tl_r_wrap(tl_ag_cat(ts, n, d));
}

SEXP C_tl_stack(SEXP tensors, SEXP dim) {
  int n;
  const tl_tensor **ts = tensor_list(tensors, &n, "torch_stack");
  int d = n > 0 ? r_dim(dim, ts[0]->ndim + 1, "dim") : 0;
  return tl_r_wrap(tl_ag_stack(ts, n, d));
}
