# Shape operations against base R arrays. A tensor made from an R array has the same
# x[i, j, k]; its memory is row-major, so a reshape reads the elements with the LAST index
# varying fastest. rm_reshape() does that with base R.
rm_reshape <- function(a, dims) {
  a <- if (is.null(dim(a))) a else aperm(a, rev(seq_along(dim(a))))
  v <- as.vector(a)
  if (length(dims) < 2) return(v)
  aperm(array(v, rev(dims)), rev(seq_along(dims)))
}
# does a write through `view` show in `base`? (restores the value afterwards)
shares_memory <- function(base, view) {
  old <- as_array(base)
  view[..] <- 12345
  changed <- !identical(as_array(base), old)
  base[..] <- torch_tensor(old, dtype = base$dtype)
  changed
}

test_that("view and reshape read elements in row-major order, like R torch", {
  x <- torch_tensor(matrix(1:6, 2, 3, byrow = TRUE))
  expect_identical(as_array(x$view(6)), 1:6)
  expect_identical(as_array(x$view(c(3, 2))), matrix(1:6, 3, 2, byrow = TRUE))
  expect_identical(as_array(x$view(3, 2)), matrix(1:6, 3, 2, byrow = TRUE))
  expect_identical(as_array(x$view(size = c(-1, 2))), matrix(1:6, 3, 2, byrow = TRUE))
  expect_identical(as_array(x$view(c(1, -1))), matrix(1:6, 1, 6))
  expect_identical(x$view(c(2, 1, 3))$shape, c(2L, 1L, 3L))
  expect_identical(as_array(x$reshape(c(3, 2))), matrix(1:6, 3, 2, byrow = TRUE))
  expect_identical(as_array(torch_reshape(x, c(6, 1))), matrix(1:6, 6, 1))

  set.seed(1)
  a <- array(rnorm(24), c(2, 3, 4))
  t3 <- torch_tensor(a, dtype = torch_float64())
  for (dims in list(c(4, 6), c(24), c(3, 2, 4), c(2, 2, 2, 3), c(6, -1)))
    expect_equal(as_array(t3$reshape(dims)), rm_reshape(a, replace(dims, dims == -1, 4)),
                 tolerance = 0)
  expect_equal(as_array(t3$view(c(4, 6))), rm_reshape(a, c(4, 6)), tolerance = 0)
  expect_identical(x$view_as(torch_zeros(3, 2))$shape, c(3L, 2L))
  expect_identical(x$reshape_as(torch_zeros(6))$shape, 6L)
  # a scalar and back
  s <- torch_tensor(5)$view(integer(0))
  expect_identical(s$shape, integer(0))
  expect_identical(s$view(c(1, 1))$shape, c(1L, 1L))
})

test_that("view shares memory; reshape shares it when it can and copies otherwise", {
  x <- torch_tensor(matrix(1:6, 2, 3, byrow = TRUE))
  v <- x$view(6)
  v[2] <- 100L
  expect_identical(as_array(x)[1, 2], 100L)
  x[2, 3] <- -1L
  expect_identical(as_array(v)[6], -1L)
  expect_true(shares_memory(x, x$reshape(c(3, 2))))

  # a transposed matrix cannot be viewed flat, but it can be reshaped (a copy)
  tt <- x$t()
  expect_false(tt$is_contiguous())
  expect_torch_error(tt$view(6), "runtime_error",
    "view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead.")
  r <- tt$reshape(6)
  expect_identical(as_array(r), as.vector(as_array(x)))  # t(x) read row-major = x column-major
  expect_false(shares_memory(x, r))
  # but dims that stay contiguous can still be viewed: split the (contiguous) last dim
  y <- torch_zeros(4, 6)$t()
  expect_identical(y$view(c(2, 3, 4))$shape, c(2L, 3L, 4L))
  expect_true(shares_memory(y, y$view(c(2, 3, 4))))
  expect_identical(x$permute(c(2, 1))$unsqueeze(1)$view(c(3, 2))$shape, c(3L, 2L))
})

