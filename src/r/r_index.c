/* x[...] and x[...] <- value with R torch's semantics.
 *
 * `[.torch_tensor`(x, ..., drop) passes its environment; the index arguments are read here
 * as unevaluated promises, so that R torch's index language works: `a:b` and `a:b:s` are
 * slices (views, not vectors), `N` is the end of the dimension, `..` the ellipsis,
 * `newaxis`/NULL a new axis, an empty argument the whole dimension. Anything else is
 * evaluated as R would and then read as a value: a number picks one element (negative
 * ones count from the end), a numeric vector, a long tensor or a logical vector / bool
 * tensor selects several (a copy). The common case x[1] or x[i, j] costs one promise
 * inspection per argument and no R allocation beyond the result's handle.
 *
 * Work happens in two phases so that nothing leaks when R code in an index throws: first
 * every argument is evaluated (R errors may longjmp; nothing of ours is allocated yet),
 * then the values become core index items (our errors release what was made first). */
#include "r_tensor.h"

#include "../core/autograd/derivatives.h"

#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>

#include "../core/ops/index.h"

#define MAX_ARGS 64

enum { K_VALUE, K_NUMBER, K_MISSING, K_SLICE, K_ELLIPSIS };

typedef struct {
  int kind;
  SEXP value;              /* K_VALUE (protected by its promise, its binding or the caller) */
  double num;              /* K_NUMBER: one position */
  double start, end, step; /* K_SLICE, in R torch's 1-based inclusive form */
} rarg;

typedef struct {
  int n, nowned;
  tl_index_item items[2 * MAX_ARGS];
  tl_tensor *owned[MAX_ARGS + 1];
} idx_list;

static SEXP s_N, s_dotdot, s_newaxis, s_colon, s_paren, s_minus, s_start, s_end, s_step;
static SEXP ellipsis_marker = NULL;

static void init_symbols(void) {
  if (ellipsis_marker) return;
  s_N = Rf_install("N");
  s_dotdot = Rf_install("..");
  s_newaxis = Rf_install("newaxis");
  s_colon = Rf_install(":");
  s_paren = Rf_install("(");
  s_minus = Rf_install("-");
  s_start = Rf_install("start");
  s_end = Rf_install("end");
  s_step = Rf_install("step");
  SEXP m = PROTECT(Rf_allocVector(VECSXP, 0));
  Rf_setAttrib(m, R_ClassSymbol, Rf_mkString("torch_ellipsis"));
  R_PreserveObject(m);
  UNPROTECT(1);
  ellipsis_marker = m;
}

/* ---------------------------------------------------------------- phase 1: evaluation */

static int uses_mask(SEXP e) {
  switch (TYPEOF(e)) {
  case SYMSXP: return e == s_N || e == s_dotdot || e == s_newaxis;
  case LANGSXP:
  case LISTSXP:
    for (; e != R_NilValue; e = CDR(e))
      if (uses_mask(CAR(e))) return 1;
    return 0;
  default: return 0;
  }
}

static int is_num_const(SEXP e) {
  return (TYPEOF(e) == REALSXP || TYPEOF(e) == INTSXP) && XLENGTH(e) == 1 &&
         ATTRIB(e) == R_NilValue;
}

/* Evaluates an expression as R would, except that N, .. and newaxis mean what they mean
 * inside R torch's brackets. The result is unprotected. */
