#' @include tensor.R
NULL

# Initialisation of parameters, in place and without recording gradients. The uniform and
# normal draws reproduce libtorch's `uniform_(a, b)` and `normal_(mean, std)` from the
# package's generator (which is libtorch's): after `torch_manual_seed(s)`, `nn_linear()`'s
# weights equal `torch.nn.Linear`'s after `torch.manual_seed(s)`.

f32_round <- function(x) as.numeric(torch_tensor(x, dtype = torch_float32()))

# tensor$uniform_(a, b) as libtorch computes it: fma(u, b - a, a) in the tensor's dtype,
# u from the generator's unit uniform stream. For float32, u * range + a is exact in double
# (both operands have 24-bit mantissas), so one rounding to float32 gives the fused result.
init_uniform <- function(tensor, a, b) {
  dt <- tensor$dtype
  if (dt == torch_float32()) {
    from <- f32_round(a)
    range <- f32_round(f32_round(b) - from)
    u <- torch_rand(dim(tensor), dtype = torch_float32())$to(dtype = torch_float64())
    vals <- (u * range + from)$to(dtype = torch_float32())
  } else {
    u <- as.numeric(torch_rand(dim(tensor), dtype = dt))
    v <- fma_double(u, b - a, a)
    if (length(dim(tensor)) >= 2) v <- array(v, dim = dim(tensor))
    vals <- torch_tensor(v, dtype = dt)$reshape(dim(tensor))
  }
  with_no_grad(tensor$copy_(vals))
  invisible(tensor)
}

# a * b + c with a single rounding (as C's fma()), from error-free transformations:
# Dekker's product and Knuth's sum.
fma_double <- function(a, b, c) {
  split <- function(x) {
    t <- 134217729 * x
    hi <- t - (t - x)
    list(hi = hi, lo = x - hi)
  }
  p <- a * b
  sa <- split(a)
  sb <- split(b)
  e <- ((sa$hi * sb$hi - p) + sa$hi * sb$lo + sa$lo * sb$hi) + sa$lo * sb$lo
  s <- p + c
  bb <- s - p
  t <- (p - (s - bb)) + (c - bb)
  s + (t + e)
}

# tensor$normal_(mean, std): libtorch draws fewer than 16 values one by one in double
# precision (then rounds), 16 or more in blocks in the tensor's dtype. z * std is exact in
# double for float32 operands, so with mean 0 the result is libtorch's bit for bit.
init_normal <- function(tensor, mean, std) {
  dt <- tensor$dtype
  if (dt == torch_float32() && tensor$numel() >= 16) {
    # libtorch's block kernel computes fmaf(z, (float) std, (float) mean)
    z <- torch_randn(dim(tensor), dtype = torch_float32())$to(dtype = torch_float64())
    std <- f32_round(std)
    mean <- f32_round(mean)
  } else {
    z <- torch_randn(dim(tensor), dtype = torch_float64())
  }
  vals <- (z * std + mean)$to(dtype = dt)
  with_no_grad(tensor$copy_(vals))
  invisible(tensor)
}

check_init_number <- function(x, what) {
  if (!is.numeric(x) || length(x) != 1 || is.na(x) || is.factor(x))
    signal_torch_error("value_error", paste0("`", what, "` must be a single number, not NA"))
}

check_init_tensor <- function(tensor) {
  if (!is_torch_tensor(tensor))
    signal_torch_error("type_error", paste0(
      "`tensor` must be a tensor, not an object of class <", class(tensor)[1], ">"))
  if (!is_floating_tensor(tensor))
    signal_torch_error("type_error", paste0(
      "initialisation needs a floating point tensor, got ", as.character(tensor$dtype)))
}

