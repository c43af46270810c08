/* The derivative table. For each differentiable op: `tl_ag_<op>` runs the forward kernel
 * (ops/) and, when grad mode is on and an input requires grad, records a node; the node's
 * backward formula sits right below it. Formulas are written with the same tl_ag_* ops, so
 * with create_graph = TRUE the backward pass is itself recorded (higher-order gradients).
 * Where bit-exact agreement with libtorch matters, formulas follow the order of operations
 * of libtorch's derivatives (FunctionsManual.cpp). */
#include "derivatives.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../ops/elementwise.h"
#include "../iter.h"
#include "../ops/creation.h"
#include "../ops/index.h"
#include "../ops/linalg.h"
#include "../ops/reduce.h"
#include "../ops/shape.h"

#define TL_LN2 0.693147180559945309417232121458
#define TL_LN10 2.30258509299404568401799145468

/* ================================================================ formula helpers */

/* Temporaries of one formula, released together at the end. */
typedef struct {
  tl_tensor *t[24];
  int n;
  int failed;
} scope;

static tl_tensor *keep(scope *sc, tl_tensor *t) {
  if (!t) {
    sc->failed = 1;
    return NULL;
  }
  if (sc->n < (int)(sizeof sc->t / sizeof sc->t[0])) sc->t[sc->n++] = t;
  return t;
}

static void scope_end(scope *sc) {
  for (int i = 0; i < sc->n; i++) tl_tensor_release(sc->t[i]);
  sc->n = 0;
}

/* Finishes a formula: on failure releases the outputs already made. */
static tl_status finish(scope *sc, tl_node *n, tl_tensor **gout) {
  int failed = sc->failed;
  scope_end(sc);
  for (int k = 0; k < n->n_next && !failed; k++)
    if (n->next[k].node && !gout[k]) failed = 1;
  if (!failed) return TL_OK;
  for (int k = 0; k < n->n_next; k++) {
    tl_tensor_release(gout[k]);
    gout[k] = NULL;
  }
  tl_status st = tl_last_status();
  return st == TL_OK ? tl_error(TL_ERR_RUNTIME, "backward of %s failed", n->op->name) : st;
}

static int need(const tl_node *n, int k) { return k < n->n_next && n->next[k].node != NULL; }

/* a 0-d wrapped number, as an R scalar would arrive */
static tl_tensor *scalar(double v) { return tl_wrapped_number(TL_FLOAT64, v, 0); }

static tl_tensor *unpack(scope *sc, tl_node *n, int slot) {
  return keep(sc, tl_node_unpack(n, slot));
}

static int same_shape_meta(const tl_tensor *g, const tl_input_meta *m) {
  if (g->ndim != m->ndim) return 0;
  for (int i = 0; i < m->ndim; i++)
    if (g->shape[i] != m->shape[i]) return 0;
  return 1;
}

/* Sums a broadcast gradient back to an input's shape (PyTorch's sum_to). Consumes nothing;
 * returns a new reference. */
static tl_tensor *sum_to(tl_tensor *g, const tl_input_meta *m) {
  if (!g) return NULL;
  if (same_shape_meta(g, m)) {
    tl_tensor_retain(g);
    return g;
  }
  int lead = g->ndim - m->ndim;
  int64_t dims[TL_MAX_DIMS];
  int nd = 0;
  for (int i = 0; i < g->ndim; i++) {
    if (i < lead) dims[nd++] = i;
    else if (m->shape[i - lead] == 1 && g->shape[i] != 1) dims[nd++] = i;
  }
  tl_tensor *s = nd ? tl_ag_sum(g, dims, nd, 1, -1) : (tl_tensor_retain(g), g);
  if (!s) return NULL;
  tl_tensor *r = tl_ag_reshape(s, m->ndim, m->shape);
  tl_tensor_release(s);
  return r;
}

static tl_tensor *zeros_meta(const tl_input_meta *m) {
  return tl_tensor_zeros(m->dtype, m->ndim, m->shape);
}

tl_tensor *tl_ones_like(const tl_tensor *t) {
  tl_tensor *o = tl_tensor_empty(t->dtype, t->ndim, t->shape);
  if (o && tl_fill(o, 1.0) != TL_OK) {
    tl_tensor_release(o);
    return NULL;
  }
  return o;
}

/* Records `node` as out's history unless something failed; consumes node. */
static tl_tensor *attach(tl_tensor *out, tl_node *node) {
  if (!node) {
    tl_tensor_release(out);
    return NULL;
  }
  tl_set_history(out, node, 0);
  tl_node_release(node);
  return out;
}

static tl_node *record(const tl_op_info *op, int n, const tl_tensor *const *in) {
  return tl_node_new(op, n, in);
}

/* Saves t in slot of node; on failure releases the node and returns NULL. */
static tl_node *save(tl_node *node, int slot, const tl_tensor *t, int is_output) {
  if (node && tl_node_save(node, slot, t, is_output) != TL_OK) {
    tl_node_release(node);
    return NULL;
  }
  return node;
}

/* ================================================================ AccumulateGrad */

static tl_status accumulate_backward(tl_node *n, tl_tensor **gin, tl_tensor **gout) {
  (void)n;
  (void)gin;
  (void)gout;
  return TL_OK; /* the engine accumulates leaves itself */
}
const tl_op_info tl_op_accumulate_grad = {"torch::autograd::AccumulateGrad", 1,
                                          accumulate_backward, TL_SAVES_NONE};

/* ================================================================ add / sub */

/* a + alpha * b. A wrapped-number b is PyTorch's Scalar overload (AddBackward1). */
static tl_status add_backward(tl_node *n, tl_tensor **gin, tl_tensor **gout) {
  scope sc = {0};
  tl_tensor *g = gin[0];
  double alpha = n->s[0];
  int sub = (int)n->i[0];
  if (need(n, 0)) gout[0] = sum_to(g, &n->input[0]);
  if (need(n, 1)) {
    tl_tensor *gb = g;
    if (sub) gb = keep(&sc, alpha == 1 ? tl_ag_neg(g) : tl_ag_mul(g, keep(&sc, scalar(-alpha))));
    else if (alpha != 1) gb = keep(&sc, tl_ag_mul(g, keep(&sc, scalar(alpha))));
    gout[1] = sum_to(gb, &n->input[1]);
  }
  return finish(&sc, n, gout);
}
static const tl_op_info op_add0 = {"AddBackward0", 1, add_backward, TL_SAVES_NONE};
static const tl_op_info op_add1 = {"AddBackward1", 1, add_backward, TL_SAVES_NONE};
static const tl_op_info op_sub0 = {"SubBackward0", 1, add_backward, TL_SAVES_NONE};
static const tl_op_info op_sub1 = {"SubBackward1", 1, add_backward, TL_SAVES_NONE};

static tl_tensor *add_like(const tl_tensor *a, const tl_tensor *b, double alpha, int sub) {
  if (!a || !b) return NULL;
  tl_tensor *out = sub ? tl_sub(a, b, alpha) : tl_add(a, b, alpha);
  const tl_tensor *in[2] = {a, b};
  if (!out || !tl_should_record(2, in)) return out;
  const tl_op_info *op = b->wrapped_number ? (sub ? &op_sub1 : &op_add1) : (sub ? &op_sub0 : &op_add0);
  tl_node *node = record(op, b->wrapped_number ? 1 : 2, in); /* a Scalar is not an input */
  if (node) {
    node->s[0] = alpha;
    node->i[0] = sub;
  }
  return attach(out, node);
}

tl_tensor *tl_ag_add(const tl_tensor *a, const tl_tensor *b) { return add_like(a, b, 1, 0); }
tl_tensor *tl_ag_add_alpha(const tl_tensor *a, const tl_tensor *b, double alpha) {
  return add_like(a, b, alpha, 0);
}
tl_tensor *tl_ag_sub(const tl_tensor *a, const tl_tensor *b, double alpha) {
  return add_like(a, b, alpha, 1);
}

tl_status tl_add_inplace(tl_tensor *dst, const tl_tensor *src) { return tl_add_(dst, src, 1); }

/* ================================================================ mul / div */

static tl_status mul_backward(tl_node *n, tl_tensor **gin, tl_tensor **gout) {
  scope sc = {0};
  tl_tensor *g = gin[0];
  if (n->i[0]) { /* a scalar factor; i[1] is the tensor's position (2 * x keeps R torch's
                   two inputs, the first without a gradient) */
    gout[n->i[1]] = tl_ag_mul(g, keep(&sc, scalar(n->s[0])));
    return finish(&sc, n, gout);
  }
  if (need(n, 0)) gout[0] = sum_to(keep(&sc, tl_ag_mul(g, unpack(&sc, n, 1))), &n->input[0]);
  if (need(n, 1)) gout[1] = sum_to(keep(&sc, tl_ag_mul(g, unpack(&sc, n, 0))), &n->input[1]);
  return finish(&sc, n, gout);
}
static const tl_op_info op_mul0 = {"MulBackward0", 1, mul_backward, 2};
static const tl_op_info op_mul1 = {"MulBackward1", 1, mul_backward, TL_SAVES_NONE};

tl_tensor *tl_ag_mul(const tl_tensor *a, const tl_tensor *b) {
  if (!a || !b) return NULL;
  tl_tensor *out = tl_mul(a, b);
  const tl_tensor *in[2] = {a, b};
  if (!out || !tl_should_record(2, in)) return out;
  tl_node *node;
  if (b->wrapped_number) {
    node = record(&op_mul1, 1, in);
    if (node) {
      node->i[0] = 1;
      node->s[0] = tl_get_double(b, 0);
    }
  } else if (a->wrapped_number) {
    node = record(&op_mul0, 2, in);
    if (node) {
      node->i[0] = 1;
      node->i[1] = 1;
      node->s[0] = tl_get_double(a, 0);
    }
  } else {
    node = record(&op_mul0, 2, in);
    if (tl_requires_grad(a)) node = save(node, 1, b, 0);
    if (tl_requires_grad(b)) node = save(node, 0, a, 0);
  }
  return attach(out, node);
}

static tl_status div_backward(tl_node *n, tl_tensor **gin, tl_tensor **gout) {
  scope sc = {0};
  tl_tensor *g = gin[0];
  if (n->i[0]) {
    gout[0] = tl_ag_div(g, keep(&sc, scalar(n->s[0])));
    return finish(&sc, n, gout);
  }
  tl_tensor *b = unpack(&sc, n, 1);
  if (need(n, 0) && b) gout[0] = sum_to(keep(&sc, tl_ag_div(g, b)), &n->input[0]);
  if (need(n, 1) && b) {
    /* -grad * self / (other * other) */
    tl_tensor *a = unpack(&sc, n, 0);
    tl_tensor *t = keep(&sc, tl_ag_neg(g));
    t = keep(&sc, a ? tl_ag_mul(t, a) : NULL);
    tl_tensor *bb = keep(&sc, tl_ag_mul(b, b));
    gout[1] = sum_to(keep(&sc, t && bb ? tl_ag_div(t, bb) : NULL), &n->input[1]);
  }
  return finish(&sc, n, gout);
}
static const tl_op_info op_div0 = {"DivBackward0", 1, div_backward, 2};
static const tl_op_info op_div1 = {"DivBackward1", 1, div_backward, TL_SAVES_NONE};

tl_tensor *tl_ag_div(const tl_tensor *a, const tl_tensor *b) {
  if (!a || !b) return NULL;
  tl_tensor *out = tl_div(a, b, TL_ROUND_NONE);
  const tl_tensor *in[2] = {a, b};
  if (!out || !tl_should_record(2, in)) return out;
  tl_node *node;
  if (b->wrapped_number) {
    node = record(&op_div1, 1, in);
    if (node) {
      node->i[0] = 1;
      node->s[0] = tl_get_double(b, 0);
    }
  } else {
    node = record(&op_div0, 2, in);
    node = save(node, 1, b, 0);
    if (tl_requires_grad(b)) node = save(node, 0, a, 0);
  }
  return attach(out, node);
}

/* ================================================================ pow */

/* g and x small contiguous floating tensors of one dtype and shape: the operands of the
 * one-pass gradients (x^2 below, clamp) */
static int one_pass_operands(const tl_tensor *g, const tl_tensor *x) {
  if (g->dtype != x->dtype || !tl_dtype_is_floating(x->dtype) || g->ndim != x->ndim ||
      x->numel > TL_SMALL_NUMEL || !tl_is_contiguous(g) || !tl_is_contiguous(x))
    return 0;
  for (int i = 0; i < x->ndim; i++)
    if (g->shape[i] != x->shape[i]) return 0;
  return 1;
}

/* The gradient of x^2 without its graph: grad * (2 * x) as the two multiplications below
 * compute it (2 * x is exact), in one pass and one allocation. 0 when it does not apply. */
