#' @include tensor.R
NULL

# Elementwise operations: the torch_*() functions, the x$method() forms and their in-place
# variants (x$add_(), ...), which write into x, bump its version and return x.
# Arguments named `other`, `exponent`, `min`, `max` and `value` take tensors or R numbers;
# an R number there is a scalar that does not widen the tensor's dtype (float32 stays
# float32), as in R torch.

# ---------------------------------------------------------------- arithmetic

#' Elementwise arithmetic
#'
#' `torch_add(self, other, alpha)` computes `self + alpha * other`, `torch_sub()`
#' `self - alpha * other`, `torch_mul()` the product, `torch_div()` the quotient (true
#' division unless `rounding_mode` is `"trunc"` or `"floor"`), `torch_pow()` the power,
#' `torch_remainder()` the remainder with the sign of the divisor (Python's `%`),
#' `torch_fmod()` the one with the sign of the dividend (C's `fmod`, R torch's `%%`),
#' `torch_floor_divide()` the floored quotient, `torch_maximum()`/`torch_minimum()` the
#' elementwise larger/smaller value (NaN propagates). Operands broadcast; the result dtype
#' follows PyTorch's promotion (integer division by `torch_div()` gives float32). Integer
#' division or remainder by zero is an error.
#'
#' @param self a tensor (or an R value, converted with [torch_tensor()]).
#' @param other a tensor or an R number.
#' @param alpha the multiplier of `other`.
#' @param rounding_mode `NULL` (true division), `"trunc"` or `"floor"`.
#' @param exponent a tensor or an R number.
#' @return A tensor.
#' @examples
#' x <- torch_tensor(c(-3, 1.5, 4))
#' torch_add(x, 1, alpha = 2)
#' torch_div(torch_tensor(c(-7L, 7L)), 2, rounding_mode = "floor")
#' torch_pow(x, 2)
#' torch_remainder(x, 2)
#' torch_maximum(x, torch_tensor(0))
#' @name torch_add
NULL

#' @rdname torch_add
#' @export
torch_add <- function(self, other, alpha = 1L) .Call(C_tl_add, self, other, alpha)
#' @rdname torch_add
#' @export
torch_sub <- function(self, other, alpha = 1L) .Call(C_tl_sub, self, other, alpha)
#' @rdname torch_add
#' @export
torch_subtract <- torch_sub
#' @rdname torch_add
#' @export
torch_mul <- function(self, other) .Call(C_tl_mul, self, other)
#' @rdname torch_add
#' @export
torch_multiply <- torch_mul
#' @rdname torch_add
#' @export
torch_div <- function(self, other, rounding_mode = NULL) .Call(C_tl_div, self, other, rounding_mode)
#' @rdname torch_add
#' @export
torch_divide <- torch_div
#' @rdname torch_add
#' @export
torch_true_divide <- function(self, other) .Call(C_tl_div, self, other, NULL)
#' @rdname torch_add
#' @export
torch_pow <- function(self, exponent) .Call(C_tl_pow, self, exponent)
#' @rdname torch_add
#' @export
torch_remainder <- function(self, other) .Call(C_tl_remainder, self, other)
#' @rdname torch_add
#' @export
torch_fmod <- function(self, other) .Call(C_tl_fmod, self, other)
#' @rdname torch_add
#' @export
torch_floor_divide <- function(self, other) .Call(C_tl_floor_divide, self, other)
#' @rdname torch_add
#' @export
torch_maximum <- function(self, other) .Call(C_tl_maximum, self, other)
#' @rdname torch_add
#' @export
torch_minimum <- function(self, other) .Call(C_tl_minimum, self, other)

# ---------------------------------------------------------------- comparison and logic

#' Elementwise comparison and logic
#'
#' `torch_eq()`, `torch_ne()`, `torch_lt()`, `torch_le()`, `torch_gt()` and `torch_ge()`
#' (also `torch_greater()`, `torch_less_equal()`, ...) compare with broadcasting in the
#' promoted dtype; `torch_logical_and()`, `torch_logical_or()`, `torch_logical_xor()` and
#' `torch_logical_not()` treat nonzero as true. All return bool tensors.
#'
#' @inheritParams torch_add
#' @return A bool tensor.
#' @examples
#' x <- torch_tensor(c(1, 2, 3))
#' torch_gt(x, 2)
#' torch_eq(x, torch_tensor(c(1, 0, 3)))
#' torch_logical_and(x > 1, x < 3)
#' @name torch_eq
NULL

