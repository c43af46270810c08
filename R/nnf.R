#' @include tensor.R
NULL

# Neural-network functions composed from differentiable tensor operations, so that autograd
# differentiates them without backward formulas of their own. Class targets are 1-based, as
# in R torch.

check_reduction <- function(reduction) {
  if (!is.character(reduction) || length(reduction) != 1 ||
      !reduction %in% c("mean", "sum", "none"))
    signal_torch_error("value_error", paste0(
      paste(format(reduction), collapse = " "), " is not a valid value for reduction"))
  reduction
}

apply_reduction <- function(loss, reduction) {
  switch(reduction, mean = loss$mean(), sum = loss$sum(), none = loss)
}

check_tensor_arg <- function(x, what) {
  if (!is_torch_tensor(x))
    signal_torch_error("type_error", paste0(
      "`", what, "` must be a tensor, not an object of class <", class(x)[1], ">"))
}

# PyTorch's choice of dim when none is given (with its deprecation warning).
implicit_softmax_dim <- function(ndim, fname) {
  warning("Implicit dimension choice for ", fname, " has been deprecated. ",
          "Change the call to include dim = X as an argument.", call. = FALSE)
  if (ndim %in% c(0, 1, 3)) 1L else 2L
}

#' Softmax and log-softmax
#'
#' `nnf_softmax(input, dim)` rescales the elements along `dim` to be positive and sum to
#' one: `exp(x) / sum(exp(x))`; `nnf_log_softmax()` is its logarithm, `x - log(sum(exp(x)))`.
#' Both subtract the maximum along `dim` first, so large inputs do not overflow.
#'
#' @param input a tensor.
#' @param dim the dimension along which the values sum to one (1-based; negative counts
#'   from the end).
#' @param dtype if given, `input` is converted to this dtype first.
#' @return A tensor of the shape of `input`.
#' @examples
#' x <- torch_tensor(matrix(c(1, 2, 3, 1000, 1001, 1002), 2, byrow = TRUE))
#' nnf_softmax(x, dim = 2)
#' nnf_log_softmax(x, dim = 2)
#' @export
nnf_softmax <- function(input, dim, dtype = NULL) {
  check_tensor_arg(input, "input")
  if (!is.null(dtype)) input <- input$to(dtype = dtype)
  if (missing(dim) || is.null(dim)) dim <- implicit_softmax_dim(input$ndim, "softmax")
  if (input$ndim == 0) return(torch_ones_like(input))
  d <- dim_arg(dim, input$ndim)
  z <- (input - input$amax(dim = d, keepdim = TRUE)$detach())$exp()
  z / z$sum(dim = d, keepdim = TRUE)
}

#' @rdname nnf_softmax
#' @export
nnf_log_softmax <- function(input, dim = NULL, dtype = NULL) {
  check_tensor_arg(input, "input")
  if (!is.null(dtype)) input <- input$to(dtype = dtype)
  if (is.null(dim)) dim <- implicit_softmax_dim(input$ndim, "log_softmax")
  if (input$ndim == 0) return(torch_zeros_like(input))
  d <- dim_arg(dim, input$ndim)
  z <- input - input$amax(dim = d, keepdim = TRUE)$detach()
  z - z$exp()$sum(dim = d, keepdim = TRUE)$log()
}

#' Hyperbolic tangent
#'
#' @param input a tensor.
#' @return `tanh(input)`, elementwise.
#' @examples
#' nnf_tanh(torch_tensor(c(-1, 0, 1)))
#' @export
nnf_tanh <- function(input) torch_tanh(input)

