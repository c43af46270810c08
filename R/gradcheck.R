#' @include tensor.R
NULL

#' Check gradients against finite differences
#'
#' Compares the gradients autograd computes for `fn` at `inputs` with central finite
#' differences, element by element. Use double-precision inputs: float32 rounding swamps the
#' differences.
#'
#' @param fn a function of the input tensors (called as `fn(x)` for one input, or with the
#'   list spliced in: `do.call(fn, inputs)`), returning a tensor.
#' @param inputs a tensor or a list of tensors; those with `requires_grad = TRUE` are
#'   checked.
#' @param eps the finite-difference step.
#' @param atol,rtol tolerances: an element passes when
#'   `abs(analytic - numeric) <= atol + rtol * abs(numeric)`.
#' @param raise_exception signal an error describing the worst element on failure (the
#'   default); otherwise return `FALSE`.
#' @return `TRUE` (invisibly) when every gradient agrees.
#' @examples
#' x <- torch_tensor(c(0.5, 1.5), dtype = torch_float64(), requires_grad = TRUE)
#' gradcheck(function(x) (x * x)$sum(), x)
#' @export
gradcheck <- function(fn, inputs, eps = 1e-6, atol = 1e-5, rtol = 1e-3,
                      raise_exception = TRUE) {
  if (!is.function(fn)) signal_torch_error("value_error", "fn must be a function")
  for (a in c("eps", "atol", "rtol")) {
    v <- get(a)
    if (!is.numeric(v) || length(v) != 1 || is.na(v) || v < 0)
      signal_torch_error("value_error", paste0(a, " must be a single non-negative number"))
  }
  single <- is_torch_tensor(inputs)
  if (single) inputs <- list(inputs)
  if (!is.list(inputs) || !all(vapply(inputs, is_torch_tensor, TRUE)))
    signal_torch_error("value_error", "inputs must be a tensor or a list of tensors")
  call_fn <- function(xs) if (single) fn(xs[[1]]) else do.call(fn, xs)
  check <- which(vapply(inputs, function(x) x$requires_grad, TRUE))
  if (length(check) == 0)
    signal_torch_error("value_error", "gradcheck needs at least one input with requires_grad = TRUE")
  for (k in check) {
    if (!(inputs[[k]]$dtype == torch_float64()))
      warning("gradcheck: input ", k, " is not double precision; the check may fail from rounding alone")
  }
  out <- call_fn(inputs)
  if (!is_torch_tensor(out)) signal_torch_error("value_error", "fn must return a tensor")
  n_out <- out$numel()
  worst <- NULL
  for (k in check) {
    x <- inputs[[k]]
    xv <- as.numeric(tl_values(x))
    n_in <- length(xv)
    analytic <- matrix(0, n_out, n_in)
    for (i in seq_len(n_out)) {
      onehot <- numeric(n_out)
      onehot[i] <- 1
      go <- rowmajor_tensor(onehot, out$shape, out$dtype)
      g <- autograd_grad(out, inputs[check], grad_outputs = go, retain_graph = TRUE,
                         allow_unused = TRUE)[[which(check == k)]]
      if (!is.null(g)) analytic[i, ] <- as.numeric(tl_values(g))
    }
    numeric_j <- matrix(0, n_out, n_in)
    for (j in seq_len(n_in)) {
      f_at <- function(delta) {
        v <- xv
        v[j] <- v[j] + delta
        xs <- inputs
        xs[[k]] <- rowmajor_tensor(v, x$shape, x$dtype)
        with_no_grad(as.numeric(tl_values(call_fn(xs))))
      }
      numeric_j[, j] <- (f_at(eps) - f_at(-eps)) / (2 * eps)
    }
    err <- abs(analytic - numeric_j) - (atol + rtol * abs(numeric_j))
    if (any(err > 0 | is.na(err))) {
      at <- which.max(replace(err, is.na(err), Inf))
      pos <- arrayInd(at, dim(err))
      worst <- sprintf(
        "Jacobian mismatch for input %d, output element %d, input element %d: analytic %.8g, numeric %.8g",
        k, pos[1], pos[2], analytic[at], numeric_j[at])
      break
    }
  }
  if (!is.null(worst)) {
    if (raise_exception) signal_torch_error("runtime_error", worst)
    return(FALSE)
  }
  invisible(TRUE)
}

# A tensor from values in row-major order.
rowmajor_tensor <- function(v, shape, dtype) {
  if (length(shape) <= 1) return(torch_tensor(array(v, dim = max(length(v), 0L)), dtype = dtype)$reshape(shape))
  a <- aperm(array(v, dim = rev(shape)), rev(seq_along(shape)))
  torch_tensor(a, dtype = dtype)
}
