/* .Call wrappers of the reductions: argument checks, R torch's 1-based dims, 1-based
 * indices in results. Each calls one core function. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "r_tensor.h"

#include "../core/autograd/derivatives.h"

#include "../core/ops/reduce.h"

/* ---------------------------------------------------------------- helpers */

/* a tensor argument: borrowed from a handle, or converted from R data (owned) */
typedef struct {
  tl_tensor *t;
  int owned;
} targ;

static targ tl_r_targ(SEXP x) {
  targ a;
  if (tl_r_is_tensor(x)) {
    a.t = tl_r_unwrap(x);
    a.owned = 0;
  } else {
    a.t = tl_r_as_tensor(x);
    a.owned = 1;
  }
  return a;
}

static void tl_r_targ_release(targ *a) {
  if (a->owned && a->t) tl_tensor_release(a->t);
  a->t = NULL;
}

/* Converts R dims (1-based; negative from the end; 0 is an error) to core dims (0-based for
 * positive, unchanged negative). Returns the count, or -1 for NULL ("all dimensions"). On a
 * bad value it releases the tensor arguments and raises R torch's error. */
static int tl_r_dims(SEXP dim, int ndim, int64_t *out, int single, targ *a, targ *b) {
  if (Rf_isNull(dim)) return -1;
  if (TYPEOF(dim) == VECSXP) { /* list(1, 2) as R torch accepts */
    R_xlen_t n = XLENGTH(dim);
    SEXP v = PROTECT(Rf_allocVector(REALSXP, n));
    for (R_xlen_t i = 0; i < n; i++) {
      SEXP e = VECTOR_ELT(dim, i);
      if ((TYPEOF(e) != INTSXP && TYPEOF(e) != REALSXP) || XLENGTH(e) != 1) {
        if (a) tl_r_targ_release(a);
        if (b) tl_r_targ_release(b);
        tl_r_stop(TL_ERR_VALUE, "dim must be a whole number or a vector of whole numbers");
      }
      REAL(v)[i] = TYPEOF(e) == INTSXP ? (INTEGER(e)[0] == NA_INTEGER ? NA_REAL : INTEGER(e)[0])
                                       : REAL(e)[0];
    }
    int r = n == 0 ? -1 : tl_r_dims(v, ndim, out, single, a, b);
    UNPROTECT(1);
    return r;
  }
  const char *bad = NULL;
  if (TYPEOF(dim) != INTSXP && TYPEOF(dim) != REALSXP) bad = "numeric";
  else if (Rf_isFactor(dim)) bad = "numeric";
  else if (single && XLENGTH(dim) != 1) bad = "single";
  else if (XLENGTH(dim) > TL_MAX_DIMS) bad = "many";
  if (bad) {
    if (a) tl_r_targ_release(a);
    if (b) tl_r_targ_release(b);
    if (!strcmp(bad, "many"))
      tl_r_stop(TL_ERR_VALUE, "dim can list at most %d dimensions", TL_MAX_DIMS);
    tl_r_stop(TL_ERR_VALUE, single ? "dim must be a single whole number"
                                   : "dim must be a whole number or a vector of whole numbers");
  }
  int n = (int)XLENGTH(dim);
  int nd = ndim > 0 ? ndim : 1;
  for (int i = 0; i < n; i++) {
    double v = TYPEOF(dim) == INTSXP
                 ? (INTEGER(dim)[i] == NA_INTEGER ? NAN : (double)INTEGER(dim)[i])
                 : REAL(dim)[i];
    tl_status kind = TL_OK;
    char msg[200];
    if (ISNAN(v) || v != floor(v) || fabs(v) > 1e15) {
      kind = TL_ERR_VALUE;
      snprintf(msg, sizeof msg, "dim must contain whole numbers, got %g", v);
    } else if (v == 0) {
      kind = TL_ERR_INDEX;
      snprintf(msg, sizeof msg, "Indexing starts at 1 but found a 0.");
    } else if (v > nd || v < -nd) {
      kind = TL_ERR_INDEX;
      snprintf(msg, sizeof msg,
               "Dimension out of range (expected to be in range of [%d, %d], but got %lld)", -nd,
               nd, (long long)v);
    }
    if (kind != TL_OK) {
      if (a) tl_r_targ_release(a);
      if (b) tl_r_targ_release(b);
      tl_r_stop(kind, "%s", msg);
    }
    out[i] = v > 0 ? (int64_t)v - 1 : (int64_t)v;
  }
  return n;
}

