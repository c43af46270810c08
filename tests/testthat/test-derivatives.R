# Every differentiable op against finite differences (gradcheck, double precision), and its
# grad_fn name as R torch names it.

d <- function(x, ...) torch_tensor(x, dtype = torch_float64(), requires_grad = TRUE, ...)
set.seed(42)
m34 <- function() d(matrix(runif(12, 0.5, 1.5), 3, 4))
v3 <- function() d(runif(3, 0.5, 1.5))

expect_grad <- function(fn, ...) expect_true(gradcheck(fn, list(...)))

test_that("arithmetic with tensors and scalars, with broadcasting", {
  expect_grad(function(a, b) a + b, m34(), d(runif(4)))
  expect_grad(function(a, b) a - b, m34(), d(matrix(runif(3), 3, 1)))
  expect_grad(function(a, b) a * b, m34(), d(runif(4)))
  expect_grad(function(a, b) a / b, m34(), d(runif(4, 1, 2)))
  expect_grad(function(a) a + 2, m34())
  expect_grad(function(a) 2 - a, m34())
  expect_grad(function(a) a * 0.3, m34())
  expect_grad(function(a) 3 / a, m34())
  expect_grad(function(a, b) a$add(b, alpha = 2.5), m34(), d(runif(4)))
  expect_grad(function(a, b) a$sub(b, alpha = 0.5), m34(), d(runif(4)))
  expect_grad(function(a) -a, m34())
})

test_that("pow with scalar and tensor exponents, and a scalar base", {
  expect_grad(function(a) a^2, m34())
  expect_grad(function(a) a^3.5, m34())
  expect_grad(function(a) a^0, v3())
  expect_grad(function(a, b) a^b, m34(), d(runif(4, 0.5, 2)))
  expect_grad(function(b) 2^b, v3())
  expect_grad(function(a) a$square(), m34())
})

test_that("unary math functions", {
  fns <- list(exp = function(x) x$exp(), log = function(x) x$log(), sqrt = function(x) x$sqrt(),
              rsqrt = function(x) x$rsqrt(), sin = function(x) x$sin(), cos = function(x) x$cos(),
              tan = function(x) x$tan(), tanh = function(x) x$tanh(),
              sigmoid = function(x) x$sigmoid(), reciprocal = function(x) x$reciprocal(),
              log1p = function(x) x$log1p(), expm1 = function(x) x$expm1(),
              abs = function(x) (x - 1)$abs(), relu = function(x) (x - 1)$relu(),
              log2 = function(x) torch_log2(x), log10 = function(x) torch_log10(x),
              exp2 = function(x) torch_exp2(x), sinh = function(x) torch_sinh(x),
              cosh = function(x) torch_cosh(x), asin = function(x) torch_asin(x - 1),
              acos = function(x) torch_acos(x - 1), atan = function(x) torch_atan(x),
              frac = function(x) torch_frac(x * 3))
  for (nm in names(fns)) {
    x <- d(c(0.6, 0.8, 1.25, 1.45))
    expect_true(gradcheck(fns[[nm]], x), label = nm)
  }
  x <- d(c(0.3, 1.7))
  for (f in list(function(x) x$floor(), function(x) x$ceil(), function(x) x$round(),
                 function(x) x$sign(), function(x) torch_trunc(x))) {
    y <- f(x)$sum()
    y$backward()
    expect_equal(as_array(x$grad), c(0, 0))
    x$grad <- NULL
  }
})

