# Wrong inputs to the reductions: classed errors and an intact session (helper-bad-input.R).

not_operands <- c("chr", "lst", "null", "fun", "fac", "cplx", "raw", "env", "df", "dead")
# wrong values for a `dim` argument (NULL and list(1) are accepted: all dims, dim 1)
not_dims <- c("chr", "fun", "fac", "na", "nan", "inf", "huge", "cplx", "raw", "env",
              "empty", "dead", "bool", "t3d")
not_flags <- c("chr", "lst", "null", "fun", "fac", "na", "nan", "inf", "neg", "huge", "cplx",
               "raw", "env", "df", "mat", "vec2", "num0", "empty", "dead", "int", "bool", "t3d")
not_dtypes <- setdiff(not_flags, "null")

x23 <- function() torch_tensor(matrix(c(1, 2, 3, 4, 5, 6), 2, 3))

test_that("every reduction turns every wrong value into a classed error", {
  for (fn in c("torch_sum", "torch_mean", "torch_prod"))
    fuzz_args(fn, function() list(self = x23(), dim = 1, keepdim = FALSE, dtype = torch_float64()),
              fail = list(self = not_operands, dim = not_dims, keepdim = not_flags,
                          dtype = not_dtypes))
  for (fn in c("torch_amax", "torch_amin", "torch_argmax", "torch_argmin", "torch_logsumexp"))
    fuzz_args(fn, function() list(self = x23(), dim = 1, keepdim = FALSE),
              fail = list(self = not_operands, dim = not_dims, keepdim = not_flags))
  for (fn in c("torch_max", "torch_min"))
    fuzz_args(fn, function() list(self = x23(), dim = 1, keepdim = FALSE),
              fail = list(self = not_operands, dim = setdiff(not_dims, c("t3d", "bool", "empty")),
                          keepdim = not_flags))
  for (fn in c("torch_var", "torch_std"))
    fuzz_args(fn, function() list(self = x23(), dim = 1, unbiased = TRUE, keepdim = FALSE),
              fail = list(self = c(not_operands, "int", "bool"), dim = not_dims,
                          unbiased = not_flags, keepdim = not_flags))
  fuzz_args("torch_var", function() list(self = x23(), dim = 1, correction = 1),
            fail = list(correction = c(setdiff(not_operands, c("null", "fac")), "na", "nan")))
  fuzz_args("torch_norm", function() list(self = x23(), p = 2, dim = 1),
            fail = list(self = c(not_operands, "int", "bool"),
                        p = c(setdiff(not_operands, "fac"), "na", "nan", "vec2", "num0"),
                        dim = not_dims))
  fuzz_args("torch_cumsum", function() list(self = x23(), dim = 1, dtype = torch_float64()),
            fail = list(self = not_operands, dim = c(not_dims, "null", "vec2"), dtype = not_dtypes))
  for (fn in c("torch_all", "torch_any"))
    fuzz_args(fn, function() list(self = x23() > 2, dim = 1, keepdim = FALSE),
              fail = list(self = not_operands, dim = c(not_dims, "vec2"), keepdim = not_flags))
})

test_that("reductions name the problem: dims, dtypes, empty tensors", {
  x <- x23()
  expect_bad(torch_sum(x, 3), "index_error", "Dimension out of range (expected to be in range of [-2, 2], but got 3)")
  expect_bad(torch_sum(x, -3), "index_error", "Dimension out of range")
  expect_bad(torch_sum(x, 0), "index_error", "Indexing starts at 1 but found a 0.")
  expect_bad(torch_sum(x, c(1, 1)), "runtime_error", "appears multiple times in the list of dims")
  expect_bad(torch_sum(x, 1.5), "value_error", "whole numbers")
  expect_bad(torch_sum(x, NA), "value_error", "dim must be")
  expect_bad(torch_sum(x, 1:17), "value_error", "at most 16 dimensions")
  expect_bad(torch_sum(x, keepdim = NA), "value_error", "keepdim must be TRUE or FALSE")
  expect_bad(torch_sum(x, dtype = "float"), "value_error", "dtype must be a torch_dtype")
  expect_bad(torch_prod(x, c(1, 2)), "value_error", "dim must be a single whole number")
  expect_bad(torch_mean(torch_tensor(1:3)), "runtime_error", "could not infer output dtype")
  expect_bad(torch_mean(x, dtype = torch_int64()), "runtime_error", "Optional dtype must be")
  expect_bad(torch_max(x, dim = 3), "index_error", "Dimension out of range")
  expect_bad(torch_max(x, other = "a"), "type_error", "not 'character'")
  expect_bad(torch_min(x, 1, torch_ones(2)), "value_error", "must match the size")
  expect_bad(torch_argmax(x, c(1, 2)), "value_error", "single whole number")
  expect_bad(torch_amax(x, c(2, -1)), "runtime_error", "appears multiple times")
  expect_bad(torch_var(x, 1, correction = NA), "value_error", "correction must not be NA")
  expect_bad(torch_var(torch_tensor(1:3)), "runtime_error", "only support floating point")
  expect_bad(torch_std(x, unbiased = NA), "value_error", "unbiased must be TRUE or FALSE")
  expect_bad(torch_norm(x, p = "nuc"), "value_error", "p must be a number (or \"fro\")")
  expect_bad(torch_norm(x, p = NaN), "value_error", "p must not be NA or NaN")
  expect_bad(torch_norm(torch_tensor(1:3)), "runtime_error", "input dtype should be either floating point")
  expect_bad(torch_logsumexp(x, 3), "index_error", "Dimension out of range")
  expect_bad(torch_cumsum(x, 3), "index_error", "Dimension out of range")
  expect_bad(torch_cumsum(x, NULL), "value_error", "cumsum needs dim")
  expect_bad(torch_all(x, 3), "index_error")
  expect_bad(torch_any(x, c(1, 2)), "value_error", "single whole number")
  # reductions without an identity on empty tensors
  expect_bad(torch_max(torch_ones(0)), "runtime_error", "numel() == 0")
  expect_bad(torch_min(torch_ones(0, 3), dim = 1), "index_error", "to have non-zero size")
  expect_bad(torch_amax(torch_ones(2, 0), 2), "index_error", "non-zero size")
  expect_bad(torch_argmin(torch_ones(0)), "index_error", "numel() == 0")
  # ... and those with one, and NaN, are values
  expect_identical(as.numeric(torch_sum(torch_ones(0))), 0)
  expect_identical(as.numeric(torch_prod(torch_ones(0))), 1)
  expect_identical(as.numeric(torch_sum(torch_tensor(c(1, NaN)))), NaN)
  expect_identical(as.numeric(torch_max(torch_tensor(c(1, NaN, 3)))), NaN)
  expect_identical(as.numeric(x), c(1, 2, 3, 4, 5, 6))
})

test_that("every argument of std, max and cumsum", {
  fuzz_args("torch_std", function() list(self = torch_ones(3, 2), dim = 1, unbiased = TRUE,
                                          keepdim = FALSE, correction = 1))
  fuzz_args("torch_max", function() list(self = torch_ones(3, 2), dim = 1, other = NULL, keepdim = TRUE))
  fuzz_args("torch_cumsum", function() list(self = torch_ones(2, 1), dim = 1, dtype = NULL))
})
