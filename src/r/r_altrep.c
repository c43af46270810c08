/* Tensors that survive saveRDS()/readRDS(), save()/load() and serialize()/unserialize().
 *
 * A tensor handle stays an external pointer (typeof "externalptr"), so that R never treats it
 * as a vector (c(), unlist(), sapply(), is.atomic() and identical() behave as before). R
 * writes an external pointer's address as NULL but does write its "protected" slot, and R
 * lets an ALTREP class choose how its objects are written. So every handle's protected slot
 * holds a small ALTREP object, the "box": an empty raw vector whose data1 is the handle.
 *
 * Saving: R writes the handle, adds it to its reference table, then writes the box, whose
 * serialized state is an ordinary R list: the handle (written as a back-reference), a format
 * tag, the dtype, the shape, the values in row-major order and requires_grad.
 *
 * Loading: R allocates the handle (address NULL), enters it in its reference table, then
 * reads the box's state, whose first element resolves to that very handle. The box's
 * Unserialize method builds the tensor, points the handle at it (with its finalizer) and
 * returns a fresh box, which R stores in the handle's protected slot. A restored tensor is a
 * new leaf: requires_grad is kept, grad, grad_fn and hooks are not; two handles that shared
 * memory (views, or two handles on one tensor) come back as independent copies, while one
 * handle that appears several times in the saved object comes back as one handle.
 *
 * Format version 2 (saveRDS(version = 2)) knows no ALTREP: there the box is written as an
 * empty raw vector and the handle comes back dead (tl_r_unwrap() says so). */
#include "r_tensor.h"

#include <string.h>

#include <R_ext/Altrep.h>
#include <R_ext/Rdynload.h>

#include "../core/autograd/autograd.h"

#define STATE_FORMAT "torchlite_tensor/1"
#define STATE_LEN 6
static const char *const state_names[STATE_LEN] = {"handle", "format", "dtype",
                                                   "shape",  "values", "requires_grad"};
/* dtype names in the state, indexed by tl_dtype code */
static const char *const dtype_names[TL_NDTYPES] = {"bool", "int32", "int64", "float32",
                                                    "float64"};

static R_altrep_class_t box_class;
static Rbyte box_dummy; /* the (empty) data of every box */

/* data2 is the token of the handle's chunk (r_tensor.c) or NULL; or, once the handle keeps
 * a cache (tl_r_box_cache), a list whose first element is that token. */
SEXP tl_r_new_box(SEXP handle, SEXP token) { return R_new_altrep(box_class, handle, token); }
SEXP tl_r_box_token(SEXP box) {
  if (!R_altrep_inherits(box, box_class)) return R_NilValue;
  SEXP d2 = R_altrep_data2(box);
  return TYPEOF(d2) == VECSXP ? VECTOR_ELT(d2, 0) : d2;
}

SEXP tl_r_box_cache(SEXP box, int create) {
  if (!R_altrep_inherits(box, box_class)) return R_NilValue;
  SEXP d2 = R_altrep_data2(box);
  if (TYPEOF(d2) == VECSXP || !create) return TYPEOF(d2) == VECSXP ? d2 : R_NilValue;
  SEXP c = PROTECT(Rf_allocVector(VECSXP, TL_BOX_CACHE_LEN));
  SET_VECTOR_ELT(c, 0, d2);
  R_set_altrep_data2(box, c);
  UNPROTECT(1);
  return c;
}

/* ---------------------------------------------------------------- saving */

/* int64 values that a double holds exactly are saved as doubles; otherwise all values are
 * saved as 8 little-endian bytes each (whatever the machine's byte order). */
#define EXACT_INT64 9007199254740992LL /* 2^53 */

static int int64_exact(tl_tensor *t) {
  tl_tensor *c = tl_contiguous(t);
  if (!c) tl_r_throw();
  const int64_t *p = tl_data(c);
  int ok = 1;
  for (int64_t i = 0; i < c->numel; i++)
    if (p[i] > EXACT_INT64 || p[i] < -EXACT_INT64) {
      ok = 0;
      break;
    }
  tl_tensor_release(c);
  return ok;
}

/* Copies t, in row-major order, into the data of R vector `out` as dtype `dst_dt`. */
static void copy_out(const tl_tensor *t, void *ptr, tl_dtype dst_dt) {
  tl_tensor *dst = tl_tensor_borrow(ptr, dst_dt, t->ndim, t->shape, NULL);
  if (!dst) tl_r_throw();
  tl_status st = tl_copy_into(dst, t);
  tl_tensor_release(dst);
  if (st != TL_OK) tl_r_throw();
}

