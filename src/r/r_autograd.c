/* The R side of autograd: grad mode, backward, grad/grad_fn fields, hooks, node handles. */
#include "r_tensor.h"

#include <stdio.h>
#include <string.h>

#include "../core/autograd/autograd.h"
#include "../core/autograd/derivatives.h"

static SEXP node_tag = NULL;
static SEXP node_class = NULL;
/* An R condition raised inside a hook, re-raised once the engine has unwound. */
static SEXP pending_condition = NULL;

/* ---------------------------------------------------------------- grad mode */

SEXP C_tl_set_grad_mode(SEXP on) {
  int old = tl_grad_enabled();
  tl_set_grad_enabled(tl_r_flag(on, "enabled"));
  return Rf_ScalarLogical(old);
}

/* .External2(C_tl_with_grad_mode_ext, enabled) from with_no_grad() / with_enable_grad():
 * evaluates the `code` promise of the calling frame with grad mode set, and restores the
 * previous mode however the evaluation ends (value, error, interrupt, return(), restart). */
typedef struct {
  SEXP env;
  int old;
} grad_scope;

static SEXP eval_code(void *data) {
  static SEXP code_sym = NULL;
  if (!code_sym) code_sym = Rf_install("code");
  return Rf_eval(code_sym, ((grad_scope *)data)->env);
}

static void restore_grad_mode(void *data) { tl_set_grad_enabled(((grad_scope *)data)->old); }

SEXP C_tl_with_grad_mode_ext(SEXP call, SEXP op, SEXP args, SEXP env) {
  (void)call;
  (void)op;
  grad_scope sc = {env, tl_grad_enabled()};
  tl_set_grad_enabled(tl_r_flag(CADR(args), "enabled"));
  return R_ExecWithCleanup(eval_code, &sc, restore_grad_mode, &sc);
}

SEXP C_tl_grad_mode(void) { return Rf_ScalarLogical(tl_grad_enabled()); }

SEXP C_tl_set_anomaly(SEXP on) {
  int old = tl_anomaly_enabled();
  tl_set_anomaly_enabled(tl_r_flag(on, "enabled"));
  return Rf_ScalarLogical(old);
}

/* ---------------------------------------------------------------- node handles */

static void node_finalizer(SEXP h) {
  tl_node *n = R_ExternalPtrAddr(h);
  if (n) {
    R_ClearExternalPtr(h);
    tl_node_release(n);
  }
}

static SEXP wrap_node(tl_node *n) {
  if (!n) return R_NilValue;
  if (!node_tag) {
    node_tag = Rf_install("torchlite_grad_fn");
    node_class = Rf_mkString("torch_grad_fn");
    R_PreserveObject(node_class);
  }
  tl_node_retain(n);
  SEXP h = PROTECT(R_MakeExternalPtr(n, node_tag, R_NilValue));
  R_RegisterCFinalizerEx(h, node_finalizer, FALSE);
  Rf_setAttrib(h, R_ClassSymbol, node_class);
  UNPROTECT(1);
  return h;
}

static tl_node *unwrap_node(SEXP x) {
  if (TYPEOF(x) != EXTPTRSXP || R_ExternalPtrTag(x) != node_tag || !R_ExternalPtrAddr(x))
    tl_r_stop(TL_ERR_VALUE, "expected a grad_fn object");
  return R_ExternalPtrAddr(x);
}

SEXP C_tl_grad_fn(SEXP x) { return wrap_node(tl_grad_fn(tl_r_unwrap(x))); }

SEXP C_tl_node_name(SEXP x) { return Rf_mkString(tl_node_name(unwrap_node(x))); }

/* identity of the node behind a grad_fn handle (several handles can share one node) */
SEXP C_tl_node_id(SEXP x) {
  char buf[32];
  snprintf(buf, sizeof buf, "%p", (void *)unwrap_node(x));
  return Rf_mkString(buf);
}

SEXP C_tl_node_next(SEXP x) {
  tl_node *n = unwrap_node(x);
  int k = tl_node_n_next(n);
  SEXP out = PROTECT(Rf_allocVector(VECSXP, k));
  for (int i = 0; i < k; i++) SET_VECTOR_ELT(out, i, wrap_node(tl_node_next(n, i)));
  UNPROTECT(1);
  return out;
}

/* ---------------------------------------------------------------- tensor autograd fields */