test_that("bad shapes give PyTorch's errors", {
  x <- torch_zeros(2, 3)
  expect_torch_error(x$view(c(2, 4)), "runtime_error", "shape '[2, 4]' is invalid for input of size 6")
  expect_torch_error(x$reshape(7), "runtime_error", "shape '[7]' is invalid for input of size 6")
  expect_torch_error(x$view(c(-1, -1)), "runtime_error", "only one dimension can be inferred")
  expect_torch_error(x$view(c(-2, 3)), "runtime_error", "invalid shape dimension -2")
  expect_torch_error(x$view(c(4, -1)), "runtime_error", "shape '[4, -1]' is invalid for input of size 6")
  expect_torch_error(torch_zeros(0, 3)$view(c(0, -1)), "runtime_error",
                     "cannot reshape tensor of 0 elements into shape [0, -1]")
  expect_torch_error(x$view(c(2.5, 3)), "value_error", "whole numbers")
  expect_torch_error(x$view("a"), "value_error")
  expect_torch_error(x$view(NA), "value_error")
  expect_torch_error(x$view(rep(1, 17) ), "value_error", "at most 16 dimensions")
})

test_that("flatten merges a range of dims", {
  a <- array(1:24, c(2, 3, 4))
  x <- torch_tensor(a)
  expect_identical(as_array(x$flatten()), rm_reshape(a, 24))
  expect_identical(as_array(x$flatten(start_dim = 2)), rm_reshape(a, c(2, 12)))
  expect_identical(as_array(torch_flatten(x, 1, 2)), rm_reshape(a, c(6, 4)))
  expect_identical(as_array(x$flatten(-2, -1)), rm_reshape(a, c(2, 12)))
  expect_identical(x$flatten(2, 2)$shape, c(2L, 3L, 4L))
  expect_identical(torch_tensor(3)$view(integer(0))$flatten()$shape, 1L)
  expect_true(shares_memory(x, x$flatten()))
  # a non-contiguous input gets copied, with the right order
  expect_identical(as_array(x$permute(c(3, 2, 1))$flatten()),
                   rm_reshape(aperm(a, c(3, 2, 1)), 24))
  expect_torch_error(x$flatten(3, 1), "runtime_error", "start_dim cannot come after end_dim")
  expect_torch_error(x$flatten(4), "index_error", "Dimension out of range (expected to be in range of [-3, 3], but got 4)")
  expect_torch_error(x$flatten(0), "index_error", "Indexing starts at 1 and got a 0.")
})

test_that("squeeze and unsqueeze add and drop size-1 dims", {
  x <- torch_zeros(2, 1, 3, 1)
  expect_identical(x$squeeze()$shape, c(2L, 3L))
  expect_identical(x$squeeze(2)$shape, c(2L, 3L, 1L))
  expect_identical(x$squeeze(-1)$shape, c(2L, 1L, 3L))
  expect_identical(x$squeeze(1)$shape, c(2L, 1L, 3L, 1L)) # size 2: unchanged
  expect_identical(torch_squeeze(x, 4)$shape, c(2L, 1L, 3L))
  expect_identical(torch_tensor(7)$squeeze()$shape, integer(0))

  y <- torch_tensor(matrix(1:6, 2, 3))
  expect_identical(y$unsqueeze(1)$shape, c(1L, 2L, 3L))
  expect_identical(y$unsqueeze(2)$shape, c(2L, 1L, 3L))
  expect_identical(y$unsqueeze(3)$shape, c(2L, 3L, 1L))
  expect_identical(y$unsqueeze(-1)$shape, c(2L, 3L, 1L))
  expect_identical(torch_unsqueeze(y, -3)$shape, c(1L, 2L, 3L))
  expect_identical(as_array(y$unsqueeze(2))[, 1, ], matrix(1:6, 2, 3))
  expect_identical(torch_tensor(7)$view(integer(0))$unsqueeze(1)$shape, 1L)
  expect_true(shares_memory(y, y$unsqueeze(1)))
  expect_true(shares_memory(x, x$squeeze()))
  expect_torch_error(y$unsqueeze(4), "index_error", "Dimension out of range (expected to be in range of [-3, 3], but got 4)")
  expect_torch_error(y$unsqueeze(0), "index_error", "Indexing starts at 1 and got a 0.")
  expect_torch_error(x$squeeze(5), "index_error", "Dimension out of range")
  expect_torch_error(x$squeeze(c(1, 2)), "value_error", "single whole number")
})

