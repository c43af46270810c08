rosen <- function(x) (1 - x[1])^2 + 100 * (x[2] - x[1]^2)^2
rosen_r <- function(p) (1 - p[1])^2 + 100 * (p[2] - p[1]^2)^2
rosen_gr_r <- function(p) c(-2 * (1 - p[1]) - 400 * p[1] * (p[2] - p[1]^2),
                            200 * (p[2] - p[1]^2))

test_that("fn and gr give the value and the autograd gradient as doubles", {
  obj <- torch_optim_objective(rosen)
  expect_s3_class(obj, "torch_optim_objective")
  for (p in list(c(-1.2, 1), c(0.3, -0.7), c(2, 4))) {
    v <- obj$fn(p)
    g <- obj$gr(p)
    expect_type(v, "double")
    expect_type(g, "double")
    expect_length(v, 1)
    expect_equal(v, rosen_r(p), tolerance = 1e-14)
    expect_equal(g, rosen_gr_r(p), tolerance = 1e-14)
  }
  vg <- obj$value_and_grad(c(0.5, 0.5))
  expect_equal(vg$value, rosen_r(c(0.5, 0.5)), tolerance = 1e-14)
  expect_equal(vg$gradient, rosen_gr_r(c(0.5, 0.5)), tolerance = 1e-14)
})

test_that("the parameter tensor is float64 and requires grad; extra arguments reach fn", {
  seen <- NULL
  f <- function(x, scale) {
    seen <<- list(dtype = x$dtype, rg = x$requires_grad, shape = x$shape)
    (x * x)$sum() * scale
  }
  obj <- torch_optim_objective(f, scale = 3)
  expect_equal(obj$fn(c(1, 2, 3)), 3 * 14)
  expect_true(seen$dtype == torch_float64())
  expect_true(seen$rg)
  expect_equal(seen$shape, 3L)
  expect_equal(obj$gr(c(1, 2, 3)), 6 * c(1, 2, 3))
})

test_that("fn and gr at the same par share one evaluation", {
  obj <- torch_optim_objective(rosen)
  expect_equal(unname(obj$counts()), c(0L, 0L))
  obj$fn(c(1, 2))
  expect_equal(unname(obj$counts()), c(1L, 0L))
  obj$gr(c(1, 2))
  expect_equal(unname(obj$counts()), c(1L, 1L))
  obj$fn(c(1, 2))
  obj$gr(c(1, 2))
  expect_equal(unname(obj$counts()), c(1L, 1L))
  # gr first, then fn at the same point
  obj$gr(c(0, 0))
  obj$fn(c(0, 0))
  expect_equal(unname(obj$counts()), c(2L, 2L))
  # names on par do not defeat the cache
  obj$fn(c(a = 0, b = 0))
  expect_equal(unname(obj$counts()), c(2L, 2L))
  # a new point evaluates again, and fn alone runs no backward pass
  obj$fn(c(0, 1e-300))
  expect_equal(unname(obj$counts()), c(3L, 2L))
  expect_output(print(obj), "3 forward and 2 backward")
})

test_that("optim (BFGS, L-BFGS-B, CG) and nlminb minimise the Rosenbrock function", {
  obj <- torch_optim_objective(rosen)
  fit <- optim(c(-1.2, 1), obj$fn, obj$gr, method = "BFGS", control = list(reltol = 1e-12))
  expect_equal(fit$par, c(1, 1), tolerance = 1e-5)
  expect_equal(fit$convergence, 0L)
  # the same result as optim with the analytic gradient
  ref <- optim(c(-1.2, 1), rosen_r, rosen_gr_r, method = "BFGS", control = list(reltol = 1e-12))
  expect_equal(fit$par, ref$par, tolerance = 1e-6)
  expect_equal(fit$value, ref$value, tolerance = 1e-8)
  # each point optim visits is evaluated once: forward passes = distinct points
  cnt <- obj$counts()
  expect_lte(cnt[["forward"]], sum(fit$counts))
  expect_lte(cnt[["backward"]], fit$counts[["gradient"]])

  fit <- optim(c(-1.2, 1), obj$fn, obj$gr, method = "L-BFGS-B", lower = c(-2, -2), upper = c(2, 2))
  expect_equal(fit$par, c(1, 1), tolerance = 1e-3)

  fit <- optim(c(-1.2, 1), obj$fn, obj$gr, method = "CG",
               control = list(type = 2, maxit = 5000, reltol = 1e-14))
  expect_equal(fit$par, c(1, 1), tolerance = 1e-2)

  fit <- nlminb(c(-1.2, 1), obj$fn, obj$gr)
  expect_equal(fit$par, c(1, 1), tolerance = 1e-8)
  expect_equal(fit$convergence, 0L)
})

test_that("maximum likelihood: logistic regression matches glm", {
  X <- torch_tensor(cbind(1, mtcars$wt), dtype = torch_float64())
  yv <- torch_tensor(mtcars$am, dtype = torch_float64())
  nll <- function(beta) {
    eta <- X$mv(beta)
    # -loglik = sum(log(1 + exp(eta)) - y * eta)
    ((eta$exp() + 1)$log() - yv * eta)$sum()
  }
  obj <- torch_optim_objective(nll)
  ref <- glm(am ~ wt, family = binomial, data = mtcars)
  fit <- optim(c(0, 0), obj$fn, obj$gr, method = "BFGS", control = list(reltol = 1e-14))
  expect_equal(fit$par, unname(coef(ref)), tolerance = 1e-5)
  expect_equal(fit$value, -as.numeric(logLik(ref)), tolerance = 1e-9)
  fit2 <- nlminb(c(0, 0), obj$fn, obj$gr)
  expect_equal(fit2$par, unname(coef(ref)), tolerance = 1e-6)
})

test_that("maximum likelihood: normal mean and log-sd", {
  set.seed(2)
  z <- rnorm(80, mean = 3, sd = 2)
  zt <- torch_tensor(z, dtype = torch_float64())
  nll <- function(theta) {
    mu <- theta[1]
    log_sd <- theta[2]
    (log_sd + 0.5 * ((zt - mu) / log_sd$exp())^2)$sum()
  }
  obj <- torch_optim_objective(nll)
  # closed form: the mean and the sd with divisor n
  closed <- c(mean(z), log(sqrt(mean((z - mean(z))^2))))
  fit <- optim(c(0, 0), obj$fn, obj$gr, method = "BFGS", control = list(reltol = 1e-15))
  expect_equal(fit$par, closed, tolerance = 1e-8)
  expect_equal(obj$gr(closed), c(0, 0), tolerance = 1e-10)
  fit <- nlminb(c(0, 0), obj$fn, obj$gr)
  expect_equal(fit$par, closed, tolerance = 1e-5)
})

test_that("bad inputs give clear errors", {
  expect_error(torch_optim_objective(1), class = "value_error")
  obj <- torch_optim_objective(function(x) x * 2)
  expect_error(obj$fn(c(1, 2)), "one-element tensor", class = "value_error")
  obj <- torch_optim_objective(function(x) 3)
  expect_error(obj$fn(1), "one-element tensor", class = "value_error")
  obj <- torch_optim_objective(rosen)
  expect_error(obj$fn("a"), "numeric", class = "value_error")
  expect_error(obj$gr(numeric()), "numeric", class = "value_error")
})

test_that("a function that ignores its parameters has a zero gradient", {
  obj <- torch_optim_objective(function(x) torch_tensor(2, dtype = torch_float64()))
  expect_equal(obj$fn(c(1, 2)), 2)
  expect_equal(obj$gr(c(1, 2)), c(0, 0))
})