test_that("clamp, where, maximum/minimum, masked_fill, fmod, remainder", {
  x <- d(c(-1.5, -0.2, 0.3, 0.9, 2.2))
  expect_grad(function(x) x$clamp(min = 0), x)
  expect_grad(function(x) x$clamp(min = -1, max = 1), x)
  expect_grad(function(x, lo, hi) torch_clamp(x, lo, hi), x, d(rep(-1.1, 5)), d(rep(1.1, 5)))
  cond <- torch_tensor(c(TRUE, FALSE, TRUE, FALSE, TRUE))
  expect_grad(function(a, b) torch_where(cond, a, b), x, d(runif(5)))
  expect_grad(function(a, b) torch_maximum(a, b), x, d(c(0, 0, 0, 0, 3)))
  expect_grad(function(a, b) torch_minimum(a, b), x, d(c(0, 0, 0, 0, 3)))
  mask <- torch_tensor(c(TRUE, FALSE, FALSE, TRUE, FALSE))
  expect_grad(function(x) x$masked_fill(mask, 3), x)
  expect_grad(function(a, b) torch_fmod(a, b), d(c(5.3, -4.1, 2.2)), d(c(2.1, 1.9, 0.7)))
  expect_grad(function(a, b) torch_remainder(a, b), d(c(5.3, -4.1, 2.2)), d(c(2.1, 1.9, 0.7)))
  expect_grad(function(a) torch_fmod(a, 1.5), d(c(5.3, -4.1, 2.2)))
  # ties of maximum split the gradient
  a <- d(c(1, 2))
  b <- d(c(1, 1))
  torch_maximum(a, b)$sum()$backward()
  expect_equal(as_array(a$grad), c(0.5, 1))
  expect_equal(as_array(b$grad), c(0.5, 0))
})

test_that("reductions", {
  expect_grad(function(x) x$sum(), m34())
  expect_grad(function(x) x$sum(dim = 2), m34())
  expect_grad(function(x) x$sum(dim = c(1, 2), keepdim = TRUE), m34())
  expect_grad(function(x) x$mean(), m34())
  expect_grad(function(x) x$mean(dim = 1), m34())
  expect_grad(function(x) x$mean(dim = -1, keepdim = TRUE), m34())
  expect_grad(function(x) x$prod(), v3())
  expect_grad(function(x) x$prod(dim = 2), m34())
  expect_grad(function(x) x$prod(), d(c(0, 2, 3)))
  expect_grad(function(x) x$prod(dim = 1), d(matrix(c(0, 2, 3, 0, 4, 5), 3)))
  expect_grad(function(x) x$max(), d(c(1, 5, 3)))
  expect_grad(function(x) x$min(), d(c(4, 2, 3)))
  expect_grad(function(x) x$max(dim = 2)[[1]], m34())
  expect_grad(function(x) x$min(dim = 1, keepdim = TRUE)[[1]], m34())
  expect_grad(function(x) x$amax(dim = 2), m34())
  expect_grad(function(x) x$amin(dim = 1), m34())
  expect_grad(function(x) x$var(), m34())
  expect_grad(function(x) x$var(dim = 2), m34())
  expect_grad(function(x) x$std(), m34())
  expect_grad(function(x) x$std(dim = 1, keepdim = TRUE), m34())
  expect_grad(function(x) x$norm(), m34())
  expect_grad(function(x) x$norm(p = 1), m34())
  expect_grad(function(x) x$norm(p = 3, dim = 2), m34())
  expect_grad(function(x) x$logsumexp(dim = 2), m34())
  expect_grad(function(x) x$cumsum(dim = 2), m34())
  expect_grad(function(x) x$cumsum(dim = 1), m34())
})

test_that("matrix products", {
  a <- d(matrix(runif(6), 2, 3))
  b <- d(matrix(runif(12), 3, 4))
  expect_grad(function(a, b) a$mm(b), a, b)
  expect_grad(function(a, b) a$t()$mm(b$t()$t()), d(matrix(runif(6), 3, 2)), b)
  expect_grad(function(a, v) a$mv(v), a, v3())
  expect_grad(function(u, v) u$dot(v), v3(), v3())
  A <- d(array(runif(24), c(2, 3, 4)))
  B <- d(array(runif(40), c(2, 4, 5)))
  expect_grad(function(A, B) A$bmm(B), A, B)
  expect_grad(function(A, B) torch_matmul(A, B), A, d(matrix(runif(20), 4, 5)))
  expect_grad(function(A, v) torch_matmul(A, v), A, d(runif(4)))
  expect_grad(function(v, B) torch_matmul(v, B), d(runif(3)), b)
  expect_grad(function(A, B) torch_matmul(A, B), d(array(runif(24), c(1, 2, 3, 4))), B)
  expect_grad(function(x, w, b) nnf_linear(x, w, b), d(matrix(runif(6), 2, 3)),
              d(matrix(runif(12), 4, 3)), d(runif(4)))
})