#' Dropout
#'
#' During training, zeroes each element of `input` with probability `p` and scales the
#' others by `1 / (1 - p)`, so that the expected value is unchanged; outside training
#' (`training = FALSE`) returns `input`. The random draws come from the package's generator
#' (see [torch_manual_seed()]).
#'
#' @param input a tensor.
#' @param p the probability of zeroing an element, in \[0, 1\].
#' @param training whether dropout is applied.
#' @param inplace whether to modify `input` in place.
#' @return A tensor of the shape of `input`.
#' @examples
#' torch_manual_seed(1)
#' nnf_dropout(torch_ones(8), p = 0.5)
#' nnf_dropout(torch_ones(3), p = 0.5, training = FALSE)
#' @export
nnf_dropout <- function(input, p = 0.5, training = TRUE, inplace = FALSE) {
  check_tensor_arg(input, "input")
  if (!is.numeric(p) || length(p) != 1 || is.na(p) || p < 0 || p > 1)
    signal_torch_error("value_error", paste0(
      "dropout probability has to be between 0 and 1, but got ", format(p)))
  if (!isTRUE(training) || p == 0) return(input)
  if (p == 1) {
    if (isTRUE(inplace)) return(input$mul_(0))
    return(input * 0)
  }
  noise <- (torch_rand(dim(input)) < (1 - p))$to(dtype = input$dtype)$div_(1 - p)
  if (isTRUE(inplace)) input$mul_(noise) else input * noise
}

#' Regression losses
#'
#' `nnf_mse_loss()` is the squared difference `(input - target)^2`, `nnf_l1_loss()` the
#' absolute difference `|input - target|`, averaged (`reduction = "mean"`), summed (`"sum"`)
#' or returned elementwise (`"none"`). `input` and `target` broadcast (with a warning when
#' their shapes differ, as in PyTorch).
#'
#' @param input,target tensors.
#' @param reduction `"mean"`, `"sum"` or `"none"`.
#' @return A tensor: 0-d, or of the broadcast shape for `reduction = "none"`.
#' @examples
#' x <- torch_tensor(c(1, 2, 3))
#' y <- torch_tensor(c(1, 0, 5))
#' nnf_mse_loss(x, y)
#' nnf_l1_loss(x, y, reduction = "sum")
#' @export
nnf_mse_loss <- function(input, target, reduction = "mean") {
  check_regression_args(input, target, reduction)
  apply_reduction((input - target)$square(), reduction)
}

#' @rdname nnf_mse_loss
#' @export
nnf_l1_loss <- function(input, target, reduction = "mean") {
  check_regression_args(input, target, reduction)
  apply_reduction((input - target)$abs(), reduction)
}

check_regression_args <- function(input, target, reduction) {
  check_tensor_arg(input, "input")
  check_tensor_arg(target, "target")
  check_reduction(reduction)
  if (!identical(as.integer(dim(input)), as.integer(dim(target))))
    warning(sprintf(paste0(
      "Using a target size ({%s}) that is different to the input size ({%s}). ",
      "This will likely lead to incorrect results due to broadcasting. ",
      "Please ensure they have the same size."),
      paste(dim(target), collapse = ", "), paste(dim(input), collapse = ", ")), call. = FALSE)
}