#' Fans of a weight tensor
#'
#' The number of inputs (`fan_in`) and outputs (`fan_out`) of a weight tensor of shape
#' `(out, in, ...)`, as PyTorch's `_calculate_fan_in_and_fan_out`.
#'
#' @param tensor a tensor with at least 2 dimensions.
#' @return A named numeric vector `c(fan_in = , fan_out = )`.
#' @examples
#' nn_init_calculate_fan_in_and_fan_out(torch_empty(4, 3))
#' @export
nn_init_calculate_fan_in_and_fan_out <- function(tensor) {
  check_tensor_arg(tensor, "tensor")
  if (tensor$ndim < 2)
    signal_torch_error("value_error",
      "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions")
  d <- dim(tensor)
  receptive <- if (length(d) > 2) prod(d[-(1:2)]) else 1
  c(fan_in = d[2] * receptive, fan_out = d[1] * receptive)
}

#' Gain of a nonlinearity
#'
#' The recommended gain for initialising layers followed by `nonlinearity`, as PyTorch's
#' `calculate_gain`: 1 for linear and sigmoid, 5/3 for tanh, `sqrt(2)` for relu,
#' `sqrt(2 / (1 + param^2))` for leaky relu (slope `param`, 0.01 by default).
#'
#' @param nonlinearity the name of the function.
#' @param param the negative slope of leaky relu.
#' @return A number.
#' @examples
#' nn_init_calculate_gain("relu")
#' nn_init_calculate_gain("leaky_relu", sqrt(5))
#' @export
nn_init_calculate_gain <- function(nonlinearity, param = NULL) {
  linear <- c("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
              "conv_transpose2d", "conv_transpose3d", "sigmoid")
  if (!is.character(nonlinearity) || length(nonlinearity) != 1 || is.na(nonlinearity))
    signal_torch_error("value_error", "nonlinearity must be a single string such as \"relu\" or \"tanh\"")
  if (nonlinearity %in% linear) return(1)
  switch(nonlinearity,
    tanh = 5 / 3,
    relu = sqrt(2),
    leaky_relu = {
      slope <- if (is.null(param)) 0.01 else param
      if (!is.numeric(slope) || length(slope) != 1)
        signal_torch_error("value_error", paste0("negative_slope ", format(slope), " not a valid number"))
      sqrt(2 / (1 + slope^2))
    },
    selu = 3 / 4,
    signal_torch_error("value_error", paste0("Unsupported nonlinearity ", nonlinearity))
  )
}

fan_for_mode <- function(tensor, mode) {
  if (!is.character(mode) || length(mode) != 1 || !mode %in% c("fan_in", "fan_out"))
    signal_torch_error("value_error", paste0(
      "Mode ", paste(format(mode), collapse = " "), " not supported, please use one of fan_in, fan_out"))
  nn_init_calculate_fan_in_and_fan_out(tensor)[[mode]]
}

#' Initialise parameters
#'
#' Fill a tensor in place, without recording gradients, as PyTorch's `torch.nn.init`:
#'
#' * `nn_init_uniform_(tensor, a, b)`: uniform on \[a, b); `nn_init_normal_(tensor, mean,
#'   std)`: normal; `nn_init_constant_()`, `nn_init_zeros_()`, `nn_init_ones_()`: constants.
#' * `nn_init_kaiming_uniform_()` / `nn_init_kaiming_normal_()` (He et al.): uniform on
#'   \[-bound, bound\] with `bound = gain * sqrt(3 / fan)`, or normal with standard
#'   deviation `gain / sqrt(fan)`, `gain` from [nn_init_calculate_gain()] for
#'   `nonlinearity` with slope `a`, `fan` the fan in or out (`mode`).
#' * `nn_init_xavier_uniform_()` / `nn_init_xavier_normal_()` (Glorot and Bengio): the
#'   same with `std = gain * sqrt(2 / (fan_in + fan_out))`.
#'
#' The random values are the ones PyTorch's functions give after the same
#' `torch_manual_seed()` (uniform draws bit for bit in float32).
#'
#' @param tensor a floating point tensor (for kaiming and xavier, with 2 or more
#'   dimensions).
#' @param a,b the bounds of the uniform distribution; for kaiming, `a` is the negative slope
#'   of the leaky relu that follows the layer.
#' @param mean,std the mean and standard deviation of the normal distribution.
#' @param val the constant.
#' @param mode `"fan_in"` (preserves the variance of the forward pass) or `"fan_out"`
#'   (of the backward pass).
#' @param nonlinearity the nonlinearity after the layer (`"leaky_relu"`, `"relu"`, ...).
#' @param gain a scaling factor.
#' @return `tensor`, modified in place, invisibly.
#' @examples
#' w <- torch_empty(3, 5)
#' nn_init_uniform_(w, -0.1, 0.1)
#' nn_init_kaiming_uniform_(w, a = sqrt(5))
#' nn_init_xavier_normal_(w)
#' nn_init_zeros_(w)
#' w
#' @name nn_init
NULL

