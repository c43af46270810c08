#' @include tensor.R
NULL

# Reductions. Dimensions are 1-based as in R torch (negative counts from the end); indices
# returned by max/min/argmax/argmin are 1-based. Each function is one .Call.

#' Sums, means and products
#'
#' `torch_sum()`, `torch_mean()` and `torch_prod()` reduce over all elements (giving a 0-d
#' tensor) or over the dimensions in `dim`. Sums and products of integer or logical tensors
#' are int64 (as in PyTorch); the mean of an integer tensor is an error unless `dtype` names
#' a floating type. Float32 sums use libtorch's cascade summation, so they are accurate over
#' long vectors and equal PyTorch's for small tensors.
#'
#' @param self a tensor.
#' @param dim the dimension(s) to reduce, 1-based; negative values count from the end.
#'   `torch_prod()` takes a single dimension. Missing: all dimensions.
#' @param keepdim whether the reduced dimensions are kept with size 1.
#' @param dtype the dtype to convert the input to before reducing (and of the result).
#' @return A tensor.
#' @examples
#' x <- torch_tensor(matrix(1:6, 2, 3), dtype = torch_float())
#' torch_sum(x)
#' torch_sum(x, dim = 1)
#' x$mean(dim = 2, keepdim = TRUE)
#' torch_prod(x, dim = 2)
#' @name torch_sum
NULL

#' @rdname torch_sum
#' @export
torch_sum <- function(self, dim, keepdim = FALSE, dtype = NULL)
  .Call(C_tl_sum, self, if (missing(dim)) NULL else dim, keepdim, dtype)

#' @rdname torch_sum
#' @export
torch_mean <- function(self, dim, keepdim = FALSE, dtype = NULL)
  .Call(C_tl_mean, self, if (missing(dim)) NULL else dim, keepdim, dtype)

#' @rdname torch_sum
#' @export
torch_prod <- function(self, dim, keepdim = FALSE, dtype = NULL)
  .Call(C_tl_prod, self, if (missing(dim)) NULL else dim, keepdim, dtype)

#' Maxima and minima
#'
#' Without `dim`, `torch_max()` and `torch_min()` give the largest (smallest) element as a
#' 0-d tensor; with `dim` they give a list of the values and the 1-based int64 indices of
#' the first maximum along that dimension. With `other` they are the elementwise
#' [torch_maximum()] / [torch_minimum()]. `torch_amax()`/`torch_amin()` reduce over one or
#' more dimensions without indices; `torch_argmax()`/`torch_argmin()` give only the
#' (1-based) indices, into the flattened tensor when `dim` is `NULL`. NaN counts as the
#' extreme: it propagates into values and its index is returned.
#'
#' @inheritParams torch_sum
#' @param dim the dimension to reduce (1-based; for `torch_amax()`/`torch_amin()` one or
#'   more dimensions).
#' @param other a tensor to compare with elementwise.
#' @return A tensor, or for `torch_max(x, dim)` a list of two tensors (values, indices).
#' @examples
#' x <- torch_tensor(matrix(c(1, 5, 3, 2, 4, 6), 2, 3))
#' torch_max(x)
#' torch_max(x, dim = 2)
#' x$argmax(dim = 1)
#' x$amin(dim = c(1, 2))
#' @name torch_max
NULL

#' @rdname torch_max
#' @export
torch_max <- function(self, dim, other, keepdim = FALSE) {
  if (!missing(other)) return(torch_maximum(self, other))
  if (missing(dim)) return(.Call(C_tl_max, self, NULL, keepdim, TRUE))
  if (is_torch_tensor(dim)) return(torch_maximum(self, dim))
  .Call(C_tl_max, self, dim, keepdim, TRUE)
}

#' @rdname torch_max
#' @export
torch_min <- function(self, dim, other, keepdim = FALSE) {
  if (!missing(other)) return(torch_minimum(self, other))
  if (missing(dim)) return(.Call(C_tl_max, self, NULL, keepdim, FALSE))
  if (is_torch_tensor(dim)) return(torch_minimum(self, dim))
  .Call(C_tl_max, self, dim, keepdim, FALSE)
}