static int square_grad(const tl_tensor *g, const tl_tensor *x, tl_tensor **out) {
  if (!one_pass_operands(g, x)) return 0;
  tl_tensor *r = tl_tensor_empty(x->dtype, x->ndim, x->shape);
  if (!r) return 0; /* the general path reports it */
  int64_t m = x->numel;
  if (x->dtype == TL_FLOAT32) {
    const float *pg = tl_data(g), *px = tl_data(x);
    float *pr = tl_data(r);
    for (int64_t i = 0; i < m; i++) pr[i] = pg[i] * (2.0f * px[i]);
  } else {
    const double *pg = tl_data(g), *px = tl_data(x);
    double *pr = tl_data(r);
    for (int64_t i = 0; i < m; i++) pr[i] = pg[i] * (2.0 * px[i]);
  }
  *out = r;
  return 1;
}

/* x ^ scalar: grad * (exponent * x.pow(exponent - 1)), zero for exponent 0 */
static tl_status pow0_backward(tl_node *n, tl_tensor **gin, tl_tensor **gout) {
  scope sc = {0};
  double e = n->s[0];
  if (e == 0) {
    gout[0] = zeros_meta(&n->input[0]);
    return finish(&sc, n, gout);
  }
  tl_tensor *x = unpack(&sc, n, 0);
  if (e == 2 && x && !tl_grad_enabled() && square_grad(gin[0], x, &gout[0]))
    return finish(&sc, n, gout);
  /* x.pow(1) is x itself, so for the common square the pow is skipped (same values) */
  tl_tensor *p = e == 2 ? x : keep(&sc, x ? tl_ag_pow(x, keep(&sc, scalar(e - 1))) : NULL);
  tl_tensor *f = keep(&sc, p ? tl_ag_mul(p, keep(&sc, scalar(e))) : NULL);
  gout[0] = f ? tl_ag_mul(gin[0], f) : NULL;
  return finish(&sc, n, gout);
}

/* x ^ y with tensors: self: where(y == 0, 0, grad * (y * x^(y - 1)));
 * exponent: grad * where(x == 0 & y >= 0, 0, result * log(x)) */
static tl_status pow1_backward(tl_node *n, tl_tensor **gin, tl_tensor **gout) {
  scope sc = {0};
  tl_tensor *g = gin[0];
  tl_tensor *x = unpack(&sc, n, 0), *y = unpack(&sc, n, 1);
  tl_tensor *zero = keep(&sc, scalar(0));
  if (need(n, 0) && x && y) {
    tl_tensor *ym1 = keep(&sc, tl_ag_sub(y, keep(&sc, scalar(1)), 1));
    tl_tensor *p = keep(&sc, ym1 ? tl_ag_pow(x, ym1) : NULL);
    tl_tensor *f = keep(&sc, p ? tl_ag_mul(y, p) : NULL);
    tl_tensor *gf = keep(&sc, f ? tl_ag_mul(g, f) : NULL);
    tl_tensor *c = keep(&sc, tl_eq(y, zero));
    gout[0] = sum_to(keep(&sc, gf && c ? tl_ag_where(c, zero, gf) : NULL), &n->input[0]);
  }
  if (need(n, 1) && x && y) {
    tl_tensor *r = unpack(&sc, n, 2);
    tl_tensor *lx = keep(&sc, tl_ag_log(x));
    tl_tensor *rl = keep(&sc, r && lx ? tl_ag_mul(r, lx) : NULL);
    tl_tensor *c1 = keep(&sc, tl_eq(x, zero));
    tl_tensor *c2 = keep(&sc, tl_ge(y, zero));
    tl_tensor *c = keep(&sc, c1 && c2 ? tl_logical_and(c1, c2) : NULL);
    tl_tensor *w = keep(&sc, c && rl ? tl_ag_where(c, zero, rl) : NULL);
    gout[1] = sum_to(keep(&sc, w ? tl_ag_mul(g, w) : NULL), &n->input[1]);
  }
  return finish(&sc, n, gout);
}
static const tl_op_info op_pow0 = {"PowBackward0", 1, pow0_backward, 1};
static const tl_op_info op_pow1 = {"PowBackward1", 1, pow1_backward, 3};

tl_tensor *tl_ag_pow(const tl_tensor *a, const tl_tensor *b) {
  if (!a || !b) return NULL;
  tl_tensor *out = tl_pow(a, b);
  const tl_tensor *in[2] = {a, b};
  if (!out || !tl_should_record(2, in)) return out;
  tl_node *node;
  if (b->wrapped_number) {
    node = record(&op_pow0, 1, in);
    if (node) {
      node->s[0] = tl_get_double(b, 0);
      if (tl_node_save(node, 0, a, 0) != TL_OK) node = (tl_node_release(node), NULL);
    }
  } else {
    node = record(&op_pow1, 2, in);
    if (node && (tl_node_save(node, 0, a, 0) != TL_OK || tl_node_save(node, 1, b, 0) != TL_OK ||
                 tl_node_save(node, 2, out, 1) != TL_OK))
      node = (tl_node_release(node), NULL);
  }
  return attach(out, node);
}

/* square() is pow(x, 2), as in libtorch (PowBackward0) */
tl_tensor *tl_ag_square(const tl_tensor *x) {
  if (!x) return NULL;
  if (!tl_dtype_is_floating(x->dtype)) return tl_square(x);
  tl_tensor *two = scalar(2);
  if (!two) return NULL;
  tl_tensor *out = tl_ag_pow(x, two);
  tl_tensor_release(two);
  return out;
}

/* ================================================================ unary */

typedef struct {
  tl_op_info info;
  tl_unary_op op;
  int save_input, save_output;
} unary_info;

/* A formula's one-pass kernel (ops/) may stand for its composed ops when they would not be
 * recorded (no create_graph) and grad and y share a dtype (the kernel then rounds as the
 * composed ops do, bit for bit). */
static int fusable(const tl_tensor *g, const tl_tensor *y) {
  const tl_tensor *in[2] = {g, y};
  return g->dtype == y->dtype && !tl_should_record(2, in);
}

static tl_status unary_backward(tl_node *n, tl_tensor **gin, tl_tensor **gout) {
  scope sc = {0};
  const unary_info *u = (const unary_info *)n->op;
  tl_tensor *g = gin[0];
  tl_tensor *x = u->save_input ? unpack(&sc, n, 0) : NULL;
  tl_tensor *y = u->save_output ? unpack(&sc, n, 1) : NULL;
  if ((u->save_input && !x) || (u->save_output && !y)) return finish(&sc, n, gout);
  tl_tensor *one = keep(&sc, scalar(1));
  switch (u->op) {
  case TL_UN_NEG: gout[0] = tl_ag_neg(g); break;
  case TL_UN_EXP: gout[0] = tl_ag_mul(g, y); break;
  case TL_UN_LOG: gout[0] = tl_ag_div(g, x); break;
  case TL_UN_SQRT: /* grad / (2 * result) */
    gout[0] = tl_ag_div(g, keep(&sc, tl_ag_mul(y, keep(&sc, scalar(2)))));
    break;
  case TL_UN_RSQRT: { /* -0.5 * grad * result^3 */
    tl_tensor *t = keep(&sc, tl_ag_mul(g, keep(&sc, scalar(-0.5))));
    tl_tensor *y3 = keep(&sc, tl_ag_pow(y, keep(&sc, scalar(3))));
    gout[0] = t && y3 ? tl_ag_mul(t, y3) : NULL;
    break;
  }
  case TL_UN_SIN: gout[0] = tl_ag_mul(g, keep(&sc, tl_ag_unary(TL_UN_COS, x))); break;
  case TL_UN_COS: { /* grad * -sin(x) */
    tl_tensor *s = keep(&sc, tl_ag_unary(TL_UN_SIN, x));
    gout[0] = s ? tl_ag_mul(g, keep(&sc, tl_ag_neg(s))) : NULL;
    break;
  }
  case TL_UN_TAN: { /* grad * (1 + result^2) */
    tl_tensor *y2 = keep(&sc, tl_ag_pow(y, keep(&sc, scalar(2))));
    gout[0] = y2 ? tl_ag_mul(g, keep(&sc, tl_ag_add(y2, one))) : NULL;
    break;
  }
  case TL_UN_TANH: { /* grad * (1 - y * y) */
    if (fusable(g, y)) {
      gout[0] = tl_tanh_backward(g, y);
      break;
    }
    tl_tensor *yy = keep(&sc, tl_ag_mul(y, y));
    tl_tensor *d = keep(&sc, yy ? tl_ag_sub(one, yy, 1) : NULL);
    gout[0] = d ? tl_ag_mul(g, d) : NULL;
    break;
  }
  case TL_UN_SIGMOID: { /* grad * (1 - y) * y */
    if (fusable(g, y)) {
      gout[0] = tl_sigmoid_backward(g, y);
      break;
    }
    tl_tensor *d = keep(&sc, tl_ag_sub(one, y, 1));
    tl_tensor *t = keep(&sc, d ? tl_ag_mul(g, d) : NULL);
    gout[0] = t ? tl_ag_mul(t, y) : NULL;
    break;
  }
  case TL_UN_RELU: { /* grad where result > 0 */
    tl_tensor *zero = keep(&sc, scalar(0));
    tl_tensor *m = keep(&sc, tl_gt(y, zero));
    gout[0] = m ? tl_ag_where(m, g, zero) : NULL;
    break;
  }
  case TL_UN_ABS: gout[0] = tl_ag_mul(g, keep(&sc, tl_sign(x))); break;
  case TL_UN_RECIPROCAL: { /* -grad * (result * result) */
    tl_tensor *yy = keep(&sc, tl_ag_mul(y, y));
    gout[0] = yy ? tl_ag_mul(keep(&sc, tl_ag_neg(g)), yy) : NULL;
    break;
  }
  case TL_UN_LOG1P: gout[0] = tl_ag_div(g, keep(&sc, tl_ag_add(x, one))); break;
  case TL_UN_EXPM1: gout[0] = tl_ag_mul(g, keep(&sc, tl_ag_add(y, one))); break;
  case TL_UN_SIGN: case TL_UN_FLOOR: case TL_UN_CEIL: case TL_UN_ROUND: case TL_UN_TRUNC:
    gout[0] = zeros_meta(&n->input[0]);
    break;
  case TL_UN_FRAC: tl_tensor_retain(g); gout[0] = g; break;
  case TL_UN_EXP2: /* grad * result * ln 2 */
    gout[0] = tl_ag_mul(keep(&sc, tl_ag_mul(g, y)), keep(&sc, scalar(TL_LN2)));
    break;
  case TL_UN_LOG2: gout[0] = tl_ag_div(g, keep(&sc, tl_ag_mul(x, keep(&sc, scalar(TL_LN2))))); break;
  case TL_UN_LOG10: gout[0] = tl_ag_div(g, keep(&sc, tl_ag_mul(x, keep(&sc, scalar(TL_LN10))))); break;
  case TL_UN_SINH: gout[0] = tl_ag_mul(g, keep(&sc, tl_ag_unary(TL_UN_COSH, x))); break;
  case TL_UN_COSH: gout[0] = tl_ag_mul(g, keep(&sc, tl_ag_unary(TL_UN_SINH, x))); break;
  case TL_UN_ASIN: case TL_UN_ACOS: { /* +-grad / sqrt(1 - x^2) */
    tl_tensor *x2 = keep(&sc, tl_ag_mul(x, x));
    tl_tensor *d = keep(&sc, x2 ? tl_ag_sub(one, x2, 1) : NULL);
    tl_tensor *r = keep(&sc, d ? tl_ag_unary(TL_UN_SQRT, d) : NULL);
    tl_tensor *q = keep(&sc, r ? tl_ag_div(g, r) : NULL);
    gout[0] = q ? (u->op == TL_UN_ASIN ? (tl_tensor_retain(q), q) : tl_ag_neg(q)) : NULL;
    break;
  }
  case TL_UN_ATAN: { /* grad / (1 + x^2) */
    tl_tensor *x2 = keep(&sc, tl_ag_mul(x, x));
    gout[0] = x2 ? tl_ag_div(g, keep(&sc, tl_ag_add(x2, one))) : NULL;
    break;
  }
  default:
    return tl_error(TL_ERR_RUNTIME, "the derivative of %s is not implemented", n->op->name);
  }
  return finish(&sc, n, gout);
}

#define UNARY(var, name, op, in, outp) \
  static const unary_info var = {{name, 1, unary_backward, 0}, op, in, outp};
