/* Tests of the autograd engine without R: the seed 000 graph, accumulation, retain_graph,
 * version counters, create_graph, and that graphs release everything they hold. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "autograd/autograd.h"
#include "autograd/derivatives.h"
#include "ops/elementwise.h"
#include "tensor.h"

static int failures = 0, checks = 0;
#define CHECK(cond)                                                            \
  do {                                                                         \
    checks++;                                                                  \
    if (!(cond)) {                                                             \
      failures++;                                                              \
      fprintf(stderr, "%s:%d: check failed: %s (%s)\n", __FILE__, __LINE__, #cond, \
              tl_last_message());                                              \
    }                                                                          \
  } while (0)

static tl_tensor *full(int ndim, const int64_t *shape, double v, int rg) {
  tl_tensor *t = tl_tensor_empty(TL_FLOAT32, ndim, shape);
  tl_fill(t, v);
  t->storage->version = 0;
  t->requires_grad = rg;
  return t;
}

static tl_tensor *wrapped(double v) {
  tl_tensor *t = tl_tensor_empty(TL_FLOAT64, 0, NULL);
  *(double *)tl_data(t) = v;
  t->wrapped_number = 1;
  return t;
}

static float f(const tl_tensor *t, int64_t i) { return (float)tl_get_double(t, i); }

static tl_status backward(tl_tensor *root, int keep) {
  tl_backward_opts o = {0};
  o.keep_graph = keep;
  o.accumulate = 1;
  return tl_backward(1, &root, NULL, &o);
}

/* seed 000: y = x1 * (x2 + 2); z = y^2 * 3; out = mean(z) */
static void test_seed000(void) {
  int64_t s22[2] = {2, 2}, s1[1] = {1};
  tl_tensor *x1 = full(2, s22, 1, 1), *x2 = full(1, s1, 1.1, 1);
  tl_tensor *two = wrapped(2), *three = wrapped(3);
  tl_tensor *a = tl_ag_add(x2, two);
  tl_tensor *y = tl_ag_mul(x1, a);
  tl_tensor *p = tl_ag_pow(y, two);
  tl_tensor *z = tl_ag_mul(p, three);
  tl_tensor *out = tl_ag_mean(z, NULL, 0, 0, -1);
  CHECK(strcmp(tl_node_name(tl_grad_fn(out)), "MeanBackward0") == 0);
  tl_node *n1 = tl_node_next(tl_grad_fn(out), 0);
  CHECK(strcmp(tl_node_name(n1), "MulBackward1") == 0);
  tl_node *n2 = tl_node_next(n1, 0);
  CHECK(strcmp(tl_node_name(n2), "PowBackward0") == 0);
  tl_node *n3 = tl_node_next(n2, 0);
  CHECK(strcmp(tl_node_name(n3), "MulBackward0") == 0);
  CHECK(strcmp(tl_node_name(tl_node_next(n3, 0)), "torch::autograd::AccumulateGrad") == 0);
  CHECK(strcmp(tl_node_name(tl_node_next(n3, 1)), "AddBackward1") == 0);
  CHECK(tl_retain_grad(y) == TL_OK && tl_retain_grad(z) == TL_OK);
  CHECK(backward(out, 0) == TL_OK);
  CHECK(f(tl_grad(z), 0) == 0.25f);
  CHECK(fabsf(f(tl_grad(y), 3) - 4.65f) < 1e-5f);
  CHECK(fabsf(f(tl_grad(x2), 0) - 18.6f) < 1e-4f);
  CHECK(fabsf(f(tl_grad(x1), 0) - 14.415f) < 1e-4f);
  /* the graph was freed: a second backward fails, and leaves no trace */
  CHECK(backward(out, 0) != TL_OK);
  CHECK(strstr(tl_last_message(), "Trying to backward through the graph a second time") != NULL);
  tl_clear_error();
  tl_tensor *ts[] = {x1, x2, two, three, a, y, p, z, out};
  for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++) tl_tensor_release(ts[i]);
}