#' @rdname torch_max
#' @export
torch_amax <- function(self, dim = NULL, keepdim = FALSE)
  .Call(C_tl_amax, self, dim, keepdim, TRUE)

#' @rdname torch_max
#' @export
torch_amin <- function(self, dim = NULL, keepdim = FALSE)
  .Call(C_tl_amax, self, dim, keepdim, FALSE)

#' @rdname torch_max
#' @export
torch_argmax <- function(self, dim = NULL, keepdim = FALSE)
  .Call(C_tl_argmax, self, dim, keepdim, TRUE)

#' @rdname torch_max
#' @export
torch_argmin <- function(self, dim = NULL, keepdim = FALSE)
  .Call(C_tl_argmax, self, dim, keepdim, FALSE)

#' Variance and standard deviation
#'
#' The divisor is `N - correction` (at least 0); `unbiased = TRUE` (the default) means
#' `correction = 1`, `unbiased = FALSE` `correction = 0`. Floating tensors only; computed
#' in double precision.
#'
#' @inheritParams torch_sum
#' @param unbiased whether to use Bessel's correction.
#' @param correction the difference between the sample size and the degrees of freedom;
#'   overrides `unbiased`.
#' @return A tensor.
#' @examples
#' x <- torch_tensor(c(1, 2, 4, 8))
#' torch_var(x)
#' torch_std(x, unbiased = FALSE)
#' @name torch_var
NULL

#' @rdname torch_var
#' @export
torch_var <- function(self, dim, unbiased = TRUE, keepdim = FALSE, correction = NULL)
  .Call(C_tl_var, self, if (missing(dim)) NULL else dim, unbiased, keepdim, correction, FALSE)

#' @rdname torch_var
#' @export
torch_std <- function(self, dim, unbiased = TRUE, keepdim = FALSE, correction = NULL)
  .Call(C_tl_var, self, if (missing(dim)) NULL else dim, unbiased, keepdim, correction, TRUE)

#' Vector norms
#'
#' The p-norm over all elements or over `dim`: `p = 2` (the default, also `"fro"`), `1`,
#' `Inf` (largest absolute value), `-Inf`, `0` (number of nonzero elements) or any other
#' number. Floating tensors only.
#'
#' @inheritParams torch_sum
#' @param p the order of the norm.
#' @return A tensor.
#' @examples
#' x <- torch_tensor(c(3, -4))
#' torch_norm(x)
#' x$norm(p = 1)
#' @export
torch_norm <- function(self, p = 2, dim, keepdim = FALSE, dtype = NULL)
  .Call(C_tl_norm, self, p, if (missing(dim)) NULL else dim, keepdim, dtype)

#' Log of summed exponentials
#'
#' `log(sum(exp(self)))` over `dim`, computed stably as `m + log(sum(exp(self - m)))` with
#' `m` the maximum. Integer tensors give float32.
#'
#' @inheritParams torch_sum
#' @param dim the dimension(s) to reduce (required).
#' @return A tensor.
#' @examples
#' torch_logsumexp(torch_tensor(c(1000, 1000)), dim = 1)
#' @export
torch_logsumexp <- function(self, dim, keepdim = FALSE)
  .Call(C_tl_logsumexp, self, dim, keepdim)

#' Cumulative sum
#'
#' @inheritParams torch_sum
#' @param dim the dimension to accumulate along (required, 1-based).
#' @return A tensor of the shape of `self`; integer and logical tensors give int64.
#' @examples
#' torch_cumsum(torch_tensor(1:5), dim = 1)
#' @export
torch_cumsum <- function(self, dim, dtype = NULL)
  .Call(C_tl_cumsum, self, dim, dtype)

#' All and any
#'
#' Whether all (any) elements are nonzero, over the whole tensor or along `dim`. Any dtype;
#' the result is a bool tensor.
#'
#' @inheritParams torch_sum
#' @param dim a single dimension (1-based), or missing for all elements.
#' @return A bool tensor.
#' @examples
#' x <- torch_tensor(matrix(c(TRUE, FALSE, TRUE, TRUE), 2))
#' torch_all(x)
#' torch_any(x, dim = 1)
#' @name torch_all
NULL