UNARY(u_neg, "NegBackward0", TL_UN_NEG, 0, 0)
UNARY(u_exp, "ExpBackward0", TL_UN_EXP, 0, 1)
UNARY(u_log, "LogBackward0", TL_UN_LOG, 1, 0)
UNARY(u_sqrt, "SqrtBackward0", TL_UN_SQRT, 0, 1)
UNARY(u_rsqrt, "RsqrtBackward0", TL_UN_RSQRT, 0, 1)
UNARY(u_sin, "SinBackward0", TL_UN_SIN, 1, 0)
UNARY(u_cos, "CosBackward0", TL_UN_COS, 1, 0)
UNARY(u_tan, "TanBackward0", TL_UN_TAN, 0, 1)
UNARY(u_tanh, "TanhBackward0", TL_UN_TANH, 0, 1)
UNARY(u_sigmoid, "SigmoidBackward0", TL_UN_SIGMOID, 0, 1)
UNARY(u_relu, "ReluBackward0", TL_UN_RELU, 0, 1)
UNARY(u_abs, "AbsBackward0", TL_UN_ABS, 1, 0)
UNARY(u_reciprocal, "ReciprocalBackward0", TL_UN_RECIPROCAL, 0, 1)
UNARY(u_log1p, "Log1PBackward0", TL_UN_LOG1P, 1, 0)
UNARY(u_expm1, "Expm1Backward0", TL_UN_EXPM1, 0, 1)
UNARY(u_sign, "SignBackward0", TL_UN_SIGN, 0, 0)
UNARY(u_floor, "FloorBackward0", TL_UN_FLOOR, 0, 0)
UNARY(u_ceil, "CeilBackward0", TL_UN_CEIL, 0, 0)
UNARY(u_round, "RoundBackward0", TL_UN_ROUND, 0, 0)
UNARY(u_trunc, "TruncBackward0", TL_UN_TRUNC, 0, 0)
UNARY(u_frac, "FracBackward0", TL_UN_FRAC, 0, 0)
UNARY(u_exp2, "Exp2Backward0", TL_UN_EXP2, 0, 1)
UNARY(u_log2, "Log2Backward0", TL_UN_LOG2, 1, 0)
UNARY(u_log10, "Log10Backward0", TL_UN_LOG10, 1, 0)
UNARY(u_sinh, "SinhBackward0", TL_UN_SINH, 1, 0)
UNARY(u_cosh, "CoshBackward0", TL_UN_COSH, 1, 0)
UNARY(u_asin, "AsinBackward0", TL_UN_ASIN, 1, 0)
UNARY(u_acos, "AcosBackward0", TL_UN_ACOS, 1, 0)
UNARY(u_atan, "AtanBackward0", TL_UN_ATAN, 1, 0)

static const unary_info *unary_table(tl_unary_op op) {
  switch (op) {
  case TL_UN_NEG: return &u_neg;
  case TL_UN_EXP: return &u_exp;
  case TL_UN_LOG: return &u_log;
  case TL_UN_SQRT: return &u_sqrt;
  case TL_UN_RSQRT: return &u_rsqrt;
  case TL_UN_SIN: return &u_sin;
  case TL_UN_COS: return &u_cos;
  case TL_UN_TAN: return &u_tan;
  case TL_UN_TANH: return &u_tanh;
  case TL_UN_SIGMOID: return &u_sigmoid;
  case TL_UN_RELU: return &u_relu;
  case TL_UN_ABS: return &u_abs;
  case TL_UN_RECIPROCAL: return &u_reciprocal;
  case TL_UN_LOG1P: return &u_log1p;
  case TL_UN_EXPM1: return &u_expm1;
  case TL_UN_SIGN: return &u_sign;
  case TL_UN_FLOOR: return &u_floor;
  case TL_UN_CEIL: return &u_ceil;
  case TL_UN_ROUND: return &u_round;
  case TL_UN_TRUNC: return &u_trunc;
  case TL_UN_FRAC: return &u_frac;
  case TL_UN_EXP2: return &u_exp2;
  case TL_UN_LOG2: return &u_log2;
  case TL_UN_LOG10: return &u_log10;
  case TL_UN_SINH: return &u_sinh;
  case TL_UN_COSH: return &u_cosh;
  case TL_UN_ASIN: return &u_asin;
  case TL_UN_ACOS: return &u_acos;
  case TL_UN_ATAN: return &u_atan;
  default: return NULL;
  }
}

tl_tensor *tl_ag_unary(tl_unary_op op, const tl_tensor *x) {
  if (!x) return NULL;
  if (op == TL_UN_SQUARE) return tl_ag_square(x);
  tl_tensor *out = tl_unary(op, x);
  const tl_tensor *in[1] = {x};
  if (!out || !tl_should_record(1, in)) return out;
  const unary_info *u = unary_table(op);
  if (!u) {
    tl_tensor_release(out);
    tl_error(TL_ERR_RUNTIME, "the derivative of %s is not implemented", tl_unary_name(op));
    return NULL;
  }
  tl_node *node = record(&u->info, 1, in);
  if (node && u->save_input && tl_node_save(node, 0, x, 0) != TL_OK) node = (tl_node_release(node), NULL);
  if (node && u->save_output && tl_node_save(node, 1, out, 1) != TL_OK) node = (tl_node_release(node), NULL);
  return attach(out, node);
}

tl_tensor *tl_ag_neg(const tl_tensor *x) { return tl_ag_unary(TL_UN_NEG, x); }
tl_tensor *tl_ag_log(const tl_tensor *x) { return tl_ag_unary(TL_UN_LOG, x); }

/* ================================================================ clamp, where, maximum */

/* clamp's gradient without its graph: what the comparisons and where below give (the bounds
 * compared in x's type; an absent one is an infinity, which the comparison leaves true but
 * for NaN, as it is false without it), in one pass and one allocation. 0 when it does not
 * apply. */
static int clamp_grad(const tl_tensor *g, const tl_tensor *x, const tl_node *n, tl_tensor **out) {
  if (!one_pass_operands(g, x)) return 0;
  tl_tensor *r = tl_tensor_empty(x->dtype, x->ndim, x->shape);
  if (!r) return 0; /* the general path reports it */
  double lo = n->i[0] ? n->s[0] : -INFINITY, hi = n->i[1] ? n->s[1] : INFINITY;
  if (x->dtype == TL_FLOAT32)
    tl_clamp_grad_f32(tl_data(r), tl_data(x), tl_data(g), (float)lo, (float)hi, x->numel);
  else
    tl_clamp_grad_f64(tl_data(r), tl_data(x), tl_data(g), lo, hi, x->numel);
  *out = r;
  return 1;
}

/* clamp with scalar bounds (ClampBackward1): grad where min <= x <= max, else 0 */
static tl_status clamp_backward(tl_node *n, tl_tensor **gin, tl_tensor **gout) {
  scope sc = {0};
  tl_tensor *x = unpack(&sc, n, 0);
  if (x && !tl_grad_enabled() && clamp_grad(gin[0], x, n, &gout[0])) return finish(&sc, n, gout);
  tl_tensor *zero = keep(&sc, scalar(0));
  tl_tensor *mask = NULL;
  if (x && n->i[0]) mask = keep(&sc, tl_ge(x, keep(&sc, scalar(n->s[0]))));
  if (x && n->i[1]) {
    tl_tensor *m2 = keep(&sc, tl_le(x, keep(&sc, scalar(n->s[1]))));
    mask = mask ? keep(&sc, m2 ? tl_logical_and(mask, m2) : NULL) : m2;
  }
  gout[0] = mask ? tl_ag_where(mask, gin[0], zero) : NULL;
  return finish(&sc, n, gout);
}
static const tl_op_info op_clamp1 = {"ClampBackward1", 1, clamp_backward, 0};

/* min/max: wrapped numbers (or NULL); tensor bounds are not differentiated */
tl_tensor *tl_ag_clamp(const tl_tensor *x, const tl_tensor *min, const tl_tensor *max) {
  if (!x) return NULL;
  tl_tensor *out = tl_clamp(x, min, max);
  const tl_tensor *in[1] = {x};
  if (!out || !tl_should_record(1, in)) return out;
  tl_node *node = record(&op_clamp1, 1, in);
  if (node) {
    node->i[0] = min != NULL;
    node->i[1] = max != NULL;
    if (min) node->s[0] = tl_get_double(min, 0);
    if (max) node->s[1] = tl_get_double(max, 0);
    if (tl_node_save(node, 0, x, 0) != TL_OK) node = (tl_node_release(node), NULL);
  }
  return attach(out, node);
}

static tl_status where_backward(tl_node *n, tl_tensor **gin, tl_tensor **gout) {
  scope sc = {0};
  tl_tensor *c = unpack(&sc, n, 0);
  tl_tensor *zero = keep(&sc, scalar(0));
  if (c && need(n, 1)) gout[1] = sum_to(keep(&sc, tl_ag_where(c, gin[0], zero)), &n->input[1]);
  if (c && need(n, 2)) gout[2] = sum_to(keep(&sc, tl_ag_where(c, zero, gin[0])), &n->input[2]);
  return finish(&sc, n, gout);
}
static const tl_op_info op_where = {"WhereBackward0", 1, where_backward, 0};

tl_tensor *tl_ag_where(const tl_tensor *cond, const tl_tensor *a, const tl_tensor *b) {
  if (!cond || !a || !b) return NULL;
  tl_tensor *out = tl_where(cond, a, b);
  const tl_tensor *in[3] = {NULL, a, b};
  if (!out || !tl_should_record(3, in)) return out;
  tl_node *node = record(&op_where, 3, in);
  node = save(node, 0, cond, 0);
  return attach(out, node);
}

/* maximum/minimum: the larger (smaller) input gets the gradient, ties split it in half */
static tl_status maxmin_backward(tl_node *n, tl_tensor **gin, tl_tensor **gout) {
  scope sc = {0};
  tl_tensor *a = unpack(&sc, n, 0), *b = unpack(&sc, n, 1);
  tl_tensor *g = gin[0], *zero = keep(&sc, scalar(0));
  int is_max = (int)n->i[0];
  if (a && b) {
    tl_tensor *eq = keep(&sc, tl_eq(a, b));
    tl_tensor *half = keep(&sc, tl_ag_div(g, keep(&sc, scalar(2))));
    tl_tensor *base = keep(&sc, eq && half ? tl_ag_where(eq, half, g) : NULL);
    if (need(n, 0) && base) {
      tl_tensor *lose = keep(&sc, is_max ? tl_lt(a, b) : tl_gt(a, b));
      gout[0] = sum_to(keep(&sc, lose ? tl_ag_where(lose, zero, base) : NULL), &n->input[0]);
    }
    if (need(n, 1) && base) {
      tl_tensor *lose = keep(&sc, is_max ? tl_gt(a, b) : tl_lt(a, b));
      gout[1] = sum_to(keep(&sc, lose ? tl_ag_where(lose, zero, base) : NULL), &n->input[1]);
    }
  }
  return finish(&sc, n, gout);
}
static const tl_op_info op_maximum = {"MaximumBackward0", 1, maxmin_backward, 0};
static const tl_op_info op_minimum = {"MinimumBackward0", 1, maxmin_backward, 0};

static tl_tensor *maxmin(const tl_tensor *a, const tl_tensor *b, int is_max) {
  if (!a || !b) return NULL;
  tl_tensor *out = is_max ? tl_maximum(a, b) : tl_minimum(a, b);
  const tl_tensor *in[2] = {a, b};
  if (!out || !tl_should_record(2, in)) return out;
  tl_node *node = record(is_max ? &op_maximum : &op_minimum, 2, in);
  if (node) {
    node->i[0] = is_max;
    if (tl_node_save(node, 0, a, 0) != TL_OK || tl_node_save(node, 1, b, 0) != TL_OK)
      node = (tl_node_release(node), NULL);
  }
  return attach(out, node);
}
tl_tensor *tl_ag_maximum(const tl_tensor *a, const tl_tensor *b) { return maxmin(a, b, 1); }
tl_tensor *tl_ag_minimum(const tl_tensor *a, const tl_tensor *b) { return maxmin(a, b, 0); }

static tl_status masked_fill_backward(tl_node *n, tl_tensor **gin, tl_tensor **gout) {
  scope sc = {0};
  tl_tensor *mask = unpack(&sc, n, 0);
  tl_tensor *zero = keep(&sc, scalar(0));
  gout[0] = mask && zero ? tl_ag_masked_fill(gin[0], mask, zero) : NULL;
  return finish(&sc, n, gout);
}
static const tl_op_info op_masked_fill = {"MaskedFillBackward0", 1, masked_fill_backward, 0};