/* dtype argument: -1 for NULL */
static int tl_r_opt_dtype(SEXP dtype) {
  return Rf_isNull(dtype) ? -1 : (int)tl_r_dtype(dtype, TL_FLOAT32);
}

/* releases the arguments, then wraps the result (or throws the core's error) */
static SEXP finish(tl_tensor *r, targ *a) {
  tl_r_targ_release(a);
  return tl_r_wrap(r);
}

/* adds 1 to an int64 index tensor this code owns (contiguous) */
static void one_based(tl_tensor *idx) {
  int64_t *p = tl_data(idx);
  for (int64_t i = 0; i < idx->numel; i++) p[i] += 1;
}

/* ---------------------------------------------------------------- sum, mean, prod */

#define DIMS_OR_ALL(nd, dims) (nd) < 0 ? NULL : (dims), (nd) < 0 ? 0 : (nd)

SEXP C_tl_sum(SEXP self, SEXP dim, SEXP keepdim, SEXP dtype) {
  int kd = tl_r_flag(keepdim, "keepdim");
  int dt = tl_r_opt_dtype(dtype);
  targ x = tl_r_targ(self);
  int64_t dims[TL_MAX_DIMS];
  int nd = tl_r_dims(dim, x.t->ndim, dims, 0, &x, NULL);
  return finish(tl_ag_sum(x.t, DIMS_OR_ALL(nd, dims), kd, dt), &x);
}

SEXP C_tl_mean(SEXP self, SEXP dim, SEXP keepdim, SEXP dtype) {
  int kd = tl_r_flag(keepdim, "keepdim");
  int dt = tl_r_opt_dtype(dtype);
  targ x = tl_r_targ(self);
  int64_t dims[TL_MAX_DIMS];
  int nd = tl_r_dims(dim, x.t->ndim, dims, 0, &x, NULL);
  return finish(tl_ag_mean(x.t, DIMS_OR_ALL(nd, dims), kd, dt), &x);
}

SEXP C_tl_prod(SEXP self, SEXP dim, SEXP keepdim, SEXP dtype) {
  int kd = tl_r_flag(keepdim, "keepdim");
  int dt = tl_r_opt_dtype(dtype);
  targ x = tl_r_targ(self);
  int64_t d;
  int nd = tl_r_dims(dim, x.t->ndim, &d, 1, &x, NULL);
  return finish(tl_ag_prod(x.t, nd < 0 ? NULL : &d, kd, dt), &x);
}

/* ---------------------------------------------------------------- max, min, amax, ... */

SEXP C_tl_amax(SEXP self, SEXP dim, SEXP keepdim, SEXP is_max) {
  int kd = tl_r_flag(keepdim, "keepdim");
  int mx = tl_r_flag(is_max, "is_max");
  targ x = tl_r_targ(self);
  int64_t dims[TL_MAX_DIMS];
  int nd = tl_r_dims(dim, x.t->ndim, dims, 0, &x, NULL);
  tl_tensor *r = tl_ag_amax(x.t, DIMS_OR_ALL(nd, dims), kd, mx);
  return finish(r, &x);
}

/* max()/min() without dim: a 0-d tensor; with dim: list(values, indices) */
SEXP C_tl_max(SEXP self, SEXP dim, SEXP keepdim, SEXP is_max) {
  int kd = tl_r_flag(keepdim, "keepdim");
  int mx = tl_r_flag(is_max, "is_max");
  targ x = tl_r_targ(self);
  if (Rf_isNull(dim)) return finish(tl_ag_max_all(x.t, mx), &x);
  int64_t d;
  tl_r_dims(dim, x.t->ndim, &d, 1, &x, NULL);
  tl_tensor *v = NULL, *i = NULL;
  tl_status st = tl_ag_max_dim(x.t, d, kd, mx, &v, &i);
  tl_r_targ_release(&x);
  if (st != TL_OK) tl_r_throw();
  one_based(i);
  SEXP out = PROTECT(Rf_allocVector(VECSXP, 2));
  SEXP hv = PROTECT(tl_r_wrap(v)); /* steals v */
  SET_VECTOR_ELT(out, 0, hv);
  SET_VECTOR_ELT(out, 1, tl_r_wrap(i));
  UNPROTECT(2);
  return out;
}