static SEXP eval_value(SEXP e, SEXP env) {
  switch (TYPEOF(e)) {
  case SYMSXP:
    if (e == s_N) return Rf_ScalarInteger(INT_MAX);
    if (e == s_dotdot) return ellipsis_marker;
    if (e == s_newaxis) return R_NilValue;
    return Rf_eval(e, env);
  case LANGSXP:
    if (CAR(e) == s_minus && CDR(e) != R_NilValue && CDDR(e) == R_NilValue &&
        is_num_const(CADR(e))) {
      SEXP v = CADR(e);
      if (TYPEOF(v) == INTSXP && INTEGER(v)[0] == NA_INTEGER) return Rf_ScalarReal(NA_REAL);
      return Rf_ScalarReal(-(TYPEOF(v) == INTSXP ? (double)INTEGER(v)[0] : REAL(v)[0]));
    }
    if (!uses_mask(e)) return Rf_eval(e, env);
    {
      SEXP mask = PROTECT(R_NewEnv(env, FALSE, 4));
      Rf_defineVar(s_N, PROTECT(Rf_ScalarInteger(INT_MAX)), mask);
      Rf_defineVar(s_dotdot, ellipsis_marker, mask);
      Rf_defineVar(s_newaxis, R_NilValue, mask);
      SEXP v = Rf_eval(e, mask);
      UNPROTECT(2);
      return v;
    }
  case PROMSXP: return Rf_eval(e, env);
  default: return e; /* constants */
  }
}

/* a single number (NA -> NaN), or 0 with *ok = 0 */
static double scalar_number(SEXP v, int *ok) {
  *ok = (TYPEOF(v) == REALSXP || TYPEOF(v) == INTSXP || TYPEOF(v) == LGLSXP) &&
        XLENGTH(v) == 1 && !Rf_isFactor(v);
  if (!*ok) return 0;
  if (TYPEOF(v) == REALSXP) return REAL(v)[0];
  int iv = TYPEOF(v) == INTSXP ? INTEGER(v)[0] : LOGICAL(v)[0];
  return iv == NA_INTEGER ? NA_REAL : (double)iv;
}

static double slice_number(SEXP e, SEXP env, const char *what) {
  SEXP v = PROTECT(eval_value(e, env));
  int ok;
  double d = scalar_number(v, &ok);
  if (!ok) tl_r_stop(TL_ERR_INDEX, "the %s of a slice must be a single number", what);
  if (ISNAN(d)) tl_r_stop(TL_ERR_INDEX, "the %s of a slice must not be NA", what);
  UNPROTECT(1);
  return d;
}

static int is_slice_obj(SEXP v) { return TYPEOF(v) == VECSXP && Rf_inherits(v, "slice"); }

static double list_number(SEXP l, SEXP name, const char *what) {
  SEXP nms = Rf_getAttrib(l, R_NamesSymbol);
  for (R_xlen_t i = 0; i < XLENGTH(l); i++) {
    if (nms != R_NilValue && Rf_install(CHAR(STRING_ELT(nms, i))) == name) {
      int ok;
      double d = scalar_number(VECTOR_ELT(l, i), &ok);
      if (ok && !ISNAN(d)) return d;
    }
  }
  tl_r_stop(TL_ERR_INDEX, "the %s of a slice must be a single number", what);
}

static void slice_from_obj(SEXP v, rarg *a) {
  a->kind = K_SLICE;
  a->start = list_number(v, s_start, "start");
  a->end = list_number(v, s_end, "end");
  a->step = list_number(v, s_step, "step");
}

/* a:b, a:b:s (parsed as (a:b):s) and slc(...):s */
static void eval_slice(SEXP e, SEXP env, rarg *a) {
  SEXP lhs = CADR(e), rhs = CADDR(e);
  a->kind = K_SLICE;
  if (TYPEOF(lhs) == LANGSXP && CAR(lhs) == s_colon && Rf_length(lhs) == 3) {
    a->start = slice_number(CADR(lhs), env, "start");
    a->end = slice_number(CADDR(lhs), env, "end");
    a->step = slice_number(rhs, env, "step");
    return;
  }
  SEXP l = PROTECT(eval_value(lhs, env));
  if (is_slice_obj(l)) {
    slice_from_obj(l, a);
    a->step = slice_number(rhs, env, "step");
  } else {
    int ok;
    a->start = scalar_number(l, &ok);
    if (!ok) tl_r_stop(TL_ERR_INDEX, "the start of a slice must be a single number");
    if (ISNAN(a->start)) tl_r_stop(TL_ERR_INDEX, "the start of a slice must not be NA");
    a->end = slice_number(rhs, env, "end");
    a->step = 1;
  }
  UNPROTECT(1);
}

