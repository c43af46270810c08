#' @include tensor.R
NULL

#' Objective and gradient for base R optimisers
#'
#' Turns a function of a tensor into the pair of functions that [stats::optim()],
#' [stats::nlminb()] and similar optimisers want: `fn(par)`, the value at a numeric vector
#' `par`, and `gr(par)`, its gradient, computed by autograd. `par` becomes a float64
#' tensor with `requires_grad = TRUE`, `fn` is evaluated on it, and `backward()` gives the
#' gradient.
#'
#' The last evaluation is cached: `fn(par)` records the graph, and a following `gr(par)` at
#' the same `par` only runs the backward pass; calling them the other way round, or twice,
#' computes nothing again. Optimisers that need only values (Nelder-Mead) pay no backward
#' passes.
#'
#' @param fn a function whose first argument is a one-dimensional float64 tensor (the
#'   parameters, in the order of `par`) and that returns a one-element tensor.
#' @param ... further arguments passed to `fn`.
#' @param dtype the dtype of the parameter tensor (float64 by default: optimisers compare
#'   values to high precision).
#' @return A list of class `"torch_optim_objective"` with the functions
#'   * `fn(par)`: the value, a number;
#'   * `gr(par)`: the gradient, a numeric vector as long as `par`;
#'   * `value_and_grad(par)`: both, as `list(value, gradient)`;
#'   * `counts()`: how many forward and backward passes were run (`c(forward, backward)`).
#' @examples
#' # Rosenbrock's function, minimised with BFGS
#' rosen <- function(x) (1 - x[1])^2 + 100 * (x[2] - x[1]^2)^2
#' obj <- torch_optim_objective(rosen)
#' obj$fn(c(-1.2, 1))
#' obj$gr(c(-1.2, 1))
#' fit <- optim(c(-1.2, 1), obj$fn, obj$gr, method = "BFGS")
#' fit$par
#' nlminb(c(-1.2, 1), obj$fn, obj$gr)$par
#'
#' # maximum likelihood: a normal sample's mean and log standard deviation
#' set.seed(1)
#' z <- torch_tensor(rnorm(50, mean = 3, sd = 2), dtype = torch_float64())
#' nll <- function(theta) {
#'   mu <- theta[1]
#'   log_sd <- theta[2]
#'   (log_sd + 0.5 * ((z - mu) / log_sd$exp())^2)$sum()
#' }
#' obj2 <- torch_optim_objective(nll)
#' ml <- optim(c(0, 0), obj2$fn, obj2$gr, method = "BFGS")
#' c(mean = ml$par[1], sd = exp(ml$par[2]))
#' @export
torch_optim_objective <- function(fn, ..., dtype = torch_float64()) {
  if (!is.function(fn)) signal_torch_error("value_error", "fn must be a function")
  if (!inherits(dtype, "torch_dtype") || !(dtype == torch_float32() || dtype == torch_float64()))
    signal_torch_error("value_error", "dtype must be torch_float64() or torch_float32()")
  extra <- list(...)
  last_par <- NULL
  last_out <- NULL   # the value tensor, with its graph until the backward pass ran
  last_x <- NULL
  last_value <- NULL
  last_grad <- NULL
  n_forward <- 0L
  n_backward <- 0L

  check_par <- function(par) {
    if (!is.numeric(par) || length(par) == 0)
      signal_torch_error("value_error", "par must be a non-empty numeric vector")
    # a private copy for the cache, in case an optimiser's C code reuses its vector
    as.double(par) + 0
  }
  forward <- function(par) {
    par <- check_par(par)
    if (identical(par, last_par)) return(invisible())
    x <- torch_tensor(par, dtype = dtype, requires_grad = TRUE)
    out <- with_enable_grad(do.call(fn, c(list(x), extra)))
    if (!is_torch_tensor(out) || out$numel() != 1)
      signal_torch_error("value_error", "fn must return a one-element tensor")
    n_forward <<- n_forward + 1L
    last_par <<- par
    last_x <<- x
    last_out <<- out
    last_value <<- as.numeric(out$detach())
    last_grad <<- NULL
    invisible()
  }
  backward <- function(par) {
    forward(par)
    if (is.null(last_grad)) {
      g <- NULL
      if (last_out$requires_grad) {
        g <- autograd_grad(last_out, list(last_x), allow_unused = TRUE)[[1]]
        n_backward <<- n_backward + 1L
      }
      last_grad <<- if (is.null(g)) numeric(length(last_par)) else as.numeric(g)
      last_out <<- NULL # the graph is spent; the value is kept
    }
    invisible()
  }
  structure(list(
    fn = function(par) {
      forward(par)
      last_value
    },
    gr = function(par) {
      backward(par)
      last_grad
    },
    value_and_grad = function(par) {
      backward(par)
      list(value = last_value, gradient = last_grad)
    },
    counts = function() c(forward = n_forward, backward = n_backward)
  ), class = "torch_optim_objective")
}

#' @export
print.torch_optim_objective <- function(x, ...) {
  cnt <- x$counts()
  cat("<torch_optim_objective: fn(par), gr(par); ", cnt[["forward"]], " forward and ",
      cnt[["backward"]], " backward passes so far>\n", sep = "")
  invisible(x)
}
