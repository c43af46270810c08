/* Indexing: x[i, j, ...] and x[i, j, ...] <- value.
 *
 * An index is a list of items, one per indexed dimension (plus new axes and an ellipsis).
 * Integers, slices, new axes and scalar booleans give a VIEW of x (no copy); index tensors
 * (integer positions or boolean masks) give a copy. Positions are 0-based and negative ones
 * count from the end; slices follow Python (start:stop:step, clamped, step > 0).
 *
 * Several index tensors index independently, each its own dimension(s) (the outer product,
 * as R and R torch do: x[c(1, 3), c(1, 3)] is 2 x 2), not jointly as in NumPy/PyTorch.
 *
 * Error messages count positions and dimensions from 1, as the R layer's users do. */
#ifndef TL_OPS_INDEX_H
#define TL_OPS_INDEX_H

#include "../tensor.h"

typedef enum {
  TL_IDX_INT,      /* one position (`start`): the dim is dropped */
  TL_IDX_SLICE,    /* start:stop:step (stop = INT64_MAX: to the end) */
  TL_IDX_NONE,     /* a new axis of size 1 */
  TL_IDX_ELLIPSIS, /* as many full slices as the other items leave (at most one) */
  TL_IDX_BOOL,     /* scalar true/false (`start`): a new axis of size 1 or 0 */
  TL_IDX_TENSOR    /* int64/int32 positions (their shape replaces the dim) or a bool mask
                      (its dims become one dim of the selected elements, row-major order) */
} tl_index_kind;

typedef struct {
  tl_index_kind kind;
  int64_t start, stop, step;
  const tl_tensor *tensor; /* TL_IDX_TENSOR, borrowed */
} tl_index_item;

/* x[items]: a view when no item is a tensor, else a new contiguous tensor. */
tl_tensor *tl_index(const tl_tensor *x, const tl_index_item *items, int n);

/* x[items] <- value, in place: value is converted to x's dtype and broadcast to the shape of
 * x[items]; accumulate != 0 adds instead (repeated positions add up, which makes this the
 * backward of tl_index: tl_index_put_(zeros_like(x), items, n, grad, 1)). Bumps x's
 * version. */
tl_status tl_index_put_(tl_tensor *x, const tl_index_item *items, int n, const tl_tensor *value,
                        int accumulate);

#endif
