/* Shape operations: views (which share their input's storage, as in PyTorch) and the few
 * shape operations that copy (reshape of a non-viewable tensor, cat, stack).
 *
 * Dimensions are 0-based here; a negative dimension counts from the end (-1 is the last),
 * as in PyTorch. The R layer turns R's 1-based dims into these and checks their range with
 * R-facing messages first, so the range errors here are a safety net.
 *
 * Every function borrows its inputs and returns a new tensor (one reference for the caller)
 * or NULL after tl_error(). Views keep a reference to the storage, never to the input. */
#ifndef TL_OPS_SHAPE_H
#define TL_OPS_SHAPE_H

#include "../tensor.h"

/* Checks dim against a tensor of `ndim` dimensions (a 0-d tensor accepts -1 and 0, as in
 * PyTorch) and writes it as a non-negative dimension. */
tl_status tl_wrap_dim(int64_t dim, int ndim, int *out);

/* Resolves a requested shape against numel: at most one -1 (inferred), PyTorch's errors
 * ("shape '[2, 4]' is invalid for input of size 6"). */
tl_status tl_infer_shape(int ndim, const int64_t *shape, int64_t numel, int64_t *out);

/* ---- views ---- */
/* View with a new shape (one size may be -1); fails with PyTorch's message when the
 * strides of x do not allow it. */
tl_tensor *tl_view(const tl_tensor *x, int ndim, const int64_t *shape);
/* A view when the strides allow it, else a contiguous copy. */
tl_tensor *tl_reshape(const tl_tensor *x, int ndim, const int64_t *shape);
/* Merges dims start..end into one (a 0-d tensor becomes 1-d); a view when possible. */
tl_tensor *tl_flatten(const tl_tensor *x, int start_dim, int end_dim);
/* all != 0: drops every size-1 dim; else drops `dim` if its size is 1 (else a plain view). */
tl_tensor *tl_squeeze(const tl_tensor *x, int dim, int all);
/* Inserts a size-1 dim at position dim (0..ndim; negative counts from ndim + 1). */
tl_tensor *tl_unsqueeze(const tl_tensor *x, int dim);
/* dims: a permutation of 0..ndim-1 (negative allowed) */
tl_tensor *tl_permute(const tl_tensor *x, const int *dims, int ndims);
tl_tensor *tl_transpose(const tl_tensor *x, int dim0, int dim1);
/* transpose of a matrix; tensors with fewer than 2 dims are returned as a view of themselves */
tl_tensor *tl_t(const tl_tensor *x);
/* Broadcasts x to `shape` (-1 keeps a size) with stride 0 on the expanded dims. */
tl_tensor *tl_expand(const tl_tensor *x, int ndim, const int64_t *shape);
/* length elements of dim from start (0-based; negative counts from the end). */
tl_tensor *tl_narrow(const tl_tensor *x, int dim, int64_t start, int64_t length);
/* Python slice start:stop:step of one dim (step > 0; start and stop are clamped, negative
 * values count from the end; stop = INT64_MAX means "to the end"). */
tl_tensor *tl_slice(const tl_tensor *x, int dim, int64_t start, int64_t stop, int64_t step);
/* Element `index` of dim (negative counts from the end); the dim is dropped. */
tl_tensor *tl_select(const tl_tensor *x, int dim, int64_t index);
/* A view with explicit sizes, strides and offset (elements) on x's storage. */
tl_tensor *tl_as_strided(const tl_tensor *x, int ndim, const int64_t *shape,
                         const int64_t *strides, int64_t offset);

/* ---- several outputs: the caller gives an array of *n (or n) slots ---- */
/* The sizes torch.split(split_size) and torch.chunk(chunks) cut a dim of `size` into:
 * writes up to `max` sizes and returns how many pieces there are (or -1 after an error). */
int64_t tl_split_sizes(int64_t size, int64_t split_size, int64_t max, int64_t *sizes);
int64_t tl_chunk_sizes(int64_t size, int64_t chunks, int64_t max, int64_t *sizes);
/* Views of consecutive pieces of dim with the given sizes (which must sum to its size). */
tl_status tl_split_with_sizes(const tl_tensor *x, int dim, int64_t n, const int64_t *sizes,
                              tl_tensor **out);
/* The x->shape[dim] views x.select(dim, i). */
tl_status tl_unbind(const tl_tensor *x, int dim, tl_tensor **out);

/* ---- copies ---- */
/* Concatenation along dim; the result dtype is the promotion of all inputs. 1-d empty
 * tensors are skipped, as in PyTorch. */
tl_tensor *tl_cat(const tl_tensor *const *xs, int n, int dim);
/* Stacks equal-shaped tensors along a new dim (0..ndim). */
tl_tensor *tl_stack(const tl_tensor *const *xs, int n, int dim);

#endif