/* x$grad: a handle sharing the gradient (x$grad$zero_() zeroes it). x's handle keeps the
 * last one it returned and returns it again while the gradient is the same tensor (that
 * handle holds a reference to it, so the address cannot have been reused), instead of a
 * new handle per access: an SGD step reads each parameter's gradient twice. */
SEXP C_tl_grad(SEXP x) {
  tl_tensor *g = tl_grad(tl_r_unwrap(x));
  if (!g) return R_NilValue;
  SEXP cache = tl_r_box_cache(R_ExternalPtrProtected(x), 1);
  if (cache != R_NilValue) {
    SEXP h = VECTOR_ELT(cache, 1);
    if (h != R_NilValue && tl_r_tensor_or_null(h) == g) return h;
  }
  PROTECT(cache);
  tl_tensor_retain(g);
  SEXP h = tl_r_wrap_own(g); /* kept: not in a chunk, whose other tensors it would keep */
  if (cache != R_NilValue) SET_VECTOR_ELT(cache, 1, h);
  UNPROTECT(1);
  return h;
}

SEXP C_tl_set_grad(SEXP x, SEXP value) {
  tl_tensor *t = tl_r_unwrap(x);
  tl_tensor *g = Rf_isNull(value) ? NULL : tl_r_unwrap(value);
  if (tl_set_grad(t, g) != TL_OK) tl_r_throw();
  SEXP cache = tl_r_box_cache(R_ExternalPtrProtected(x), 0);
  if (cache != R_NilValue) SET_VECTOR_ELT(cache, 1, R_NilValue); /* do not keep the old one */
  return x;
}

SEXP C_tl_is_leaf(SEXP x) { return Rf_ScalarLogical(tl_is_leaf(tl_r_unwrap(x))); }

SEXP C_tl_requires_grad(SEXP x) { return Rf_ScalarLogical(tl_requires_grad(tl_r_unwrap(x))); }

SEXP C_tl_requires_grad_(SEXP x, SEXP flag) {
  if (tl_set_requires_grad(tl_r_unwrap(x), tl_r_flag(flag, "requires_grad")) != TL_OK)
    tl_r_throw();
  return x;
}

SEXP C_tl_retain_grad(SEXP x) {
  if (tl_retain_grad(tl_r_unwrap(x)) != TL_OK) tl_r_throw();
  return R_NilValue;
}

SEXP C_tl_detach(SEXP x) { return tl_r_wrap(tl_detach(tl_r_unwrap(x))); }

SEXP C_tl_detach_(SEXP x) {
  tl_detach_(tl_r_unwrap(x));
  return x;
}

SEXP C_tl_retains_grad(SEXP x) {
  tl_tensor *t = tl_r_unwrap(x);
  return Rf_ScalarLogical(t->autograd && t->autograd->retains_grad);
}

/* ---------------------------------------------------------------- R callbacks */

/* Calls fun(arg) trapping errors and interrupts: the core never sees a longjmp. On failure
 * the condition is kept in pending_condition and NULL is returned. */
struct call_data {
  SEXP call;
};

static SEXP do_call(void *d) { return Rf_eval(((struct call_data *)d)->call, R_GlobalEnv); }

static SEXP on_condition(SEXP cond, void *d) {
  (void)d;
  if (pending_condition) R_ReleaseObject(pending_condition);
  pending_condition = cond;
  R_PreserveObject(cond);
  return NULL;
}

SEXP tl_r_call_trapped(SEXP call, int *failed) {
  struct call_data d = {call};
  SEXP conds = PROTECT(Rf_allocVector(STRSXP, 2));
  SET_STRING_ELT(conds, 0, Rf_mkChar("error"));
  SET_STRING_ELT(conds, 1, Rf_mkChar("interrupt"));
  SEXP before = pending_condition;
  SEXP res = R_tryCatch(do_call, &d, conds, on_condition, NULL, NULL, NULL);
  UNPROTECT(1);
  *failed = pending_condition != before;
  return *failed ? NULL : res;
}

/* After a core failure: re-raise an R condition from a callback, else the core's error. */
void tl_r_throw_pending(void) {
  if (pending_condition) {
    SEXP cond = PROTECT(pending_condition);
    R_ReleaseObject(pending_condition);
    pending_condition = NULL;
    tl_clear_error();
    SEXP call = PROTECT(Rf_lang2(Rf_install("stop"), cond));
    Rf_eval(call, R_BaseEnv);
    UNPROTECT(2);
  }
  tl_r_throw();
}

