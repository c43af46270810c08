# Wrong inputs to the elementwise operations, operators and matrix products: classed
# errors and an intact session (helper-bad-input.R).

# values that are neither tensors nor R numbers
not_operands <- c("chr", "lst", "null", "fun", "fac", "cplx", "raw", "env", "df", "dead")

unary_ops <- c("torch_abs", "torch_absolute", "torch_acos", "torch_asin", "torch_atan",
               "torch_ceil", "torch_cos", "torch_cosh", "torch_exp", "torch_exp2", "torch_expm1",
               "torch_floor", "torch_frac", "torch_log", "torch_log10", "torch_log1p",
               "torch_log2", "torch_neg", "torch_negative", "torch_reciprocal", "torch_relu",
               "torch_rsqrt", "torch_sigmoid", "torch_sign", "torch_sin", "torch_sinh",
               "torch_sqrt", "torch_square", "torch_tan", "torch_tanh", "torch_trunc",
               "torch_logical_not")
binary_ops <- c("torch_add", "torch_sub", "torch_subtract", "torch_mul", "torch_multiply",
                "torch_div", "torch_divide", "torch_true_divide", "torch_floor_divide",
                "torch_fmod", "torch_remainder", "torch_eq", "torch_ne", "torch_not_equal",
                "torch_ge", "torch_greater_equal", "torch_gt", "torch_greater", "torch_le",
                "torch_less_equal", "torch_lt", "torch_less", "torch_maximum", "torch_minimum",
                "torch_logical_and", "torch_logical_or", "torch_logical_xor")

test_that("unary operations: every wrong value is a classed error", {
  for (fn in unary_ops)
    fuzz_args(fn, function() list(self = torch_tensor(c(0.5, 1.5, 2.5))),
              fail = list(self = not_operands))
  fuzz_args("torch_round", function() list(self = torch_tensor(c(0.25, 1.5)), decimals = 1),
            fail = list(self = not_operands,
                        decimals = c(setdiff(not_operands, "fac"), "na", "nan", "inf", "vec2", "num0", "empty",
                                     "int", "bool", "t3d", "mat")))
})

test_that("binary operations: every wrong value is a classed error", {
  for (fn in binary_ops)
    fuzz_args(fn, function() list(self = torch_tensor(c(0.5, 1.5, 2.5)), other = torch_tensor(c(1, 2, 3))),
              fail = list(self = not_operands, other = c(not_operands, "vec2", "t3d")))
  fuzz_args("torch_pow", function() list(self = torch_tensor(c(0.5, 1.5)), exponent = 2),
            fail = list(self = not_operands, exponent = not_operands))
  fuzz_args("torch_clamp", function() list(self = torch_tensor(c(-1, 0.5, 2)), min = 0, max = 1),
            fail = list(self = not_operands, min = setdiff(not_operands, "null"),
                        max = setdiff(not_operands, "null")))
  fuzz_args("torch_clip", function() list(self = torch_tensor(c(-1, 0.5, 2)), min = 0, max = 1),
            fail = list(self = not_operands, min = setdiff(not_operands, "null"),
                        max = setdiff(not_operands, "null")))
  fuzz_args("torch_where", function() list(condition = torch_tensor(c(TRUE, FALSE, TRUE)),
                                           self = torch_tensor(c(1, 2, 3)), other = 0),
            fail = list(condition = c(not_operands, "nan", "inf", "neg", "huge", "empty", "t3d"),
                        self = not_operands, other = not_operands))
})

test_that("operations name the problem: shapes, dtypes, modes", {
  x <- torch_tensor(matrix(1:6, 2, 3), dtype = torch_float32())
  expect_bad(x + torch_ones(2), "value_error", "The size of tensor a (3) must match the size of tensor b (2)")
  expect_bad(x + c(1, 2), "value_error", "must match the size")
  expect_bad(x + "a", "type_error", "the right operand of + must be a torch_tensor")
  expect_bad("a" * x, "type_error", "must be a torch_tensor")
  expect_bad(x + NULL, "type_error", "not 'NULL'")
  expect_bad(x == list(1), "type_error", "not 'list'")
  expect_bad(x^"a", "type_error")
  expect_bad(x & "a", "type_error")
  expect_bad(torch_add(x, x, alpha = "a"), "value_error", "alpha must be a single number")
  expect_bad(torch_div(x, 2, rounding_mode = "up"), "value_error", "rounding_mode to be one of")
  expect_bad(torch_div(x, 2, rounding_mode = 1), "value_error", "rounding_mode must be NULL")
  expect_bad(torch_round(x, decimals = 1.5), "value_error", "whole number")
  expect_bad(torch_tensor(2L)$pow(-1L), "runtime_error", "Integers to negative integer powers")
  expect_bad(torch_tensor(1L) %/% 0L, "runtime_error", "ZeroDivisionError")
  expect_bad(torch_remainder(torch_tensor(5L), 0L), "runtime_error", "ZeroDivisionError")
  expect_bad(torch_fmod(torch_tensor(5L), 0L), "runtime_error", "ZeroDivisionError")
  expect_bad(torch_sub(torch_tensor(TRUE), torch_tensor(TRUE)), "runtime_error", "two bool tensors")
  expect_bad(torch_neg(torch_tensor(TRUE)), "runtime_error", "on a bool tensor is not supported")
  expect_bad(torch_clamp(x), "value_error", "At least one of 'min' or 'max'")
  expect_bad(torch_clamp(x, min = "a"), "type_error", "not 'character'")
  expect_bad(torch_clamp(x, min = torch_ones(4)), "value_error", "must match the size")
  expect_bad(torch_where(x, 1, 2), "runtime_error", "boolean tensor")
  expect_bad(torch_where(x > 1), "value_error", "needs condition, self and other")
  # in-place results must keep their dtype and shape
  i <- torch_ones(2, dtype = torch_int64())
  expect_bad(i$div_(2), "runtime_error", "can't be cast to the desired output type Long")
  expect_bad(i$sqrt_(), "runtime_error", "can't be cast")
  expect_bad(torch_ones(2, dtype = torch_bool())$add_(1.5), "runtime_error", "Bool")
  expect_bad(torch_ones(2)$add_(torch_ones(2, 2)), "runtime_error", "doesn't match the broadcast shape")
  expect_identical(as.numeric(i), c(1, 1))
  # NaN, Inf and empty tensors are values
  expect_identical(as.numeric(torch_tensor(c(NaN, Inf, -Inf)) * 2), c(NaN, Inf, -Inf))
  expect_identical(as.numeric(torch_zeros(0) + 1), numeric(0))
  expect_identical(as.numeric(torch_fmod(torch_tensor(5), 0)), NaN)
})