#' @rdname torch_eq
#' @export
torch_eq <- function(self, other) .Call(C_tl_eq, self, other)
#' @rdname torch_eq
#' @export
torch_ne <- function(self, other) .Call(C_tl_ne, self, other)
#' @rdname torch_eq
#' @export
torch_not_equal <- torch_ne
#' @rdname torch_eq
#' @export
torch_lt <- function(self, other) .Call(C_tl_lt, self, other)
#' @rdname torch_eq
#' @export
torch_less <- torch_lt
#' @rdname torch_eq
#' @export
torch_le <- function(self, other) .Call(C_tl_le, self, other)
#' @rdname torch_eq
#' @export
torch_less_equal <- torch_le
#' @rdname torch_eq
#' @export
torch_gt <- function(self, other) .Call(C_tl_gt, self, other)
#' @rdname torch_eq
#' @export
torch_greater <- torch_gt
#' @rdname torch_eq
#' @export
torch_ge <- function(self, other) .Call(C_tl_ge, self, other)
#' @rdname torch_eq
#' @export
torch_greater_equal <- torch_ge
#' @rdname torch_eq
#' @export
torch_logical_and <- function(self, other) .Call(C_tl_logical_and, self, other)
#' @rdname torch_eq
#' @export
torch_logical_or <- function(self, other) .Call(C_tl_logical_or, self, other)
#' @rdname torch_eq
#' @export
torch_logical_xor <- function(self, other) .Call(C_tl_logical_xor, self, other)
#' @rdname torch_eq
#' @export
torch_logical_not <- function(self) .Call(C_tl_logical_not, self)

# ---------------------------------------------------------------- unary math

#' Elementwise math functions
#'
#' Apply a function to every element. The floating functions (`exp`, `log`, `sqrt`,
#' `sigmoid`, `sin`, ...) compute in the tensor's precision and give float32 for integer or
#' bool tensors; `torch_abs()`, `torch_neg()`, `torch_relu()`, `torch_sign()` and
#' `torch_square()` keep the dtype (`torch_square()` of a bool tensor is int64);
#' `torch_floor()`, `torch_ceil()`, `torch_trunc()` and `torch_round()` (half to even, with
#' `decimals` places) return integer tensors unchanged. `torch_sigmoid()` is
#' `1 / (1 + exp(-x))`, `torch_rsqrt()` `1 / sqrt(x)`.
#'
#' @param self a tensor.
#' @param decimals the number of decimal places to round to.
#' @return A tensor.
#' @examples
#' x <- torch_tensor(c(-1.5, 0, 2.5))
#' torch_exp(x)
#' torch_sigmoid(x)
#' torch_relu(x)
#' torch_round(x)
#' torch_sqrt(torch_tensor(c(4L, 9L)))
#' @name torch_exp
NULL

#' @rdname torch_exp
#' @export
torch_abs <- function(self) .Call(C_tl_abs, self)
#' @rdname torch_exp
#' @export
torch_absolute <- torch_abs
#' @rdname torch_exp
#' @export
torch_neg <- function(self) .Call(C_tl_neg, self)
#' @rdname torch_exp
#' @export
torch_negative <- torch_neg
#' @rdname torch_exp
#' @export
torch_sqrt <- function(self) .Call(C_tl_sqrt, self)
#' @rdname torch_exp
#' @export
torch_rsqrt <- function(self) .Call(C_tl_rsqrt, self)
#' @rdname torch_exp
#' @export
torch_exp <- function(self) .Call(C_tl_exp, self)
#' @rdname torch_exp
#' @export
torch_exp2 <- function(self) .Call(C_tl_exp2, self)
#' @rdname torch_exp
#' @export
torch_log <- function(self) .Call(C_tl_log, self)
#' @rdname torch_exp
#' @export
torch_log2 <- function(self) .Call(C_tl_log2, self)
#' @rdname torch_exp
#' @export
torch_log10 <- function(self) .Call(C_tl_log10, self)
#' @rdname torch_exp
#' @export
torch_log1p <- function(self) .Call(C_tl_log1p, self)
#' @rdname torch_exp
#' @export
torch_expm1 <- function(self) .Call(C_tl_expm1, self)
#' @rdname torch_exp
#' @export
torch_sin <- function(self) .Call(C_tl_sin, self)
#' @rdname torch_exp
#' @export
torch_cos <- function(self) .Call(C_tl_cos, self)
#' @rdname torch_exp
#' @export
torch_tan <- function(self) .Call(C_tl_tan, self)
#' @rdname torch_exp
#' @export
torch_asin <- function(self) .Call(C_tl_asin, self)
#' @rdname torch_exp
#' @export
torch_acos <- function(self) .Call(C_tl_acos, self)
#' @rdname torch_exp
#' @export
torch_atan <- function(self) .Call(C_tl_atan, self)
#' @rdname torch_exp
#' @export
torch_sinh <- function(self) .Call(C_tl_sinh, self)
#' @rdname torch_exp
#' @export
torch_cosh <- function(self) .Call(C_tl_cosh, self)
#' @rdname torch_exp
#' @export
torch_tanh <- function(self) .Call(C_tl_tanh, self)
#' @rdname torch_exp
#' @export
torch_sigmoid <- function(self) .Call(C_tl_sigmoid, self)
#' @rdname torch_exp
#' @export
torch_reciprocal <- function(self) .Call(C_tl_reciprocal, self)
#' @rdname torch_exp
#' @export
torch_relu <- function(self) .Call(C_tl_relu, self)
#' @rdname torch_exp
#' @export
torch_sign <- function(self) .Call(C_tl_sign, self)
#' @rdname torch_exp
#' @export
torch_floor <- function(self) .Call(C_tl_floor, self)
#' @rdname torch_exp
#' @export
torch_ceil <- function(self) .Call(C_tl_ceil, self)
#' @rdname torch_exp
#' @export
torch_trunc <- function(self) .Call(C_tl_trunc, self)
#' @rdname torch_exp
#' @export
torch_frac <- function(self) .Call(C_tl_frac, self)
#' @rdname torch_exp
#' @export
torch_round <- function(self, decimals = 0L) .Call(C_tl_round, self, decimals)
#' @rdname torch_exp
#' @export
torch_square <- function(self) .Call(C_tl_square, self)