static tl_tensor *r_hook(void *ctx, tl_tensor *grad, tl_status *status) {
  SEXP fun = (SEXP)ctx;
  tl_tensor_retain(grad);
  SEXP g = PROTECT(tl_r_wrap(grad));
  SEXP call = PROTECT(Rf_lang2(fun, g));
  int failed;
  SEXP res = tl_r_call_trapped(call, &failed);
  UNPROTECT(2);
  if (failed) {
    *status = tl_error(TL_ERR_RUNTIME, "error in a hook");
    return NULL;
  }
  tl_tensor *r = tl_r_tensor_or_null(res);
  if (!r) return NULL;
  if (r->ndim != grad->ndim || r->dtype != grad->dtype ||
      memcmp(r->shape, grad->shape, sizeof(int64_t) * (size_t)r->ndim) != 0) {
    *status = tl_error(TL_ERR_RUNTIME,
                       "hook 'hook' has changed the type or size of the gradient");
    return NULL;
  }
  tl_tensor_retain(r);
  return r;
}

static void r_hook_release(void *ctx) { R_ReleaseObject((SEXP)ctx); }

SEXP C_tl_register_hook(SEXP x, SEXP fun) {
  tl_tensor *t = tl_r_unwrap(x);
  if (!Rf_isFunction(fun)) tl_r_stop(TL_ERR_VALUE, "hook must be a function");
  tl_hook *h = tl_calloc(sizeof *h);
  if (!h) tl_r_stop(TL_ERR_ALLOC, "cannot allocate a hook");
  h->fn = r_hook;
  h->release = r_hook_release;
  h->ctx = fun;
  R_PreserveObject(fun);
  int id = tl_register_hook(t, h);
  if (!id) {
    R_ReleaseObject(fun);
    tl_free(h);
    tl_r_throw();
  }
  return Rf_ScalarInteger(id);
}

SEXP C_tl_remove_hook(SEXP x, SEXP id) {
  tl_remove_hook(tl_r_unwrap(x), Rf_asInteger(id));
  return R_NilValue;
}

/* ---------------------------------------------------------------- backward */

/* list of tensors (or one tensor) -> array of borrowed pointers. R_alloc: R frees it when
 * the .Call returns, also when a later argument check throws. */
static tl_tensor **tensor_list(SEXP x, int *n, const char *what, int allow_null) {
  if (tl_r_is_tensor(x)) {
    tl_tensor **v = (tl_tensor **)R_alloc(1, sizeof *v);
    v[0] = tl_r_unwrap(x);
    *n = 1;
    return v;
  }
  if (TYPEOF(x) != VECSXP) tl_r_stop(TL_ERR_VALUE, "%s must be a tensor or a list of tensors", what);
  int k = (int)XLENGTH(x);
  for (int i = 0; i < k; i++) {
    SEXP e = VECTOR_ELT(x, i);
    if (!(tl_r_is_tensor(e) || (allow_null && Rf_isNull(e))))
      tl_r_stop(TL_ERR_VALUE, "%s must be a tensor or a list of tensors", what);
    if (!Rf_isNull(e)) tl_r_unwrap(e);
  }
  tl_tensor **v = (tl_tensor **)R_alloc((size_t)(k > 0 ? k : 1), sizeof *v);
  for (int i = 0; i < k; i++) {
    SEXP e = VECTOR_ELT(x, i);
    v[i] = Rf_isNull(e) ? NULL : tl_r_unwrap(e);
  }
  *n = k;
  return v;
}