static void set_value(rarg *a, SEXP v) {
  a->value = v;
  if (v == ellipsis_marker || Rf_inherits(v, "torch_ellipsis")) a->kind = K_ELLIPSIS;
  else if (is_slice_obj(v)) slice_from_obj(v, a);
  else a->kind = K_VALUE;
}

/* One index expression. Values that nothing else protects are PROTECTed and counted in
 * *nprot; the common forms (a constant, -constant, a variable, a:b, N) allocate nothing. */
static void eval_expr(SEXP e, SEXP env, rarg *a, int *nprot) {
  for (;;) {
    switch (TYPEOF(e)) {
    case SYMSXP:
      if (e == R_MissingArg) {
        a->kind = K_MISSING;
        return;
      }
      if (e == s_dotdot) {
        a->kind = K_ELLIPSIS;
        return;
      }
      if (e == s_N) { /* a bare N: the size of the dim, i.e. the last position */
        a->kind = K_NUMBER;
        a->num = -1;
        return;
      }
      if (e == s_newaxis) {
        set_value(a, R_NilValue);
        return;
      }
      break;
    case LANGSXP:
      if (CAR(e) == s_colon && Rf_length(e) == 3) {
        eval_slice(e, env, a);
        return;
      }
      if (CAR(e) == s_paren && Rf_length(e) == 2) {
        e = CADR(e);
        continue;
      }
      if (CAR(e) == s_minus && Rf_length(e) == 2 && is_num_const(CADR(e))) {
        SEXP v = CADR(e);
        a->kind = K_NUMBER;
        a->num = TYPEOF(v) == INTSXP
                     ? (INTEGER(v)[0] == NA_INTEGER ? NA_REAL : -(double)INTEGER(v)[0])
                     : -REAL(v)[0];
        return;
      }
      break;
    case PROMSXP: break;
    default: set_value(a, e); return; /* a constant in the promise's code */
    }
    break;
  }
  SEXP v = PROTECT(eval_value(e, env));
  (*nprot)++;
  set_value(a, v);
}

/* Reads the arguments in `...` of env into args; returns how many. The caller unprotects
 * *nprot values. */
static int eval_args(SEXP env, rarg *args, int *nprot) {
  SEXP dots = Rf_findVarInFrame3(env, R_DotsSymbol, TRUE);
  int n = 0;
  *nprot = 0;
  if (TYPEOF(dots) == DOTSXP || TYPEOF(dots) == LISTSXP) n = Rf_length(dots);
  if (n > MAX_ARGS) tl_r_stop(TL_ERR_INDEX, "too many indices (at most %d)", MAX_ARGS);
  SEXP node = dots;
  for (int i = 0; i < n; i++, node = CDR(node)) {
    SEXP el = CAR(node);
    rarg *a = &args[i];
    if (el == R_MissingArg) {
      a->kind = K_MISSING;
      continue;
    }
    if (TYPEOF(el) != PROMSXP) {
      set_value(a, el); /* held by the dots */
      continue;
    }
    while (TYPEOF(PRCODE(el)) == PROMSXP) el = PRCODE(el);
    if (PRVALUE(el) != R_UnboundValue) {
      set_value(a, PRVALUE(el));
      continue;
    }
    eval_expr(R_PromiseExpr(el), PRENV(el), a, nprot);
  }
  return n;
}

/* ---------------------------------------------------------------- phase 2: items */

static void idx_list_free(idx_list *r) {
  for (int i = 0; i < r->nowned; i++) tl_tensor_release(r->owned[i]);
  r->nowned = 0;
}

static void fail(idx_list *r, tl_status kind, const char *fmt, ...)
  __attribute__((noreturn, format(printf, 3, 4)));
static void fail(idx_list *r, tl_status kind, const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  idx_list_free(r);
  tl_r_stop(kind, "%s", msg);
}

static tl_index_item *push(idx_list *r, tl_index_kind kind) {
  tl_index_item *it = &r->items[r->n++];
  it->kind = kind;
  it->start = 0;
  it->stop = INT64_MAX;
  it->step = 1;
  it->tensor = NULL;
  return it;
}