/* seed 002: gradients accumulate; grad = NULL resets */
static void test_accumulate(void) {
  int64_t s1[1] = {1};
  tl_tensor *x = full(1, s1, 1, 1);
  tl_tensor *two = wrapped(2), *three = wrapped(3);
  tl_tensor *y = tl_ag_pow(x, two);
  CHECK(backward(y, 0) == TL_OK && f(tl_grad(x), 0) == 2.0f);
  tl_tensor *y2 = tl_ag_pow(x, three);
  CHECK(backward(y2, 0) == TL_OK && f(tl_grad(x), 0) == 5.0f);
  tl_set_grad(x, NULL);
  tl_tensor *y3 = tl_ag_pow(x, three);
  CHECK(backward(y3, 1) == TL_OK && f(tl_grad(x), 0) == 3.0f);
  CHECK(backward(y3, 0) == TL_OK && f(tl_grad(x), 0) == 6.0f); /* retained graph */
  tl_tensor *ts[] = {x, two, three, y, y2, y3};
  for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++) tl_tensor_release(ts[i]);
}

/* an in-place change of a saved tensor is caught; leaves refuse in-place ops */
static void test_versions(void) {
  int64_t s2[1] = {2};
  tl_tensor *x = full(1, s2, 3, 1);
  tl_tensor *one = wrapped(1);
  CHECK(tl_ag_add_(x, one, 1, 0) != TL_OK);
  CHECK(strstr(tl_last_message(), "a leaf Variable that requires grad") != NULL);
  tl_tensor *e = tl_ag_unary(TL_UN_EXP, x);
  tl_tensor *s = tl_ag_sum(e, NULL, 0, 0, -1);
  tl_set_grad_enabled(0);
  CHECK(tl_add_(e, one, 1) == TL_OK); /* modifies exp's saved output */
  tl_set_grad_enabled(1);
  CHECK(backward(s, 0) != TL_OK);
  CHECK(strstr(tl_last_message(), "modified by an inplace operation") != NULL);
  tl_clear_error();
  tl_tensor *ts[] = {x, one, e, s};
  for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++) tl_tensor_release(ts[i]);
}

/* d/dx of d/dx x^3 = 6x, through create_graph */
static void test_double_backward(void) {
  int64_t s1[1] = {1};
  tl_tensor *x = full(1, s1, 2, 1);
  tl_tensor *three = wrapped(3);
  tl_tensor *y = tl_ag_pow(x, three);
  tl_backward_opts o = {0};
  o.keep_graph = 1;
  o.create_graph = 1;
  o.accumulate = 0;
  o.n_inputs = 1;
  o.inputs = &x;
  tl_tensor *res = NULL;
  o.results = &res;
  CHECK(tl_backward(1, &y, NULL, &o) == TL_OK);
  CHECK(res && f(res, 0) == 12.0f && tl_grad_fn(res) != NULL);
  CHECK(backward(res, 0) == TL_OK && f(tl_grad(x), 0) == 12.0f);
  tl_tensor *ts[] = {x, three, y, res};
  for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++) tl_tensor_release(ts[i]);
}

/* a long chain is built and released without recursion */
static void test_long_chain(void) {
  int64_t s1[1] = {1};
  tl_tensor *x = full(1, s1, 1, 1);
  tl_tensor *c = wrapped(1.0);
  tl_tensor *y = x;
  tl_tensor_retain(y);
  for (int i = 0; i < 200000; i++) {
    tl_tensor *nx = tl_ag_mul(y, c);
    tl_tensor_release(y);
    y = nx;
  }
  CHECK(backward(y, 0) == TL_OK && f(tl_grad(x), 0) == 1.0f);
  tl_tensor_release(y);
  tl_tensor_release(c);
  tl_tensor_release(x);
}

/* The fused sigmoid/tanh backward kernels against the composed ops, bit for bit: float32,
 * contiguous (parallel) and with a zero-stride gradient; an integer result type fails. */
