# Tensors keep their shape and strides in the same allocation as the tensor itself, sized by
# the number of dimensions, and autograd nodes keep their inputs' shapes in their own block
# (src/core/tensor.c, src/core/autograd/node.c): tensors of 0 to 16 dimensions, views of
# them, their gradients and saved copies must all see the right sizes.

test_that("tensors of 0 to 16 dimensions keep their shapes, strides and values", {
  s <- torch_ones(3, dtype = torch_float64())$sum() # 0-d
  expect_identical(s$shape, integer(0))
  expect_equal(s$ndim, 0)
  expect_equal(s$item(), 3)
  for (nd in c(1, 2, 5, 15, 16)) {
    shape <- rep(2L, nd)
    n <- 2^nd
    a <- array(as.numeric(seq_len(n) - 1), dim = shape)
    x <- torch_tensor(a, dtype = torch_float64())
    expect_identical(x$shape, shape)
    expect_equal(x$ndim, nd)
    expect_identical(x$stride(), as.integer(rev(cumprod(c(1, rep(2, nd - 1))))))
    expect_equal(as_array(x), if (nd == 1) as.vector(a) else a)
    if (nd >= 2) {
      p <- x$permute(rev(seq_len(nd)))
      expect_identical(p$shape, shape)
      expect_equal(as_array(p), aperm(a, rev(seq_len(nd))))
      expect_equal(as_array(p$contiguous()), aperm(a, rev(seq_len(nd))))
    }
  }
})

test_that("a 16-dimensional view, its gradient and its saved copy keep 16 dimensions", {
  x <- torch_randn(2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, dtype = torch_float64(),
                   requires_grad = TRUE)
  y <- x$unsqueeze(8)                  # 16 dims
  expect_equal(y$ndim, 16)
  z <- (y * y)$sum()                   # MulBackward0 saves both operands (16-d)
  z$backward()
  expect_identical(x$grad$shape, rep(2L, 15))
  expect_equal(as_array(x$grad), 2 * as_array(x$detach()))
  r <- unserialize(serialize(y$detach(), NULL))
  expect_identical(r$shape, c(rep(2L, 7), 1L, rep(2L, 8)))
  expect_equal(as_array(r), as_array(y$detach()))
})

test_that("gradients reduce a broadcast back to each input's own shape", {
  # the node keeps [3, 1] and [4] as its inputs' shapes, one after the other in its block
  a <- torch_randn(3, 1, dtype = torch_float64(), requires_grad = TRUE)
  b <- torch_randn(4, dtype = torch_float64(), requires_grad = TRUE)
  (a * b)$sum()$backward()
  expect_identical(a$grad$shape, c(3L, 1L))
  expect_identical(b$grad$shape, 4L)
  expect_equal(as_array(a$grad), matrix(rep(sum(as_array(b$detach())), 3), 3, 1))
  expect_equal(as_array(b$grad), rep(sum(as_array(a$detach())), 4))
  # a scalar factor: 2 * x records two inputs (the first a 0-d number) and saves nothing
  x <- torch_ones(2, 3, requires_grad = TRUE)
  y <- 2 * x
  expect_equal(y$grad_fn$name(), "MulBackward0")
  y$sum()$backward()
  expect_equal(as_array(x$grad), matrix(2, 2, 3))
})