SEXP C_tl_run_backward(SEXP tensors, SEXP grads, SEXP keep_graph, SEXP create_graph,
                       SEXP inputs, SEXP accumulate, SEXP allow_unused) {
  tl_backward_opts o = {0};
  o.keep_graph = tl_r_flag(keep_graph, "retain_graph");
  o.create_graph = tl_r_flag(create_graph, "create_graph");
  o.accumulate = tl_r_flag(accumulate, "accumulate");
  o.allow_unused = tl_r_flag(allow_unused, "allow_unused");
  int n_roots, n_grads = 0;
  tl_tensor **roots = tensor_list(tensors, &n_roots, "tensors", 0);
  tl_tensor **groots = NULL;
  if (!Rf_isNull(grads)) {
    groots = tensor_list(grads, &n_grads, "grad_tensors", 1);
    if (n_grads != n_roots)
      tl_r_stop(TL_ERR_VALUE, "got %d tensors and %d gradients", n_roots, n_grads);
  }
  if (!Rf_isNull(inputs)) o.inputs = tensor_list(inputs, &o.n_inputs, "inputs", 0);
  if (!o.accumulate) {
    o.results = tl_calloc(sizeof(tl_tensor *) * (size_t)(o.n_inputs > 0 ? o.n_inputs : 1));
  }
  tl_status st = tl_backward(n_roots, roots, groots, &o);
  if (st != TL_OK) {
    tl_free(o.results);
    tl_r_throw_pending();
  }
  if (o.accumulate) return R_NilValue;
  SEXP out = PROTECT(Rf_allocVector(VECSXP, o.n_inputs));
  for (int i = 0; i < o.n_inputs; i++) {
    if (o.results[i]) {
      tl_tensor *r = o.results[i];
      o.results[i] = NULL;
      SET_VECTOR_ELT(out, i, tl_r_wrap(r));
    }
  }
  tl_free(o.results);
  UNPROTECT(1);
  return out;
}

/* .External2(C_tl_backward_ext) from x$backward(gradient, retain_graph, create_graph,
 * inputs): reads the method's arguments in its frame, forcing them in the order the R code
 * did (inputs, then self, gradient, retain_graph, create_graph), so that the method needs no
 * R code of its own beyond the call. */
SEXP C_tl_backward_ext(SEXP call, SEXP op, SEXP args, SEXP env) {
  (void)call;
  (void)op;
  (void)args;
  static SEXP s_self, s_gradient, s_retain, s_create, s_inputs, s_list, yes, no;
  if (!s_self) {
    yes = Rf_ScalarLogical(1);
    R_PreserveObject(yes);
    no = Rf_ScalarLogical(0);
    R_PreserveObject(no);
    s_self = Rf_install("self");
    s_gradient = Rf_install("gradient");
    s_retain = Rf_install("retain_graph");
    s_create = Rf_install("create_graph");
    s_inputs = Rf_install("inputs");
    s_list = Rf_install("as_tensor_list");
  }
  SEXP inputs = PROTECT(Rf_eval(s_inputs, env));
  if (!Rf_isNull(inputs)) {
    SEXP c = PROTECT(Rf_lang3(s_list, inputs, Rf_mkString("inputs")));
    inputs = Rf_eval(c, env); /* the method's environment reaches the namespace */
    UNPROTECT(2);
    PROTECT(inputs);
  }
  SEXP self = PROTECT(Rf_eval(s_self, env));
  SEXP gradient = PROTECT(Rf_eval(s_gradient, env));
  SEXP retain = PROTECT(Rf_eval(s_retain, env));
  SEXP create = PROTECT(Rf_eval(s_create, env));
  C_tl_run_backward(self, gradient, retain, create, inputs, yes, no);
  UNPROTECT(5);
  return R_NilValue;
}

/* ---------------------------------------------------------------- AccumulateGrad's leaf */

SEXP C_tl_node_variable(SEXP x) {
  tl_node *n = unwrap_node(x);
  if (!n->leaf) return R_NilValue;
  tl_tensor_retain(n->leaf);
  return tl_r_wrap(n->leaf);
}

/* ---------------------------------------------------------------- autograd_function() */

/* ext of a custom node: an R list(backward = function(ctx, ...), ctx = environment,
 * input_names = character, outputs = list of list(shape, dtype)), preserved while the node
 * lives. */

