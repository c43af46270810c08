/* The derivative table: every differentiable op's backward formula, beside the function that
 * runs its forward kernel and records the node (the `tl_ag_*` functions). */
#ifndef TL_DERIVATIVES_H
#define TL_DERIVATIVES_H

#include "autograd.h"

struct tl_op_info {
  const char *name; /* R torch's / PyTorch's grad_fn class name */
  int n_outputs;    /* 0 means: read the node's i[3] (ops with a variable output count) */
  /* grads_in: one gradient per output (never NULL: the engine fills zeros); writes one new
   * reference or NULL per next edge into grads_out. */
  tl_status (*backward)(tl_node *n, tl_tensor **grads_in, tl_tensor **grads_out);
  /* how many tensors the op's nodes save (slots 0 .. n_saved - 1): TL_SAVES_NONE for none;
   * 0 (not given) means up to TL_NODE_MAX_SAVED. Only that many slots are allocated. */
  int n_saved;
};
#define TL_SAVES_NONE (-1)

extern const tl_op_info tl_op_accumulate_grad;
extern const tl_op_info tl_op_custom; /* nodes of R's autograd_function() */

/* ---- differentiable ops: the forward kernel plus the node, when one is needed ---- */
#include "../ops/elementwise.h"
#include "../ops/index.h"

tl_tensor *tl_ag_add(const tl_tensor *a, const tl_tensor *b); /* a + b */
tl_tensor *tl_ag_add_alpha(const tl_tensor *a, const tl_tensor *b, double alpha);
tl_tensor *tl_ag_sub(const tl_tensor *a, const tl_tensor *b, double alpha);
tl_tensor *tl_ag_mul(const tl_tensor *a, const tl_tensor *b);
tl_tensor *tl_ag_div(const tl_tensor *a, const tl_tensor *b);
tl_tensor *tl_ag_pow(const tl_tensor *a, const tl_tensor *b);
tl_tensor *tl_ag_square(const tl_tensor *x);
tl_tensor *tl_ag_unary(tl_unary_op op, const tl_tensor *x);
tl_tensor *tl_ag_neg(const tl_tensor *x);
tl_tensor *tl_ag_log(const tl_tensor *x);
tl_tensor *tl_ag_clamp(const tl_tensor *x, const tl_tensor *min, const tl_tensor *max);
tl_tensor *tl_ag_where(const tl_tensor *cond, const tl_tensor *a, const tl_tensor *b);
tl_tensor *tl_ag_maximum(const tl_tensor *a, const tl_tensor *b);
tl_tensor *tl_ag_minimum(const tl_tensor *a, const tl_tensor *b);
tl_tensor *tl_ag_masked_fill(const tl_tensor *x, const tl_tensor *mask, const tl_tensor *value);
tl_tensor *tl_ag_sum(const tl_tensor *x, const int64_t *dims, int ndims, int keepdim, int dtype);
tl_tensor *tl_ag_mean(const tl_tensor *x, const int64_t *dims, int ndims, int keepdim, int dtype);
tl_tensor *tl_ag_view(const tl_tensor *x, int ndim, const int64_t *shape);
tl_tensor *tl_ag_reshape(const tl_tensor *x, int ndim, const int64_t *shape);
tl_tensor *tl_ag_flatten(const tl_tensor *x, int start, int end);
tl_tensor *tl_ag_squeeze(const tl_tensor *x, int dim, int all);
tl_tensor *tl_ag_unsqueeze(const tl_tensor *x, int dim);
tl_tensor *tl_ag_expand(const tl_tensor *x, int ndim, const int64_t *shape);
tl_tensor *tl_ag_permute(const tl_tensor *x, const int *dims, int ndims);
tl_tensor *tl_ag_transpose(const tl_tensor *x, int d0, int d1);
tl_tensor *tl_ag_t(const tl_tensor *x);
tl_tensor *tl_ag_index(const tl_tensor *x, const tl_index_item *items, int n);