/* R's 1-based position (negative from the end) as a core position */
static int64_t position(idx_list *r, double v) {
  if (ISNAN(v)) fail(r, TL_ERR_INDEX, "NA is not a valid index");
  if (v >= 1) v = floor(v); /* R truncates fractional indices */
  else if (v <= -1) v = ceil(v);
  else fail(r, TL_ERR_INDEX, "Indexing in R is 1-based and found a 0.");
  if (v > 4e18) v = 4e18;
  if (v < -4e18) v = -4e18;
  return v > 0 ? (int64_t)v - 1 : (int64_t)v;
}

static tl_tensor *own(idx_list *r, tl_tensor *t) {
  if (!t) {
    idx_list_free(r);
    tl_r_throw();
  }
  r->owned[r->nowned++] = t;
  return t;
}

static void slice_item(idx_list *r, const rarg *a) {
  tl_index_item *it = push(r, TL_IDX_SLICE);
  double s = a->start, e = a->end, st = a->step;
  if (st != floor(st) || st < 1) fail(r, TL_ERR_VALUE, "step must be greater than zero");
  /* R torch's slc(): start is 1-based (negative from the end); end is inclusive, -1 and N
   * (or Inf) reach the end, other negative ends count from the end. */
  s = s >= INT_MAX ? -1 : s > 0 ? floor(s) - 1 : ceil(s); /* N:N is the last one */
  it->start = s < -4e18 ? (int64_t)-4e18 : s > 4e18 ? (int64_t)4e18 : (int64_t)s;
  if (e >= INT_MAX || e == -1) it->stop = INT64_MAX;
  else if (e < -1) it->stop = e < -4e18 ? (int64_t)-4e18 : (int64_t)ceil(e) + 1;
  else it->stop = (int64_t)floor(e);
  it->step = st > 4e18 ? (int64_t)4e18 : (int64_t)st;
}

static void value_items(idx_list *r, SEXP v, int drop) {
  switch (TYPEOF(v)) {
  case NILSXP: push(r, TL_IDX_NONE); return;
  case REALSXP:
  case INTSXP: {
    if (Rf_isFactor(v)) fail(r, TL_ERR_INDEX, "factors are not supported as indices");
    R_xlen_t n = XLENGTH(v);
    if (n == 1) {
      double d = TYPEOF(v) == REALSXP ? REAL(v)[0]
                 : INTEGER(v)[0] == NA_INTEGER ? NA_REAL : (double)INTEGER(v)[0];
      push(r, TL_IDX_INT)->start = position(r, d);
      if (!drop) push(r, TL_IDX_NONE);
      return;
    }
    int64_t len = n;
    tl_tensor *t = own(r, tl_tensor_empty(TL_INT64, 1, &len));
    int64_t *p = tl_data(t);
    for (R_xlen_t i = 0; i < n; i++)
      p[i] = position(r, TYPEOF(v) == REALSXP ? REAL(v)[i]
                         : INTEGER(v)[i] == NA_INTEGER ? NA_REAL : (double)INTEGER(v)[i]);
    push(r, TL_IDX_TENSOR)->tensor = t;
    return;
  }
  case LGLSXP: {
    R_xlen_t n = XLENGTH(v);
    for (R_xlen_t i = 0; i < n; i++)
      if (LOGICAL(v)[i] == NA_LOGICAL) fail(r, TL_ERR_INDEX, "NA is not a valid index");
    if (n == 1) {
      push(r, TL_IDX_BOOL)->start = LOGICAL(v)[0] != 0;
      return;
    }
    int64_t len = n;
    tl_tensor *t = own(r, tl_tensor_empty(TL_BOOL, 1, &len));
    uint8_t *p = tl_data(t);
    for (R_xlen_t i = 0; i < n; i++) p[i] = LOGICAL(v)[i] != 0;
    push(r, TL_IDX_TENSOR)->tensor = t;
    return;
  }
  case EXTPTRSXP:
    if (tl_r_is_tensor(v)) {
      tl_tensor *t = tl_r_tensor_or_null(v);
      if (!t) fail(r, TL_ERR_RUNTIME, "an index tensor's memory is gone (restored from a saved session?)");
      if (t->dtype == TL_BOOL) {
        push(r, TL_IDX_TENSOR)->tensor = t;
        return;
      }
      if (t->dtype != TL_INT64 && t->dtype != TL_INT32)
        fail(r, TL_ERR_INDEX,
             "Only long and boolean tensors are supported as indices, got a %s tensor.",
             tl_dtype_name(t->dtype));
      /* 1-based positions, negative from the end: shift the positive ones down */
      tl_tensor *c = own(r, tl_to_dtype(t, TL_INT64, 1));
      int64_t *p = tl_data(c);
      for (int64_t i = 0; i < c->numel; i++) {
        if (p[i] == 0) fail(r, TL_ERR_INDEX, "Indexing starts at 1 but found a 0.");
        if (p[i] > 0) p[i]--;
      }
      push(r, TL_IDX_TENSOR)->tensor = c;
      return;
    }
    break;
  default: break;
  }
  const char *what = TYPEOF(v) == STRSXP ? "character" : Rf_type2char(TYPEOF(v));
  fail(r, TL_ERR_INDEX,
       "Unsupported index of type %s: use numbers, slices (1:3), N, .., NULL/newaxis, "
       "logical vectors or long/bool tensors",
       what);
}