#' @rdname torch_all
#' @export
torch_all <- function(self, dim, keepdim = FALSE)
  .Call(C_tl_all, self, if (missing(dim)) NULL else dim, keepdim, TRUE)

#' @rdname torch_all
#' @export
torch_any <- function(self, dim, keepdim = FALSE)
  .Call(C_tl_all, self, if (missing(dim)) NULL else dim, keepdim, FALSE)

define_methods(
  sum = function(dim, keepdim = FALSE, dtype = NULL)
    .Call(C_tl_sum, self, if (missing(dim)) NULL else dim, keepdim, dtype),
  mean = function(dim, keepdim = FALSE, dtype = NULL)
    .Call(C_tl_mean, self, if (missing(dim)) NULL else dim, keepdim, dtype),
  prod = function(dim, keepdim = FALSE, dtype = NULL)
    .Call(C_tl_prod, self, if (missing(dim)) NULL else dim, keepdim, dtype),
  max = function(dim, other, keepdim = FALSE) {
    if (!missing(other)) return(torch_maximum(self, other))
    if (missing(dim)) return(.Call(C_tl_max, self, NULL, keepdim, TRUE))
    if (is_torch_tensor(dim)) return(torch_maximum(self, dim))
    .Call(C_tl_max, self, dim, keepdim, TRUE)
  },
  min = function(dim, other, keepdim = FALSE) {
    if (!missing(other)) return(torch_minimum(self, other))
    if (missing(dim)) return(.Call(C_tl_max, self, NULL, keepdim, FALSE))
    if (is_torch_tensor(dim)) return(torch_minimum(self, dim))
    .Call(C_tl_max, self, dim, keepdim, FALSE)
  },
  amax = function(dim = NULL, keepdim = FALSE) .Call(C_tl_amax, self, dim, keepdim, TRUE),
  amin = function(dim = NULL, keepdim = FALSE) .Call(C_tl_amax, self, dim, keepdim, FALSE),
  argmax = function(dim = NULL, keepdim = FALSE) .Call(C_tl_argmax, self, dim, keepdim, TRUE),
  argmin = function(dim = NULL, keepdim = FALSE) .Call(C_tl_argmax, self, dim, keepdim, FALSE),
  var = function(dim, unbiased = TRUE, keepdim = FALSE, correction = NULL)
    .Call(C_tl_var, self, if (missing(dim)) NULL else dim, unbiased, keepdim, correction, FALSE),
  std = function(dim, unbiased = TRUE, keepdim = FALSE, correction = NULL)
    .Call(C_tl_var, self, if (missing(dim)) NULL else dim, unbiased, keepdim, correction, TRUE),
  norm = function(p = 2, dim, keepdim = FALSE, dtype = NULL)
    .Call(C_tl_norm, self, p, if (missing(dim)) NULL else dim, keepdim, dtype),
  logsumexp = function(dim, keepdim = FALSE) .Call(C_tl_logsumexp, self, dim, keepdim),
  cumsum = function(dim, dtype = NULL) .Call(C_tl_cumsum, self, dim, dtype),
  all = function(dim, keepdim = FALSE)
    .Call(C_tl_all, self, if (missing(dim)) NULL else dim, keepdim, TRUE),
  any = function(dim, keepdim = FALSE)
    .Call(C_tl_all, self, if (missing(dim)) NULL else dim, keepdim, FALSE)
)

# ---- base R generics: sum(x), max(x), mean(x), ... return 0-d tensors as in R torch

no_na_rm <- function(na.rm) {
  if (isTRUE(na.rm)) signal_torch_error("value_error", "Torch tensors do not have NAs!")
}

#' Base R summaries of tensors
#'
#' `sum()`, `prod()`, `max()`, `min()`, `mean()`, `all()`, `any()` and `cumsum()` work on
#' tensors and return tensors (0-d for the summaries), as in R torch. With several tensors,
#' `sum()` and `prod()` combine the per-tensor results, `max()`/`min()` take the largest
#' (smallest) of them.
#'
#' @param x,... tensors.
#' @param dim,keepdim as in [torch_sum()] (for `sum()`, `prod()` and `mean()` on one tensor).
#' @param na.rm must be `FALSE`: tensors have no NA.
#' @return A tensor.
#' @examples
#' x <- torch_tensor(c(1, 2, 3))
#' sum(x)
#' max(x)
#' mean(x)
#' any(x > 2)
#' @name tensor-summary
NULL

