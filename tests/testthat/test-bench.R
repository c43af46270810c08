# The benchmark's workloads (bench/workloads.R) at small sizes: each runs and gives the right
# answer. bench/ is not shipped in the package tarball, so this skips under R CMD check.

workloads_file <- testthat::test_path("..", "..", "bench", "workloads.R")

load_workloads <- function() {
  skip_if_not(file.exists(workloads_file), "bench/workloads.R is not here (installed tests)")
  env <- new.env()
  sys.source(workloads_file, envir = env)
  env
}

test_that("rosenbrock_lab converges near c(1, 1) as in seed 001 and PyTorch", {
  w <- load_workloads()
  res <- w$make_rosenbrock_lab()()
  expect_true(all(abs(res$x - 1) < 0.05))
  # PyTorch 1.13, the same 1000 steps: x = (0.99182177, 0.98304760), value 6.9626e-05
  expect_equal(res$x, c(0.99182177, 0.98304760), tolerance = 1e-4)
  expect_equal(res$value, 6.962555e-05, tolerance = 1e-2)
})

test_that("mlp_seed's loss decreases and matches PyTorch's (same seed, same random stream)", {
  w <- load_workloads()
  losses <- numeric(200)
  run <- w$make_mlp_seed()
  last <- run(on_iter = function(t, loss) losses[t] <<- loss$item())
  expect_equal(last, losses[200])
  expect_true(losses[200] < losses[1] / 10)
  expect_true(all(diff(losses[20:200]) < 0))
  # pytorch_bench.py's mlp(100, 3, 32, 200)(): 76.72957 after 200 iterations
  expect_equal(last, 76.72957, tolerance = 1e-3)
  # the parameters keep training across calls, as in pytorch_bench.py (64.90938 after 400)
  expect_lt(run(), last)
})

test_that("mlp_large's loop (small sizes) computes the network's loss and learns", {
  w <- load_workloads()
  n <- 256; d_in <- 3; d_hidden <- 64
  losses <- numeric(20)
  run <- w$make_mlp_large(n, d_in, d_hidden, 20)
  run(on_iter = function(t, loss) losses[t] <<- loss$item())
  # the first loss by hand, from the same random stream
  torch_manual_seed(1)
  x <- as_array(torch_randn(n, d_in))
  noise <- as_array(torch_randn(n, 1))
  w1 <- as_array(torch_randn(d_in, d_hidden))
  w2 <- as_array(torch_randn(d_hidden, 1))
  y <- x[, 1] * 0.2 - x[, 2] * 1.3 - x[, 3] * 0.5 + noise
  y_pred <- pmax(x %*% w1, 0) %*% w2
  expect_equal(losses[1], sum((y_pred - y)^2), tolerance = 1e-5)
  expect_true(all(is.finite(losses)))
  expect_lt(losses[20], losses[1] / 10)
})

test_that("elementwise_chain_1e7 (small) equals the same computation in base R", {
  w <- load_workloads()
  x <- torch_randn(1e4)
  got <- w$make_elementwise_chain(x = x)()
  expect_equal(got$shape, integer(0))
  expect_equal(as.numeric(got), sum(sin(as_array(x) * 2 + 1)), tolerance = 1e-5)
})

test_that("elementwise_backward_1e6 (small) gives the sum and its gradient, then drops it", {
  w <- load_workloads()
  res <- w$make_elementwise_backward(1e3)()
  xv <- as_array(res$x)
  s <- 1 / (1 + exp(-xv))
  expect_equal(res$y$item(), sum(exp(xv) * s), tolerance = 1e-5)
  expect_equal(as_array(res$grad), exp(xv) * s * (2 - s), tolerance = 1e-5)
  expect_null(res$x$grad)
})

test_that("scalar_op_1e5 (small) records 2 * x", {
  w <- load_workloads()
  y <- w$make_scalar_op(100)()
  expect_equal(as.numeric(y), 2)
  expect_true(y$requires_grad)
  expect_false(is.null(y$grad_fn))
})

test_that("matmul_2048 (small) equals base R's %*%", {
  w <- load_workloads()
  f <- w$make_matmul(64)
  ab <- attr(f, "inputs")
  expect_equal(as_array(f()), as_array(ab$a) %*% as_array(ab$b), tolerance = 1e-5)
})

test_that("sum_1e7 (small) equals the sum of as_array", {
  w <- load_workloads()
  x <- torch_randn(1e4)
  expect_equal(w$make_sum(x = x)()$item(), sum(as_array(x)), tolerance = 1e-5)
})

test_that("bench_workloads(small = TRUE) lists every workload with pytorch_bench.py's reps", {
  w <- load_workloads()
  all <- w$bench_workloads(small = TRUE)
  expect_named(all, names(w$bench_targets), ignore.order = TRUE)
  expect_equal(vapply(all, `[[`, 1, "reps")[names(all)],
               c(rosenbrock_lab = 5, mlp_seed = 5, mlp_large = 3, elementwise_chain_1e7 = 5,
                 elementwise_backward_1e6 = 5, scalar_op_1e5 = 3, matmul_2048 = 5,
                 sum_1e7 = 10))
  t <- w$bench_best_of(all$sum_1e7$fn, 3)
  expect_true(all(t >= 0) && t[["min"]] <= t[["median"]])
})
