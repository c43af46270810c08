test_that("R vectors, matrices and arrays round-trip with their dims and values", {
  v <- c(1.5, -2, 0, 3.25)
  expect_identical(as_array(torch_tensor(v)), v)
  m <- matrix(c(1, 2, 3, 4, 5, 6), 2, 3)
  expect_identical(as_array(torch_tensor(m)), m)
  a <- array(as.numeric(1:24), c(2, 3, 4))
  expect_identical(as_array(torch_tensor(a)), a)
  a4 <- array(as.numeric(1:120), c(2, 3, 4, 5))
  expect_identical(as_array(torch_tensor(a4)), a4)
  i <- matrix(1:6, 3)
  expect_identical(as_array(torch_tensor(i)), i)
  l <- array(c(TRUE, FALSE, TRUE, TRUE, FALSE, FALSE), c(3, 2))
  expect_identical(as_array(torch_tensor(l)), l)
  expect_identical(as_array(torch_tensor(v, dtype = torch_float64())), v)
})

test_that("the tensor keeps R's x[i, j] layout and is row-major inside", {
  m <- matrix(1:6, 2, 3)
  x <- torch_tensor(m)
  expect_equal(x$shape, c(2L, 3L))
  expect_equal(x$stride(), c(3L, 1L))
  expect_true(x$is_contiguous())
  # the values in memory are row-major: 1 3 5 2 4 6
  expect_identical(torchlite:::tl_values(x), c(1, 3, 5, 2, 4, 6))
})

test_that("default dtypes follow R torch", {
  expect_true(torch_tensor(1.5)$dtype == torch_float32())
  expect_true(torch_tensor(1L)$dtype == torch_int64())
  expect_true(torch_tensor(TRUE)$dtype == torch_bool())
  expect_equal(torch_tensor(1.5)$shape, 1L)
  expect_equal(torch_tensor(numeric(0))$shape, 0L)
})

test_that("float32 conversion rounds to the nearest float", {
  x <- torch_tensor(c(0.1, 1/3, 1e-8, 123456789))
  expect_identical(as.numeric(x), f32(c(0.1, 1/3, 1e-8, 123456789)))
  expect_identical(as.numeric(torch_tensor(0.1, dtype = torch_float64())), 0.1)
})

test_that("conversion helpers mirror as_array", {
  m <- matrix(c(1.5, 2.5, 3.5, 4.5), 2)
  x <- torch_tensor(m, dtype = torch_float64())
  expect_identical(as.numeric(x), as.numeric(m))
  expect_identical(as.double(x), as.numeric(m))
  expect_identical(as.vector(x), as.vector(m))
  expect_identical(as.matrix(x), m)
  expect_identical(as.array(torch_tensor(c(1, 2))), array(c(1, 2), 2))
  expect_identical(as.integer(torch_tensor(c(1.9, -1.9))), c(1L, -1L))
  expect_identical(as.logical(torch_tensor(c(0, 2))), c(FALSE, TRUE))
  expect_identical(as.matrix(torch_tensor(c(1, 2))), matrix(c(1, 2), 2, 1))
  expect_identical(dim(x), c(2L, 2L))
  expect_equal(length(x), 4)
  expect_identical(x$numel(), 4)
  expect_identical(x$size(), c(2L, 2L))
  expect_identical(x$size(1), 2L)
  expect_identical(torch_ones(2, 5)$size(-1), 5L)
})

test_that("item() returns an R scalar of the right type", {
  expect_identical(torch_tensor(2.5)$item(), 2.5)
  expect_identical(torch_tensor(3L)$item(), 3L)
  expect_identical(torch_tensor(TRUE)$item(), TRUE)
  expect_identical(torch_tensor(0.1)$item(), f32(0.1))
  expect_identical(torch_ones(1, 1, 1)$item(), 1)
  expect_torch_error(torch_ones(2)$item(), "runtime_error",
                     "a Tensor with 2 elements cannot be converted to Scalar")
})

test_that("$to converts dtypes and keeps the tensor when nothing changes", {
  x <- torch_tensor(c(1.7, -2.2, 0))
  expect_identical(as_array(x$to(dtype = torch_int64())), c(1L, -2L, 0L))
  expect_identical(as_array(x$to(dtype = torch_bool())), c(TRUE, TRUE, FALSE))
  expect_identical(as_array(x$to(dtype = torch_float64())), f32(c(1.7, -2.2, 0)))
  expect_true(x$double()$dtype == torch_float64())
  expect_true(x$long()$dtype == torch_long())
  expect_true(x$int()$dtype == torch_int32())
  expect_true(x$bool()$dtype == torch_bool())
  expect_true(x$float()$dtype == torch_float32())
  expect_identical(x$to(dtype = torch_float32()), x)
  y <- x$to(dtype = torch_float32(), copy = TRUE)
  expect_false(identical(torchlite:::.tl_data_ptr(y), torchlite:::.tl_data_ptr(x)))
  expect_identical(as_array(torch_tensor(c(TRUE, FALSE))$to(dtype = torch_float32())), c(1, 0))
  expect_identical(as_array(x$to(other = torch_ones(1, dtype = torch_int32()))), c(1L, -2L, 0L))
  expect_torch_error(x$to(device = "cuda"), "value_error")
})

test_that("NA and special values follow R torch", {
  x <- torch_tensor(c(NA, NaN, Inf, -Inf, 1))
  v <- as_array(x)
  expect_true(is.nan(v[1]) && is.nan(v[2]))
  expect_identical(v[3:5], c(Inf, -Inf, 1))
  # NA_integer_ is int32's minimum in the tensor and comes back as NA
  xi <- torch_tensor(c(1L, NA))
  expect_identical(as_array(xi), c(1L, NA))
  # a logical NA is non-zero, so it becomes TRUE, as in R torch
  expect_identical(as_array(torch_tensor(c(NA, FALSE))), c(TRUE, FALSE))
  # casting NaN and out-of-range floats to integers gives the type's minimum (as libtorch on x86)
  expect_identical(as_array(torch_tensor(c(NaN, 1e20, 2))$to(dtype = torch_int32())),
                   c(NA, NA, 2L))
})

test_that("int64 values beyond R's integer range warn when converted", {
  x <- torch_tensor(3e9, dtype = torch_int64())
  expect_warning(as_array(x), "Converting integers > .Machine\\$integer.max")
  expect_identical(x$item(), 3e9)
  expect_identical(x$to(dtype = torch_float64())$item(), 3e9)
})

test_that("unsupported data gives clear errors", {
  expect_torch_error(torch_tensor("a"), "value_error", "cannot convert an object of type 'character'")
  expect_torch_error(torch_tensor(NULL), "value_error", "got NULL")
  expect_torch_error(torch_tensor(list(1, 2)), "value_error", "not a list")
  expect_torch_error(torch_tensor(factor("a")), "value_error", "factors")
  expect_torch_error(torch_tensor(1i), "value_error", "'complex'")
  expect_torch_error(torch_tensor(sum), "value_error")
  expect_torch_error(torch_tensor(1, dtype = 3L), "value_error", "dtype must be a torch_dtype")
  expect_torch_error(torch_tensor(array(1, rep(1, 17))), "value_error", "at most 16 dimensions")
})

test_that("torch_tensor() of a tensor copies it", {
  x <- torch_tensor(c(1, 2))
  y <- torch_tensor(x, dtype = torch_float64())
  expect_true(y$dtype == torch_float64())
  expect_identical(as_array(y), c(1, 2))
  z <- torch_tensor(x, requires_grad = TRUE)
  expect_true(z$requires_grad)
  expect_false(x$requires_grad)
})
