#' @include tensor.R
NULL

# Shape operations. Dims are 1-based and negative ones count from the end, as in R torch.
# Views share memory with their input exactly where R torch's do: `$view()`, `$reshape()`
# when the strides allow it, `$flatten()`, `$squeeze()`, `$unsqueeze()`, `$permute()`,
# `$transpose()`, `$t()`, `$expand()`, `$narrow()`, and the pieces of `$chunk()`,
# `$split()`, `$unbind()`. `torch_cat()` and `torch_stack()` copy.

define_methods(
  view = function(size, ...) {
    if (...length()) size <- c(size, ...)
    .Call(C_tl_view, self, size)
  },
  view_as = function(other) .Call(C_tl_view, self, dim(other)),
  reshape = function(shape, ...) {
    if (...length()) shape <- c(shape, ...)
    .Call(C_tl_reshape, self, shape)
  },
  reshape_as = function(other) .Call(C_tl_reshape, self, dim(other)),
  flatten = function(start_dim = 1L, end_dim = -1L) .Call(C_tl_flatten, self, start_dim, end_dim),
  squeeze = function(dim = NULL) .Call(C_tl_squeeze, self, dim),
  unsqueeze = function(dim) .Call(C_tl_unsqueeze, self, dim),
  permute = function(dims, ...) {
    if (...length()) dims <- c(dims, ...)
    .Call(C_tl_permute, self, dims)
  },
  transpose = function(dim0, dim1) .Call(C_tl_transpose, self, dim0, dim1),
  t = function() .Call(C_tl_t, self),
  expand = function(size, ..., implicit = FALSE) {
    if (...length()) size <- c(size, ...)
    .Call(C_tl_expand, self, size)
  },
  expand_as = function(other) .Call(C_tl_expand_as, self, other),
  narrow = function(dim, start, length) .Call(C_tl_narrow, self, dim, start, length),
  chunk = function(chunks, dim = 1L) .Call(C_tl_chunk, self, chunks, dim),
  split = function(split_size, dim = 1L) .Call(C_tl_split, self, split_size, dim, FALSE),
  split_with_sizes = function(split_sizes, dim = 1L) .Call(C_tl_split, self, split_sizes, dim, TRUE),
  unbind = function(dim = 1L) .Call(C_tl_unbind, self, dim)
)

#' Reshape a tensor
#'
#' `torch_reshape()` returns a tensor with the same elements in a new shape, read in
#' row-major order (the last dimension varies fastest), as in R torch: it is a view of
#' `self` when the strides allow it and a copy otherwise. One size may be `-1`, inferred
#' from the others. The method `x$view(size)` always returns a view and fails for a tensor
#' whose strides do not allow one (for instance a transposed matrix). `torch_flatten()`
#' merges the dimensions `start_dim` to `end_dim` into one.
#'
#' @param self a `torch_tensor`.
#' @param shape the new shape: a numeric vector, one element of which may be `-1`.
#' @param start_dim,end_dim the first and last dimension to merge (1-based; negative ones
#'   count from the end).
#' @return A `torch_tensor`.
#' @examples
#' x <- torch_tensor(matrix(1:6, 2, 3, byrow = TRUE))
#' torch_reshape(x, c(3, 2))
#' x$view(6)
#' x$view(c(-1, 2))
#' torch_flatten(torch_zeros(2, 3, 4), start_dim = 2)
#' @name torch_reshape
NULL

#' @rdname torch_reshape
#' @export
torch_reshape <- function(self, shape) .Call(C_tl_reshape, self, shape)

#' @rdname torch_reshape
#' @export
torch_flatten <- function(self, start_dim = 1L, end_dim = -1L) {
  .Call(C_tl_flatten, self, start_dim, end_dim)
}

#' Add or remove dimensions of size one
#'
#' `torch_squeeze()` drops the dimensions of size 1 (all of them, or only `dim` if it has
#' size 1); `torch_unsqueeze()` inserts one at position `dim` (from 1 to `ndim + 1`; `-1`
#' appends one at the end). Both return views.
#'
#' @inheritParams torch_reshape
#' @param dim a 1-based dimension; negative ones count from the end.
#' @return A `torch_tensor` sharing memory with `self`.
#' @examples
#' x <- torch_zeros(2, 1, 3)
#' torch_squeeze(x)$shape
#' torch_unsqueeze(torch_zeros(2, 3), 1)$shape
#' torch_unsqueeze(torch_zeros(2, 3), -1)$shape
#' @name torch_squeeze
NULL