test_that("permute, transpose and t match aperm() and t()", {
  set.seed(2)
  a <- array(rnorm(24), c(2, 3, 4))
  x <- torch_tensor(a, dtype = torch_float64())
  for (p in list(c(1, 2, 3), c(3, 1, 2), c(2, 3, 1), c(3, 2, 1)))
    expect_identical(as_array(x$permute(p)), aperm(a, p))
  expect_identical(as_array(x$permute(3, 1, 2)), aperm(a, c(3, 1, 2)))
  expect_identical(as_array(torch_permute(x, c(-1, 1, 2))), aperm(a, c(3, 1, 2)))
  expect_identical(as_array(x$transpose(1, 3)), aperm(a, c(3, 2, 1)))
  expect_identical(as_array(torch_transpose(x, 2, -1)), aperm(a, c(1, 3, 2)))
  m <- matrix(1:6, 2, 3)
  expect_identical(as_array(torch_tensor(m)$permute(c(2, 1))), t(m))
  expect_identical(as_array(torch_tensor(m)$t()), t(m))
  expect_identical(as_array(torch_t(torch_tensor(m))), t(m))
  expect_identical(as_array(torch_tensor(1:3)$t()), 1:3)
  expect_identical(torch_tensor(1)$view(integer(0))$t()$shape, integer(0))
  # permuting twice gives the original back; views all the way
  expect_identical(as_array(x$permute(c(3, 1, 2))$permute(c(2, 3, 1))), a)
  expect_true(shares_memory(x, x$permute(c(3, 1, 2))))
  expect_true(shares_memory(x, x$transpose(1, 2)))
  expect_torch_error(x$permute(c(1, 1, 2)), "runtime_error", "permute(): duplicate dims are not allowed.")
  expect_torch_error(x$permute(c(1, 2)), "runtime_error", "input.dim() = 3 is not equal to len(dims) = 2")
  expect_torch_error(x$permute(c(1, 2, 4)), "index_error", "Dimension out of range")
  expect_torch_error(x$t(), "runtime_error", "t() expects a tensor with <= 2 dimensions, but self is 3D")
  expect_torch_error(x$transpose(1, 4), "index_error", "Dimension out of range")
})

test_that("expand broadcasts size-1 dims without copying", {
  x <- torch_tensor(c(1, 2, 3))
  e <- x$expand(c(2, 3))
  expect_identical(as_array(e), rbind(c(1, 2, 3), c(1, 2, 3)))
  expect_identical(e$stride(), c(0L, 1L))
  expect_identical(as_array(x$expand(2, -1)), rbind(c(1, 2, 3), c(1, 2, 3)))
  col <- torch_tensor(matrix(c(1, 2), 2, 1))
  expect_identical(as_array(col$expand(c(-1, 4))), matrix(c(1, 2), 2, 4))
  expect_identical(as_array(col$expand_as(torch_zeros(3, 2, 4)))[3, , ], matrix(c(1, 2), 2, 4))
  expect_identical(torch_tensor(5)$view(integer(0))$expand(3)$shape, 3L)
  x[2] <- 20
  expect_identical(as_array(e)[2, 2], 20)
  expect_torch_error(x$expand(c(2, 4)), "runtime_error",
    "The expanded size of the tensor (4) must match the existing size (3) at non-singleton dimension 1.  Target sizes: [2, 4].  Tensor sizes: [3]")
  expect_torch_error(torch_zeros(2, 3)$expand(3), "runtime_error",
    "expand(torch.FloatTensor{[2, 3]}, size=[3]): the number of sizes provided (1) must be greater or equal to the number of dimensions in the tensor (2)")
  expect_torch_error(x$expand(c(-1, 3)), "runtime_error", "isn't allowed in a leading, non-existing dimension 0")
})

test_that("narrow takes a 1-based window, as a view", {
  x <- torch_tensor(matrix(1:20, 4, 5, byrow = TRUE))
  m <- matrix(1:20, 4, 5, byrow = TRUE)
  expect_identical(as_array(x$narrow(1, 2, 2)), m[2:3, ])
  expect_identical(as_array(torch_narrow(x, 2, 3, 3)), m[, 3:5])
  expect_identical(as_array(x$narrow(-1, -2, 2)), m[, 4:5])
  expect_identical(x$narrow(1, 5, 0)$shape, c(0L, 5L))
  expect_true(shares_memory(x, x$narrow(2, 2, 2)))
  expect_torch_error(x$narrow(1, 0, 2), "value_error", "start indexing starts at 1")
  expect_torch_error(x$narrow(1, 4, 2), "runtime_error", "start (3) + length (2) exceeds dimension size (4).")
  expect_torch_error(x$narrow(3, 1, 1), "index_error", "Dimension out of range")
})