tl_tensor *tl_ag_masked_fill(const tl_tensor *x, const tl_tensor *mask, const tl_tensor *value) {
  if (!x || !mask || !value) return NULL;
  tl_tensor *out = tl_masked_fill(x, mask, value);
  const tl_tensor *in[1] = {x};
  if (!out || !tl_should_record(1, in)) return out;
  tl_node *node = record(&op_masked_fill, 1, in);
  node = save(node, 0, mask, 0);
  return attach(out, node);
}

/* ================================================================ reductions */

/* Puts back the reduced dims (size 1) of a gradient so it broadcasts against the input. */
static tl_tensor *unsqueeze_reduced(tl_tensor *g, tl_node *n) {
  if (n->i[1] /* keepdim */ || n->n_ivec == 0) { /* nothing was dropped (or g is 0-d) */
    tl_tensor_retain(g);
    return g;
  }
  int nd = n->input[0].ndim;
  int reduced[TL_MAX_DIMS] = {0};
  for (int k = 0; k < n->n_ivec; k++) reduced[(n->ivec[k] % nd + nd) % nd] = 1;
  tl_tensor_retain(g);
  for (int d = 0; d < nd; d++) {
    if (!reduced[d]) continue;
    tl_tensor *u = tl_ag_unsqueeze(g, d);
    tl_tensor_release(g);
    if (!u) return NULL;
    g = u;
  }
  return g;
}

static tl_status sum_backward(tl_node *n, tl_tensor **gin, tl_tensor **gout) {
  scope sc = {0};
  const tl_input_meta *m = &n->input[0];
  tl_tensor *g = keep(&sc, unsqueeze_reduced(gin[0], n));
  tl_tensor *e = keep(&sc, g ? tl_ag_expand(g, m->ndim, m->shape) : NULL);
  if (n->i[0] && e) { /* mean: divide by the number of elements reduced */
    gout[0] = tl_ag_div(e, keep(&sc, scalar(n->s[0])));
  } else if (e) {
    tl_tensor_retain(e);
    gout[0] = e;
  }
  return finish(&sc, n, gout);
}
static const tl_op_info op_sum0 = {"SumBackward0", 1, sum_backward, TL_SAVES_NONE};
static const tl_op_info op_sum1 = {"SumBackward1", 1, sum_backward, TL_SAVES_NONE};
static const tl_op_info op_mean0 = {"MeanBackward0", 1, sum_backward, TL_SAVES_NONE};
static const tl_op_info op_mean1 = {"MeanBackward1", 1, sum_backward, TL_SAVES_NONE};

static tl_tensor *sum_like(const tl_tensor *x, const int64_t *dims, int ndims, int keepdim,
                           int dtype, int mean) {
  if (!x) return NULL;
  tl_tensor *out = mean ? tl_mean(x, dims, ndims, keepdim, dtype) : tl_sum(x, dims, ndims, keepdim, dtype);
  const tl_tensor *in[1] = {x};
  if (!out || !tl_should_record(1, in)) return out;
  const tl_op_info *op = dims ? (mean ? &op_mean1 : &op_sum1) : (mean ? &op_mean0 : &op_sum0);
  tl_node *node = record(op, 1, in);
  if (node) {
    node->i[0] = mean;
    node->i[1] = keepdim;
    node->s[0] = out->numel ? (double)x->numel / (double)out->numel : 0;
    if (dims && ndims > 0) {
      node->ivec = tl_malloc(sizeof(int64_t) * (size_t)ndims);
      if (!node->ivec) node = (tl_node_release(node), NULL);
      else {
        memcpy(node->ivec, dims, sizeof(int64_t) * (size_t)ndims);
        node->n_ivec = ndims;
      }
    }
  }
  return attach(out, node);
}

tl_tensor *tl_ag_sum(const tl_tensor *x, const int64_t *dims, int ndims, int keepdim, int dtype) {
  return sum_like(x, dims, ndims, keepdim, dtype, 0);
}
tl_tensor *tl_ag_mean(const tl_tensor *x, const int64_t *dims, int ndims, int keepdim, int dtype) {
  return sum_like(x, dims, ndims, keepdim, dtype, 1);
}

/* ================================================================ shapes */

static tl_status view_backward(tl_node *n, tl_tensor **gin, tl_tensor **gout) {
  const tl_input_meta *m = &n->input[0];
  gout[0] = tl_ag_reshape(gin[0], m->ndim, m->shape);
  scope sc = {0};
  return finish(&sc, n, gout);
}
static const tl_op_info op_view = {"ViewBackward0", 1, view_backward, 0};
static const tl_op_info op_reshape_alias = {"ViewBackward0", 1, view_backward, 0};
static const tl_op_info op_squeeze = {"SqueezeBackward0", 1, view_backward, 0};
static const tl_op_info op_squeeze1 = {"SqueezeBackward1", 1, view_backward, 0};
static const tl_op_info op_unsqueeze = {"UnsqueezeBackward0", 1, view_backward, 0};
static const tl_op_info op_flatten = {"ViewBackward0", 1, view_backward, 0};

static tl_tensor *record_view(tl_tensor *out, const tl_tensor *x, const tl_op_info *op) {
  const tl_tensor *in[1] = {x};
  if (!out || !tl_should_record(1, in)) return out;
  return attach(out, record(op, 1, in));
}

tl_tensor *tl_ag_view(const tl_tensor *x, int ndim, const int64_t *shape) {
  if (!x) return NULL;
  return record_view(tl_view(x, ndim, shape), x, &op_view);
}
tl_tensor *tl_ag_reshape(const tl_tensor *x, int ndim, const int64_t *shape) {
  if (!x) return NULL;
  return record_view(tl_reshape(x, ndim, shape), x, &op_reshape_alias);
}
tl_tensor *tl_ag_flatten(const tl_tensor *x, int start, int end) {
  if (!x) return NULL;
  return record_view(tl_flatten(x, start, end), x, &op_flatten);
}
tl_tensor *tl_ag_squeeze(const tl_tensor *x, int dim, int all) {
  if (!x) return NULL;
  return record_view(tl_squeeze(x, dim, all), x, all ? &op_squeeze : &op_squeeze1);
}
tl_tensor *tl_ag_unsqueeze(const tl_tensor *x, int dim) {
  if (!x) return NULL;
  return record_view(tl_unsqueeze(x, dim), x, &op_unsqueeze);
}

static tl_status expand_backward(tl_node *n, tl_tensor **gin, tl_tensor **gout) {
  scope sc = {0};
  gout[0] = sum_to(gin[0], &n->input[0]);
  return finish(&sc, n, gout);
}
static const tl_op_info op_expand = {"ExpandBackward0", 1, expand_backward, 0};

tl_tensor *tl_ag_expand(const tl_tensor *x, int ndim, const int64_t *shape) {
  if (!x) return NULL;
  return record_view(tl_expand(x, ndim, shape), x, &op_expand);
}

/* permute, transpose and t: the gradient goes through the inverse permutation */
static tl_status permute_backward(tl_node *n, tl_tensor **gin, tl_tensor **gout) {
  scope sc = {0};
  int nd = n->n_ivec, inv[TL_MAX_DIMS];
  for (int k = 0; k < nd; k++) inv[n->ivec[k]] = k;
  gout[0] = tl_ag_permute(gin[0], inv, nd);
  return finish(&sc, n, gout);
}
static const tl_op_info op_permute = {"PermuteBackward0", 1, permute_backward, 0};
static const tl_op_info op_transpose = {"TransposeBackward0", 1, permute_backward, 0};
static const tl_op_info op_t = {"TBackward0", 1, permute_backward, 0};

static tl_tensor *record_permute(tl_tensor *out, const tl_tensor *x, const int *perm, int nd,
                                 const tl_op_info *op) {
  const tl_tensor *in[1] = {x};
  if (!out || !tl_should_record(1, in)) return out;
  tl_node *node = record(op, 1, in);
  if (node) {
    node->ivec = tl_malloc(sizeof(int64_t) * (size_t)(nd > 0 ? nd : 1));
    if (!node->ivec) node = (tl_node_release(node), NULL);
    else {
      for (int k = 0; k < nd; k++) node->ivec[k] = perm[k];
      node->n_ivec = nd;
    }
  }
  return attach(out, node);
}

tl_tensor *tl_ag_permute(const tl_tensor *x, const int *dims, int ndims) {
  if (!x) return NULL;
  tl_tensor *out = tl_permute(x, dims, ndims);
  int perm[TL_MAX_DIMS];
  for (int k = 0; k < ndims; k++) perm[k] = dims[k] < 0 ? dims[k] + ndims : dims[k];
  return record_permute(out, x, perm, ndims, &op_permute);
}

tl_tensor *tl_ag_transpose(const tl_tensor *x, int d0, int d1) {
  if (!x) return NULL;
  tl_tensor *out = tl_transpose(x, d0, d1);
  int nd = x->ndim, perm[TL_MAX_DIMS];
  for (int k = 0; k < nd; k++) perm[k] = k;
  if (out && nd > 0) {
    int a = d0 < 0 ? d0 + nd : d0, b = d1 < 0 ? d1 + nd : d1;
    perm[a] = b;
    perm[b] = a;
  }
  return record_permute(out, x, perm, nd, &op_transpose);
}

tl_tensor *tl_ag_t(const tl_tensor *x) {
  if (!x) return NULL;
  tl_tensor *out = tl_t(x);
  int perm[2] = {1, 0}, id[1] = {0};
  if (x->ndim < 2) return record_permute(out, x, id, x->ndim, &op_t);
  return record_permute(out, x, perm, 2, &op_t);
}

/* ================================================================ indexing */

typedef struct {
  int n;
  tl_index_item items[]; /* n of them */
} index_aux;

static void index_aux_free(void *p) {
  index_aux *a = p;
  for (int k = 0; k < a->n; k++)
    if (a->items[k].kind == TL_IDX_TENSOR) tl_tensor_release((tl_tensor *)a->items[k].tensor);
  tl_free(a);
}

static index_aux *index_aux_new(const tl_index_item *items, int n) {
  if (n > TL_MAX_DIMS * 2) {
    tl_error(TL_ERR_INDEX, "too many indices");
    return NULL;
  }
  index_aux *a = tl_malloc(sizeof *a + sizeof(tl_index_item) * (size_t)(n > 0 ? n : 1));
  if (!a) return NULL;
  a->n = n;
  for (int k = 0; k < n; k++) {
    a->items[k] = items[k];
    if (items[k].kind == TL_IDX_TENSOR) {
      tl_tensor *c = tl_detach(items[k].tensor);
      if (!c) {
        a->n = k;
        index_aux_free(a);
        return NULL;
      }
      a->items[k].tensor = c;
    }
  }
  return a;
}

/* the backward of x[items]: zeros of x's shape with the gradient added in at items */
static tl_tensor *index_embed(tl_tensor *g, const tl_input_meta *m, index_aux *a);

static tl_status index_backward(tl_node *n, tl_tensor **gin, tl_tensor **gout) {
  scope sc = {0};
  gout[0] = index_embed(gin[0], &n->input[0], n->aux);
  return finish(&sc, n, gout);
}
static const tl_op_info op_select = {"SelectBackward0", 1, index_backward, TL_SAVES_NONE};
static const tl_op_info op_slice = {"SliceBackward0", 1, index_backward, TL_SAVES_NONE};
static const tl_op_info op_index = {"IndexBackward0", 1, index_backward, TL_SAVES_NONE};
static const tl_op_info op_alias = {"AliasBackward0", 1, index_backward, TL_SAVES_NONE};

/* its own derivative: indexing the gradient again */
static tl_status embed_backward(tl_node *n, tl_tensor **gin, tl_tensor **gout) {
  scope sc = {0};
  index_aux *a = n->aux;
  gout[0] = tl_ag_index(gin[0], a->items, a->n);
  return finish(&sc, n, gout);
}
static const tl_op_info op_embed = {"IndexPutBackward0", 1, embed_backward, 0};

static tl_tensor *index_embed(tl_tensor *g, const tl_input_meta *m, index_aux *a) {
  tl_tensor *z = zeros_meta(m);
  if (!z) return NULL;
  if (tl_index_put_(z, a->items, a->n, g, 1) != TL_OK) {
    tl_tensor_release(z);
    return NULL;
  }
  const tl_tensor *in[1] = {g};
  if (!tl_should_record(1, in)) return z;
  tl_node *node = record(&op_embed, 1, in);
  if (node) {
    node->aux = index_aux_new(a->items, a->n);
    node->aux_free = index_aux_free;
    if (!node->aux) node = (tl_node_release(node), NULL);
  }
  return attach(z, node);
}