tl_tensor *tl_ag_mm(const tl_tensor *a, const tl_tensor *b);
tl_tensor *tl_ag_bmm(const tl_tensor *a, const tl_tensor *b);
tl_tensor *tl_ag_mv(const tl_tensor *a, const tl_tensor *v);
tl_tensor *tl_ag_dot(const tl_tensor *a, const tl_tensor *b);
tl_tensor *tl_ag_matmul(const tl_tensor *a, const tl_tensor *b);
tl_tensor *tl_ag_linear(const tl_tensor *input, const tl_tensor *weight, const tl_tensor *bias);
tl_tensor *tl_ag_max_all(const tl_tensor *x, int is_max);
tl_tensor *tl_ag_amax(const tl_tensor *x, const int64_t *dims, int ndims, int keepdim, int is_max);
tl_status tl_ag_max_dim(const tl_tensor *x, int64_t dim, int keepdim, int is_max,
                        tl_tensor **values, tl_tensor **indices);
tl_tensor *tl_ag_var(const tl_tensor *x, const int64_t *dims, int ndims, double correction,
                     int keepdim, int is_std);
tl_tensor *tl_ag_logsumexp(const tl_tensor *x, const int64_t *dims, int ndims, int keepdim);
tl_tensor *tl_ag_norm(const tl_tensor *x, double p, const int64_t *dims, int ndims, int keepdim,
                      int dtype);
tl_tensor *tl_ag_prod(const tl_tensor *x, const int64_t *dim, int keepdim, int dtype);
tl_tensor *tl_ag_cumsum(const tl_tensor *x, int64_t dim, int dtype);
tl_tensor *tl_ag_to_dtype(const tl_tensor *x, tl_dtype dt, int copy);
tl_tensor *tl_ag_clone(const tl_tensor *x);
tl_tensor *tl_ag_contiguous(const tl_tensor *x);
tl_tensor *tl_ag_select(const tl_tensor *x, int dim, int64_t index);
tl_tensor *tl_ag_narrow(const tl_tensor *x, int dim, int64_t start, int64_t length);
tl_tensor *tl_ag_slice(const tl_tensor *x, int dim, int64_t start, int64_t stop, int64_t step);
tl_tensor *tl_ag_cat(const tl_tensor *const *xs, int n, int dim);
tl_tensor *tl_ag_stack(const tl_tensor *const *xs, int n, int dim);

tl_status tl_ag_split_with_sizes(const tl_tensor *x, int dim, int64_t n, const int64_t *sizes,
                                 tl_tensor **out);
tl_status tl_ag_unbind(const tl_tensor *x, int dim, tl_tensor **out);
tl_status tl_ag_index_put_(tl_tensor *x, const tl_index_item *items, int n, const tl_tensor *value);

tl_tensor *tl_ag_binary(tl_binary_op op, const tl_tensor *a, const tl_tensor *b);
tl_status tl_ag_binary_(tl_binary_op op, tl_tensor *self, const tl_tensor *other);
int tl_binary_op_differentiable(tl_binary_op op);
tl_tensor *tl_ag_clamp_tensor(const tl_tensor *x, const tl_tensor *min, const tl_tensor *max);

/* in place: refuse leaves that require grad (in grad mode); record on tensors with history */
tl_status tl_ag_add_(tl_tensor *self, const tl_tensor *other, double alpha, int sub);
tl_status tl_ag_mul_(tl_tensor *self, const tl_tensor *other);
tl_status tl_ag_div_(tl_tensor *self, const tl_tensor *other);
tl_status tl_ag_check_inplace(tl_tensor *self);

/* ---- for the engine ---- */
tl_status tl_add_inplace(tl_tensor *dst, const tl_tensor *src); /* dst += src, not recorded */
tl_tensor *tl_ones_like(const tl_tensor *t);

#endif
