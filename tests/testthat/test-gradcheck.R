dbl <- function(v, ...) torch_tensor(v, dtype = torch_float64(), requires_grad = TRUE, ...)

test_that("gradcheck passes on correct gradients of elementwise ops", {
  x <- dbl(c(0.3, -1.2, 2.5, 0.7))
  expect_true(gradcheck(function(x) x * x, x))
  expect_true(gradcheck(function(x) x$exp(), x))
  expect_true(gradcheck(function(x) x$sin() * x$cos(), x))
  expect_true(gradcheck(function(x) x$tanh(), x))
  expect_true(gradcheck(function(x) x$sigmoid(), x))
  expect_true(gradcheck(function(x) x^3 - 2 * x, x))
  expect_true(gradcheck(function(x) 1 / (x + 3), x))
  pos <- dbl(c(0.5, 1.5, 3, 0.1))
  expect_true(gradcheck(function(x) x$log(), pos))
  expect_true(gradcheck(function(x) x$sqrt(), pos))
  expect_true(gradcheck(function(x) x^0.3, pos))
  # away from the kinks
  expect_true(gradcheck(function(x) x$abs(), x))
  expect_true(gradcheck(function(x) x$clamp(min = 0), x))
  expect_true(invisible(gradcheck(function(x) x$relu(), x)))
  expect_invisible(gradcheck(function(x) x * 2, x))
})

test_that("gradcheck passes on reductions, matrix products, broadcasting and indexing", {
  a <- dbl(matrix(c(0.5, -1, 2, 0.25, 1.5, -0.75), 2, 3))
  b <- dbl(matrix(c(1, 2, -1, 0.5, 0.3, -2), 3, 2))
  expect_true(gradcheck(function(a) a$sum(), a))
  expect_true(gradcheck(function(a) a$mean(dim = 2), a))
  expect_true(gradcheck(function(a) (a * a)$sum(dim = 1, keepdim = TRUE), a))
  expect_true(gradcheck(function(a, b) a$mm(b), list(a, b)))
  expect_true(gradcheck(function(a, b) torch_matmul(a, b)$exp()$sum(), list(a, b)))
  v <- dbl(c(1, -2, 0.5))
  expect_true(gradcheck(function(a, v) a * v, list(a, v)))           # broadcast over rows
  expect_true(gradcheck(function(a, v) a$mv(v), list(a, v)))
  expect_true(gradcheck(function(a) a[2, 2:3], a))
  expect_true(gradcheck(function(a) a$t()$reshape(c(3, 2)) * 2, a))
})

test_that("gradcheck checks only inputs that require grad", {
  a <- dbl(c(1, 2))
  k <- torch_tensor(c(3, 4), dtype = torch_float64())
  expect_true(gradcheck(function(a, k) a * k, list(a, k)))
  expect_error(gradcheck(function(k) k * 2, k), "requires_grad", class = "value_error")
})

test_that("gradcheck catches a gradient distorted by a hook, naming the worst element", {
  # the hook doubles the gradient flowing into y: autograd says 4x, the truth is 2x
  f <- function(x) {
    y <- x * 1
    if (y$requires_grad) y$register_hook(function(g) g * 2)
    (y^2)$sum()
  }
  x <- dbl(c(0.5, -3, 1))
  err <- expect_error(gradcheck(f, x), class = "runtime_error")
  expect_match(conditionMessage(err), "Jacobian mismatch for input 1")
  # the worst element is the largest |x|: analytic -12, numeric -6
  expect_match(conditionMessage(err), "input element 2")
  expect_match(conditionMessage(err), "analytic -12")
  expect_match(conditionMessage(err), "numeric -(6|5[.]9999)")
  expect_false(gradcheck(f, x, raise_exception = FALSE))
})

test_that("gradcheck catches a custom function with a wrong backward", {
  skip_if_not(exists("autograd_function", envir = asNamespace("torchlite")))
  cube_ok <- autograd_function(
    forward = function(ctx, x) {
      ctx$save_for_backward(x = x)
      x^3
    },
    backward = function(ctx, grad_output) {
      list(x = grad_output * 3 * ctx$saved_variables$x^2)
    }
  )
  cube_wrong <- autograd_function(
    forward = function(ctx, x) {
      ctx$save_for_backward(x = x)
      x^3
    },
    backward = function(ctx, grad_output) {
      list(x = grad_output * 2 * ctx$saved_variables$x^2) # should be 3 x^2
    }
  )
  x <- dbl(c(0.5, 2, -1))
  expect_true(gradcheck(cube_ok, x))
  err <- expect_error(gradcheck(cube_wrong, x), class = "runtime_error")
  # worst at x = 2: analytic 8, numeric 12, output element 2 and input element 2
  expect_match(conditionMessage(err), "output element 2, input element 2: analytic 8, numeric (12|11[.]9999)")
  expect_false(gradcheck(cube_wrong, x, raise_exception = FALSE))
})

test_that("gradcheck reports a wrong off-diagonal Jacobian entry and the failing input", {
  skip_if_not(exists("autograd_function", envir = asNamespace("torchlite")))
  # y = a * b with a backward that forgets b's gradient of element 3
  mul_wrong <- autograd_function(
    forward = function(ctx, a, b) {
      ctx$save_for_backward(a = a, b = b)
      a * b
    },
    backward = function(ctx, grad_output) {
      s <- ctx$saved_variables
      gb <- grad_output * s$a * torch_tensor(c(1, 1, 0), dtype = torch_float64())
      list(a = grad_output * s$b, b = gb)
    }
  )
  a <- dbl(c(1, 2, 5))
  b <- dbl(c(-1, 0.5, 3))
  err <- expect_error(gradcheck(mul_wrong, list(a, b)), class = "runtime_error")
  expect_match(conditionMessage(err), "input 2, output element 3, input element 3: analytic 0, numeric (5|4[.]9999)")
})

test_that("gradcheck warns about float32 inputs and validates its arguments", {
  x32 <- torch_tensor(c(1, 2), requires_grad = TRUE)
  # float32 rounding swamps small finite differences: a warning, and a failure at eps = 1e-6
  expect_warning(ok <- gradcheck(function(x) x * 2, x32, raise_exception = FALSE), "double precision")
  expect_false(ok)
  expect_warning(ok <- gradcheck(function(x) x * 2, x32, eps = 1e-2, atol = 1e-3, rtol = 1e-3),
                 "double precision")
  expect_true(ok)
  expect_error(gradcheck(function(x) x, list(1, 2)), class = "value_error")
  expect_error(gradcheck(function(x) 3, dbl(1)), "must return a tensor", class = "value_error")
})