tl_tensor *tl_ag_index(const tl_tensor *x, const tl_index_item *items, int n) {
  if (!x) return NULL;
  tl_tensor *out = tl_index(x, items, n);
  const tl_tensor *in[1] = {x};
  if (!out || !tl_should_record(1, in)) return out;
  int any_tensor = 0, any_int = 0, any_slice = 0;
  for (int k = 0; k < n; k++) {
    any_tensor |= items[k].kind == TL_IDX_TENSOR;
    any_int |= items[k].kind == TL_IDX_INT;
    any_slice |= items[k].kind == TL_IDX_SLICE;
  }
  const tl_op_info *op = any_tensor ? &op_index : any_int ? &op_select : any_slice ? &op_slice : &op_alias;
  tl_node *node = record(op, 1, in);
  if (node) {
    node->aux = index_aux_new(items, n);
    node->aux_free = index_aux_free;
    if (!node->aux) node = (tl_node_release(node), NULL);
  }
  return attach(out, node);
}

/* ================================================================ in-place ops */

/* An in-place op on a tensor that takes part in autograd: leaves that require grad are
 * refused (as in PyTorch); otherwise the node is created from the inputs as they are before
 * the write, and becomes the tensor's new history after it. */
static tl_status check_inplace(const tl_tensor *self) {
  if (tl_grad_enabled() && tl_is_leaf(self) && self->requires_grad)
    return tl_error(TL_ERR_RUNTIME,
                    "a leaf Variable that requires grad is being used in an in-place operation.");
  return TL_OK;
}

static tl_status finish_inplace(tl_tensor *self, tl_node *node, tl_status st) {
  if (st != TL_OK) {
    tl_node_release(node);
    return st;
  }
  if (node) {
    tl_set_history(self, node, 0);
    tl_node_release(node);
  }
  return TL_OK;
}

tl_status tl_ag_add_(tl_tensor *self, const tl_tensor *other, double alpha, int sub) {
  if (check_inplace(self) != TL_OK) return tl_last_status();
  const tl_tensor *in[2] = {self, other};
  tl_node *node = NULL;
  if (tl_should_record(2, in)) {
    const tl_op_info *op = other->wrapped_number ? (sub ? &op_sub1 : &op_add1) : (sub ? &op_sub0 : &op_add0);
    node = record(op, other->wrapped_number ? 1 : 2, in);
    if (!node) return tl_last_status();
    node->s[0] = alpha;
    node->i[0] = sub;
  }
  return finish_inplace(self, node, sub ? tl_sub_(self, other, alpha) : tl_add_(self, other, alpha));
}

tl_status tl_ag_mul_(tl_tensor *self, const tl_tensor *other) {
  if (check_inplace(self) != TL_OK) return tl_last_status();
  const tl_tensor *in[2] = {self, other};
  tl_node *node = NULL;
  if (tl_should_record(2, in)) {
    if (other->wrapped_number) {
      node = record(&op_mul1, 1, in);
      if (!node) return tl_last_status();
      node->i[0] = 1;
      node->s[0] = tl_get_double(other, 0);
    } else {
      node = record(&op_mul0, 2, in);
      if (!node) return tl_last_status();
      tl_tensor *orig = tl_clone(self); /* self is about to be overwritten */
      tl_status st = orig ? tl_node_save(node, 0, orig, 0) : tl_last_status();
      tl_tensor_release(orig);
      if (st == TL_OK) st = tl_node_save(node, 1, other, 0);
      if (st != TL_OK) {
        tl_node_release(node);
        return st;
      }
    }
  }
  return finish_inplace(self, node, tl_mul_(self, other));
}

tl_status tl_ag_div_(tl_tensor *self, const tl_tensor *other) {
  if (check_inplace(self) != TL_OK) return tl_last_status();
  const tl_tensor *in[2] = {self, other};
  tl_node *node = NULL;
  if (tl_should_record(2, in)) {
    if (other->wrapped_number) {
      node = record(&op_div1, 1, in);
      if (!node) return tl_last_status();
      node->i[0] = 1;
      node->s[0] = tl_get_double(other, 0);
    } else {
      node = record(&op_div0, 2, in);
      if (!node) return tl_last_status();
      tl_tensor *orig = tl_clone(self);
      tl_status st = orig ? tl_node_save(node, 0, orig, 0) : tl_last_status();
      tl_tensor_release(orig);
      if (st == TL_OK) st = tl_node_save(node, 1, other, 0);
      if (st != TL_OK) {
        tl_node_release(node);
        return st;
      }
    }
  }
  return finish_inplace(self, node, tl_div_(self, other, TL_ROUND_NONE));
}

/* In-place ops without a recorded derivative here (zero_, fill_, copy_, clamp_, ...): refuse
 * leaves that require grad and tensors with history while grad mode is on, run the kernel
 * otherwise. */
tl_status tl_ag_check_inplace(tl_tensor *self) {
  if (check_inplace(self) != TL_OK) return tl_last_status();
  if (tl_grad_enabled() && !tl_is_leaf(self))
    return tl_error(TL_ERR_RUNTIME,
                    "this in-place operation is not differentiable in torchlite yet: use its "
                    "out-of-place form on tensors that record gradients");
  return TL_OK;
}

/* ================================================================ linear algebra */

static tl_status mm_backward(tl_node *n, tl_tensor **gin, tl_tensor **gout) {
  scope sc = {0};
  tl_tensor *g = gin[0];
  if (need(n, 0)) gout[0] = tl_ag_mm(g, keep(&sc, tl_ag_t(unpack(&sc, n, 1))));
  if (need(n, 1)) gout[1] = tl_ag_mm(keep(&sc, tl_ag_t(unpack(&sc, n, 0))), g);
  return finish(&sc, n, gout);
}
static const tl_op_info op_mm = {"MmBackward0", 1, mm_backward, 2};

static tl_tensor *record_binary_saving_both(tl_tensor *out, const tl_tensor *a, const tl_tensor *b,
                                            const tl_op_info *op) {
  const tl_tensor *in[2] = {a, b};
  if (!out || !tl_should_record(2, in)) return out;
  tl_node *node = record(op, 2, in);
  if (node && ((tl_requires_grad(a) && tl_node_save(node, 1, b, 0) != TL_OK) ||
               (tl_requires_grad(b) && tl_node_save(node, 0, a, 0) != TL_OK)))
    node = (tl_node_release(node), NULL);
  return attach(out, node);
}

tl_tensor *tl_ag_mm(const tl_tensor *a, const tl_tensor *b) {
  if (!a || !b) return NULL;
  return record_binary_saving_both(tl_mm(a, b), a, b, &op_mm);
}

static tl_status bmm_backward(tl_node *n, tl_tensor **gin, tl_tensor **gout) {
  scope sc = {0};
  tl_tensor *g = gin[0];
  if (need(n, 0)) gout[0] = tl_ag_bmm(g, keep(&sc, tl_ag_transpose(unpack(&sc, n, 1), 1, 2)));
  if (need(n, 1)) gout[1] = tl_ag_bmm(keep(&sc, tl_ag_transpose(unpack(&sc, n, 0), 1, 2)), g);
  return finish(&sc, n, gout);
}
static const tl_op_info op_bmm = {"BmmBackward0", 1, bmm_backward, 0};

tl_tensor *tl_ag_bmm(const tl_tensor *a, const tl_tensor *b) {
  if (!a || !b) return NULL;
  return record_binary_saving_both(tl_bmm(a, b), a, b, &op_bmm);
}

static tl_status mv_backward(tl_node *n, tl_tensor **gin, tl_tensor **gout) {
  scope sc = {0};
  tl_tensor *g = gin[0];
  if (need(n, 0)) { /* outer(grad, vec) */
    tl_tensor *gc = keep(&sc, tl_ag_unsqueeze(g, 1));
    tl_tensor *vr = keep(&sc, tl_ag_unsqueeze(unpack(&sc, n, 1), 0));
    gout[0] = gc && vr ? tl_ag_mul(gc, vr) : NULL;
  }
  if (need(n, 1)) gout[1] = tl_ag_mv(keep(&sc, tl_ag_t(unpack(&sc, n, 0))), g);
  return finish(&sc, n, gout);
}
static const tl_op_info op_mv = {"MvBackward0", 1, mv_backward, 0};

tl_tensor *tl_ag_mv(const tl_tensor *a, const tl_tensor *v) {
  if (!a || !v) return NULL;
  return record_binary_saving_both(tl_mv(a, v), a, v, &op_mv);
}

static tl_status dot_backward(tl_node *n, tl_tensor **gin, tl_tensor **gout) {
  scope sc = {0};
  if (need(n, 0)) gout[0] = tl_ag_mul(gin[0], unpack(&sc, n, 1));
  if (need(n, 1)) gout[1] = tl_ag_mul(gin[0], unpack(&sc, n, 0));
  return finish(&sc, n, gout);
}
static const tl_op_info op_dot = {"DotBackward0", 1, dot_backward, 0};

tl_tensor *tl_ag_dot(const tl_tensor *a, const tl_tensor *b) {
  if (!a || !b) return NULL;
  return record_binary_saving_both(tl_dot(a, b), a, b, &op_dot);
}

/* matmul is composite, as in PyTorch: its gradient flows through the ops it uses */
tl_tensor *tl_ag_matmul(const tl_tensor *a, const tl_tensor *b) {
  if (!a || !b) return NULL;
  const tl_tensor *in[2] = {a, b};
  if (!tl_should_record(2, in)) return tl_matmul(a, b);
  int da = a->ndim, db = b->ndim;
  if (da == 1 && db == 1) return tl_ag_dot(a, b);
  if (da == 2 && db == 2) return tl_ag_mm(a, b);
  if (da == 2 && db == 1) return tl_ag_mv(a, b);
  if (da == 1 && db == 2) {
    tl_tensor *a2 = tl_ag_unsqueeze(a, 0);
    tl_tensor *p = a2 ? tl_ag_mm(a2, b) : NULL;
    tl_tensor *r = p ? tl_ag_squeeze(p, 0, 0) : NULL;
    tl_tensor_release(a2);
    tl_tensor_release(p);
    return r;
  }
  if (da >= 3 && db <= 2) {
    /* fold the batch dims of a into rows */
    int64_t rows = 1;
    for (int i = 0; i < da - 1; i++) rows *= a->shape[i];
    int64_t s2[2] = {rows, a->shape[da - 1]};
    tl_tensor *a2 = tl_ag_reshape(a, 2, s2);
    tl_tensor *p = a2 ? (db == 2 ? tl_ag_mm(a2, b) : tl_ag_mv(a2, b)) : NULL;
    int64_t shape[TL_MAX_DIMS];
    int nd = da - 1;
    for (int i = 0; i < da - 1; i++) shape[i] = a->shape[i];
    if (db == 2) shape[nd++] = b->shape[1];
    tl_tensor *r = p ? tl_ag_reshape(p, nd, shape) : NULL;
    tl_tensor_release(a2);
    tl_tensor_release(p);
    return r;
  }
  /* general batched case: broadcast the batch dims, then bmm */
  tl_tensor *a3 = NULL, *b3 = NULL, *ae = NULL, *be = NULL, *p = NULL, *r = NULL;
  tl_tensor *au = da == 1 ? tl_ag_unsqueeze(a, 0) : (tl_tensor_retain((tl_tensor *)a), (tl_tensor *)a);
  tl_tensor *bu = db == 1 ? tl_ag_unsqueeze(b, 1) : (tl_tensor_retain((tl_tensor *)b), (tl_tensor *)b);
  if (au && bu) {
    int nba = au->ndim - 2, nbb = bu->ndim - 2, nb;
    int64_t batch[TL_MAX_DIMS];
    if (tl_broadcast_shapes(nba, au->shape, nbb, bu->shape, &nb, batch) == TL_OK) {
      int64_t n = au->shape[au->ndim - 2], k = au->shape[au->ndim - 1];
      int64_t k2 = bu->shape[bu->ndim - 2], m = bu->shape[bu->ndim - 1];
      int64_t bs = 1, sa[TL_MAX_DIMS], sb[TL_MAX_DIMS];
      for (int i = 0; i < nb; i++) {
        bs *= batch[i];
        sa[i] = sb[i] = batch[i];
      }
      sa[nb] = n; sa[nb + 1] = k;
      sb[nb] = k2; sb[nb + 1] = m;
      ae = tl_ag_expand(au, nb + 2, sa);
      be = ae ? tl_ag_expand(bu, nb + 2, sb) : NULL;
      int64_t s3a[3] = {bs, n, k}, s3b[3] = {bs, k2, m};
      a3 = be ? tl_ag_reshape(ae, 3, s3a) : NULL;
      b3 = a3 ? tl_ag_reshape(be, 3, s3b) : NULL;
      p = b3 ? tl_ag_bmm(a3, b3) : NULL;
      int64_t so[TL_MAX_DIMS];
      int nd = 0;
      for (int i = 0; i < nb; i++) so[nd++] = batch[i];
      if (da > 1) so[nd++] = n;
      if (db > 1) so[nd++] = m;
      r = p ? tl_ag_reshape(p, nd, so) : NULL;
    }
  }
  tl_tensor *tmp[] = {au, bu, ae, be, a3, b3, p};
  for (size_t i = 0; i < sizeof tmp / sizeof tmp[0]; i++) tl_tensor_release(tmp[i]);
  return r;
}