test_that("chunk, split and unbind cut a dim into views", {
  x <- torch_tensor(1:10)
  ch <- x$chunk(3)
  expect_length(ch, 3)
  expect_identical(lapply(ch, as_array), list(1:4, 5:8, 9:10))
  expect_identical(lengths(lapply(torch_chunk(torch_zeros(6), 4), as_array)), c(2L, 2L, 2L))
  expect_identical(lapply(x$split(4), as_array), list(1:4, 5:8, 9:10))
  expect_identical(lapply(torch_split(x, c(2, 8)), as_array), list(1:2, 3:10))
  expect_identical(lapply(x$split_with_sizes(c(5, 5)), as_array), list(1:5, 6:10))
  expect_identical(lapply(x$split_with_sizes(10), as_array), list(1:10))
  expect_torch_error(x$split_with_sizes(4), "runtime_error", "split_sizes=[4]")
  expect_torch_error(x$split_with_sizes(c(12, -2)), "runtime_error", "only non-negative entries")
  m <- matrix(1:12, 3, 4, byrow = TRUE)
  xm <- torch_tensor(m)
  expect_identical(lapply(xm$chunk(2, dim = 2), as_array), list(m[, 1:2], m[, 3:4]))
  expect_identical(lapply(xm$split(2, -1), as_array), list(m[, 1:2], m[, 3:4]))
  expect_identical(lapply(xm$unbind(), as_array), list(m[1, ], m[2, ], m[3, ]))
  expect_identical(lapply(torch_unbind(xm, 2), as_array), lapply(1:4, function(j) m[, j]))
  pieces <- xm$unbind(2)
  pieces[[2]][1] <- 0L
  expect_identical(as_array(xm)[1, 2], 0L)
  # empty dims
  expect_length(torch_zeros(0)$chunk(4), 4)
  expect_length(torch_zeros(0)$split(2), 1)
  expect_length(torch_zeros(0, 3)$unbind(), 0)
  expect_torch_error(x$chunk(0), "runtime_error", "chunk expects `chunks` to be greater than 0, got: 0")
  expect_torch_error(x$split(0), "runtime_error", "split_size can only be 0 if dimension size is 0")
  expect_torch_error(x$split(c(2, 2)), "runtime_error",
    "split_with_sizes expects split_sizes to sum exactly to 10 (input tensor's size at dimension 0), but got split_sizes=[2, 2]")
  expect_torch_error(x$unbind(2), "index_error", "Dimension out of range")
})