static tl_status custom_backward(tl_node *n, tl_tensor **gin, int n_in, tl_tensor **gout) {
  SEXP ext = (SEXP)n->ext;
  SEXP fun = VECTOR_ELT(ext, 0), ctx = VECTOR_ELT(ext, 1);
  SEXP outs = VECTOR_ELT(ext, 3);
  /* the call backward(ctx, grad_1, ..., grad_k); missing gradients are zeros */
  SEXP args = PROTECT(Rf_allocVector(VECSXP, n_in));
  for (int k = 0; k < n_in; k++) {
    tl_tensor *g = gin[k];
    if (g) {
      tl_tensor_retain(g);
    } else {
      SEXP meta = VECTOR_ELT(outs, k);
      SEXP shp = VECTOR_ELT(meta, 0);
      int64_t shape[TL_MAX_DIMS];
      int nd = (int)XLENGTH(shp);
      for (int i = 0; i < nd; i++) shape[i] = INTEGER(shp)[i];
      g = tl_tensor_zeros((tl_dtype)INTEGER(VECTOR_ELT(meta, 1))[0], nd, shape);
      if (!g) {
        UNPROTECT(1);
        return TL_ERR_ALLOC;
      }
    }
    SET_VECTOR_ELT(args, k, tl_r_wrap(g));
  }
  SEXP pkg = PROTECT(R_FindNamespace(Rf_mkString("torchlite")));
  SEXP call = PROTECT(Rf_lang4(Rf_findFun(Rf_install("custom_backward_call"), pkg), fun, ctx, args));
  int failed;
  SEXP res = tl_r_call_trapped(call, &failed);
  if (failed) {
    UNPROTECT(3);
    return tl_error(TL_ERR_RUNTIME, "error in the backward of a custom function");
  }
  PROTECT(res);
  /* res: a list aligned with the inputs (NULL where no gradient) */
  int n_next = n->n_next;
  if (TYPEOF(res) != VECSXP || XLENGTH(res) != n_next) {
    UNPROTECT(4);
    return tl_error(TL_ERR_RUNTIME,
                    "the backward of a custom function must return one gradient per input "
                    "(got %d, expected %d)", TYPEOF(res) == VECSXP ? (int)XLENGTH(res) : 1, n_next);
  }
  for (int k = 0; k < n_next; k++) {
    SEXP g = VECTOR_ELT(res, k);
    if (Rf_isNull(g) || !n->next[k].node) continue;
    tl_tensor *t = tl_r_tensor_or_null(g);
    if (!t) {
      UNPROTECT(4);
      return tl_error(TL_ERR_RUNTIME, "the backward of a custom function returned a non-tensor");
    }
    const tl_input_meta *m = &n->input[k];
    if (t->ndim != m->ndim || memcmp(t->shape, m->shape, sizeof(int64_t) * (size_t)m->ndim)) {
      UNPROTECT(4);
      return tl_error(TL_ERR_RUNTIME,
                      "the gradient returned for input %d of a custom function has the wrong shape",
                      k + 1);
    }
    tl_tensor_retain(t);
    gout[k] = t;
  }
  UNPROTECT(4);
  return TL_OK;
}

static void custom_release(void *ext) { R_ReleaseObject((SEXP)ext); }

static const char *custom_name(tl_node *n) {
  (void)n;
  return "AutogradFunctionBackward";
}

static const tl_node_ext custom_vt = {custom_backward, custom_release, custom_name};

/* Records a custom node with `inputs` (list of tensors or NULL) and makes it the history of
 * `outputs` (list of tensors, NULL where non-differentiable). */
SEXP C_tl_custom_record(SEXP outputs, SEXP inputs, SEXP ext) {
  int n_in = (int)XLENGTH(inputs), n_out = (int)XLENGTH(outputs);
  if (n_out > TL_NODE_MAX_OUTPUTS)
    tl_r_stop(TL_ERR_VALUE, "a custom function can have at most %d outputs", TL_NODE_MAX_OUTPUTS);
  const tl_tensor **in = (const tl_tensor **)R_alloc((size_t)(n_in > 0 ? n_in : 1), sizeof(tl_tensor *));
  for (int k = 0; k < n_in; k++) {
    SEXP e = VECTOR_ELT(inputs, k);
    in[k] = Rf_isNull(e) ? NULL : tl_r_unwrap(e);
  }
  for (int k = 0; k < n_out; k++)
    if (!Rf_isNull(VECTOR_ELT(outputs, k))) tl_r_unwrap(VECTOR_ELT(outputs, k));
  tl_node *node = tl_node_new(&tl_op_custom, n_in, in);
  if (!node) tl_r_throw();
  node->i[3] = n_out;
  R_PreserveObject(ext);
  node->ext = ext;
  node->ext_vt = &custom_vt;
  node->graph_bytes = INT64_MAX; /* it holds R objects: never a small graph (r_tensor.c) */
  for (int k = 0; k < n_out; k++) {
    SEXP e = VECTOR_ELT(outputs, k);
    if (Rf_isNull(e)) continue;
    tl_set_history(tl_r_unwrap(e), node, k); /* checked above: cannot throw */
  }
  tl_node_release(node);
  return R_NilValue;
}
