#' @include tensor.R
NULL

# Operators and base math functions on tensors. Each method is one S3 dispatch and one
# .Call. An R number on either side of an arithmetic operator is a scalar that keeps the
# tensor's dtype (`x * 2` and `2 * x` stay float32); grad_fn names follow R torch (`2 * x`
# is MulBackward0, `x * 2` MulBackward1). Comparisons and `&`/`|` convert both sides with
# torch_tensor(), except `!=`. Differences from R torch, on purpose: R doubles next to a
# float64 tensor stay double precision (R torch rounds them to float32), and `1 - x` with a
# 0-d x is 0-d (R torch makes the 1 a shape-1 tensor first).

#' Operators on tensors
#'
#' Arithmetic (`+ - * / ^ %% %/%`, unary `-`), comparison (`== != < <= > >=`) and logical
#' (`& | !`) operators, applied elementwise with broadcasting, with R numbers on either side.
#' They are [torch_add()], [torch_sub()], [torch_mul()], [torch_div()], [torch_pow()],
#' [torch_fmod()] (`%%`, as in R torch: the result has the sign of the dividend),
#' `torch_div(rounding_mode = "trunc")` (`%/%`), [torch_eq()] and friends,
#' [torch_logical_and()], [torch_logical_or()] and [torch_logical_not()].
#'
#' An R number on either side of an arithmetic operator is a scalar that does not widen the
#' tensor's dtype: `x * 2` and `2 * x` stay float32. Next to a float64 tensor R numbers keep
#' double precision.
#'
#' @param e1,e2 tensors or R numbers (at least one a tensor).
#' @param x a tensor.
#' @return A tensor; comparisons and logical operators give a bool tensor.
#' @examples
#' x <- torch_tensor(c(1, 2, 3))
#' x * 2 + 1
#' 1 - x
#' (1 - x)^2
#' x %% 2
#' x > 1.5
#' !(x > 1.5)
#' torch_ones(3, 1) + torch_tensor(c(10, 20))
#' @name tensor-operators
NULL

#' @rdname tensor-operators
#' @export
`+.torch_tensor` <- function(e1, e2) {
  if (missing(e2)) .Call(C_tl_op_pos, e1) else .Call(C_tl_op_add, e1, e2)
}

#' @rdname tensor-operators
#' @export
`-.torch_tensor` <- function(e1, e2) {
  if (missing(e2)) .Call(C_tl_op_neg, e1) else .Call(C_tl_op_sub, e1, e2)
}

#' @rdname tensor-operators
#' @export
`*.torch_tensor` <- function(e1, e2) .Call(C_tl_op_mul, e1, e2)

#' @rdname tensor-operators
#' @export
`/.torch_tensor` <- function(e1, e2) .Call(C_tl_op_div, e1, e2)

#' @rdname tensor-operators
#' @export
`^.torch_tensor` <- function(e1, e2) .Call(C_tl_op_pow, e1, e2)

#' @rdname tensor-operators
#' @export
`%%.torch_tensor` <- function(e1, e2) .Call(C_tl_op_fmod, e1, e2)

#' @rdname tensor-operators
#' @export
`%/%.torch_tensor` <- function(e1, e2) .Call(C_tl_op_intdiv, e1, e2)

#' @rdname tensor-operators
#' @export
`==.torch_tensor` <- function(e1, e2) .Call(C_tl_op_eq, e1, e2)

#' @rdname tensor-operators
#' @export
`!=.torch_tensor` <- function(e1, e2) .Call(C_tl_op_ne, e1, e2)

#' @rdname tensor-operators
#' @export
`<.torch_tensor` <- function(e1, e2) .Call(C_tl_op_lt, e1, e2)

#' @rdname tensor-operators
#' @export
`<=.torch_tensor` <- function(e1, e2) .Call(C_tl_op_le, e1, e2)

#' @rdname tensor-operators
#' @export
`>.torch_tensor` <- function(e1, e2) .Call(C_tl_op_gt, e1, e2)

#' @rdname tensor-operators
#' @export
`>=.torch_tensor` <- function(e1, e2) .Call(C_tl_op_ge, e1, e2)

#' @rdname tensor-operators
#' @export
`&.torch_tensor` <- function(e1, e2) .Call(C_tl_op_and, e1, e2)