test_that("results too big to allocate are memory errors", {
  one <- torch_ones(1)
  expect_bad(one$expand(2^40) * 2, "memory_error", "cannot allocate memory for a tensor of")
  expect_bad(one$expand(2^40)$contiguous(), "memory_error")
  expect_bad(one$expand(2^40)$exp(), "memory_error")
  expect_bad(torch_ones(2^20, 1) + torch_ones(1, 2^20), "memory_error")
  expect_bad(torch_ones(1, 1)$expand(c(2^31, 2^31))$abs(), "memory_error", "cannot allocate a tensor of")
  expect_bad(torch_ones(1, 1)$expand(c(2^31, 1))$mm(torch_ones(1, 1)$expand(c(1, 2^31))), "memory_error")
  expect_identical(as.numeric(one + 1), 2)
})

test_that("matrix products check shapes and dtypes", {
  a <- torch_ones(2, 3)
  for (fn in c("torch_mm", "torch_matmul"))
    fuzz_args(fn, function() setNames(list(torch_ones(2, 3), torch_ones(3, 2)),
                                      c("self", if (fn == "torch_mm") "mat2" else "other")),
              fail = setNames(list(c(not_operands, "empty", "t3d", "int", "bool"),
                                   c(not_operands, "empty", "t3d", "int", "bool")),
                              c("self", if (fn == "torch_mm") "mat2" else "other")))
  fuzz_args("torch_bmm", function() list(self = torch_ones(2, 2, 3), mat2 = torch_ones(2, 3, 2)),
            fail = list(self = c(not_operands, "empty", "int", "bool", "t3d", "vec2"),
                        mat2 = c(not_operands, "empty", "int", "bool", "t3d", "vec2")))
  fuzz_args("torch_mv", function() list(self = torch_ones(2, 3), vec = torch_ones(3)),
            fail = list(self = c(not_operands, "empty", "int", "bool", "t3d"),
                        vec = c(not_operands, "empty", "int", "bool", "t3d")))
  fuzz_args("torch_dot", function() list(self = torch_ones(3), tensor = torch_ones(3)),
            fail = list(self = c(not_operands, "empty", "bool", "t3d", "vec2"),
                        tensor = c(not_operands, "empty", "bool", "t3d", "vec2")))
  expect_bad(torch_mm(a, a), "runtime_error", "mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)")
  expect_bad(torch_mm(a, torch_ones(3)), "runtime_error", "mat2 must be a matrix")
  expect_bad(torch_mm(a, torch_ones(3, 2, dtype = torch_float64())), "runtime_error",
             "expected scalar type Float but found Double")
  expect_bad(torch_mm(a > 0, torch_ones(3, 2) > 0), "runtime_error", "not implemented for 'Bool'")
  expect_bad(torch_bmm(a, a), "runtime_error", "batch1 must be a 3D tensor")
  expect_bad(torch_bmm(torch_ones(2, 2, 3), torch_ones(3, 3, 2)), "runtime_error",
             "Expected size for first two dimensions of batch2 tensor")
  expect_bad(torch_mv(a, torch_ones(2)), "runtime_error", "size mismatch")
  expect_bad(torch_dot(torch_ones(3), torch_ones(4)), "runtime_error", "inconsistent tensor size")
  expect_bad(torch_dot(a, a), "runtime_error", "1D tensors expected")
  expect_bad(torch_matmul(torch_ones(2, 3, 4), torch_ones(5, 6)), "runtime_error",
             "cannot be multiplied")
  expect_identical(torch_mm(torch_ones(0, 3), torch_ones(3, 0))$shape, c(0L, 0L))
  expect_identical(as.numeric(torch_mm(torch_ones(2, 0), torch_ones(0, 2))), c(0, 0, 0, 0))
})

test_that("every argument of where, div and round", {
  fuzz_args("torch_where", function() list(condition = torch_ones(2) > 0, self = torch_ones(2),
                                            other = torch_zeros(2)))
  fuzz_args("torch_div", function() list(self = torch_ones(2), other = 2, rounding_mode = "floor"),
            fail = list(rounding_mode = setdiff(names(bad_values()), c("chr", "null", "missing"))))
  fuzz_args("torch_round", function() list(self = torch_ones(2), decimals = 0L))
})