#' @rdname tensor-summary
#' @export
sum.torch_tensor <- function(..., dim, keepdim = FALSE, na.rm = FALSE) {
  no_na_rm(na.rm)
  l <- list(...)
  if (length(l) == 1) {
    if (!missing(dim)) return(torch_sum(l[[1]], dim = dim, keepdim = keepdim))
    return(.Call(C_tl_sum, l[[1]], NULL, FALSE, NULL))
  }
  if (!missing(dim)) signal_torch_error("value_error", "dim can only be used with a single tensor")
  Reduce(function(a, b) torch_sum(torch_stack_scalars(a, b)), lapply(l, torch_sum))
}

#' @rdname tensor-summary
#' @export
prod.torch_tensor <- function(..., dim, keepdim = FALSE, na.rm = FALSE) {
  no_na_rm(na.rm)
  l <- list(...)
  if (length(l) == 1) {
    if (!missing(dim)) return(torch_prod(l[[1]], dim = dim, keepdim = keepdim))
    return(.Call(C_tl_prod, l[[1]], NULL, FALSE, NULL))
  }
  if (!missing(dim)) signal_torch_error("value_error", "dim can only be used with a single tensor")
  Reduce(function(a, b) torch_prod(torch_stack_scalars(a, b)), lapply(l, torch_prod))
}

#' @rdname tensor-summary
#' @export
max.torch_tensor <- function(..., na.rm = FALSE) {
  no_na_rm(na.rm)
  l <- list(...)
  if (length(l) == 1) return(.Call(C_tl_max, l[[1]], NULL, FALSE, TRUE))
  .Call(C_tl_max, torch_stack_scalars_list(lapply(l, torch_max)), NULL, FALSE, TRUE)
}

#' @rdname tensor-summary
#' @export
min.torch_tensor <- function(..., na.rm = FALSE) {
  no_na_rm(na.rm)
  l <- list(...)
  if (length(l) == 1) return(.Call(C_tl_max, l[[1]], NULL, FALSE, FALSE))
  .Call(C_tl_max, torch_stack_scalars_list(lapply(l, torch_min)), NULL, FALSE, FALSE)
}

#' @rdname tensor-summary
#' @export
all.torch_tensor <- function(..., na.rm = FALSE) {
  no_na_rm(na.rm)
  l <- list(...)
  if (length(l) == 1) return(.Call(C_tl_all, l[[1]], NULL, FALSE, TRUE))
  .Call(C_tl_all, torch_stack_scalars_list(lapply(l, torch_all)), NULL, FALSE, TRUE)
}

#' @rdname tensor-summary
#' @export
any.torch_tensor <- function(..., na.rm = FALSE) {
  no_na_rm(na.rm)
  l <- list(...)
  if (length(l) == 1) return(.Call(C_tl_all, l[[1]], NULL, FALSE, FALSE))
  .Call(C_tl_all, torch_stack_scalars_list(lapply(l, torch_any)), NULL, FALSE, FALSE)
}

#' @rdname tensor-summary
#' @export
mean.torch_tensor <- function(x, dim, keepdim = FALSE, na.rm = FALSE, ...) {
  no_na_rm(na.rm)
  .Call(C_tl_mean, x, if (missing(dim)) NULL else dim, keepdim, NULL)
}

#' @rdname tensor-summary
#' @export
cumsum.torch_tensor <- function(x) .Call(C_tl_cumsum, x, 1L, NULL)

# Combines one-element tensors into a 1-d tensor of their (common) dtype, for the
# several-argument forms of the summaries above.
torch_stack_scalars <- function(...) torch_stack_scalars_list(list(...))
torch_stack_scalars_list <- function(l) {
  dts <- vapply(l, function(t) unclass(t$dtype), 1L)
  dt <- max(dts)
  vals <- vapply(l, function(t) as.numeric(as_array(t)), 1)
  if (dt == 0L) torch_tensor(as.logical(vals))
  else torch_tensor(vals, dtype = new_dtype(dt))
}