/* input %*% t(weight) + bias */
tl_tensor *tl_ag_linear(const tl_tensor *input, const tl_tensor *weight, const tl_tensor *bias) {
  if (!input || !weight) return NULL;
  const tl_tensor *in[3] = {input, weight, bias};
  if (!tl_should_record(3, in)) return tl_linear(input, weight, bias);
  tl_tensor *wt = tl_ag_t(weight);
  tl_tensor *p = wt ? tl_ag_matmul(input, wt) : NULL;
  tl_tensor *r = p && bias ? tl_ag_add(p, bias) : (p ? (tl_tensor_retain(p), p) : NULL);
  tl_tensor_release(wt);
  tl_tensor_release(p);
  return r;
}

/* ================================================================ more reductions */

/* max()/min() over everything: the gradient is shared by the elements equal to the result */
static tl_status extreme_all_backward(tl_node *n, tl_tensor **gin, tl_tensor **gout) {
  scope sc = {0};
  tl_tensor *x = unpack(&sc, n, 0), *r = unpack(&sc, n, 1);
  tl_tensor *mask = keep(&sc, x && r ? tl_eq(x, r) : NULL);
  tl_tensor *cnt = keep(&sc, mask ? tl_sum(mask, NULL, 0, 0, -1) : NULL);
  tl_tensor *share = keep(&sc, cnt ? tl_ag_div(gin[0], cnt) : NULL);
  gout[0] = share ? tl_ag_where(mask, share, keep(&sc, scalar(0))) : NULL;
  return finish(&sc, n, gout);
}
static const tl_op_info op_max_all = {"MaxBackward1", 1, extreme_all_backward, 0};
static const tl_op_info op_min_all = {"MinBackward1", 1, extreme_all_backward, 0};

tl_tensor *tl_ag_max_all(const tl_tensor *x, int is_max) {
  if (!x) return NULL;
  tl_tensor *out = is_max ? tl_max_all(x) : tl_min_all(x);
  const tl_tensor *in[1] = {x};
  if (!out || !tl_should_record(1, in)) return out;
  tl_node *node = record(is_max ? &op_max_all : &op_min_all, 1, in);
  if (node && (tl_node_save(node, 0, x, 0) != TL_OK || tl_node_save(node, 1, out, 1) != TL_OK))
    node = (tl_node_release(node), NULL);
  return attach(out, node);
}

/* amax/amin over dims: like max() but per reduced slice */
static tl_status amax_backward(tl_node *n, tl_tensor **gin, tl_tensor **gout) {
  scope sc = {0};
  tl_tensor *x = unpack(&sc, n, 0), *r = unpack(&sc, n, 1);
  tl_tensor *g = keep(&sc, unsqueeze_reduced(gin[0], n));
  tl_tensor *rk = keep(&sc, r ? unsqueeze_reduced(r, n) : NULL);
  tl_tensor *mask = keep(&sc, x && rk ? tl_eq(x, rk) : NULL);
  tl_tensor *cnt = keep(&sc, mask ? tl_sum(mask, n->ivec, n->n_ivec, 1, -1) : NULL);
  tl_tensor *share = keep(&sc, cnt && g ? tl_ag_div(g, cnt) : NULL);
  gout[0] = share ? tl_ag_where(mask, share, keep(&sc, scalar(0))) : NULL;
  return finish(&sc, n, gout);
}
static const tl_op_info op_amax = {"AmaxBackward0", 1, amax_backward, 0};
static const tl_op_info op_amin = {"AminBackward0", 1, amax_backward, 0};

static tl_node *record_dims(const tl_op_info *op, const tl_tensor *x, const int64_t *dims,
                            int ndims, int keepdim) {
  const tl_tensor *in[1] = {x};
  tl_node *node = record(op, 1, in);
  if (!node) return NULL;
  node->i[1] = keepdim;
  int nd = dims ? ndims : x->ndim;
  if (nd > 0) {
    node->ivec = tl_malloc(sizeof(int64_t) * (size_t)nd);
    if (!node->ivec) {
      tl_node_release(node);
      return NULL;
    }
    for (int k = 0; k < nd; k++) node->ivec[k] = dims ? dims[k] : k;
    node->n_ivec = nd;
  }
  return node;
}

tl_tensor *tl_ag_amax(const tl_tensor *x, const int64_t *dims, int ndims, int keepdim, int is_max) {
  if (!x) return NULL;
  tl_tensor *out = is_max ? tl_amax(x, dims, ndims, keepdim) : tl_amin(x, dims, ndims, keepdim);
  const tl_tensor *in[1] = {x};
  if (!out || !tl_should_record(1, in)) return out;
  tl_node *node = record_dims(is_max ? &op_amax : &op_amin, x, dims, ndims, keepdim);
  if (node && (tl_node_save(node, 0, x, 0) != TL_OK || tl_node_save(node, 1, out, 1) != TL_OK))
    node = (tl_node_release(node), NULL);
  return attach(out, node);
}

/* max/min along one dim: the gradient goes to the selected positions */
static tl_status max_dim_backward(tl_node *n, tl_tensor **gin, tl_tensor **gout) {
  scope sc = {0};
  const tl_input_meta *m = &n->input[0];
  int dim = (int)n->ivec[0];
  tl_tensor *idx = unpack(&sc, n, 0);
  tl_tensor *g = keep(&sc, unsqueeze_reduced(gin[0], n));
  tl_tensor *ik = keep(&sc, idx ? unsqueeze_reduced(idx, n) : NULL);
  /* positions along dim, shaped to broadcast: [1, .., size, .., 1] */
  tl_tensor *pos = keep(&sc, tl_arange(0, (double)m->shape[dim], 1, TL_INT64));
  int64_t shape[TL_MAX_DIMS];
  for (int d = 0; d < m->ndim; d++) shape[d] = d == dim ? m->shape[d] : 1;
  tl_tensor *posv = keep(&sc, pos ? tl_reshape(pos, m->ndim, shape) : NULL);
  tl_tensor *mask = keep(&sc, posv && ik ? tl_eq(posv, ik) : NULL);
  tl_tensor *ge = keep(&sc, g && mask ? tl_ag_expand(g, m->ndim, m->shape) : NULL);
  gout[0] = ge ? tl_ag_where(mask, ge, keep(&sc, scalar(0))) : NULL;
  return finish(&sc, n, gout);
}
static const tl_op_info op_max_dim = {"MaxBackward0", 1, max_dim_backward, 0};
static const tl_op_info op_min_dim = {"MinBackward0", 1, max_dim_backward, 0};

tl_status tl_ag_max_dim(const tl_tensor *x, int64_t dim, int keepdim, int is_max,
                        tl_tensor **values, tl_tensor **indices) {
  tl_status st = is_max ? tl_max_dim(x, dim, keepdim, values, indices)
                        : tl_min_dim(x, dim, keepdim, values, indices);
  const tl_tensor *in[1] = {x};
  if (st != TL_OK || !tl_should_record(1, in)) return st;
  int64_t d = dim < 0 ? dim + x->ndim : dim;
  if (x->ndim == 0) d = 0;
  tl_node *node = x->ndim ? record_dims(is_max ? &op_max_dim : &op_min_dim, x, &d, 1, keepdim)
                          : record(&op_view, 1, in);
  if (node && x->ndim) {
    /* a private copy: callers may renumber the indices they get (R's 1-based ones) */
    tl_tensor *ic = tl_clone(*indices);
    if (!ic || tl_node_save(node, 0, ic, 0) != TL_OK) node = (tl_node_release(node), NULL);
    tl_tensor_release(ic);
  }
  *values = attach(*values, node);
  if (!*values) {
    tl_tensor_release(*indices);
    *indices = NULL;
    return tl_last_status();
  }
  return TL_OK;
}

/* var and std: 2 / (N - correction) * grad * (x - mean) (std: grad / (2 * std) first) */
static tl_status var_backward(tl_node *n, tl_tensor **gin, tl_tensor **gout) {
  scope sc = {0};
  tl_tensor *x = unpack(&sc, n, 0);
  tl_tensor *g = gin[0];
  if (n->i[2]) { /* std */
    tl_tensor *r = unpack(&sc, n, 1);
    tl_tensor *r2 = keep(&sc, r ? tl_ag_mul(r, keep(&sc, scalar(2))) : NULL);
    g = keep(&sc, r2 ? tl_ag_div(g, r2) : NULL);
  }
  tl_tensor *gk = keep(&sc, g ? unsqueeze_reduced(g, n) : NULL);
  tl_tensor *mean = keep(&sc, x ? tl_ag_mean(x, n->ivec, n->n_ivec, 1, -1) : NULL);
  tl_tensor *dev = keep(&sc, mean ? tl_ag_sub(x, mean, 1) : NULL);
  double factor = n->s[1] > 0 ? 2.0 / n->s[1] : NAN;
  tl_tensor *t = keep(&sc, dev && gk ? tl_ag_mul(gk, dev) : NULL);
  gout[0] = t ? tl_ag_mul(t, keep(&sc, scalar(factor))) : NULL;
  return finish(&sc, n, gout);
}
static const tl_op_info op_var = {"VarBackward0", 1, var_backward, 0};
static const tl_op_info op_std = {"StdBackward0", 1, var_backward, 0};

tl_tensor *tl_ag_var(const tl_tensor *x, const int64_t *dims, int ndims, double correction,
                     int keepdim, int is_std) {
  if (!x) return NULL;
  tl_tensor *out = is_std ? tl_std(x, dims, ndims, correction, keepdim)
                          : tl_var(x, dims, ndims, correction, keepdim);
  const tl_tensor *in[1] = {x};
  if (!out || !tl_should_record(1, in)) return out;
  tl_node *node = record_dims(is_std ? &op_std : &op_var, x, dims, ndims, keepdim);
  if (node) {
    node->i[2] = is_std;
    double count = out->numel ? (double)x->numel / (double)out->numel : 0;
    node->s[1] = count - correction;
    if (tl_node_save(node, 0, x, 0) != TL_OK || (is_std && tl_node_save(node, 1, out, 1) != TL_OK))
      node = (tl_node_release(node), NULL);
  }
  return attach(out, node);
}

/* logsumexp: grad * exp(x - result) */
static tl_status logsumexp_backward(tl_node *n, tl_tensor **gin, tl_tensor **gout) {
  scope sc = {0};
  tl_tensor *x = unpack(&sc, n, 0), *r = unpack(&sc, n, 1);
  tl_tensor *g = keep(&sc, unsqueeze_reduced(gin[0], n));
  tl_tensor *rk = keep(&sc, r ? unsqueeze_reduced(r, n) : NULL);
  tl_tensor *d = keep(&sc, x && rk ? tl_ag_sub(x, rk, 1) : NULL);
  tl_tensor *e = keep(&sc, d ? tl_ag_unary(TL_UN_EXP, d) : NULL);
  gout[0] = e && g ? tl_ag_mul(g, e) : NULL;
  return finish(&sc, n, gout);
}
static const tl_op_info op_logsumexp = {"LogsumexpBackward0", 1, logsumexp_backward, 0};

tl_tensor *tl_ag_logsumexp(const tl_tensor *x, const int64_t *dims, int ndims, int keepdim) {
  if (!x) return NULL;
  tl_tensor *out = tl_logsumexp(x, dims, ndims, keepdim);
  const tl_tensor *in[1] = {x};
  if (!out || !tl_should_record(1, in)) return out;
  tl_node *node = record_dims(&op_logsumexp, x, dims, ndims, keepdim);
  if (node && (tl_node_save(node, 0, x, 0) != TL_OK || tl_node_save(node, 1, out, 1) != TL_OK))
    node = (tl_node_release(node), NULL);
  return attach(out, node);
}

/* p-norm: grad * x * |x|^(p-2) / norm^(p-1); for p = 2 simply x * grad / norm; 0 where
 * the norm is 0 */
