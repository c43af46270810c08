# The R side of the benchmark workloads of ../shared/anchors/WORKLOADS.md, written as
# ../shared/anchors/pytorch_bench.py writes them (same sizes, iteration counts and seeding).
#
# Each make_*() function takes the sizes as arguments (the defaults are the benchmark's) and
# returns the function that is timed; that function returns its answer, so that
# tests/testthat/test-bench.R can run every workload at small sizes and check the result.
# Data that pytorch_bench.py builds outside the timed function is built in make_*() too.
#
# Used by bench/run.R (timings), bench/memory.R (resident memory) and test-bench.R.
# Needs library(torchlite) (or the package loaded some other way) before it is sourced.

# rosenbrock_lab: the Rosenbrock lab of seed 001. The whole loop, including the creation of
# x, is timed (as in pytorch_bench.py). Returns the last value and the final x.
make_rosenbrock_lab <- function(iters = 1000, lr = 0.01) {
  a <- 1
  b <- 5
  function() {
    x <- torch_tensor(c(-1, 1), requires_grad = TRUE)
    for (i in seq_len(iters)) {
      value <- (a - x[1])^2 + b * (x[2] - x[1]^2)^2
      value$backward()
      with_no_grad({
        x$sub_(lr * x$grad)
        x$grad$zero_()
      })
    }
    list(value = value$item(), x = as.numeric(x))
  }
}

# mlp_seed / mlp_large: the two-layer network of seed 000. Data and parameters are made
# once (seeded as pytorch_bench.py: torch_manual_seed(1), then x, y's noise, w1, w2); every
# call of the returned function trains `iters` more iterations and returns the last loss.
# `on_iter(t, loss)` (default none) lets bench/memory.R and the test look inside the loop.
make_mlp <- function(n, d_in, d_hidden, iters, lr = 1e-4) {
  torch_manual_seed(1)
  x <- torch_randn(n, d_in)
  y <- x[, 1, NULL] * 0.2 - x[, 2, NULL] * 1.3 - x[, 3, NULL] * 0.5 + torch_randn(n, 1)
  w1 <- torch_randn(d_in, d_hidden, requires_grad = TRUE)
  w2 <- torch_randn(d_hidden, 1, requires_grad = TRUE)
  b1 <- torch_zeros(1, d_hidden, requires_grad = TRUE)
  b2 <- torch_zeros(1, 1, requires_grad = TRUE)
  function(on_iter = NULL) {
    for (t in seq_len(iters)) {
      y_pred <- x$mm(w1)$add(b1)$clamp(min = 0)$mm(w2)$add(b2)
      loss <- (y_pred - y)$pow(2)$sum()
      loss$backward()
      with_no_grad({
        w1$sub_(lr * w1$grad)
        w2$sub_(lr * w2$grad)
        b1$sub_(lr * b1$grad)
        b2$sub_(lr * b2$grad)
        w1$grad$zero_()
        w2$grad$zero_()
        b1$grad$zero_()
        b2$grad$zero_()
      })
      if (!is.null(on_iter)) on_iter(t, loss)
    }
    loss$item()
  }
}

make_mlp_seed <- function(iters = 200) make_mlp(100, 3, 32, iters)
make_mlp_large <- function(n = 4096, d_in = 256, d_hidden = 1024, iters = 20)
  make_mlp(n, d_in, d_hidden, iters)

# elementwise_chain_1e7: (x * 2 + 1)$sin()$sum() on 1e7 standard normals.
make_elementwise_chain <- function(n = 1e7, x = torch_randn(n)) {
  force(x)
  function() (x * 2 + 1)$sin()$sum()
}

# elementwise_backward_1e6: forward, backward, then drop the gradient. Returns y and the
# gradient it produced (taking the reference costs one field access).
make_elementwise_backward <- function(n = 1e6) {
  x <- torch_randn(n, requires_grad = TRUE)
  function() {
    y <- (x$exp() * x$sigmoid())$sum()
    y$backward()
    g <- x$grad
    x$grad <- NULL
    list(y = y, grad = g, x = x)
  }
}

