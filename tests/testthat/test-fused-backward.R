# The backward of sigmoid and tanh runs as one fused kernel when the backward is not recorded
# (libtorch's sigmoid_backward / tanh_backward). Its values must be bitwise those of the
# composed formula, g * (1 - y) * y and g * (1 - y * y), computed with plain ops; with
# create_graph = TRUE the composed, differentiable formula still gives second derivatives.

fns <- list(
  sigmoid = list(f = function(x) x$sigmoid(), df = function(g, y) g * (1 - y) * y),
  tanh = list(f = function(x) x$tanh(), df = function(g, y) g * (1 - y * y))
)
dtypes <- list(float32 = torch_float32(), float64 = torch_float64())

# x$grad after backward of loss(f(view(x))), against df(g, f(view(x))) under no_grad, where
# g is the gradient that reaches f (given by upstream(): not all ones)
expect_fused_identical <- function(fn, dt, shape, view, loss, upstream, back = identity) {
  x <- torch_randn(shape, dtype = dt, requires_grad = TRUE)
  loss(fn$f(view(x)))$backward()
  ref <- with_no_grad({
    y <- fn$f(view(x))
    back(fn$df(upstream(), y))
  })
  expect_true(identical(as_array(x$grad), as_array(ref)))
  expect_equal(x$grad$dtype, dt)
}

test_that("fused sigmoid/tanh backward is bitwise the composed formula", {
  set.seed(1)
  for (nm in names(fns)) for (dn in names(dtypes)) {
    fn <- fns[[nm]]
    dt <- dtypes[[dn]]
    # contiguous, upstream gradient w (random)
    w <- torch_randn(c(37, 61), dtype = dt)
    expect_fused_identical(fn, dt, c(37, 61), identity, function(s) (s * w)$sum(),
                           function() w)
    # non-contiguous: a transposed view of x, and a transposed upstream gradient
    wt <- torch_randn(c(29, 53), dtype = dt)$t()
    expect_fused_identical(fn, dt, c(29, 53), function(x) x$t(), function(s) (s * wt)$sum(),
                           function() wt, back = function(r) r$t())
    # a gradient with a zero stride: sum over a dim, then weights (g[i, j] = v[i])
    v <- torch_randn(31, dtype = dt)
    expect_fused_identical(fn, dt, c(31, 47), identity,
                           function(s) (s$sum(dim = 2) * v)$sum(),
                           function() v$unsqueeze(2))
    # a broadcast input: x of shape (1, 43) times w of shape (19, 43); the gradient that
    # reaches f is w summed over dim 1
    wb <- torch_randn(c(19, 43), dtype = dt)
    expect_fused_identical(fn, dt, c(1, 43), identity, function(s) (s * wb)$sum(),
                           function() wb$sum(dim = 1, keepdim = TRUE))
    # large enough for the parallel loop
    wl <- torch_randn(300000, dtype = dt)
    expect_fused_identical(fn, dt, 300000, identity, function(s) (s * wl)$sum(),
                           function() wl)
    # 0-d (the one-element path)
    w0 <- torch_randn(1, dtype = dt)$squeeze()
    expect_fused_identical(fn, dt, 1, function(x) x$squeeze(), function(s) s * w0,
                           function() w0, back = function(r) r$reshape(1))
  }
})

test_that("create_graph = TRUE gives the same first derivative and correct second ones", {
  set.seed(2)
  for (nm in names(fns)) for (dn in names(dtypes)) {
    fn <- fns[[nm]]
    dt <- dtypes[[dn]]
    x <- torch_randn(c(7, 9), dtype = dt, requires_grad = TRUE)
    w <- torch_randn(c(7, 9), dtype = dt)
    g_fused <- autograd_grad((fn$f(x) * w)$sum(), x)[[1]]
    g_graph <- autograd_grad((fn$f(x) * w)$sum(), x, create_graph = TRUE)[[1]]
    expect_false(is.null(g_graph$grad_fn))
    expect_true(identical(as_array(g_fused), as_array(g_graph)))
  }
  x <- torch_tensor(seq(-4, 4, length.out = 41), dtype = torch_float64(), requires_grad = TRUE)
  xv <- as_array(x)
  s <- 1 / (1 + exp(-xv))
  g1 <- autograd_grad(x$sigmoid()$sum(), x, create_graph = TRUE)[[1]]
  expect_equal(as_array(g1), s * (1 - s), tolerance = 1e-12)
  g2 <- autograd_grad(g1$sum(), x)[[1]]
  expect_equal(as_array(g2), s * (1 - s) * (1 - 2 * s), tolerance = 1e-12)
  tt <- tanh(xv)
  g1 <- autograd_grad(x$tanh()$sum(), x, create_graph = TRUE)[[1]]
  g2 <- autograd_grad(g1$sum(), x)[[1]]
  expect_equal(as_array(g2), -2 * tt * (1 - tt^2), tolerance = 1e-12)
  # through backward(create_graph = TRUE)
  x$sigmoid()$sum()$backward(create_graph = TRUE)
  gg <- autograd_grad(x$grad$sum(), x)[[1]]
  expect_equal(as_array(gg), s * (1 - s) * (1 - 2 * s), tolerance = 1e-12)
  x$grad <- NULL
})