#' @rdname nn_init
#' @export
nn_init_uniform_ <- function(tensor, a = 0, b = 1) {
  check_init_tensor(tensor)
  check_init_number(a, "a")
  check_init_number(b, "b")
  if (a > b)
    signal_torch_error("value_error", sprintf(
      "uniform_ expects to return a [from, to) range, but found from=%s > to=%s", format(a), format(b)))
  init_uniform(tensor, a, b)
}

#' @rdname nn_init
#' @export
nn_init_normal_ <- function(tensor, mean = 0, std = 1) {
  check_init_tensor(tensor)
  check_init_number(mean, "mean")
  check_init_number(std, "std")
  if (std < 0)
    signal_torch_error("value_error", paste0("normal expects std >= 0.0, but found std ", format(std)))
  init_normal(tensor, mean, std)
}

#' @rdname nn_init
#' @export
nn_init_constant_ <- function(tensor, val) {
  check_tensor_arg(tensor, "tensor")
  with_no_grad(tensor$fill_(val))
  invisible(tensor)
}

#' @rdname nn_init
#' @export
nn_init_zeros_ <- function(tensor) nn_init_constant_(tensor, 0)

#' @rdname nn_init
#' @export
nn_init_ones_ <- function(tensor) nn_init_constant_(tensor, 1)

#' @rdname nn_init
#' @export
nn_init_kaiming_uniform_ <- function(tensor, a = 0, mode = "fan_in",
                                     nonlinearity = "leaky_relu") {
  check_init_tensor(tensor)
  fan <- fan_for_mode(tensor, mode)
  gain <- nn_init_calculate_gain(nonlinearity, a)
  std <- gain / sqrt(fan)
  bound <- sqrt(3) * std
  init_uniform(tensor, -bound, bound)
}

#' @rdname nn_init
#' @export
nn_init_kaiming_normal_ <- function(tensor, a = 0, mode = "fan_in",
                                    nonlinearity = "leaky_relu") {
  check_init_tensor(tensor)
  fan <- fan_for_mode(tensor, mode)
  gain <- nn_init_calculate_gain(nonlinearity, a)
  init_normal(tensor, 0, gain / sqrt(fan))
}

#' @rdname nn_init
#' @export
nn_init_xavier_uniform_ <- function(tensor, gain = 1) {
  check_init_tensor(tensor)
  check_init_number(gain, "gain")
  fans <- nn_init_calculate_fan_in_and_fan_out(tensor)
  std <- gain * sqrt(2 / (fans[["fan_in"]] + fans[["fan_out"]]))
  a <- sqrt(3) * std
  init_uniform(tensor, -a, a)
}

#' @rdname nn_init
#' @export
nn_init_xavier_normal_ <- function(tensor, gain = 1) {
  check_init_tensor(tensor)
  check_init_number(gain, "gain")
  fans <- nn_init_calculate_fan_in_and_fan_out(tensor)
  std <- gain * sqrt(2 / (fans[["fan_in"]] + fans[["fan_out"]]))
  init_normal(tensor, 0, std)
}