static SEXP state_values(tl_tensor *t) {
  R_xlen_t n = (R_xlen_t)t->numel;
  SEXP v;
  switch (t->dtype) {
  case TL_BOOL:
    v = PROTECT(Rf_allocVector(LGLSXP, n));
    copy_out(t, LOGICAL(v), TL_INT32);
    break;
  case TL_INT32:
    v = PROTECT(Rf_allocVector(INTSXP, n)); /* INT32_MIN (R's NA) round-trips bit for bit */
    copy_out(t, INTEGER(v), TL_INT32);
    break;
  case TL_INT64:
    if (int64_exact(t)) {
      v = PROTECT(Rf_allocVector(REALSXP, n));
      copy_out(t, REAL(v), TL_FLOAT64);
    } else {
      v = PROTECT(Rf_allocVector(RAWSXP, n * 8));
      tl_tensor *c = tl_contiguous(t); /* nothing below allocates on R's side */
      if (!c) tl_r_throw();
      const int64_t *p = tl_data(c);
      Rbyte *b = RAW(v);
      for (int64_t i = 0; i < c->numel; i++) {
        uint64_t u = (uint64_t)p[i];
        for (int k = 0; k < 8; k++) b[8 * i + k] = (Rbyte)(u >> (8 * k));
      }
      tl_tensor_release(c);
    }
    break;
  default: /* float32 values are exact as doubles */
    v = PROTECT(Rf_allocVector(REALSXP, n));
    copy_out(t, REAL(v), TL_FLOAT64);
    break;
  }
  UNPROTECT(1);
  return v;
}

static SEXP box_serialized_state(SEXP box) {
  SEXP h = R_altrep_data1(box);
  tl_tensor *t = tl_r_tensor_or_null(h);
  if (!t) return NULL; /* a dead handle: R writes the box as an empty raw vector */
  SEXP st = PROTECT(Rf_allocVector(VECSXP, STATE_LEN));
  SEXP nms = PROTECT(Rf_allocVector(STRSXP, STATE_LEN));
  for (int i = 0; i < STATE_LEN; i++) SET_STRING_ELT(nms, i, Rf_mkChar(state_names[i]));
  Rf_setAttrib(st, R_NamesSymbol, nms);
  SET_VECTOR_ELT(st, 0, h);
  SET_VECTOR_ELT(st, 1, Rf_mkString(STATE_FORMAT));
  SET_VECTOR_ELT(st, 2, Rf_mkString(dtype_names[t->dtype]));
  SEXP shape = Rf_allocVector(REALSXP, t->ndim);
  SET_VECTOR_ELT(st, 3, shape);
  for (int i = 0; i < t->ndim; i++) REAL(shape)[i] = (double)t->shape[i];
  SET_VECTOR_ELT(st, 4, state_values(t));
  SET_VECTOR_ELT(st, 5, Rf_ScalarLogical(tl_requires_grad(t)));
  UNPROTECT(2);
  return st;
}

/* ---------------------------------------------------------------- loading */

static void bad_state(const char *what) __attribute__((noreturn));
static void bad_state(const char *what) {
  tl_r_stop(TL_ERR_VALUE, "cannot restore a serialized torch_tensor: %s", what);
}

