# Creation functions, with R torch's signatures.

# Sizes come as torch_ones(2, 3), torch_ones(c(2, 3)) or torch_ones(size = c(2, 3)).
resolve_size <- function(...) {
  args <- list(...)
  if (!is.null(names(args)) && "size" %in% names(args)) {
    if (length(args) != 1)
      signal_torch_error("value_error", "You should specify a single size argument.")
    return(args[["size"]])
  }
  if (length(args) == 0) return(integer(0))
  if (length(args) == 1) return(args[[1]])
  lens <- vapply(args, length, 1L)
  if (any(lens != 1) || !all(vapply(args, is.numeric, TRUE)))
    signal_torch_error("value_error",
                       "sizes must be given as numbers, e.g. torch_ones(2, 3) or torch_ones(c(2, 3))")
  unlist(args)
}

#' Create a tensor from R data
#'
#' Converts an R vector, matrix or array into a tensor with the same dims: element
#' `x[i, j]` of an R matrix is element `[i, j]` of the tensor. Doubles become float32,
#' integers int64 and logicals bool unless `dtype` says otherwise. An R vector becomes a
#' one-dimensional tensor (a single number has shape 1). `NA` in doubles becomes `NaN`.
#'
#' @param data an R numeric, integer or logical vector, matrix or array, or a tensor (copied).
#' @param dtype a [torch_dtype], or `NULL` for the default for `data`.
#' @param device only `NULL` or `"cpu"`.
#' @param requires_grad whether autograd records operations on the tensor.
#' @param pin_memory ignored (CPU only).
#' @return A `torch_tensor`.
#' @seealso [tensor_serialization] for saving tensors with `saveRDS()`, [torch_save()].
#' @examples
#' torch_tensor(c(1, 2, 3))
#' torch_tensor(matrix(1:6, nrow = 2), dtype = torch_float64())
#' torch_tensor(2, requires_grad = TRUE)
#' @export
torch_tensor <- function(data, dtype = NULL, device = NULL, requires_grad = FALSE,
                         pin_memory = FALSE) {
  check_device(device)
  if (is_torch_tensor(data)) {
    out <- .Call(C_tl_to, data, dtype, TRUE)
    return(.Call(C_tl_set_requires_grad, out, requires_grad))
  }
  if (is.null(data))
    signal_torch_error("value_error", "torch_tensor() needs data: got NULL")
  if (is.list(data))
    signal_torch_error("value_error",
                       "torch_tensor() takes an atomic vector, matrix or array, not a list; use torch_stack() to combine tensors")
  .Call(C_tl_from_r, data, dtype, requires_grad)
}

#' Tensors filled with a value
#'
#' `torch_zeros()`, `torch_ones()`, `torch_empty()` (zero-filled here) and `torch_full()`
#' create tensors of a given size; the `_like` forms take the size (and by default the dtype)
#' of another tensor.
#'
#' @param ... the size: numbers (`2, 3`) or one vector (`c(2, 3)`), or `size =`.
#' @param size the size as a vector.
#' @param fill_value the value of every element.
#' @param input a tensor whose size (and dtype, unless given) the result takes.
#' @param names,layout,memory_format accepted for compatibility with R torch and ignored.
#' @inheritParams torch_tensor
#' @return A `torch_tensor`.
#' @examples
#' torch_zeros(2, 3)
#' torch_ones(c(2, 2), dtype = torch_int64())
#' torch_full(c(2, 2), 0.5)
#' torch_ones_like(torch_zeros(3))
#' @name torch_zeros
NULL

#' @rdname torch_zeros
#' @export
torch_zeros <- function(..., names = NULL, dtype = NULL, layout = NULL, device = NULL,
                        requires_grad = FALSE) {
  check_device(device)
  .Call(C_tl_zeros, resolve_size(...), dtype, requires_grad)
}

#' @rdname torch_zeros
#' @export
torch_ones <- function(..., names = NULL, dtype = NULL, layout = NULL, device = NULL,
                       requires_grad = FALSE) {
  check_device(device)
  .Call(C_tl_full, resolve_size(...), 1, dtype, requires_grad)
}

#' @rdname torch_zeros
#' @export
torch_empty <- function(..., names = NULL, dtype = NULL, layout = NULL, device = NULL,
                        requires_grad = FALSE) {
  check_device(device)
  .Call(C_tl_zeros, resolve_size(...), dtype, requires_grad)
}

#' @rdname torch_zeros
#' @export
torch_full <- function(size, fill_value, names = NULL, dtype = NULL, layout = NULL,
                       device = NULL, requires_grad = FALSE) {
  check_device(device)
  .Call(C_tl_full, size, fill_value, dtype, requires_grad)
}

check_device <- function(device) {
  if (!is.null(device)) torch_device(if (inherits(device, "torch_device")) device$type else device)
}

like_dtype <- function(input, dtype) {
  if (!is_torch_tensor(input))
    signal_torch_error("value_error", "input must be a torch_tensor")
  if (is.null(dtype)) input$dtype else dtype
}

#' @rdname torch_zeros
#' @export
torch_zeros_like <- function(input, dtype = NULL, layout = NULL, device = NULL,
                             requires_grad = FALSE, memory_format = NULL) {
  check_device(device)
  .Call(C_tl_zeros, dim(input), like_dtype(input, dtype), requires_grad)
}

#' @rdname torch_zeros
#' @export
torch_ones_like <- function(input, dtype = NULL, layout = NULL, device = NULL,
                            requires_grad = FALSE, memory_format = NULL) {
  check_device(device)
  .Call(C_tl_full, dim(input), 1, like_dtype(input, dtype), requires_grad)
}