static tl_status norm_backward(tl_node *n, tl_tensor **gin, tl_tensor **gout) {
  scope sc = {0};
  double p = n->s[0];
  tl_tensor *x = unpack(&sc, n, 0), *r = unpack(&sc, n, 1);
  tl_tensor *g = keep(&sc, unsqueeze_reduced(gin[0], n));
  tl_tensor *rk = keep(&sc, r ? unsqueeze_reduced(r, n) : NULL);
  tl_tensor *zero = keep(&sc, scalar(0));
  tl_tensor *res = NULL;
  if (!x || !rk || !g) return finish(&sc, n, gout);
  if (p == 2) {
    tl_tensor *q = keep(&sc, tl_ag_div(g, rk));
    res = keep(&sc, q ? tl_ag_mul(x, q) : NULL);
  } else if (p == 1) {
    res = keep(&sc, tl_ag_mul(keep(&sc, tl_sign(x)), g));
  } else if (isfinite(p) && p != 0) {
    tl_tensor *ax = keep(&sc, tl_ag_unary(TL_UN_ABS, x));
    tl_tensor *axp = keep(&sc, ax ? tl_ag_pow(ax, keep(&sc, scalar(p - 2))) : NULL);
    tl_tensor *num = keep(&sc, axp ? tl_ag_mul(x, axp) : NULL);
    tl_tensor *den = keep(&sc, tl_ag_pow(rk, keep(&sc, scalar(p - 1))));
    tl_tensor *q = keep(&sc, num && den ? tl_ag_div(num, den) : NULL);
    res = keep(&sc, q ? tl_ag_mul(q, g) : NULL);
  } else {
    sc.failed = 1;
    tl_error(TL_ERR_RUNTIME, "the derivative of norm with p = %g is not implemented", p);
  }
  tl_tensor *z = keep(&sc, tl_eq(rk, zero));
  gout[0] = res && z ? tl_ag_where(z, zero, res) : NULL;
  return finish(&sc, n, gout);
}
static const tl_op_info op_norm = {"NormBackward1", 1, norm_backward, 0};

tl_tensor *tl_ag_norm(const tl_tensor *x, double p, const int64_t *dims, int ndims, int keepdim,
                      int dtype) {
  if (!x) return NULL;
  tl_tensor *out = tl_norm(x, p, dims, ndims, keepdim, dtype);
  const tl_tensor *in[1] = {x};
  if (!out || !tl_should_record(1, in)) return out;
  tl_node *node = record_dims(&op_norm, x, dims, ndims, keepdim);
  if (node) {
    node->s[0] = p;
    if (tl_node_save(node, 0, x, 0) != TL_OK || tl_node_save(node, 1, out, 1) != TL_OK)
      node = (tl_node_release(node), NULL);
  }
  return attach(out, node);
}

/* prod: grad * result / x where x != 0; a single zero gets the product of the others */
static tl_status prod_backward(tl_node *n, tl_tensor **gin, tl_tensor **gout) {
  scope sc = {0};
  tl_tensor *x = unpack(&sc, n, 0), *r = unpack(&sc, n, 1);
  tl_tensor *g = keep(&sc, unsqueeze_reduced(gin[0], n));
  tl_tensor *rk = keep(&sc, r ? unsqueeze_reduced(r, n) : NULL);
  tl_tensor *zero = keep(&sc, scalar(0)), *one = keep(&sc, scalar(1));
  if (!x || !g || !rk) return finish(&sc, n, gout);
  int64_t *dim = n->n_ivec == 1 && n->i[0] ? n->ivec : NULL;
  tl_tensor *isz = keep(&sc, tl_eq(x, zero));
  tl_tensor *x1 = keep(&sc, isz ? tl_ag_where(isz, one, x) : NULL);
  tl_tensor *p1 = keep(&sc, x1 ? tl_ag_prod(x1, dim, 1, -1) : NULL);
  tl_tensor *nz = keep(&sc, isz ? tl_sum(isz, dim, dim ? 1 : 0, dim ? 1 : 0, -1) : NULL);
  tl_tensor *single = keep(&sc, nz ? tl_eq(nz, one) : NULL);
  tl_tensor *gp1 = keep(&sc, p1 ? tl_ag_mul(g, p1) : NULL);
  tl_tensor *zero_part = keep(&sc, single && gp1 ? tl_ag_where(single, gp1, zero) : NULL);
  tl_tensor *gr = keep(&sc, tl_ag_mul(g, rk));
  tl_tensor *normal = keep(&sc, gr && x1 ? tl_ag_div(gr, x1) : NULL);
  gout[0] = zero_part && normal ? tl_ag_where(isz, zero_part, normal) : NULL;
  if (gout[0] && !same_shape_meta(gout[0], &n->input[0])) {
    tl_tensor *e = tl_ag_expand(gout[0], n->input[0].ndim, n->input[0].shape);
    tl_tensor_release(gout[0]);
    gout[0] = e;
  }
  return finish(&sc, n, gout);
}
static const tl_op_info op_prod0 = {"ProdBackward0", 1, prod_backward, 0};
static const tl_op_info op_prod1 = {"ProdBackward1", 1, prod_backward, 0};

tl_tensor *tl_ag_prod(const tl_tensor *x, const int64_t *dim, int keepdim, int dtype) {
  if (!x) return NULL;
  tl_tensor *out = tl_prod(x, dim, keepdim, dtype);
  const tl_tensor *in[1] = {x};
  if (!out || !tl_should_record(1, in)) return out;
  int64_t d = dim ? (*dim < 0 ? *dim + x->ndim : *dim) : 0;
  tl_node *node = dim ? record_dims(&op_prod1, x, &d, 1, keepdim) : record_dims(&op_prod0, x, NULL, 0, 0);
  if (node) {
    node->i[0] = dim != NULL;
    if (!dim) node->n_ivec = 0; /* reduce-all: gradients broadcast from a 0-d */
    if (tl_node_save(node, 0, x, 0) != TL_OK || tl_node_save(node, 1, out, 1) != TL_OK)
      node = (tl_node_release(node), NULL);
  }
  return attach(out, node);
}

/* cumsum: the reversed cumulative sum of the gradient, sum - cumsum + grad */
static tl_status cumsum_backward(tl_node *n, tl_tensor **gin, tl_tensor **gout) {
  scope sc = {0};
  int64_t dim = n->i[0];
  tl_tensor *g = gin[0];
  tl_tensor *tot = keep(&sc, tl_ag_sum(g, &dim, 1, 1, -1));
  tl_tensor *cs = keep(&sc, tl_ag_cumsum(g, dim, -1));
  tl_tensor *d = keep(&sc, tot && cs ? tl_ag_sub(tot, cs, 1) : NULL);
  gout[0] = d ? tl_ag_add(d, g) : NULL;
  return finish(&sc, n, gout);
}
static const tl_op_info op_cumsum = {"CumsumBackward0", 1, cumsum_backward, 0};

tl_tensor *tl_ag_cumsum(const tl_tensor *x, int64_t dim, int dtype) {
  if (!x) return NULL;
  tl_tensor *out = tl_cumsum(x, dim, dtype);
  const tl_tensor *in[1] = {x};
  if (!out || !tl_should_record(1, in)) return out;
  tl_node *node = record(&op_cumsum, 1, in);
  if (node) node->i[0] = dim < 0 ? dim + (x->ndim ? x->ndim : 1) : dim;
  return attach(out, node);
}

/* ================================================================ copies and dtypes */

static tl_status copy_backward(tl_node *n, tl_tensor **gin, tl_tensor **gout) {
  scope sc = {0};
  gout[0] = tl_ag_to_dtype(gin[0], n->input[0].dtype, 0);
  return finish(&sc, n, gout);
}
static const tl_op_info op_to = {"ToCopyBackward0", 1, copy_backward, 0};
static const tl_op_info op_clone = {"CloneBackward0", 1, copy_backward, 0};

tl_tensor *tl_ag_to_dtype(const tl_tensor *x, tl_dtype dt, int copy) {
  if (!x) return NULL;
  if (x->dtype == dt && !copy) {
    tl_tensor_retain((tl_tensor *)x);
    return (tl_tensor *)x;
  }
  tl_tensor *out = tl_to_dtype((tl_tensor *)x, dt, 1);
  const tl_tensor *in[1] = {x};
  if (!out || !tl_should_record(1, in) || !tl_dtype_is_floating(dt)) return out;
  return attach(out, record(x->dtype == dt ? &op_clone : &op_to, 1, in));
}

tl_tensor *tl_ag_clone(const tl_tensor *x) { return tl_ag_to_dtype(x, x ? x->dtype : TL_FLOAT32, 1); }

tl_tensor *tl_ag_contiguous(const tl_tensor *x) {
  if (!x) return NULL;
  if (tl_is_contiguous(x)) {
    tl_tensor_retain((tl_tensor *)x);
    return (tl_tensor *)x;
  }
  return tl_ag_clone(x);
}

/* ================================================================ slices as index items */

static tl_tensor *record_index_like(tl_tensor *out, const tl_tensor *x, const tl_op_info *op,
                                    const tl_index_item *items, int n) {
  const tl_tensor *in[1] = {x};
  if (!out || !tl_should_record(1, in)) return out;
  tl_node *node = record(op, 1, in);
  if (node) {
    node->aux = index_aux_new(items, n);
    node->aux_free = index_aux_free;
    if (!node->aux) node = (tl_node_release(node), NULL);
  }
  return attach(out, node);
}

/* items selecting along one dim: full slices before it */
static int dim_items(tl_index_item *items, int dim, tl_index_item last) {
  for (int k = 0; k < dim; k++) {
    items[k].kind = TL_IDX_SLICE;
    items[k].start = 0;
    items[k].stop = INT64_MAX;
    items[k].step = 1;
    items[k].tensor = NULL;
  }
  items[dim] = last;
  return dim + 1;
}

tl_tensor *tl_ag_select(const tl_tensor *x, int dim, int64_t index) {
  if (!x) return NULL;
  tl_tensor *out = tl_select(x, dim, index);
  if (!out) return NULL;
  int d = dim < 0 ? dim + x->ndim : dim;
  int64_t i = index < 0 ? index + x->shape[d] : index;
  tl_index_item items[TL_MAX_DIMS];
  tl_index_item it = {TL_IDX_INT, i, 0, 0, NULL};
  int n = dim_items(items, d, it);
  return record_index_like(out, x, &op_select, items, n);
}

tl_tensor *tl_ag_narrow(const tl_tensor *x, int dim, int64_t start, int64_t length) {
  if (!x) return NULL;
  tl_tensor *out = tl_narrow(x, dim, start, length);
  if (!out) return NULL;
  int d = dim < 0 ? dim + x->ndim : dim;
  int64_t s = start < 0 ? start + x->shape[d] : start;
  tl_index_item items[TL_MAX_DIMS];
  tl_index_item it = {TL_IDX_SLICE, s, s + length, 1, NULL};
  int n = dim_items(items, d, it);
  return record_index_like(out, x, &op_slice, items, n);
}

tl_tensor *tl_ag_slice(const tl_tensor *x, int dim, int64_t start, int64_t stop, int64_t step) {
  if (!x) return NULL;
  tl_tensor *out = tl_slice(x, dim, start, stop, step);
  if (!out) return NULL;
  int d = dim < 0 ? dim + x->ndim : dim;
  tl_index_item items[TL_MAX_DIMS];
  tl_index_item it = {TL_IDX_SLICE, start, stop, step, NULL};
  int n = dim_items(items, d, it);
  return record_index_like(out, x, &op_slice, items, n);
}

/* cat: each input gets its piece of the gradient */
static tl_status cat_backward(tl_node *n, tl_tensor **gin, tl_tensor **gout) {
  scope sc = {0};
  int dim = (int)n->i[0];
  int64_t offset = 0;
  for (int k = 0; k < n->n_next; k++) {
    const tl_input_meta *m = &n->input[k];
    if (m->ndim == 1 && m->shape[0] == 0 && n->input[0].ndim != 1) { /* skipped empty input */
      if (need(n, k)) gout[k] = zeros_meta(m);
      continue;
    }
    int64_t len = m->shape[dim];
    if (need(n, k)) gout[k] = tl_ag_narrow(gin[0], dim, offset, len);
    offset += len;
  }
  return finish(&sc, n, gout);
}
static const tl_op_info op_cat = {"CatBackward0", 1, cat_backward, 0};

tl_tensor *tl_ag_cat(const tl_tensor *const *xs, int n, int dim) {
  tl_tensor *out = tl_cat(xs, n, dim);
  if (!out || !tl_should_record(n, xs)) return out;
  tl_node *node = record(&op_cat, n, xs);
  if (node) node->i[0] = dim < 0 ? dim + out->ndim : dim;
  return attach(out, node);
}

static tl_status stack_backward(tl_node *n, tl_tensor **gin, tl_tensor **gout) {
  scope sc = {0};
  for (int k = 0; k < n->n_next; k++)
    if (need(n, k)) gout[k] = tl_ag_select(gin[0], (int)n->i[0], k);
  return finish(&sc, n, gout);
}
static const tl_op_info op_stack = {"StackBackward0", 1, stack_backward, 0};