#' @rdname tensor-operators
#' @export
`|.torch_tensor` <- function(e1, e2) .Call(C_tl_op_or, e1, e2)

#' @rdname tensor-operators
#' @export
`!.torch_tensor` <- function(x) .Call(C_tl_logical_not, x)

#' Math functions on tensors
#'
#' The base R functions `abs()`, `sign()`, `sqrt()`, `exp()`, `expm1()`, `log()` (also with
#' `base`), `log2()`, `log10()`, `log1p()`, `sin()`, `cos()`, `tan()`, `asin()`, `acos()`,
#' `atan()`, `sinh()`, `cosh()`, `tanh()`, `floor()`, `ceiling()`, `trunc()` and `round()`
#' (half to even, as libtorch) apply elementwise to a tensor and return a tensor, as the
#' corresponding `torch_*()` functions. Integer tensors give float32 results for the
#' floating functions.
#'
#' @param x a tensor.
#' @param base the base of the logarithm.
#' @param digits the number of decimal places.
#' @param ... unused.
#' @return A tensor.
#' @examples
#' x <- torch_tensor(c(0.5, 1.5, 2.5))
#' exp(x)
#' log(x, base = 2)
#' round(x)
#' @name tensor-math
NULL

#' @rdname tensor-math
#' @export
abs.torch_tensor <- function(x) .Call(C_tl_abs, x)
#' @rdname tensor-math
#' @export
sign.torch_tensor <- function(x) .Call(C_tl_sign, x)
#' @rdname tensor-math
#' @export
sqrt.torch_tensor <- function(x) .Call(C_tl_sqrt, x)
#' @rdname tensor-math
#' @export
exp.torch_tensor <- function(x) .Call(C_tl_exp, x)
#' @rdname tensor-math
#' @export
expm1.torch_tensor <- function(x) .Call(C_tl_expm1, x)
#' @rdname tensor-math
#' @export
log.torch_tensor <- function(x, base) {
  if (missing(base)) return(.Call(C_tl_log, x))
  # as R torch: torch_log(x) / torch_log(base)
  .Call(C_tl_op_div, .Call(C_tl_log, x), .Call(C_tl_log, base))
}
#' @rdname tensor-math
#' @method log2 torch_tensor
#' @export
log2.torch_tensor <- function(x) .Call(C_tl_log2, x)
#' @rdname tensor-math
#' @method log10 torch_tensor
#' @export
log10.torch_tensor <- function(x) .Call(C_tl_log10, x)
#' @rdname tensor-math
#' @export
log1p.torch_tensor <- function(x) .Call(C_tl_log1p, x)
#' @rdname tensor-math
#' @export
sin.torch_tensor <- function(x) .Call(C_tl_sin, x)
#' @rdname tensor-math
#' @export
cos.torch_tensor <- function(x) .Call(C_tl_cos, x)
#' @rdname tensor-math
#' @export
tan.torch_tensor <- function(x) .Call(C_tl_tan, x)
#' @rdname tensor-math
#' @export
asin.torch_tensor <- function(x) .Call(C_tl_asin, x)
#' @rdname tensor-math
#' @export
acos.torch_tensor <- function(x) .Call(C_tl_acos, x)
#' @rdname tensor-math
#' @export
atan.torch_tensor <- function(x) .Call(C_tl_atan, x)
#' @rdname tensor-math
#' @export
sinh.torch_tensor <- function(x) .Call(C_tl_sinh, x)
#' @rdname tensor-math
#' @export
cosh.torch_tensor <- function(x) .Call(C_tl_cosh, x)
#' @rdname tensor-math
#' @export
tanh.torch_tensor <- function(x) .Call(C_tl_tanh, x)
#' @rdname tensor-math
#' @export
floor.torch_tensor <- function(x) .Call(C_tl_floor, x)
#' @rdname tensor-math
#' @export
ceiling.torch_tensor <- function(x) .Call(C_tl_ceil, x)
#' @rdname tensor-math
#' @export
trunc.torch_tensor <- function(x, ...) .Call(C_tl_trunc, x)
#' @rdname tensor-math
#' @export
round.torch_tensor <- function(x, digits = 0) .Call(C_tl_round, x, digits)

#' @export
Math.torch_tensor <- function(x, ...) {
  signal_torch_error(
    "value_error",
    sprintf("%s() is not implemented for torch tensors", .Generic)
  )
}