# scalar_op_1e5: 100,000 evaluations of 2 * x on a one-element tensor that requires grad.
make_scalar_op <- function(n = 1e5) {
  x <- torch_ones(1, requires_grad = TRUE)
  function() {
    for (i in seq_len(n)) y <- 2 * x
    y
  }
}

# matmul_2048: a$mm(b) on two 2048 x 2048 float32 matrices.
make_matmul <- function(n = 2048) {
  a <- torch_randn(n, n)
  b <- torch_randn(n, n)
  f <- function() a$mm(b)
  attr(f, "inputs") <- list(a = a, b = b)
  f
}

# sum_1e7: the sum of 1e7 standard normals (the same tensor as elementwise_chain_1e7 when
# both come from bench_workloads()).
make_sum <- function(n = 1e7, x = torch_randn(n)) {
  force(x)
  function() x$sum()
}

# All workloads, in pytorch_bench.py's order, with its repetition counts. As there, the
# tensors are made first (big, mid, the 2048 matrices, the one-element tensor), then the
# two networks. `small = TRUE` gives small sizes for tests.
bench_workloads <- function(small = FALSE) {
  s <- if (small) {
    list(big = 1e4, mid = 1e3, mm = 64, scalar = 100, rosen = 1000, mlp_seed = 200,
         mlp_large = c(256, 3, 64, 5))
  } else {
    list(big = 1e7, mid = 1e6, mm = 2048, scalar = 1e5, rosen = 1000, mlp_seed = 200,
         mlp_large = c(4096, 256, 1024, 20))
  }
  big <- torch_randn(s$big)
  ew_backward <- make_elementwise_backward(s$mid)
  matmul <- make_matmul(s$mm)
  scalar_ops <- make_scalar_op(s$scalar)
  ml <- s$mlp_large
  list(
    rosenbrock_lab = list(fn = make_rosenbrock_lab(s$rosen), reps = 5),
    mlp_seed = list(fn = make_mlp_seed(s$mlp_seed), reps = 5),
    mlp_large = list(fn = make_mlp_large(ml[1], ml[2], ml[3], ml[4]), reps = 3),
    elementwise_chain_1e7 = list(fn = make_elementwise_chain(x = big), reps = 5),
    elementwise_backward_1e6 = list(fn = ew_backward, reps = 5),
    scalar_op_1e5 = list(fn = scalar_ops, reps = 3),
    matmul_2048 = list(fn = matmul, reps = 5),
    sum_1e7 = list(fn = make_sum(x = big), reps = 10)
  )
}

# The targets of issue 7: ratio ours / PyTorch at most this.
bench_targets <- c(rosenbrock_lab = 0.5, mlp_seed = 0.7, mlp_large = 1.0,
                   elementwise_chain_1e7 = 1.0, elementwise_backward_1e6 = 1.0,
                   scalar_op_1e5 = 0.5, matmul_2048 = 1.05, sum_1e7 = 1.0)

# A monotonic wall-clock timer in seconds: bench::hires_time() (clock_gettime(CLOCK_MONOTONIC))
# when the bench package is installed; otherwise Sys.time(), which follows the real-time clock
# and so can jump when the system clock is adjusted.
bench_now <- if (requireNamespace("bench", quietly = TRUE)) {
  function() as.numeric(bench::hires_time())
} else {
  function() as.numeric(Sys.time())
}

# pytorch_bench.py's best_of(): one warm-up call, then `reps` timed calls; min and median
# (the upper median for even reps, as times[len // 2] there).
bench_best_of <- function(fn, reps) {
  fn()
  times <- numeric(reps)
  for (r in seq_len(reps)) {
    t0 <- bench_now()
    fn()
    times[r] <- bench_now() - t0
  }
  times <- sort(times)
  c(min = times[1], median = times[reps %/% 2 + 1])
}

# Resident memory of this process in bytes, from /proc/self/status (NA elsewhere).
bench_rss <- function(field = "VmRSS") {
  st <- tryCatch(readLines("/proc/self/status"), error = function(e) character())
  line <- grep(paste0("^", field, ":"), st, value = TRUE)
  if (!length(line)) return(NA_real_)
  as.numeric(gsub("[^0-9]", "", line)) * 1024
}