tl_tensor *tl_ag_stack(const tl_tensor *const *xs, int n, int dim) {
  tl_tensor *out = tl_stack(xs, n, dim);
  if (!out || !tl_should_record(n, xs)) return out;
  tl_node *node = record(&op_stack, n, xs);
  if (node) node->i[0] = dim < 0 ? dim + out->ndim : dim;
  return attach(out, node);
}


/* several views at once (split, chunk, unbind): one node per piece */
tl_status tl_ag_split_with_sizes(const tl_tensor *x, int dim, int64_t n, const int64_t *sizes,
                                 tl_tensor **out) {
  const tl_tensor *in[1] = {x};
  if (!tl_should_record(1, in)) return tl_split_with_sizes(x, dim, n, sizes, out);
  int64_t total = 0;
  int d = dim < 0 ? dim + x->ndim : dim;
  for (int64_t k = 0; k < n; k++) total += sizes[k];
  if (d < 0 || d >= x->ndim || total != x->shape[d])
    return tl_split_with_sizes(x, dim, n, sizes, out); /* reports the error */
  int64_t offset = 0;
  for (int64_t k = 0; k < n; k++) {
    out[k] = tl_ag_narrow(x, d, offset, sizes[k]);
    if (!out[k]) {
      for (int64_t j = 0; j < k; j++) tl_tensor_release(out[j]);
      return tl_last_status();
    }
    offset += sizes[k];
  }
  return TL_OK;
}

tl_status tl_ag_unbind(const tl_tensor *x, int dim, tl_tensor **out) {
  const tl_tensor *in[1] = {x};
  if (!tl_should_record(1, in)) return tl_unbind(x, dim, out);
  int d = dim < 0 ? dim + x->ndim : dim;
  if (d < 0 || d >= x->ndim) return tl_unbind(x, dim, out);
  for (int64_t k = 0; k < x->shape[d]; k++) {
    out[k] = tl_ag_select(x, d, k);
    if (!out[k]) {
      for (int64_t j = 0; j < k; j++) tl_tensor_release(out[j]);
      return tl_last_status();
    }
  }
  return TL_OK;
}

/* x[items] <- value: x's gradient is zero where it was overwritten, value's is the gradient
 * there (summed over broadcasting) */
static tl_status index_put_backward(tl_node *n, tl_tensor **gin, tl_tensor **gout) {
  scope sc = {0};
  index_aux *a = n->aux;
  tl_tensor *g = gin[0];
  if (need(n, 0)) {
    tl_tensor *m = keep(&sc, tl_ones_like(g));
    tl_tensor *zero = keep(&sc, scalar(0));
    if (m && zero && tl_index_put_(m, a->items, a->n, zero, 0) == TL_OK) gout[0] = tl_ag_mul(g, m);
    else sc.failed = 1;
  }
  if (need(n, 1)) gout[1] = sum_to(keep(&sc, tl_ag_index(g, a->items, a->n)), &n->input[1]);
  return finish(&sc, n, gout);
}
static const tl_op_info op_index_put = {"IndexPutBackward0", 1, index_put_backward, 0};

tl_status tl_ag_index_put_(tl_tensor *x, const tl_index_item *items, int n, const tl_tensor *value) {
  if (check_inplace(x) != TL_OK) return tl_last_status();
  const tl_tensor *in[2] = {x, value};
  tl_node *node = NULL;
  if (tl_should_record(2, in)) {
    node = record(&op_index_put, 2, in);
    if (!node) return tl_last_status();
    node->aux = index_aux_new(items, n);
    node->aux_free = index_aux_free;
    if (!node->aux) {
      tl_node_release(node);
      return tl_last_status();
    }
  }
  return finish_inplace(x, node, tl_index_put_(x, items, n, value, 0));
}

/* ================================================================ custom functions */

static tl_status custom_backward_missing(tl_node *n, tl_tensor **gin, tl_tensor **gout) {
  (void)gin;
  (void)gout;
  return tl_error(TL_ERR_RUNTIME, "%s has no backward function", n->op->name);
}
/* n_outputs 0: the count is in i[3]; the behaviour comes from the node's ext_vt */
const tl_op_info tl_op_custom = {"AutogradFunctionBackward", 0, custom_backward_missing, 0};

/* ================================================================ the other binary ops */

/* fmod / remainder: self gets the gradient, other -grad * trunc(a / b) (fmod) or
 * -grad * floor(a / b) (remainder); division with a rounding mode has zero gradients */
static tl_status modlike_backward(tl_node *n, tl_tensor **gin, tl_tensor **gout) {
  scope sc = {0};
  tl_tensor *g = gin[0];
  int kind = (int)n->i[0]; /* 0 fmod, 1 remainder, 2 rounded division */
  if (kind == 2) {
    for (int k = 0; k < n->n_next; k++)
      if (need(n, k)) gout[k] = zeros_meta(&n->input[k]);
    return finish(&sc, n, gout);
  }
  if (need(n, 0)) gout[0] = sum_to(g, &n->input[0]);
  if (need(n, 1)) {
    tl_tensor *a = unpack(&sc, n, 0), *b = unpack(&sc, n, 1);
    tl_tensor *q = keep(&sc, a && b ? tl_div(a, b, kind ? TL_ROUND_FLOOR : TL_ROUND_TRUNC) : NULL);
    tl_tensor *t = keep(&sc, q ? tl_ag_mul(g, q) : NULL);
    gout[1] = sum_to(keep(&sc, t ? tl_ag_neg(t) : NULL), &n->input[1]);
  }
  return finish(&sc, n, gout);
}
static const tl_op_info op_fmod0 = {"FmodBackward0", 1, modlike_backward, 0};
static const tl_op_info op_fmod1 = {"FmodBackward1", 1, modlike_backward, 0};
static const tl_op_info op_rem0 = {"RemainderBackward0", 1, modlike_backward, 0};
static const tl_op_info op_rem1 = {"RemainderBackward1", 1, modlike_backward, 0};
static const tl_op_info op_div2 = {"DivBackward2", 1, modlike_backward, 0};
static const tl_op_info op_div3 = {"DivBackward3", 1, modlike_backward, 0};

static tl_node *record_modlike(tl_binary_op op, const tl_tensor *a, const tl_tensor *b) {
  const tl_tensor *in[2] = {a, b};
  int wrapped = b->wrapped_number;
  const tl_op_info *info;
  int kind;
  switch (op) {
  case TL_BIN_FMOD: info = wrapped ? &op_fmod0 : &op_fmod1; kind = 0; break;
  case TL_BIN_REMAINDER: info = wrapped ? &op_rem0 : &op_rem1; kind = 1; break;
  default: info = wrapped ? &op_div3 : &op_div2; kind = 2; break;
  }
  tl_node *node = record(info, wrapped ? 1 : 2, in);
  if (!node) return NULL;
  node->i[0] = kind;
  if (kind < 2 && !wrapped && tl_requires_grad(b) &&
      (tl_node_save(node, 0, a, 0) != TL_OK || tl_node_save(node, 1, b, 0) != TL_OK)) {
    tl_node_release(node);
    return NULL;
  }
  return node;
}

/* every binary op, with its derivative where it has one (comparisons and logic give bool
 * results, which carry no gradient) */
tl_tensor *tl_ag_binary(tl_binary_op op, const tl_tensor *a, const tl_tensor *b) {
  if (!a || !b) return NULL;
  switch (op) {
  case TL_BIN_ADD: return tl_ag_add(a, b);
  case TL_BIN_SUB: return tl_ag_sub(a, b, 1);
  case TL_BIN_MUL: return tl_ag_mul(a, b);
  case TL_BIN_DIV: return tl_ag_div(a, b);
  case TL_BIN_POW: return tl_ag_pow(a, b);
  case TL_BIN_MAXIMUM: return tl_ag_maximum(a, b);
  case TL_BIN_MINIMUM: return tl_ag_minimum(a, b);
  case TL_BIN_FMOD: case TL_BIN_REMAINDER: case TL_BIN_DIV_TRUNC: case TL_BIN_DIV_FLOOR: {
    tl_tensor *out = tl_binary(op, a, b, 1);
    const tl_tensor *in[2] = {a, b};
    if (!out || !tl_should_record(2, in) || !tl_dtype_is_floating(out->dtype)) return out;
    return attach(out, record_modlike(op, a, b));
  }
  default: return tl_binary(op, a, b, 1);
  }
}

tl_status tl_ag_binary_(tl_binary_op op, tl_tensor *self, const tl_tensor *other) {
  switch (op) {
  case TL_BIN_ADD: return tl_ag_add_(self, other, 1, 0);
  case TL_BIN_SUB: return tl_ag_add_(self, other, 1, 1);
  case TL_BIN_MUL: return tl_ag_mul_(self, other);
  case TL_BIN_DIV: return tl_ag_div_(self, other);
  case TL_BIN_FMOD: case TL_BIN_REMAINDER: case TL_BIN_DIV_TRUNC: case TL_BIN_DIV_FLOOR: {
    if (check_inplace(self) != TL_OK) return tl_last_status();
    const tl_tensor *in[2] = {self, other};
    tl_node *node = NULL;
    if (tl_should_record(2, in) && tl_dtype_is_floating(self->dtype)) {
      if (op == TL_BIN_FMOD || op == TL_BIN_REMAINDER) {
        /* the gradient of other needs self before the write */
        tl_tensor *orig = tl_clone(self);
        if (!orig) return tl_last_status();
        node = record_modlike(op, orig, other);
        tl_tensor_release(orig);
        if (node) { /* the edge must be self's, not the clone's */
          tl_node_release(node->next[0].node);
          tl_gradient_edge(self, &node->next[0]);
        }
      } else {
        node = record_modlike(op, self, other);
      }
      if (!node) return tl_last_status();
    }
    return finish_inplace(self, node, tl_binary_(op, self, other, 1));
  }
  default:
    if (tl_binary_op_differentiable(op)) {
      tl_status st = tl_ag_check_inplace(self);
      if (st != TL_OK) return st;
    }
    return tl_binary_(op, self, other, 1);
  }
}

int tl_binary_op_differentiable(tl_binary_op op) {
  return !(op == TL_BIN_EQ || op == TL_BIN_NE || op == TL_BIN_LT || op == TL_BIN_LE ||
           op == TL_BIN_GT || op == TL_BIN_GE || op == TL_BIN_LOGICAL_AND ||
           op == TL_BIN_LOGICAL_OR || op == TL_BIN_LOGICAL_XOR);
}

/* clamp with tensor bounds (ClampBackward0): x gets the gradient inside the bounds, a bound
 * where it was applied */
static tl_status clamp0_backward(tl_node *n, tl_tensor **gin, tl_tensor **gout) {
  scope sc = {0};
  tl_tensor *g = gin[0], *zero = keep(&sc, scalar(0));
  tl_tensor *x = unpack(&sc, n, 0);
  tl_tensor *lo = n->saved[1].defined ? unpack(&sc, n, 1) : NULL;
  tl_tensor *hi = n->saved[2].defined ? unpack(&sc, n, 2) : NULL;
  tl_tensor *inside = NULL;
  if (x && lo) inside = keep(&sc, tl_ge(x, lo));
  if (x && hi) {
    tl_tensor *m = keep(&sc, tl_le(x, hi));
    inside = inside ? keep(&sc, m ? tl_logical_and(inside, m) : NULL) : m;
  }
  if (need(n, 0)) gout[0] = inside ? tl_ag_where(inside, g, zero) : NULL;
  if (need(n, 1) && x && lo) {
    tl_tensor *below = keep(&sc, tl_lt(x, lo));
    gout[1] = sum_to(keep(&sc, below ? tl_ag_where(below, g, zero) : NULL), &n->input[1]);
  }
  if (need(n, 2) && x && hi) {
    tl_tensor *above = keep(&sc, tl_gt(x, hi));
    gout[2] = sum_to(keep(&sc, above ? tl_ag_where(above, g, zero) : NULL), &n->input[2]);
  }
  return finish(&sc, n, gout);
}
static const tl_op_info op_clamp0 = {"ClampBackward0", 1, clamp0_backward, 0};

tl_tensor *tl_ag_clamp_tensor(const tl_tensor *x, const tl_tensor *min, const tl_tensor *max) {
  if (!x) return NULL;
  tl_tensor *out = tl_clamp(x, min, max);
  const tl_tensor *in[3] = {x, min, max};
  if (!out || !tl_should_record(3, in)) return out;
  tl_node *node = record(&op_clamp0, 3, in);
  if (node && (tl_node_save(node, 0, x, 0) != TL_OK || (min && tl_node_save(node, 1, min, 0) != TL_OK) ||
               (max && tl_node_save(node, 2, max, 0) != TL_OK)))
    node = (tl_node_release(node), NULL);
  return attach(out, node);
}