test_that("views, shapes and indexing", {
  x <- m34()
  expect_grad(function(x) x$view(c(4, 3)), x)
  expect_grad(function(x) x$reshape(c(2, 6)), x)
  expect_grad(function(x) x$t()$reshape(12), x)
  expect_grad(function(x) x$flatten(), x)
  expect_grad(function(x) x$unsqueeze(2)$squeeze(2), x)
  expect_grad(function(x) x$unsqueeze(1)$squeeze(), x)
  expect_grad(function(x) x$permute(c(2, 1)), x)
  expect_grad(function(x) x$transpose(1, 2), x)
  expect_grad(function(x) x[, 1, NULL]$expand(c(3, 5)), x)
  expect_grad(function(x) x$narrow(2, 2, 2), x)
  expect_grad(function(x) x$chunk(2, dim = 2)[[2]], x)
  expect_grad(function(x) x$split(c(1, 3), dim = 2)[[2]] * 2, x)
  expect_grad(function(x) x$unbind(1)[[3]], x)
  expect_grad(function(a, b) torch_cat(list(a, b), dim = 1), x, d(matrix(runif(8), 2, 4)))
  expect_grad(function(a, b) torch_stack(list(a, b), dim = 2), v3(), v3())
  expect_grad(function(x) x[2, 3], x)
  expect_grad(function(x) x[1:2, -1], x)
  expect_grad(function(x) x[c(1, 3, 1), ], x)
  expect_grad(function(x) x[x > 1], x)
  expect_grad(function(x) x$to(dtype = torch_float64(), copy = TRUE), x)
  expect_grad(function(x) x$t()$contiguous(), x)
  expect_grad(function(x) x$clone(), x)
  expect_grad(function(x, v) {
    y <- x * 1
    y[2, ] <- v
    y
  }, x, d(runif(4)))
})

test_that("grad_fn names follow R torch", {
  x <- torch_ones(2, requires_grad = TRUE)
  m <- torch_ones(2, 2, requires_grad = TRUE)
  nm <- function(t) t$grad_fn$name()
  expect_identical(nm(x + x), "AddBackward0")
  expect_identical(nm(x + 1), "AddBackward1")
  expect_identical(nm(x - 1), "SubBackward1")
  expect_identical(nm(x * x), "MulBackward0")
  expect_identical(nm(x * 2), "MulBackward1")
  expect_identical(nm(x / 2), "DivBackward1")
  expect_identical(nm(x^2), "PowBackward0")
  expect_identical(nm(x^x), "PowBackward1")
  expect_identical(nm(x$exp()), "ExpBackward0")
  expect_identical(nm(x$mean()), "MeanBackward0")
  expect_identical(nm(x$sum()), "SumBackward0")
  expect_identical(nm(m$sum(dim = 1)), "SumBackward1")
  expect_identical(nm(m$mm(m)), "MmBackward0")
  expect_identical(nm(x$clamp(min = 0)), "ClampBackward1")
  expect_identical(nm(x$relu()), "ReluBackward0")
  expect_identical(nm(m$t()), "TBackward0")
  expect_identical(nm(m$view(4)), "ViewBackward0")
  expect_identical(nm(x[1]), "SelectBackward0")
  expect_identical(nm(m$max()), "MaxBackward1")
  expect_identical(x$mean()$grad_fn$next_functions[[1]]$name(), "torch::autograd::AccumulateGrad")
  expect_true(identical(torchlite:::.tl_data_ptr(x$mean()$grad_fn$next_functions[[1]]$variable),
                        torchlite:::.tl_data_ptr(x)))
})

test_that("gradients of integer-valued ops are refused where PyTorch refuses them", {
  expect_torch_error(torch_ones(2, dtype = torch_long(), requires_grad = TRUE), "runtime_error")
  x <- torch_ones(2, requires_grad = TRUE)
  expect_null((x > 0)$grad_fn)
  expect_false((x == 1)$requires_grad)
})