static SEXP box_unserialize(SEXP cls, SEXP st) {
  (void)cls;
  if (TYPEOF(st) != VECSXP || XLENGTH(st) != STATE_LEN) bad_state("the saved state is not valid");
  SEXP fmt = VECTOR_ELT(st, 1);
  if (TYPEOF(fmt) != STRSXP || XLENGTH(fmt) != 1 || STRING_ELT(fmt, 0) == NA_STRING)
    bad_state("the saved state has no format tag");
  if (strcmp(CHAR(STRING_ELT(fmt, 0)), STATE_FORMAT))
    tl_r_stop(TL_ERR_VALUE,
              "cannot restore a serialized torch_tensor: unknown format '%s' (expected '%s'; "
              "was it saved by a newer torchlite?)",
              CHAR(STRING_ELT(fmt, 0)), STATE_FORMAT);
  SEXP h = VECTOR_ELT(st, 0);
  if (TYPEOF(h) != EXTPTRSXP || R_ExternalPtrAddr(h) != NULL)
    bad_state("the saved state does not belong to a tensor handle");

  SEXP dts = VECTOR_ELT(st, 2);
  int dt = -1;
  if (TYPEOF(dts) == STRSXP && XLENGTH(dts) == 1 && STRING_ELT(dts, 0) != NA_STRING)
    for (int i = 0; i < TL_NDTYPES; i++)
      if (!strcmp(CHAR(STRING_ELT(dts, 0)), dtype_names[i])) dt = i;
  if (dt < 0) bad_state("unknown dtype");

  SEXP shp = VECTOR_ELT(st, 3);
  if (TYPEOF(shp) != REALSXP || XLENGTH(shp) > TL_MAX_DIMS) bad_state("invalid shape");
  int nd = (int)XLENGTH(shp);
  int64_t shape[TL_MAX_DIMS], numel;
  for (int i = 0; i < nd; i++) {
    double d = REAL(shp)[i];
    if (!(d >= 0 && d < 9.2e18 && d == (double)(int64_t)d)) bad_state("invalid shape");
    shape[i] = (int64_t)d;
  }
  if (tl_shape_numel(nd, shape, &numel) != TL_OK) {
    tl_clear_error();
    bad_state("invalid shape");
  }

  SEXP vals = VECTOR_ELT(st, 4);
  SEXPTYPE want = dt == TL_BOOL ? LGLSXP : dt == TL_INT32 ? INTSXP : REALSXP;
  int wide = dt == TL_INT64 && TYPEOF(vals) == RAWSXP;
  if (wide ? numel > R_XLEN_T_MAX / 8 || (int64_t)XLENGTH(vals) != 8 * numel
           : ((SEXPTYPE)TYPEOF(vals) != want || (int64_t)XLENGTH(vals) != numel))
    bad_state("the values do not match the dtype and shape");

  SEXP rg = VECTOR_ELT(st, 5);
  if (TYPEOF(rg) != LGLSXP || XLENGTH(rg) != 1 || LOGICAL(rg)[0] == NA_LOGICAL)
    bad_state("invalid requires_grad");
  if (LOGICAL(rg)[0] && !tl_dtype_is_floating((tl_dtype)dt))
    bad_state("only floating point tensors can require gradients");

  /* from here on nothing allocates on R's side until the tensor belongs to the handle */
  tl_tensor *t = tl_tensor_empty((tl_dtype)dt, nd, shape);
  if (!t) tl_r_throw();
  if (wide) {
    const Rbyte *b = RAW(vals);
    int64_t *p = tl_data(t);
    for (int64_t i = 0; i < numel; i++) {
      uint64_t u = 0;
      for (int k = 0; k < 8; k++) u |= (uint64_t)b[8 * i + k] << (8 * k);
      p[i] = (int64_t)u;
    }
  } else if (numel > 0) {
    void *ptr = want == REALSXP ? (void *)REAL(vals) : want == INTSXP ? (void *)INTEGER(vals)
                                                                       : (void *)LOGICAL(vals);
    tl_tensor *src = tl_tensor_borrow(ptr, want == REALSXP ? TL_FLOAT64 : TL_INT32, nd, shape,
                                      NULL);
    tl_status s = src ? tl_copy_into(t, src) : TL_ERR_ALLOC;
    if (src) tl_tensor_release(src);
    if (s != TL_OK) {
      tl_tensor_release(t);
      tl_r_throw();
    }
  }
  t->requires_grad = LOGICAL(rg)[0];
  tl_r_adopt(h, t);
  return tl_r_new_box(h, R_NilValue);
}

/* ---------------------------------------------------------------- the rest of the class */

static R_xlen_t box_length(SEXP x) {
  (void)x;
  return 0;
}

static void *box_dataptr(SEXP x, Rboolean writeable) {
  (void)x;
  (void)writeable;
  return &box_dummy;
}

static const void *box_dataptr_or_null(SEXP x) {
  (void)x;
  return &box_dummy;
}

static Rboolean box_inspect(SEXP x, int pre, int deep, int pvec,
                            void (*inspect_subtree)(SEXP, int, int, int)) {
  (void)x;
  (void)pre;
  (void)deep;
  (void)pvec;
  (void)inspect_subtree;
  Rprintf(" torchlite tensor serialization box\n");
  return TRUE;
}

void tl_r_init_altrep(DllInfo *dll) {
  box_class = R_make_altraw_class("torchlite_tensor_box", "torchlite", dll);
  R_set_altrep_Length_method(box_class, box_length);
  R_set_altrep_Serialized_state_method(box_class, box_serialized_state);
  R_set_altrep_Unserialize_method(box_class, box_unserialize);
  R_set_altrep_Inspect_method(box_class, box_inspect);
  R_set_altvec_Dataptr_method(box_class, box_dataptr);
  R_set_altvec_Dataptr_or_null_method(box_class, box_dataptr_or_null);
}
