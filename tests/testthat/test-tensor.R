test_that("fields answer as in R torch", {
  x <- torch_ones(2, 3)
  expect_identical(x$shape, c(2L, 3L))
  expect_identical(x$ndim, 2L)
  expect_identical(x$dim(), 2L)
  expect_false(x$requires_grad)
  expect_true(x$is_leaf)
  expect_null(x$grad)
  expect_null(x$grad_fn)
  expect_identical(x$device$type, "cpu")
  expect_output(print(x$device), "torch_device(type='cpu')", fixed = TRUE)
  expect_true(x$dtype == torch_float())
  expect_identical(x$element_size(), 4L)
  expect_true(is_torch_tensor(x))
  expect_false(is_torch_tensor(1))
  expect_identical(class(x), "torch_tensor")
})

test_that("requires_grad can be assigned and set with requires_grad_()", {
  x <- torch_ones(2)
  x$requires_grad <- TRUE
  expect_true(x$requires_grad)
  x$requires_grad <- FALSE
  expect_false(x$requires_grad)
  y <- x$requires_grad_()
  expect_true(x$requires_grad)
  expect_identical(y, x)
  expect_torch_error(x$requires_grad <- NA, "value_error")
  i <- torch_ones(2, dtype = torch_long())
  expect_torch_error(i$requires_grad <- TRUE, "runtime_error", "Only Tensors of floating point")
  expect_false(i$requires_grad)
  expect_torch_error(x$shape <- 3, "value_error", "cannot assign to the field 'shape'")
})

test_that("unknown names and misuse give clear errors", {
  x <- torch_ones(2)
  expect_torch_error(x$nonexistent, "value_error", "'nonexistent' is not a field or method")
  expect_torch_error(x$size(0), "index_error", "Indexing starts at 1 but found a 0.")
  expect_torch_error(x$size(3), "index_error", "Dimension out of range")
  expect_true("numel" %in% .DollarNames(x, ""))
})

test_that("a tensor restored from serialization is a working tensor", {
  x <- torch_tensor(matrix(c(1, 2, 3, 4), 2), requires_grad = TRUE)
  y <- unserialize(serialize(x, NULL))
  expect_true(torchlite:::.tl_is_valid(y))
  expect_identical(y$shape, c(2L, 2L))
  expect_identical(y$dtype, torch_float32())
  expect_identical(as_array(y), matrix(c(1, 2, 3, 4), 2))
  expect_true(y$requires_grad)
  expect_identical(capture.output(print(y)), capture.output(print(x)))
  expect_identical(as_array(y + x), matrix(c(2, 4, 6, 8), 2))
  expect_false(identical(x, y))
  expect_true(torchlite:::.tl_is_valid(x))
  # format version 2 cannot hold the data: using the handle then errors instead of crashing
  z <- unserialize(serialize(x, NULL, version = 2))
  expect_false(torchlite:::.tl_is_valid(z))
  expect_torch_error(z$shape, "runtime_error", "memory is gone")
  expect_torch_error(as_array(z), "runtime_error", "memory is gone")
  expect_torch_error(print(z), "runtime_error")
})

test_that("dtype objects print and compare as in R torch", {
  expect_output(print(torch_float32()), "torch_Float", fixed = TRUE)
  expect_output(print(torch_float64()), "torch_Double", fixed = TRUE)
  expect_output(print(torch_int64()), "torch_Long", fixed = TRUE)
  expect_output(print(torch_int32()), "torch_Int", fixed = TRUE)
  expect_output(print(torch_bool()), "torch_Bool", fixed = TRUE)
  expect_true(torch_float() == torch_float32())
  expect_true(torch_double() == torch_float64())
  expect_true(torch_long() == torch_int64())
  expect_true(torch_int() == torch_int32())
  expect_false(torch_float() == torch_double())
  expect_true(torch_float() != torch_double())
  expect_identical(as.character(torch_double()), "Double")
})

test_that("memory is counted and returned when tensors are collected", {
  gc(); gc() # handles of small tensors are released by chunk: it takes two collections
  before <- torchlite_memory()[["bytes"]]
  local({
    xs <- lapply(1:50, function(i) torch_ones(1000))
    expect_gt(torchlite_memory()[["bytes"]], before + 50 * 4000)
  })
  gc(); gc() # handles of small tensors are released by chunk: it takes two collections
  expect_equal(torchlite_memory()[["bytes"]], before)
})

test_that("a loop that drops big tensors stays bounded", {
  gc(); gc() # handles of small tensors are released by chunk: it takes two collections
  before <- torchlite_memory()[["bytes"]]
  peak <- 0
  for (i in 1:60) {
    x <- torch_zeros(4e6) # 16 MB each, ~1 GB in all without collections
    peak <- max(peak, torchlite_memory()[["bytes"]])
  }
  rm(x)
  expect_lt(peak - before, 400e6)
  gc(); gc() # handles of small tensors are released by chunk: it takes two collections
  expect_equal(torchlite_memory()[["bytes"]], before)
})

test_that("thread settings round-trip and report the BLAS", {
  old <- torch_get_num_threads()
  torch_set_num_threads(1)
  expect_identical(torch_get_num_threads(), 1L)
  torch_set_num_threads(old)
  expect_identical(torch_get_num_threads(), old)
  info <- torchlite_backend()
  expect_named(info, c("blas", "num_threads", "openmp", "simd"))
  expect_type(info$blas, "character")
  expect_true(info$simd %in% c("avx512", "avx2", "generic"))
  expect_identical(info$simd == "generic", torchlite:::tl_elementwise_simd() == "generic")
  expect_identical(info$simd == "avx512", torchlite:::tl_elementwise_wide())
  expect_torch_error(torch_set_num_threads(0), "value_error")
  expect_torch_error(torch_set_num_threads("a"), "value_error")
})