test_that("torch_cat and torch_stack join tensors, promoting dtypes", {
  a <- matrix(1:6, 2, 3)
  b <- matrix(7:9, 1, 3)
  expect_identical(as_array(torch_cat(list(torch_tensor(a), torch_tensor(b)))), rbind(a, b))
  c2 <- matrix(c(0.5, 1.5), 2, 1)
  r <- torch_cat(list(torch_tensor(a), torch_tensor(c2, dtype = torch_float64())), dim = 2)
  expect_true(r$dtype == torch_float64())
  expect_identical(as_array(r), cbind(a, c2))
  expect_identical(as_array(torch_cat(list(torch_tensor(a), torch_tensor(a)), dim = -1)), cbind(a, a))
  expect_true(torch_cat(list(torch_tensor(1:2), torch_tensor(c(0.5))))$dtype == torch_float32())
  expect_true(torch_cat(list(torch_tensor(c(TRUE, FALSE)), torch_tensor(1:2)))$dtype == torch_long())
  # PyTorch skips 1-d empty tensors
  expect_identical(as_array(torch_cat(list(torch_tensor(a), torch_zeros(0, dtype = torch_long())))), a)
  expect_identical(torch_cat(list(torch_zeros(0, 3), torch_zeros(2, 3)))$shape, c(2L, 3L))
  # non-contiguous inputs
  expect_identical(as_array(torch_cat(list(torch_tensor(a)$t(), torch_tensor(a)$t()))), rbind(t(a), t(a)))

  s <- torch_stack(list(torch_tensor(a), torch_tensor(a + 10L)))
  expect_identical(s$shape, c(2L, 2L, 3L))
  expect_identical(as_array(s)[2, , ], a + 10L)
  s3 <- torch_stack(list(torch_tensor(a), torch_tensor(a + 10L)), dim = 3)
  expect_identical(as_array(s3)[, , 2], a + 10L)
  s2 <- torch_stack(list(torch_tensor(a), torch_tensor(a + 10L)), dim = -1)
  expect_identical(s2$shape, c(2L, 3L, 2L))
  expect_identical(as_array(torch_stack(list(torch_tensor(1:2), torch_tensor(3:4)), 2)),
                   cbind(1:2, 3:4))
  expect_true(torch_stack(list(torch_tensor(1:2), torch_tensor(c(1, 2), dtype = torch_float64())))$dtype ==
                torch_float64())
  sc <- torch_stack(list(torch_tensor(1)$view(integer(0)), torch_tensor(2)$view(integer(0))))
  expect_identical(as_array(sc), c(1, 2))

  expect_torch_error(torch_cat(list(torch_zeros(2, 3), torch_zeros(2, 2))), "runtime_error",
    "Sizes of tensors must match except in dimension 0. Expected size 3 but got size 2 for tensor number 1 in the list.")
  expect_torch_error(torch_cat(list(torch_zeros(2, 3), torch_zeros(3))), "runtime_error",
    "Tensors must have same number of dimensions: got 2 and 1")
  expect_torch_error(torch_cat(list()), "runtime_error", "torch.cat(): expected a non-empty list of Tensors")
  expect_torch_error(torch_cat(list(torch_tensor(1)$view(integer(0)))), "runtime_error",
    "zero-dimensional tensor (at position 0) cannot be concatenated")
  expect_torch_error(torch_cat(torch_zeros(2)), "value_error", "tensors must be a list of tensors")
  expect_torch_error(torch_cat(list(torch_zeros(2), 1)), "value_error", "element 2 of tensors is not a tensor")
  expect_torch_error(torch_cat(list(torch_zeros(2, 3)), dim = 3), "index_error", "Dimension out of range")
  expect_torch_error(torch_stack(list(torch_zeros(2, 3), torch_zeros(3, 2))), "runtime_error",
    "stack expects each tensor to be equal size, but got [2, 3] at entry 0 and [3, 2] at entry 1")
  expect_torch_error(torch_stack(list()), "runtime_error", "stack expects a non-empty TensorList")
  expect_torch_error(torch_stack(list(torch_zeros(2)), dim = 3), "index_error", "Dimension out of range")
})

test_that("zero-size dims flow through every shape op", {
  x <- torch_zeros(2, 0, 3)
  expect_identical(x$view(c(0, 3))$shape, c(0L, 3L))
  expect_identical(x$view(c(-1, 3))$shape, c(0L, 3L))
  expect_identical(x$reshape(c(3, 0, 5))$shape, c(3L, 0L, 5L))
  expect_identical(x$permute(c(3, 2, 1))$shape, c(3L, 0L, 2L))
  expect_identical(x$flatten()$shape, 0L)
  expect_identical(x$unsqueeze(2)$shape, c(2L, 1L, 0L, 3L))
  expect_identical(x$transpose(1, 2)$reshape(c(-1))$shape, 0L)
  expect_identical(x$expand(c(4, 2, 0, 3))$shape, c(4L, 2L, 0L, 3L))
  expect_identical(torch_cat(list(x, x), 2)$shape, c(2L, 0L, 3L))
  expect_identical(torch_stack(list(x, x))$shape, c(2L, 2L, 0L, 3L))
  expect_identical(x$narrow(3, 2, 2)$shape, c(2L, 0L, 2L))
  expect_length(x$chunk(2, 3), 2)
})

test_that("shape ops keep the dtype", {
  for (dt in list(torch_bool(), torch_int32(), torch_int64(), torch_float32(), torch_float64())) {
    x <- torch_ones(2, 3, dtype = dt)
    expect_true(x$t()$reshape(6)$dtype == dt)
    expect_true(torch_cat(list(x, x))$dtype == dt)
    expect_true(x$expand(c(2, 2, 3))$dtype == dt)
  }
})

test_that("in-place ops through a view are seen by the base (and back)", {
  skip_if_not(all(c("add_", "zero_") %in% ls(torchlite:::tensor_methods)), "in-place ops not built")
  x <- torch_tensor(matrix(c(1, 2, 3, 4, 5, 6), 2, 3, byrow = TRUE))
  x$view(6)$add_(1)
  expect_identical(as_array(x), matrix(2:7, 2, 3, byrow = TRUE) + 0)
  x$t()[1, ]$zero_()
  expect_identical(as_array(x)[, 1], c(0, 0))
  col <- x$unsqueeze(1)$transpose(2, 3)$squeeze(1)
  x$zero_()
  expect_identical(as_array(col), matrix(0, 3, 2))
})