# ---------------------------------------------------------------- clamp and where

#' Clamp values into a range
#'
#' Elements below `min` become `min`, elements above `max` become `max`; either bound may
#' be `NULL`. Bounds are R numbers or tensors (which broadcast); the result dtype is the
#' promotion of the tensor and the bounds (an integer tensor clamped at 0.5 gives float32).
#'
#' @param self a tensor.
#' @param min,max the bounds, or `NULL`.
#' @return A tensor.
#' @examples
#' x <- torch_tensor(c(-2, 0.5, 3))
#' torch_clamp(x, min = 0)
#' torch_clamp(x, -1, 1)
#' @export
torch_clamp <- function(self, min = NULL, max = NULL) .Call(C_tl_clamp, self, min, max)

#' @rdname torch_clamp
#' @export
torch_clip <- torch_clamp

#' Select elements from two tensors
#'
#' `torch_where(condition, self, other)` takes `self` where the bool tensor `condition` is
#' true and `other` elsewhere; the three broadcast, and `self`/`other` may be R numbers.
#'
#' @param condition a bool tensor.
#' @param self,other tensors or R numbers.
#' @return A tensor of the promoted dtype of `self` and `other`.
#' @examples
#' x <- torch_tensor(c(-1, 2, -3))
#' torch_where(x > 0, x, 0)
#' @export
torch_where <- function(condition, self = NULL, other = NULL) {
  if (is.null(self) || is.null(other))
    signal_torch_error("value_error", "torch_where() needs condition, self and other")
  .Call(C_tl_where, condition, self, other)
}

# ---------------------------------------------------------------- nnf

#' Activation functions
#'
#' `nnf_relu(input)` is `max(input, 0)` elementwise (in place when `inplace = TRUE`);
#' `nnf_sigmoid(input)` is `1 / (1 + exp(-input))`.
#'
#' @param input a tensor.
#' @param inplace whether to modify `input` in place.
#' @return A tensor.
#' @examples
#' nnf_relu(torch_tensor(c(-1, 0, 2)))
#' nnf_sigmoid(torch_tensor(c(-1, 0, 2)))
#' @export
nnf_relu <- function(input, inplace = FALSE) {
  if (isTRUE(inplace)) .Call(C_tl_relu_, input) else .Call(C_tl_relu, input)
}

#' @rdname nnf_relu
#' @export
nnf_sigmoid <- function(input) .Call(C_tl_sigmoid, input)

# ---------------------------------------------------------------- methods