static void test_fused_activation_backward(void) {
  int64_t sh[1] = {100003}, s1[1] = {1};
  tl_tensor *y = tl_tensor_empty(TL_FLOAT32, 1, sh), *g = tl_tensor_empty(TL_FLOAT32, 1, sh);
  float *py = (float *)tl_data(y), *pg = (float *)tl_data(g);
  for (int64_t i = 0; i < sh[0]; i++) {
    py[i] = (float)sin(0.37 * (double)i);
    pg[i] = (float)cos(0.11 * (double)i) * 3.1f;
  }
  tl_tensor *one = wrapped(1), *g0 = full(1, s1, 0.7, 0);
  tl_tensor *gs[2] = {g, g0};
  for (int k = 0; k < 2; k++) {
    tl_tensor *d = tl_sub(one, y, 1), *t = tl_mul(gs[k], d), *ref_s = tl_mul(t, y);
    tl_tensor *yy = tl_mul(y, y), *d2 = tl_sub(one, yy, 1), *ref_t = tl_mul(gs[k], d2);
    tl_tensor *fs = tl_sigmoid_backward(gs[k], y), *ft = tl_tanh_backward(gs[k], y);
    CHECK(fs && ft && fs->numel == sh[0] && ft->numel == sh[0]);
    if (fs && ft)
      CHECK(memcmp(tl_data(fs), tl_data(ref_s), (size_t)sh[0] * sizeof(float)) == 0 &&
            memcmp(tl_data(ft), tl_data(ref_t), (size_t)sh[0] * sizeof(float)) == 0);
    tl_tensor *ts[] = {d, t, ref_s, yy, d2, ref_t, fs, ft};
    for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++) tl_tensor_release(ts[i]);
  }
  tl_tensor *iy = tl_tensor_zeros(TL_INT64, 1, s1);
  CHECK(tl_sigmoid_backward(iy, iy) == NULL);
  CHECK(strstr(tl_last_message(), "not implemented for 'Long'") != NULL);
  tl_clear_error();
  tl_tensor *ts[] = {y, g, one, g0, iy};
  for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++) tl_tensor_release(ts[i]);
}

/* nodes have room for the saved tensors their op declares, and the layout in one block:
 * saving or reading past it is an error status, never a stray access */
static void test_node_layout(void) {
  int64_t s3[2] = {2, 3};
  tl_tensor *x = full(2, s3, 1, 1), *w = wrapped(2);
  tl_tensor *y = tl_ag_mul(w, x); /* 2 * x: two inputs (a 0-d number first), nothing saved */
  tl_node *n = tl_grad_fn(y);
  CHECK(n && n->saved_cap == 2 && n->n_saved == 0 && n->n_next == 2);
  CHECK(n->input[0].ndim == 0 && n->input[1].ndim == 2);
  CHECK(n->input[1].shape[0] == 2 && n->input[1].shape[1] == 3);
  CHECK(tl_node_save(n, 2, x, 0) != TL_OK);
  CHECK(strstr(tl_last_message(), "internal error: MulBackward0 saves a tensor in slot 2 of 2"));
  CHECK(tl_node_unpack(n, 2) == NULL && strstr(tl_last_message(), "reads saved slot 2 of 2"));
  tl_tensor *z = tl_ag_mul(x, x); /* two tensors: both saved */
  CHECK(tl_grad_fn(z)->saved_cap == 2 && tl_grad_fn(z)->n_saved == 2);
  tl_tensor *q = tl_ag_sum(z, NULL, 0, 0, -1); /* SumBackward0 saves nothing: no slots */
  CHECK(tl_grad_fn(q)->saved_cap == 0 && tl_node_save(tl_grad_fn(q), 0, x, 0) != TL_OK);
  tl_tensor *s = tl_ag_sum(y, NULL, 0, 0, -1);
  CHECK(s && backward(s, 0) == TL_OK && f(tl_grad(x), 5) == 2.0f);
  CHECK(x->shape != NULL && x->strides[0] == 3 && x->strides[1] == 1 && x->autograd == &x->meta);
  tl_tensor *ts[] = {x, w, y, z, q, s};
  for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++) tl_tensor_release(ts[i]);
}

int main(void) {
  int64_t base = tl_mem_bytes();
  test_seed000();
  test_accumulate();
  test_versions();
  test_double_backward();
  test_long_chain();
  test_fused_activation_backward();
  test_node_layout();
  CHECK(tl_mem_bytes() == base && tl_mem_objects() == 0);
  printf("autograd: %d checks, %d failed\n", checks, failures);
  return failures != 0;
}