#' @rdname torch_squeeze
#' @export
torch_squeeze <- function(self, dim = NULL) .Call(C_tl_squeeze, self, dim)

#' @rdname torch_squeeze
#' @export
torch_unsqueeze <- function(self, dim) .Call(C_tl_unsqueeze, self, dim)

#' Reorder dimensions
#'
#' `torch_permute()` reorders all dimensions (`torch_permute(x, c(2, 1))` of a matrix is
#' its transpose, like `aperm()`); `torch_transpose()` swaps two; `torch_t()` transposes a
#' matrix and returns tensors of fewer than two dimensions unchanged. All return views.
#'
#' @inheritParams torch_reshape
#' @param dims a permutation of the dimensions (1-based).
#' @param dim0,dim1 the dimensions to swap.
#' @return A `torch_tensor` sharing memory with `self`.
#' @examples
#' a <- matrix(1:6, 2, 3)
#' torch_t(torch_tensor(a))
#' torch_permute(torch_zeros(2, 3, 4), c(3, 1, 2))$shape
#' torch_transpose(torch_zeros(2, 3, 4), 1, 3)$shape
#' @name torch_permute
NULL

#' @rdname torch_permute
#' @export
torch_permute <- function(self, dims) .Call(C_tl_permute, self, dims)

#' @rdname torch_permute
#' @export
torch_transpose <- function(self, dim0, dim1) .Call(C_tl_transpose, self, dim0, dim1)

#' @rdname torch_permute
#' @export
torch_t <- function(self) .Call(C_tl_t, self)

#' Pieces of a tensor
#'
#' `torch_narrow()` takes `length` elements of dimension `dim` from position `start`
#' (1-based; negative counts from the end). `torch_chunk()` cuts a dimension into `chunks`
#' pieces of equal size (the last may be smaller, and there may be fewer pieces);
#' `torch_split()` into pieces of `split_size` elements, or of the sizes given when
#' `split_size` is a vector; `torch_unbind()` into its slices, removing the dimension. The
#' pieces are views of `self`.
#'
#' @inheritParams torch_reshape
#' @param dim the dimension to cut (1-based).
#' @param start the first position (1-based).
#' @param length the number of elements.
#' @param chunks the number of pieces.
#' @param split_size the size of each piece, or a vector of sizes that sum to the size of
#'   `dim`.
#' @return `torch_narrow()` a `torch_tensor`, the others a list of them.
#' @examples
#' x <- torch_tensor(1:10)
#' torch_narrow(x, 1, 3, 4)
#' lengths(lapply(torch_chunk(x, 3), as_array))
#' torch_split(x, c(2, 8))[[1]]
#' torch_unbind(torch_tensor(matrix(1:4, 2)))
#' @name torch_narrow
NULL

#' @rdname torch_narrow
#' @export
torch_narrow <- function(self, dim, start, length) .Call(C_tl_narrow, self, dim, start, length)

#' @rdname torch_narrow
#' @export
torch_chunk <- function(self, chunks, dim = 1L) .Call(C_tl_chunk, self, chunks, dim)

#' @rdname torch_narrow
#' @export
torch_split <- function(self, split_size, dim = 1L) .Call(C_tl_split, self, split_size, dim, FALSE)

#' @rdname torch_narrow
#' @export
torch_unbind <- function(self, dim = 1L) .Call(C_tl_unbind, self, dim)

#' Join tensors
#'
#' `torch_cat()` concatenates tensors along an existing dimension (their other sizes must
#' match); `torch_stack()` stacks tensors of the same shape along a new dimension. The
#' result's dtype is the promotion of the inputs' (an int64 and a float32 tensor give
#' float32).
#'
#' @param tensors a list of tensors.
#' @param dim the dimension (1-based): for `torch_stack()` the position of the new one,
#'   from 1 to `ndim + 1`.
#' @return A new `torch_tensor`.
#' @examples
#' a <- torch_ones(2, 2)
#' b <- torch_zeros(1, 2)
#' torch_cat(list(a, b))
#' torch_stack(list(a, torch_zeros(2, 2)), dim = 3)$shape
#' @name torch_cat
NULL

#' @rdname torch_cat
#' @export
torch_cat <- function(tensors, dim = 1L) .Call(C_tl_cat, tensors, dim)

#' @rdname torch_cat
#' @export
torch_stack <- function(tensors, dim = 1L) .Call(C_tl_stack, tensors, dim)