define_methods(
  # arithmetic
  add = function(other, alpha = 1L) .Call(C_tl_add, self, other, alpha),
  add_ = function(other, alpha = 1L) .Call(C_tl_add_, self, other, alpha),
  sub = function(other, alpha = 1L) .Call(C_tl_sub, self, other, alpha),
  sub_ = function(other, alpha = 1L) .Call(C_tl_sub_, self, other, alpha),
  subtract = function(other, alpha = 1L) .Call(C_tl_sub, self, other, alpha),
  subtract_ = function(other, alpha = 1L) .Call(C_tl_sub_, self, other, alpha),
  mul = function(other) .Call(C_tl_mul, self, other),
  mul_ = function(other) .Call(C_tl_mul_, self, other),
  multiply = function(other) .Call(C_tl_mul, self, other),
  multiply_ = function(other) .Call(C_tl_mul_, self, other),
  div = function(other, rounding_mode = NULL) .Call(C_tl_div, self, other, rounding_mode),
  div_ = function(other, rounding_mode = NULL) .Call(C_tl_div_, self, other, rounding_mode),
  divide = function(other, rounding_mode = NULL) .Call(C_tl_div, self, other, rounding_mode),
  divide_ = function(other, rounding_mode = NULL) .Call(C_tl_div_, self, other, rounding_mode),
  true_divide = function(other) .Call(C_tl_div, self, other, NULL),
  true_divide_ = function(other) .Call(C_tl_div_, self, other, NULL),
  pow = function(exponent) .Call(C_tl_pow, self, exponent),
  pow_ = function(exponent) .Call(C_tl_pow_, self, exponent),
  remainder = function(other) .Call(C_tl_remainder, self, other),
  remainder_ = function(other) .Call(C_tl_remainder_, self, other),
  fmod = function(other) .Call(C_tl_fmod, self, other),
  fmod_ = function(other) .Call(C_tl_fmod_, self, other),
  floor_divide = function(other) .Call(C_tl_floor_divide, self, other),
  floor_divide_ = function(other) .Call(C_tl_floor_divide_, self, other),
  maximum = function(other) .Call(C_tl_maximum, self, other),
  minimum = function(other) .Call(C_tl_minimum, self, other),
  # comparison and logic
  eq = function(other) .Call(C_tl_eq, self, other),
  eq_ = function(other) .Call(C_tl_eq_, self, other),
  ne = function(other) .Call(C_tl_ne, self, other),
  ne_ = function(other) .Call(C_tl_ne_, self, other),
  not_equal = function(other) .Call(C_tl_ne, self, other),
  lt = function(other) .Call(C_tl_lt, self, other),
  lt_ = function(other) .Call(C_tl_lt_, self, other),
  less = function(other) .Call(C_tl_lt, self, other),
  le = function(other) .Call(C_tl_le, self, other),
  le_ = function(other) .Call(C_tl_le_, self, other),
  less_equal = function(other) .Call(C_tl_le, self, other),
  gt = function(other) .Call(C_tl_gt, self, other),
  gt_ = function(other) .Call(C_tl_gt_, self, other),
  greater = function(other) .Call(C_tl_gt, self, other),
  ge = function(other) .Call(C_tl_ge, self, other),
  ge_ = function(other) .Call(C_tl_ge_, self, other),
  greater_equal = function(other) .Call(C_tl_ge, self, other),
  logical_and = function(other) .Call(C_tl_logical_and, self, other),
  logical_and_ = function(other) .Call(C_tl_logical_and_, self, other),
  logical_or = function(other) .Call(C_tl_logical_or, self, other),
  logical_or_ = function(other) .Call(C_tl_logical_or_, self, other),
  logical_xor = function(other) .Call(C_tl_logical_xor, self, other),
  logical_xor_ = function(other) .Call(C_tl_logical_xor_, self, other),
  logical_not = function() .Call(C_tl_logical_not, self),
  logical_not_ = function() .Call(C_tl_logical_not_, self),
  # unary math
  neg = function() .Call(C_tl_neg, self),
  neg_ = function() .Call(C_tl_neg_, self),
  negative = function() .Call(C_tl_neg, self),
  negative_ = function() .Call(C_tl_neg_, self),
  abs = function() .Call(C_tl_abs, self),
  abs_ = function() .Call(C_tl_abs_, self),
  absolute = function() .Call(C_tl_abs, self),
  absolute_ = function() .Call(C_tl_abs_, self),
  sqrt = function() .Call(C_tl_sqrt, self),
  sqrt_ = function() .Call(C_tl_sqrt_, self),
  rsqrt = function() .Call(C_tl_rsqrt, self),
  rsqrt_ = function() .Call(C_tl_rsqrt_, self),
  exp = function() .Call(C_tl_exp, self),
  exp_ = function() .Call(C_tl_exp_, self),
  exp2 = function() .Call(C_tl_exp2, self),
  exp2_ = function() .Call(C_tl_exp2_, self),
  log = function() .Call(C_tl_log, self),
  log_ = function() .Call(C_tl_log_, self),
  log2 = function() .Call(C_tl_log2, self),
  log2_ = function() .Call(C_tl_log2_, self),
  log10 = function() .Call(C_tl_log10, self),
  log10_ = function() .Call(C_tl_log10_, self),
  log1p = function() .Call(C_tl_log1p, self),
  log1p_ = function() .Call(C_tl_log1p_, self),
  expm1 = function() .Call(C_tl_expm1, self),
  expm1_ = function() .Call(C_tl_expm1_, self),
  sin = function() .Call(C_tl_sin, self),
  sin_ = function() .Call(C_tl_sin_, self),
  cos = function() .Call(C_tl_cos, self),
  cos_ = function() .Call(C_tl_cos_, self),
  tan = function() .Call(C_tl_tan, self),
  tan_ = function() .Call(C_tl_tan_, self),
  asin = function() .Call(C_tl_asin, self),
  asin_ = function() .Call(C_tl_asin_, self),
  acos = function() .Call(C_tl_acos, self),
  acos_ = function() .Call(C_tl_acos_, self),
  atan = function() .Call(C_tl_atan, self),
  atan_ = function() .Call(C_tl_atan_, self),
  sinh = function() .Call(C_tl_sinh, self),
  sinh_ = function() .Call(C_tl_sinh_, self),
  cosh = function() .Call(C_tl_cosh, self),
  cosh_ = function() .Call(C_tl_cosh_, self),
  tanh = function() .Call(C_tl_tanh, self),
  tanh_ = function() .Call(C_tl_tanh_, self),
  sigmoid = function() .Call(C_tl_sigmoid, self),
  sigmoid_ = function() .Call(C_tl_sigmoid_, self),
  reciprocal = function() .Call(C_tl_reciprocal, self),
  reciprocal_ = function() .Call(C_tl_reciprocal_, self),
  relu = function() .Call(C_tl_relu, self),
  relu_ = function() .Call(C_tl_relu_, self),
  sign = function() .Call(C_tl_sign, self),
  sign_ = function() .Call(C_tl_sign_, self),
  floor = function() .Call(C_tl_floor, self),
  floor_ = function() .Call(C_tl_floor_, self),
  ceil = function() .Call(C_tl_ceil, self),
  ceil_ = function() .Call(C_tl_ceil_, self),
  trunc = function() .Call(C_tl_trunc, self),
  trunc_ = function() .Call(C_tl_trunc_, self),
  frac = function() .Call(C_tl_frac, self),
  frac_ = function() .Call(C_tl_frac_, self),
  round = function(decimals = 0L) .Call(C_tl_round, self, decimals),
  round_ = function(decimals = 0L) .Call(C_tl_round_, self, decimals),
  square = function() .Call(C_tl_square, self),
  square_ = function() .Call(C_tl_square_, self),
  # clamp, where, fills
  clamp = function(min = NULL, max = NULL) .Call(C_tl_clamp, self, min, max),
  clamp_ = function(min = NULL, max = NULL) .Call(C_tl_clamp_, self, min, max),
  clip = function(min = NULL, max = NULL) .Call(C_tl_clamp, self, min, max),
  clip_ = function(min = NULL, max = NULL) .Call(C_tl_clamp_, self, min, max),
  where = function(condition, other) .Call(C_tl_where, condition, self, other),
  masked_fill = function(mask, value) .Call(C_tl_masked_fill, self, mask, value),
  masked_fill_ = function(mask, value) .Call(C_tl_masked_fill_, self, mask, value),
  fill_ = function(value) .Call(C_tl_fill_, self, value),
  zero_ = function() .Call(C_tl_zero_, self),
  copy_ = function(src, non_blocking = FALSE) .Call(C_tl_copy_, self, src)
)

# internal, for tests: a view of x's storage with the given sizes, strides and offset
# (in elements, from x's own offset)
tl_strided_view <- function(x, size, stride, offset = 0) {
  .Call(C_tl_ew_strided, x, size, stride, offset)
}

# internal: which float32 math kernels are in use ("avx2": bit-identical to libtorch's AVX2
# build, "generic": C library functions)
tl_elementwise_simd <- function() .Call(C_tl_ew_simd)
# internal: whether those kernels run 16 lanes at a time (AVX-512)
tl_elementwise_wide <- function() .Call(C_tl_ew_wide)