#' @rdname torch_zeros
#' @export
torch_empty_like <- function(input, dtype = NULL, layout = NULL, device = NULL,
                             requires_grad = FALSE, memory_format = NULL) {
  check_device(device)
  .Call(C_tl_zeros, dim(input), like_dtype(input, dtype), requires_grad)
}

#' @rdname torch_zeros
#' @export
torch_full_like <- function(input, fill_value, dtype = NULL, layout = NULL, device = NULL,
                            requires_grad = FALSE, memory_format = NULL) {
  check_device(device)
  .Call(C_tl_full, dim(input), fill_value, like_dtype(input, dtype), requires_grad)
}

#' Ranges and identity matrices
#'
#' `torch_arange(start, end, step)` includes `end` when the steps land on it, as in R torch
#' (unlike PyTorch's `arange`); `torch_linspace()` gives `steps` evenly spaced values from
#' `start` to `end`; `torch_eye(n, m)` an identity matrix.
#'
#' @param start,end the first and last value.
#' @param step the distance between values.
#' @param steps the number of values.
#' @param n,m the number of rows and columns.
#' @param layout accepted for compatibility with R torch and ignored.
#' @inheritParams torch_zeros
#' @return A `torch_tensor`.
#' @examples
#' torch_arange(1, 5)
#' torch_arange(0, 1, 0.25)
#' torch_linspace(0, 1, 5)
#' torch_eye(3)
#' @name torch_arange
NULL

#' @rdname torch_arange
#' @export
torch_arange <- function(start, end, step = 1, dtype = NULL, layout = NULL, device = NULL,
                         requires_grad = FALSE) {
  # R torch makes the range inclusive by moving `end` by one float epsilon of the result
  # type (float32 unless dtype is float64).
  eps <- if (identical(dtype, torch_float64())) .Machine$double.eps else 2^-23
  step_sign <- if (is.numeric(step) && length(step) == 1 && !is.na(step)) sign(step) else 1
  end2 <- if (is.numeric(end) && length(end) == 1) end + step_sign * eps else end
  .Call(C_tl_arange, start, end2, step, dtype, requires_grad)
}

#' @rdname torch_arange
#' @export
torch_linspace <- function(start, end, steps = 100, dtype = NULL, layout = NULL,
                           device = NULL, requires_grad = FALSE) {
  check_device(device)
  .Call(C_tl_linspace, start, end, steps, dtype, requires_grad)
}

#' @rdname torch_arange
#' @export
torch_eye <- function(n, m = n, dtype = NULL, layout = NULL, device = NULL,
                      requires_grad = FALSE) {
  check_device(device)
  .Call(C_tl_eye, n, m, dtype, requires_grad)
}

#' Random tensors
#'
#' `torch_rand()` draws uniformly from \[0, 1), `torch_randn()` from the standard normal,
#' `torch_randint()` whole numbers from \[low, high) (as float32 unless `dtype` is
#' given, as in R torch). After `torch_manual_seed(s)` the
#' values are exactly those PyTorch's CPU generator gives after `torch.manual_seed(s)`.
#'
#' @param low,high the range of `torch_randint()`: low inclusive, high exclusive.
#' @param size the size of `torch_randint()`'s result.
#' @param generator not supported; must be `NULL`.
#' @param seed a non-negative whole number.
#' @inheritParams torch_zeros
#' @return A `torch_tensor`; `torch_manual_seed()` returns `NULL` invisibly.
#' @examples
#' torch_manual_seed(1)
#' torch_randn(3)
#' torch_rand(2, 2)
#' torch_randint(0, 10, c(5))
#' @name torch_rand
NULL

#' @rdname torch_rand
#' @export
torch_rand <- function(..., names = NULL, dtype = NULL, layout = NULL, device = NULL,
                       requires_grad = FALSE) {
  check_device(device)
  .Call(C_tl_rand, resolve_size(...), FALSE, dtype, requires_grad)
}

#' @rdname torch_rand
#' @export
torch_randn <- function(..., names = NULL, dtype = NULL, layout = NULL, device = NULL,
                        requires_grad = FALSE) {
  check_device(device)
  .Call(C_tl_rand, resolve_size(...), TRUE, dtype, requires_grad)
}

#' @rdname torch_rand
#' @export
torch_randint <- function(low, high, size, generator = NULL, dtype = NULL, layout = NULL,
                          device = NULL, requires_grad = FALSE, memory_format = NULL) {
  check_device(device)
  .Call(C_tl_randint, low, high, size, dtype, requires_grad)
}

#' @rdname torch_rand
#' @export
torch_rand_like <- function(input, dtype = NULL, layout = NULL, device = NULL,
                            requires_grad = FALSE, memory_format = NULL) {
  check_device(device)
  .Call(C_tl_rand, dim(input), FALSE, like_dtype(input, dtype), requires_grad)
}

#' @rdname torch_rand
#' @export
torch_randn_like <- function(input, dtype = NULL, layout = NULL, device = NULL,
                             requires_grad = FALSE, memory_format = NULL) {
  check_device(device)
  .Call(C_tl_rand, dim(input), TRUE, like_dtype(input, dtype), requires_grad)
}

#' @rdname torch_rand
#' @export
torch_randint_like <- function(input, low, high, dtype = NULL, layout = NULL, device = NULL,
                               requires_grad = FALSE) {
  check_device(device)
  .Call(C_tl_randint, low, high, dim(input), like_dtype(input, dtype), requires_grad)
}

#' @rdname torch_rand
#' @export
torch_manual_seed <- function(seed) {
  .Call(C_tl_manual_seed, seed)
  invisible(NULL)
}
