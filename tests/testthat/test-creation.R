test_that("sizes can be given as numbers, one vector or size =", {
  expect_equal(torch_ones(2, 3)$shape, c(2L, 3L))
  expect_equal(torch_ones(c(2, 3))$shape, c(2L, 3L))
  expect_equal(torch_zeros(size = c(4, 1))$shape, c(4L, 1L))
  expect_equal(torch_empty(5)$shape, 5L)
  expect_equal(torch_zeros(2L, 0L)$shape, c(2L, 0L))
  expect_equal(torch_ones(integer(0))$shape, integer(0))
  expect_equal(torch_ones(integer(0))$ndim, 0L)
})

test_that("fill functions give the right values and dtypes", {
  expect_identical(as_array(torch_ones(2, 2)), matrix(1, 2, 2))
  expect_identical(as_array(torch_zeros(3)), c(0, 0, 0))
  expect_identical(as_array(torch_empty(2)), c(0, 0))
  expect_identical(as_array(torch_full(c(2, 3), 0.1)), matrix(f32(0.1), 2, 3))
  expect_identical(as_array(torch_full(c(2), 7, dtype = torch_float64())), c(7, 7))
  expect_true(torch_full(c(2), 7L)$dtype == torch_long())
  expect_true(torch_full(c(2), TRUE)$dtype == torch_bool())
  expect_true(torch_ones(2)$dtype == torch_float32())
  expect_identical(as_array(torch_ones(3, dtype = torch_int64())), c(1L, 1L, 1L))
  expect_identical(as_array(torch_ones(2, dtype = torch_bool())), c(TRUE, TRUE))
  expect_identical(as_array(torch_ones(2, dtype = torch_int32())), c(1L, 1L))
})

test_that("_like functions take shape and dtype of their input", {
  x <- torch_zeros(2, 3, dtype = torch_float64())
  expect_equal(torch_ones_like(x)$shape, c(2L, 3L))
  expect_true(torch_ones_like(x)$dtype == torch_float64())
  expect_true(torch_zeros_like(x, dtype = torch_int32())$dtype == torch_int32())
  expect_identical(as_array(torch_full_like(x, 2.5)), matrix(2.5, 2, 3))
  expect_identical(as_array(torch_empty_like(x)), matrix(0, 2, 3))
  expect_equal(torch_randn_like(x)$shape, c(2L, 3L))
  expect_true(torch_rand_like(x)$dtype == torch_float64())
  r <- torch_randint_like(x, 0, 3)
  expect_true(torch_randint(0, 3, 2)$dtype == torch_float32())
  expect_true(all(as_array(r) %in% 0:2))
  expect_torch_error(torch_ones_like(1:3), "value_error", "input must be a torch_tensor")
})

test_that("torch_eye builds identity matrices", {
  expect_identical(as_array(torch_eye(3)), diag(3))
  expect_identical(as_array(torch_eye(2, 3)), diag(1, 2, 3))
  expect_identical(as_array(torch_eye(2, dtype = torch_int64())), matrix(c(1L, 0L, 0L, 1L), 2))
  expect_equal(torch_eye(0)$shape, c(0L, 0L))
})

test_that("torch_arange includes the end, as R torch does", {
  expect_identical(as_array(torch_arange(1, 5)), c(1, 2, 3, 4, 5))
  expect_identical(as_array(torch_arange(0, 1, 0.25)), c(0, 0.25, 0.5, 0.75, 1))
  expect_identical(as_array(torch_arange(5, 1, -2)), c(5, 3, 1))
  expect_identical(as_array(torch_arange(0, 0.9, 0.3)), f32(c(0, 0.3, 0.6, 0.9)))
  expect_true(torch_arange(1, 3)$dtype == torch_float32())
  expect_true(torch_arange(1, 3, dtype = torch_int64())$dtype == torch_long())
  expect_identical(as_array(torch_arange(1, 3, dtype = torch_int64())), 1:3)
  expect_identical(as_array(torch_arange(0, 1, 0.5, dtype = torch_float64())), c(0, 0.5, 1))
  expect_torch_error(torch_arange(1, 5, 0), "value_error", "step must be nonzero")
  expect_torch_error(torch_arange(5, 1), "value_error", "inconsistent with step sign")
})

test_that("torch_linspace matches libtorch's values", {
  expect_identical(as_array(torch_linspace(0, 1, 5)), c(0, 0.25, 0.5, 0.75, 1))
  # PyTorch: torch.linspace(0, 1, 7).tolist() (float32)
  expect_identical(as_array(torch_linspace(0, 1, 7)),
                   f32(c(0, 0.1666666716337204, 0.3333333432674408, 0.5,
                         0.6666666269302368, 0.8333333134651184, 1)))
  expect_identical(as_array(torch_linspace(-1, 1, 3, dtype = torch_float64())), c(-1, 0, 1))
  expect_identical(as_array(torch_linspace(2, 3, 1)), 2)
  expect_equal(torch_linspace(0, 1, 0)$shape, 0L)
  expect_equal(torch_linspace(0, 1)$shape, 100L)
  expect_torch_error(torch_linspace(0, 1, -1), "value_error")
})

test_that("requires_grad is set at creation, only for floating dtypes", {
  expect_true(torch_ones(2, requires_grad = TRUE)$requires_grad)
  expect_false(torch_ones(2)$requires_grad)
  expect_true(torch_randn(2, dtype = torch_float64(), requires_grad = TRUE)$requires_grad)
  expect_torch_error(torch_ones(2, dtype = torch_long(), requires_grad = TRUE), "runtime_error",
                     "Only Tensors of floating point and complex dtype can require gradients")
  expect_torch_error(torch_tensor(1:3, requires_grad = TRUE), "runtime_error",
                     "Only Tensors of floating point")
  expect_torch_error(torch_ones(2, requires_grad = NA), "value_error", "requires_grad must be TRUE or FALSE")
})

test_that("bad sizes give clear errors", {
  expect_torch_error(torch_ones(-1), "value_error",
                     "Trying to create tensor with negative dimension -1: [-1]")
  expect_torch_error(torch_zeros(2, -3), "value_error",
                     "Trying to create tensor with negative dimension -3: [2, -3]")
  expect_torch_error(torch_ones(2.5), "value_error", "size must contain whole numbers, got 2.5")
  expect_torch_error(torch_ones(NA), "value_error", "size must be a numeric vector")
  expect_torch_error(torch_ones(NA_integer_), "value_error", "size must not contain NA")
  expect_torch_error(torch_ones("a"), "value_error", "size must be a numeric vector")
  expect_torch_error(torch_ones(2, "a"), "value_error", "sizes must be given as numbers")
  expect_torch_error(torch_ones(list(2, 3)), "value_error")
  expect_torch_error(torch_ones(rep(1, 17)), "value_error", "at most 16 dimensions")
  expect_torch_error(torch_ones(c(2^40, 2^40)), "value_error", "overflows")
  expect_torch_error(torch_ones(2^62), "memory_error")
  expect_torch_error(torch_full(c(2, 2), "a"), "value_error", "fill_value must be a single number")
  expect_torch_error(torch_eye(-1), "value_error")
  expect_torch_error(torch_ones(2, dtype = "float"), "value_error", "dtype must be a torch_dtype")
  expect_torch_error(torch_ones(2, device = "cuda"), "value_error", "only computes on the CPU")
  # nothing was left behind by the failures
  before <- torchlite_memory()[["bytes"]]
  for (i in 1:20) try(torch_ones(-1), silent = TRUE)
  expect_equal(torchlite_memory()[["bytes"]], before)
})