static void build_items(idx_list *r, const rarg *args, int n, int drop) {
  for (int i = 0; i < n; i++) {
    switch (args[i].kind) {
    case K_MISSING: push(r, TL_IDX_SLICE); break;
    case K_ELLIPSIS: push(r, TL_IDX_ELLIPSIS); break;
    case K_SLICE: slice_item(r, &args[i]); break;
    case K_NUMBER:
      push(r, TL_IDX_INT)->start = position(r, args[i].num);
      if (!drop) push(r, TL_IDX_NONE);
      break;
    default: value_items(r, args[i].value, drop); break;
    }
  }
}

/* ---------------------------------------------------------------- entry points */

static SEXP index_get(SEXP x, SEXP env, SEXP drop) {
  init_symbols();
  tl_tensor *t = tl_r_unwrap(x);
  int dr = tl_r_flag(drop, "drop");
  rarg args[MAX_ARGS];
  int nprot;
  int n = eval_args(env, args, &nprot);
  idx_list r;
  r.n = r.nowned = 0;
  build_items(&r, args, n, dr);
  tl_tensor *out = tl_ag_index(t, r.items, r.n);
  idx_list_free(&r);
  UNPROTECT(nprot);
  return tl_r_wrap(out);
}

static SEXP index_put(SEXP x, SEXP env, SEXP value) {
  init_symbols();
  tl_tensor *t = tl_r_unwrap(x);
  rarg args[MAX_ARGS];
  int nprot;
  int n = eval_args(env, args, &nprot);
  tl_tensor *v = tl_r_as_tensor(value); /* may throw: nothing of ours is held yet */
  idx_list r;
  r.n = 0;
  r.nowned = 1;
  r.owned[0] = v;
  build_items(&r, args, n, 1);
  tl_status st = tl_ag_index_put_(t, r.items, r.n, v);
  idx_list_free(&r);
  if (st != TL_OK) tl_r_throw();
  UNPROTECT(nprot);
  return x;
}

/* .External2(C_tl_index_ext, x, drop) from `[.torch_tensor`: env is the method's frame */
SEXP C_tl_index_ext(SEXP call, SEXP op, SEXP args, SEXP env) {
  (void)call;
  (void)op;
  args = CDR(args); /* the routine itself */
  return index_get(CAR(args), env, CADR(args));
}

/* .External2(C_tl_index_put_ext, x, value) from `[<-.torch_tensor` */
SEXP C_tl_index_put_ext(SEXP call, SEXP op, SEXP args, SEXP env) {
  (void)call;
  (void)op;
  args = CDR(args);
  return index_put(CAR(args), env, CADR(args));
}