#' Classification losses
#'
#' `nnf_cross_entropy(input, target)` is the cross entropy between the class scores
#' (logits) `input` and the classes `target`: `nnf_nll_loss(nnf_log_softmax(input, 2),
#' target)`. `nnf_nll_loss()` takes log-probabilities: the loss of sample `i` is
#' `-weight[t_i] * input[i, t_i]`.
#'
#' `input` is `(N, C)` (or `(C)` for one sample, or `(N, C, d1, ...)`); `target` holds
#' class indices from 1 to `C` (an integer tensor of shape `(N)` or `(N, d1, ...)`), as in
#' R torch. Samples whose target equals `ignore_index` do not count. With
#' `reduction = "mean"` the losses are averaged with the weights of their classes as
#' weights. `nnf_cross_entropy()` also accepts class probabilities as `target` (a floating
#' tensor of the shape of `input`).
#'
#' @param input a tensor of scores (`nnf_cross_entropy()`) or log-probabilities
#'   (`nnf_nll_loss()`).
#' @param target an integer tensor of class indices (1-based).
#' @param weight an optional tensor of `C` class weights.
#' @param ignore_index a target value that is ignored.
#' @param reduction `"mean"`, `"sum"` or `"none"`.
#' @return A tensor: 0-d, or the per-sample losses for `reduction = "none"`.
#' @examples
#' logits <- torch_tensor(matrix(c(2, 0.5, -1, 0.1, 0.2, 3), 2, byrow = TRUE))
#' target <- torch_tensor(c(1L, 3L))
#' nnf_cross_entropy(logits, target)
#' nnf_nll_loss(nnf_log_softmax(logits, 2), target, reduction = "none")
#' @export
nnf_cross_entropy <- function(input, target, weight = NULL, ignore_index = -100,
                              reduction = "mean") {
  check_tensor_arg(input, "input")
  check_tensor_arg(target, "target")
  if (!is.null(weight)) check_tensor_arg(weight, "weight")
  check_reduction(reduction)
  cdim <- if (input$ndim == 1) 1L else 2L
  if (is_floating_tensor(target)) {
    if (!identical(as.integer(dim(input)), as.integer(dim(target))))
      signal_torch_error("value_error", sprintf(
        "Expected target of class probabilities to have the shape of input {%s}, got {%s}",
        paste(dim(input), collapse = ", "), paste(dim(target), collapse = ", ")))
    logp <- nnf_log_softmax(input, dim = cdim)
    if (!is.null(weight)) {
      shape <- rep(1L, input$ndim)
      shape[cdim] <- -1L
      logp <- logp * weight$reshape(shape)
    }
    loss <- -(logp * target)$sum(dim = cdim)
    if (reduction == "mean")
      return(if (input$ndim == 1) loss else loss$sum() / (input$numel() / input$size(cdim)))
    return(apply_reduction(loss, reduction))
  }
  nnf_nll_loss(nnf_log_softmax(input, dim = cdim), target, weight = weight,
               ignore_index = ignore_index, reduction = reduction)
}

#' @rdname nnf_cross_entropy
#' @export
nnf_nll_loss <- function(input, target, weight = NULL, ignore_index = -100,
                         reduction = "mean") {
  check_tensor_arg(input, "input")
  check_tensor_arg(target, "target")
  if (!is.numeric(ignore_index) || length(ignore_index) != 1 || is.na(ignore_index) ||
      is.factor(ignore_index))
    signal_torch_error("value_error", "ignore_index must be a single whole number")
  if (!is.null(weight)) check_tensor_arg(weight, "weight")
  check_reduction(reduction)
  if (is_floating_tensor(target) || target$dtype == torch_bool())
    signal_torch_error("type_error", paste0(
      "expected scalar type Long but found ", as.character(target$dtype),
      " (target must hold class indices from 1 to C)"))
  nd <- input$ndim
  if (nd < 1)
    signal_torch_error("value_error", "input must have at least one dimension (the classes)")
  n_class <- if (nd == 1) input$size(1) else input$size(2)
  out_shape <- if (nd == 1) integer(0) else dim(input)[-2]
  if (!identical(as.integer(dim(target)), as.integer(out_shape)))
    signal_torch_error("value_error", sprintf(
      "Expected target of shape {%s} for input of shape {%s}, got {%s}",
      paste(out_shape, collapse = ", "), paste(dim(input), collapse = ", "),
      paste(dim(target), collapse = ", ")))
  # rows of C log-probabilities, one per sample
  logp <- if (nd == 1) input$reshape(c(1, -1))
          else if (nd == 2) input
          else input$permute(c(1, seq(3, nd), 2))$reshape(c(-1, n_class))
  tgt <- target$to(dtype = torch_long())$reshape(-1)
  n <- tgt$numel()
  valid <- tgt != ignore_index
  if (n > 0) {
    bad <- valid & ((tgt < 1) | (tgt > n_class))
    if (as.logical(bad$any())) {
      first <- as.numeric(tgt[bad])[1]
      signal_torch_error("index_error", sprintf(
        "Target %s is out of bounds (classes are 1 to %d).", format(first), n_class))
    }
  }
  safe <- torch_where(valid, tgt, 1L)
  flat <- torch_arange(0, n - 1, dtype = torch_long()) * n_class + safe
  picked <- logp$reshape(-1)[flat]
  if (is.null(weight)) {
    w <- valid$to(dtype = input$dtype)
  } else {
    check_tensor_arg(weight, "weight")
    if (weight$numel() != n_class)
      signal_torch_error("value_error", sprintf(
        "weight tensor should be defined either for all %d classes or no classes but got weight tensor of shape: {%s}",
        n_class, paste(dim(weight), collapse = ", ")))
    w <- weight$reshape(-1)[safe]$to(dtype = input$dtype) * valid
  }
  loss <- -(picked * w)
  switch(reduction,
    none = loss$reshape(out_shape),
    sum = loss$sum(),
    mean = loss$sum() / w$sum()
  )
}

