#' @include tensor.R
NULL

#' Index a tensor
#'
#' `x[i, j, ...]` follows R torch: indices are 1-based, negative ones count from the end
#' (`x[-1]` is the last element, unlike base R), and an empty argument takes the whole
#' dimension. Missing trailing arguments also take whole dimensions (`x[1]` of a matrix is
#' its first row).
#'
#' * A single number picks one element and drops the dimension (keep it with
#'   `drop = FALSE`).
#' * `a:b` is a slice from `a` to `b` inclusive and `a:b:s` one with step `s`; `N` stands
#'   for the last position (`x[2:N]`, and alone `x[N]`), a negative end counts from the
#'   end (`x[2:-1]`).
#'   These are written literally inside the brackets (R torch evaluates them itself); use
#'   [slc()] to build a slice from values.
#' * `..` stands for all the dimensions not otherwise indexed (`x[.., 1]`);
#'   `NULL` or `newaxis` inserts a dimension of size 1 (`x[, NULL]`).
#' * A numeric vector (`x[c(1, 3)]`), an integer vector held in a variable, a long tensor,
#'   a logical vector or a boolean tensor (a mask, `x[x > 0]`) select several elements.
#'   Several such vectors index their dimensions independently, as in R:
#'   `x[c(1, 3), c(1, 3)]` is 2 x 2.
#'
#' Numbers, slices, `..` and `NULL` give a view of `x` (a change to one is seen in the
#' other); vectors, long tensors and masks give a copy. `x[...] <- value` writes into `x`
#' in place: `value` (an R number or vector, or a tensor) is converted to the dtype of `x`
#' and broadcast to the shape of `x[...]`.
#'
#' @param x a `torch_tensor`.
#' @param ... indices, one per dimension (see Details).
#' @param drop whether single-number indices drop their dimension.
#' @param value the values to write.
#' @return `[` gives a `torch_tensor`; `[<-` gives `x`, modified in place.
#' @examples
#' x <- torch_tensor(matrix(1:12, 3, 4, byrow = TRUE))
#' x[1, ]
#' x[-1, -1]
#' x[2:N, 1:4:2]
#' x[.., 1]
#' x[, 1, drop = FALSE]
#' x[c(1, 3), c(2, 4)]
#' x[c(TRUE, FALSE, TRUE), ]
#' x[1, 1] <- 100L
#' x[1, ]
#' @name torch_indexing
#' @aliases [.torch_tensor [<-.torch_tensor
NULL

#' @rdname torch_indexing
#' @export
`[.torch_tensor` <- function(x, ..., drop = TRUE) .External2(C_tl_index_ext, x, drop)

#' @rdname torch_indexing
#' @export
`[<-.torch_tensor` <- function(x, ..., value) invisible(.External2(C_tl_index_put_ext, x, value))

#' Create a slice
#'
#' A slice object for indexing tensors, for slices whose ends are computed:
#' `x[slc(start = 1, end = 5, step = 2)]` is `x[1:5:2]`.
#'
#' @param start the first position (1-based; negative counts from the end).
#' @param end the last position, included (`-1` or `Inf` reach the end).
#' @param step the distance between positions.
#' @return An object of class `slice`.
#' @examples
#' x <- torch_tensor(1:10)
#' x[slc(start = 1, end = 5, step = 2)]
#' x[slc(8, Inf)]
#' @export
slc <- function(start, end, step = 1) {
  structure(list(start = start, end = end, step = step), class = "slice")
}

#' @export
print.slice <- function(x, ...) {
  cat("<slice>\n")
  invisible(x)
}