SEXP C_tl_argmax(SEXP self, SEXP dim, SEXP keepdim, SEXP is_max) {
  int kd = tl_r_flag(keepdim, "keepdim");
  int mx = tl_r_flag(is_max, "is_max");
  targ x = tl_r_targ(self);
  int64_t d;
  int nd = tl_r_dims(dim, x.t->ndim, &d, 1, &x, NULL);
  const int64_t *dp = nd < 0 ? NULL : &d;
  tl_tensor *r = mx ? tl_argmax(x.t, dp, kd) : tl_argmin(x.t, dp, kd);
  tl_r_targ_release(&x);
  if (!r) tl_r_throw();
  /* a flat index is a view of a fresh tensor: still ours to change */
  int64_t *p = tl_data(r);
  for (int64_t k = 0; k < r->numel; k++) p[k] += 1;
  return tl_r_wrap(r);
}

/* ---------------------------------------------------------------- var, std, norm, lse */

SEXP C_tl_var(SEXP self, SEXP dim, SEXP unbiased, SEXP keepdim, SEXP correction, SEXP take_sqrt) {
  int kd = tl_r_flag(keepdim, "keepdim");
  int sq = tl_r_flag(take_sqrt, "take_sqrt");
  double corr;
  if (Rf_isNull(correction)) corr = tl_r_flag(unbiased, "unbiased") ? 1.0 : 0.0;
  else {
    corr = tl_r_double(correction, "correction");
    if (ISNAN(corr)) tl_r_stop(TL_ERR_VALUE, "correction must not be NA");
  }
  targ x = tl_r_targ(self);
  int64_t dims[TL_MAX_DIMS];
  int nd = tl_r_dims(dim, x.t->ndim, dims, 0, &x, NULL);
  tl_tensor *r = tl_ag_var(x.t, DIMS_OR_ALL(nd, dims), corr, kd, sq);
  return finish(r, &x);
}

SEXP C_tl_norm(SEXP self, SEXP p, SEXP dim, SEXP keepdim, SEXP dtype) {
  int kd = tl_r_flag(keepdim, "keepdim");
  int dt = tl_r_opt_dtype(dtype);
  double pv;
  if (TYPEOF(p) == STRSXP && XLENGTH(p) == 1 && !strcmp(CHAR(STRING_ELT(p, 0)), "fro")) pv = 2;
  else {
    if (TYPEOF(p) == STRSXP)
      tl_r_stop(TL_ERR_VALUE, "p must be a number (or \"fro\"), got \"%s\"",
                XLENGTH(p) > 0 ? CHAR(STRING_ELT(p, 0)) : "");
    pv = tl_r_double(p, "p");
    if (ISNAN(pv)) tl_r_stop(TL_ERR_VALUE, "p must not be NA or NaN");
  }
  targ x = tl_r_targ(self);
  int64_t dims[TL_MAX_DIMS];
  int nd = tl_r_dims(dim, x.t->ndim, dims, 0, &x, NULL);
  return finish(tl_ag_norm(x.t, pv, DIMS_OR_ALL(nd, dims), kd, dt), &x);
}

SEXP C_tl_logsumexp(SEXP self, SEXP dim, SEXP keepdim) {
  int kd = tl_r_flag(keepdim, "keepdim");
  targ x = tl_r_targ(self);
  int64_t dims[TL_MAX_DIMS];
  int nd = tl_r_dims(dim, x.t->ndim, dims, 0, &x, NULL);
  if (nd <= 0) {
    tl_r_targ_release(&x);
    tl_r_stop(TL_ERR_VALUE, "logsumexp needs dim: the dimension(s) to reduce");
  }
  return finish(tl_ag_logsumexp(x.t, dims, nd, kd), &x);
}

/* ---------------------------------------------------------------- all, any, cumsum */

SEXP C_tl_all(SEXP self, SEXP dim, SEXP keepdim, SEXP is_all) {
  int kd = tl_r_flag(keepdim, "keepdim");
  int al = tl_r_flag(is_all, "is_all");
  targ x = tl_r_targ(self);
  int64_t d;
  int nd = tl_r_dims(dim, x.t->ndim, &d, 1, &x, NULL);
  tl_tensor *r = al ? tl_all(x.t, nd < 0 ? NULL : &d, kd) : tl_any(x.t, nd < 0 ? NULL : &d, kd);
  return finish(r, &x);
}

SEXP C_tl_cumsum(SEXP self, SEXP dim, SEXP dtype) {
  int dt = tl_r_opt_dtype(dtype);
  targ x = tl_r_targ(self);
  int64_t d;
  if (tl_r_dims(dim, x.t->ndim, &d, 1, &x, NULL) < 0) {
    tl_r_targ_release(&x);
    tl_r_stop(TL_ERR_VALUE, "cumsum needs dim: the dimension to accumulate along");
  }
  return finish(tl_ag_cumsum(x.t, d, dt), &x);
}