#' Binary cross entropy
#'
#' `nnf_binary_cross_entropy(input, target)` is `-(t log(x) + (1 - t) log(1 - x))` for
#' probabilities `input` in \[0, 1\] (the logarithms are clamped at -100, as in PyTorch);
#' `nnf_binary_cross_entropy_with_logits()` takes logits and applies the sigmoid itself,
#' in a numerically stable form. `weight` rescales each element's loss; `pos_weight`
#' weighs the positive examples (one value per class, broadcast along the last
#' dimension).
#'
#' @param input probabilities (or logits for the `_with_logits` form).
#' @param target a tensor of the shape of `input`, with values in \[0, 1\].
#' @param weight an optional tensor that multiplies the elementwise losses.
#' @param reduction `"mean"`, `"sum"` or `"none"`.
#' @param pos_weight an optional tensor of weights of positive examples.
#' @return A tensor: 0-d, or the elementwise losses for `reduction = "none"`.
#' @examples
#' p <- torch_tensor(c(0.9, 0.2, 0.6))
#' y <- torch_tensor(c(1, 0, 1))
#' nnf_binary_cross_entropy(p, y)
#' nnf_binary_cross_entropy_with_logits(torch_tensor(c(2, -1, 0.5)), y)
#' @export
nnf_binary_cross_entropy <- function(input, target, weight = NULL, reduction = "mean") {
  check_tensor_arg(input, "input")
  check_tensor_arg(target, "target")
  if (!is.null(weight)) check_tensor_arg(weight, "weight")
  check_reduction(reduction)
  if (!identical(as.integer(dim(input)), as.integer(dim(target))))
    signal_torch_error("value_error", sprintf(
      "Using a target size ({%s}) that is different to the input size ({%s}) is deprecated. Please ensure they have the same size.",
      paste(dim(target), collapse = ", "), paste(dim(input), collapse = ", ")))
  if (input$numel() > 0 && as.logical(((input < 0) | (input > 1))$any()))
    signal_torch_error("runtime_error", "all elements of input should be between 0 and 1")
  loss <- (target - 1) * torch_clamp((-input)$log1p(), min = -100) -
    target * torch_clamp(input$log(), min = -100)
  if (!is.null(weight)) loss <- loss * weight
  apply_reduction(loss, reduction)
}

#' @rdname nnf_binary_cross_entropy
#' @export
nnf_binary_cross_entropy_with_logits <- function(input, target, weight = NULL,
                                                 reduction = "mean", pos_weight = NULL) {
  check_tensor_arg(input, "input")
  check_tensor_arg(target, "target")
  if (!is.null(weight)) check_tensor_arg(weight, "weight")
  if (!is.null(pos_weight)) check_tensor_arg(pos_weight, "pos_weight")
  check_reduction(reduction)
  if (!identical(as.integer(dim(input)), as.integer(dim(target))))
    signal_torch_error("value_error", sprintf(
      "Target size ({%s}) must be the same as input size ({%s})",
      paste(dim(target), collapse = ", "), paste(dim(input), collapse = ", ")))
  max_val <- torch_clamp(-input, min = 0)
  # log(1 + exp(-x)), computed as max_val + log(exp(-max_val) + exp(-x - max_val))
  softplus <- ((-max_val)$exp() + (-input - max_val)$exp())$log()
  if (!is.null(pos_weight)) {
    log_weight <- (pos_weight - 1) * target + 1
    loss <- (1 - target) * input + log_weight * (softplus + max_val)
  } else {
    loss <- (1 - target) * input + max_val + softplus
  }
  if (!is.null(weight)) loss <- loss * weight
  apply_reduction(loss, reduction)
}
