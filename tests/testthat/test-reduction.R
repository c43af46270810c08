# Reductions: values against base R (float64 tight, float32 within 1e-6 relative unless
# stated), PyTorch's exact float32 results where they are hard-coded (from torch 1.13,
# single-threaded), shapes, dtypes and errors.

arr <- function(t) as_array(t)
f64 <- function(x) torch_tensor(x, dtype = torch_float64())

set.seed(42)
m <- matrix(rnorm(12), 3, 4)
a3 <- array(rnorm(24), c(2, 3, 4))

test_that("sum, mean and prod over everything match base R", {
  x <- f64(m)
  expect_equal(arr(x$sum()), sum(m), tolerance = 1e-14)
  expect_equal(arr(torch_sum(x)), sum(m), tolerance = 1e-14)
  expect_equal(arr(x$mean()), mean(m), tolerance = 1e-14)
  expect_equal(arr(x$prod()), prod(m), tolerance = 1e-14)
  expect_equal(x$sum()$shape, integer(0))
  expect_equal(x$sum()$dtype, torch_float64())
  xf <- torch_tensor(m)
  expect_equal(xf$sum()$dtype, torch_float32())
  expect_equal(arr(xf$sum()), sum(arr(xf)), tolerance = 1e-6)
  expect_equal(arr(xf$mean()), mean(arr(xf)), tolerance = 1e-6)
})

test_that("sum and mean along dims match colSums/rowSums/apply, with keepdim", {
  x <- f64(m)
  expect_equal(arr(x$sum(dim = 1)), colSums(m), tolerance = 1e-14)
  expect_equal(arr(x$sum(dim = 2)), rowSums(m), tolerance = 1e-14)
  expect_equal(arr(x$sum(dim = -1)), rowSums(m), tolerance = 1e-14)
  expect_equal(arr(x$sum(dim = -2)), colSums(m), tolerance = 1e-14)
  expect_equal(arr(x$mean(dim = 1)), colMeans(m), tolerance = 1e-14)
  expect_equal(arr(torch_mean(x, 2)), rowMeans(m), tolerance = 1e-14)
  expect_equal(x$sum(dim = 1, keepdim = TRUE)$shape, c(1L, 4L))
  expect_equal(x$sum(dim = 2, keepdim = TRUE)$shape, c(3L, 1L))
  expect_equal(as.numeric(arr(x$sum(dim = 2, keepdim = TRUE))), rowSums(m), tolerance = 1e-14)
  y <- f64(a3)
  expect_equal(arr(y$sum(dim = c(1, 3))), apply(a3, 2, sum), tolerance = 1e-14)
  expect_equal(arr(y$sum(dim = list(1, 3))), apply(a3, 2, sum), tolerance = 1e-14)
  expect_equal(arr(y$mean(dim = c(2, 3))), apply(a3, 1, mean), tolerance = 1e-14)
  expect_equal(arr(y$sum(dim = c(-1, 1))), apply(a3, 2, sum), tolerance = 1e-14)
  expect_equal(y$sum(dim = c(1, 3), keepdim = TRUE)$shape, c(1L, 3L, 1L))
  expect_equal(arr(y$sum(dim = 2)), apply(a3, c(1, 3), sum), tolerance = 1e-14)
  expect_equal(arr(y$prod(dim = 3)), apply(a3, c(1, 2), prod), tolerance = 1e-14)
  expect_equal(y$prod(dim = 3, keepdim = TRUE)$shape, c(2L, 3L, 1L))
  # float32
  yf <- torch_tensor(a3)
  expect_equal(arr(yf$sum(dim = 2)), apply(arr(yf), c(1, 3), sum), tolerance = 1e-6)
  expect_equal(arr(yf$mean(dim = c(1, 2))), apply(arr(yf), 3, mean), tolerance = 1e-6)
})

test_that("reductions of non-contiguous (transposed, permuted) tensors", {
  x <- f64(m)
  xt <- x$t()
  expect_false(xt$is_contiguous())
  expect_equal(arr(xt$sum(dim = 1)), rowSums(m), tolerance = 1e-14)
  expect_equal(arr(xt$sum(dim = 2)), colSums(m), tolerance = 1e-14)
  expect_equal(arr(xt$amax(dim = 2)), apply(m, 2, max))
  expect_equal(arr(xt$argmax(dim = 1)), apply(m, 1, which.max))
  expect_equal(arr(xt$argmax()), which.max(as.vector(m)))  # flat index of t(m) row-major
  expect_equal(arr(xt$var(dim = 2)), apply(m, 2, var), tolerance = 1e-12)
  expect_equal(arr(xt$norm(dim = 1)), sqrt(rowSums(m^2)), tolerance = 1e-12)
  expect_equal(arr(xt$cumsum(dim = 2)), t(apply(m, 2, cumsum)), tolerance = 1e-14)
  y <- f64(a3)$permute(c(3, 1, 2))
  expect_equal(arr(y$sum(dim = 1)), apply(a3, c(1, 2), sum), tolerance = 1e-14)
  expect_equal(arr(y$prod(dim = 3)), aperm(apply(a3, c(1, 3), prod), c(2, 1)), tolerance = 1e-14)
  expect_equal(arr(y$amin(dim = c(1, 3))), apply(a3, 1, min))
})

test_that("float32 sums equal PyTorch's bit for bit (cascade summation)", {
  expect_identical(arr(torch_ones(2, 2)$mean()), 1)
  x100 <- torch_tensor((1:100) / 7)
  expect_identical(arr(x100$sum()), 0x1.68b6dcp+9)
  expect_identical(arr(x100$mean()), 0x1.cdb6dcp+2)
  v <- ((1:1000 * 7919) %% 1000) / 7 - 1000 / 7 / 2
  x <- torch_tensor(v)
  # PyTorch's value; a naive float32 running sum gives -0x1.1db6cp+6
  expect_identical(arr(x$sum()), -0x1.1db6dap+6)
  v2 <- ((1:1000 * 104729) %% 1000) / 3 - 1000 / 3 / 2
  expect_identical(arr(torch_tensor(v2)$sum()), -0x1.4d554ap+7)
  mm <- x$view(c(20, 50))
  expect_identical(arr(mm$sum(dim = 1))[1:6],
                   c(-0x1.124918p+4, 0x1.29249cp+5, -0x1.9b6db8p+5, 0x1.6db7p+1,
                     0x1.c9249p+5, -0x1.f6db58p+4))
  expect_identical(arr(mm$sum(dim = 2))[1:6],
                   c(-0x1.3a4928p+5, 0x1.0124ap+5, -0x1.3a492cp+5, 0x1.012494p+5,
                     0x1.9e4928p+6, 0x1.01248ap+5))
  # the same values in column-major layout are summed in another order, as in PyTorch
  mt <- mm$t()$contiguous()$t()
  expect_identical(arr(mt$sum(dim = 2))[1:6],
                   c(-0x1.3a493p+5, 0x1.012488p+5, -0x1.3a4914p+5, 0x1.012498p+5,
                     0x1.9e4928p+6, 0x1.012488p+5))
  expect_identical(arr(mm$mean()), -0x1.249248p-4)
})

test_that("a float32 sum of 1e7 ones is exactly 1e7 and large sums do not depend on threads", {
  expect_identical(arr(torch_ones(1e7)$sum()), 1e7)
  expect_identical(arr(torch_ones(1e7)$mean()), 1)
  old <- torch_get_num_threads()
  on.exit(torch_set_num_threads(old))
  torch_manual_seed(7)
  y <- torch_randn(3e6)
  z <- y$view(c(1000, 3000))
  torch_set_num_threads(1)
  s1 <- arr(y$sum()); c1 <- arr(z$sum(dim = 1)); r1 <- arr(z$sum(dim = 2)); m1 <- arr(z$amax(dim = 1))
  torch_set_num_threads(2)
  s2 <- arr(y$sum()); c2 <- arr(z$sum(dim = 1)); r2 <- arr(z$sum(dim = 2)); m2 <- arr(z$amax(dim = 1))
  expect_identical(s1, s2)
  expect_identical(c1, c2)
  expect_identical(r1, r2)
  expect_identical(m1, m2)
  yd <- as.numeric(arr(y))
  expect_equal(s2, sum(yd), tolerance = 1e-6)
  expect_equal(c2, colSums(matrix(yd, 1000, 3000, byrow = TRUE)), tolerance = 1e-5)
})

test_that("large reductions split into pieces give the same values as R", {
  set.seed(3)
  big <- array(rnorm(60 * 700 * 3), c(60, 700, 3))
  y <- f64(big)
  expect_equal(arr(y$sum(dim = 2)), apply(big, c(1, 3), sum), tolerance = 1e-12)
  expect_equal(arr(y$sum(dim = c(1, 3))), apply(big, 2, sum), tolerance = 1e-12)
  expect_equal(arr(y$sum(dim = 1)), apply(big, c(2, 3), sum), tolerance = 1e-12)
  expect_equal(arr(y$permute(c(3, 2, 1))$sum(dim = 3)), t(apply(big, c(2, 3), sum)),
               tolerance = 1e-12)
  expect_equal(arr(y$amax(dim = 2)), apply(big, c(1, 3), max))
  expect_equal(arr(y$var(dim = c(1, 2))), apply(big, 3, function(z) var(as.vector(z))),
               tolerance = 1e-12)
  expect_equal(arr(y$prod(dim = 3)), apply(big, c(1, 2), prod), tolerance = 1e-12)
  expect_identical(arr(y$argmin(dim = 1)), apply(big, c(2, 3), which.min))
  yf <- torch_tensor(big)
  expect_equal(arr(yf$sum(dim = 2)), apply(arr(yf), c(1, 3), sum), tolerance = 1e-5)
  expect_equal(arr(yf$sum()), sum(arr(yf)), tolerance = 1e-5)
})

test_that("sum dtypes follow PyTorch: integers and bools give int64; dtype converts first", {
  xi <- torch_tensor(1:6)
  expect_equal(xi$sum()$dtype, torch_int64())
  expect_identical(arr(xi$sum()), 21L)
  xi32 <- torch_tensor(1:6, dtype = torch_int32())
  expect_equal(xi32$sum()$dtype, torch_int64())
  expect_equal(xi32$prod()$dtype, torch_int64())
  expect_identical(arr(xi32$prod()), 720L)
  xb <- torch_tensor(c(TRUE, FALSE, TRUE))
  expect_equal(xb$sum()$dtype, torch_int64())
  expect_identical(arr(xb$sum()), 2L)
  expect_equal(torch_tensor(c(1.5, 2.5))$sum(dtype = torch_int64())$dtype, torch_int64())
  expect_identical(arr(torch_tensor(c(1.5, 2.5))$sum(dtype = torch_int64())), 3L)
  expect_equal(torch_ones(3)$sum(dtype = torch_float64())$dtype, torch_float64())
  expect_equal(xi$sum(dtype = torch_int32())$dtype, torch_int32())
  expect_equal(xi$cumsum(dim = 1)$dtype, torch_int64())
  expect_equal(xb$cumsum(dim = 1)$dtype, torch_int64())
})

test_that("mean of integer tensors errors like PyTorch unless a floating dtype is given", {
  expect_error(torch_tensor(1:3)$mean(),
               "mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: Long",
               fixed = TRUE, class = "runtime_error")
  expect_error(torch_tensor(c(TRUE, FALSE))$mean(), "Got: Bool", fixed = TRUE,
               class = "runtime_error")
  expect_error(mean(torch_tensor(1:3)), "Got: Long", fixed = TRUE)
  expect_equal(arr(torch_tensor(1:4)$mean(dtype = torch_float64())), 2.5)
  expect_equal(torch_tensor(1:4)$mean(dtype = torch_float64())$dtype, torch_float64())
  expect_error(torch_ones(2)$mean(dtype = torch_int64()),
               "Optional dtype must be either a floating point or complex dtype. Got: Long",
               fixed = TRUE)
})

test_that("NaN and Inf propagate", {
  x <- torch_tensor(c(1, NaN, 3))
  expect_true(is.nan(arr(x$sum())))
  expect_true(is.nan(arr(x$mean())))
  expect_true(is.nan(arr(x$max())))
  expect_true(is.nan(arr(x$min())))
  expect_true(is.nan(arr(x$amax())))
  expect_identical(arr(x$argmax()), 2L)
  expect_identical(arr(x$argmin()), 2L)
  r <- torch_tensor(c(1, NaN, NaN))$min(dim = 1)
  expect_true(is.nan(arr(r[[1]])))
  expect_identical(arr(r[[2]]), 2L)
  expect_true(is.nan(arr(x$norm())))
  expect_true(is.nan(arr(x$var())))
  expect_identical(arr(torch_tensor(c(1, Inf))$sum()), Inf)
  expect_true(is.nan(arr(torch_tensor(c(-Inf, Inf))$sum())))
  expect_identical(arr(torch_tensor(c(1, Inf, 2))$max()), Inf)
  expect_identical(arr(torch_tensor(c(1, -Inf, 2))$argmin()), 2L)
  m2 <- torch_tensor(rbind(c(1, NaN, 2), c(3, 4, 5)))
  expect_identical(arr(m2$amax(dim = 2)), c(NaN, 5))
  expect_identical(arr(m2$argmax(dim = 2)), c(2L, 3L))
})

test_that("max and min: 0-d without dim, list of values and 1-based indices with dim", {
  x <- f64(m)
  expect_equal(arr(x$max()), max(m))
  expect_equal(x$max()$shape, integer(0))
  expect_equal(arr(torch_min(x)), min(m))
  r <- x$max(dim = 1)
  expect_type(r, "list")
  expect_length(r, 2)
  expect_equal(arr(r[[1]]), apply(m, 2, max))
  expect_identical(arr(r[[2]]), apply(m, 2, which.max))
  expect_equal(r[[2]]$dtype, torch_int64())
  r <- torch_min(x, dim = 2, keepdim = TRUE)
  expect_equal(r[[1]]$shape, c(3L, 1L))
  expect_equal(as.numeric(arr(r[[1]])), apply(m, 1, min))
  expect_identical(as.integer(arr(r[[2]])), apply(m, 1, which.min))
  r <- x$max(dim = -1)
  expect_identical(arr(r[[2]]), apply(m, 1, which.max))
  # ties: the first index
  t3 <- torch_tensor(c(3, 1, 3))
  expect_identical(arr(t3$max(dim = 1)[[2]]), 1L)
  expect_identical(arr(t3$argmax()), 1L)
  expect_identical(arr(torch_tensor(c(2, 1, 1))$argmin()), 2L)
  # integers and bools
  xi <- torch_tensor(c(4L, 9L, 2L))
  expect_identical(arr(xi$max()), 9L)
  expect_equal(xi$max()$dtype, torch_int64())
  expect_identical(arr(xi$argmin()), 3L)
  expect_identical(arr(torch_tensor(c(FALSE, TRUE))$max()), TRUE)
  expect_error(torch_tensor(c(FALSE, TRUE))$argmax(), "\"argmax_cpu\" not implemented for 'Bool'",
               fixed = TRUE)
})

test_that("amax, amin, argmax, argmin over dims and keepdim", {
  y <- f64(a3)
  expect_equal(arr(y$amax(dim = c(1, 2))), apply(a3, 3, max))
  expect_equal(arr(torch_amin(y, dim = 3)), apply(a3, c(1, 2), min))
  expect_equal(y$amax(dim = c(1, 2), keepdim = TRUE)$shape, c(1L, 1L, 4L))
  expect_equal(arr(y$amax()), max(a3))
  expect_identical(arr(y$argmax(dim = 2)), apply(a3, c(1, 3), which.max))
  expect_identical(arr(torch_argmin(y, dim = 3)), apply(a3, c(1, 2), which.min))
  expect_equal(y$argmax(dim = 2, keepdim = TRUE)$shape, c(2L, 1L, 4L))
  expect_equal(y$argmax(keepdim = TRUE)$shape, c(1L, 1L, 1L))
  # flat index in row-major order
  flat <- as.vector(aperm(a3, 3:1))
  expect_identical(arr(y$argmax()), which.max(flat))
  expect_identical(arr(y$argmin()), which.min(flat))
  # long contiguous rows (vectorised lanes) still give the first index
  v <- c(rep(0, 37), 5, rep(0, 20), 5, 1)
  expect_identical(arr(torch_tensor(v)$argmax()), 38L)
  mv <- torch_tensor(rbind(v, rev(v)))
  expect_identical(arr(mv$argmax(dim = 2)), c(38L, 2L))
  expect_identical(arr(mv$max(dim = 2)[[2]]), c(38L, 2L))
})

test_that("var and std match var()/sd(), with unbiased and correction", {
  x <- f64(m)
  expect_equal(arr(x$var()), var(as.vector(m)), tolerance = 1e-13)
  expect_equal(arr(x$std()), sd(as.vector(m)), tolerance = 1e-13)
  expect_equal(arr(x$var(dim = 1)), apply(m, 2, var), tolerance = 1e-13)
  expect_equal(arr(torch_std(x, dim = 2)), apply(m, 1, sd), tolerance = 1e-13)
  n <- length(m)
  expect_equal(arr(x$var(unbiased = FALSE)), var(as.vector(m)) * (n - 1) / n, tolerance = 1e-13)
  expect_equal(arr(x$var(correction = 0)), var(as.vector(m)) * (n - 1) / n, tolerance = 1e-13)
  expect_equal(arr(x$var(correction = 2)), var(as.vector(m)) * (n - 1) / (n - 2),
               tolerance = 1e-13)
  expect_equal(x$std(dim = 1, keepdim = TRUE)$shape, c(1L, 4L))
  expect_equal(arr(torch_tensor(c(1, 2, 4))$var(dim = 1, correction = 3)), Inf)
  expect_true(is.nan(arr(torch_tensor(5)$var())))
  xf <- torch_tensor(m)
  expect_equal(arr(xf$std(dim = 1)), apply(arr(xf), 2, sd), tolerance = 1e-6)
  expect_equal(xf$var()$dtype, torch_float32())
  expect_error(torch_tensor(1:3)$var(), "std and var only support floating point and complex dtypes",
               fixed = TRUE, class = "runtime_error")
})

test_that("norm matches the p-norms computed in R", {
  x <- f64(m)
  v <- as.vector(m)
  expect_equal(arr(x$norm()), sqrt(sum(v^2)), tolerance = 1e-14)
  expect_equal(arr(torch_norm(x, p = 1)), sum(abs(v)), tolerance = 1e-14)
  expect_equal(arr(x$norm(p = 3)), sum(abs(v)^3)^(1 / 3), tolerance = 1e-14)
  expect_equal(arr(x$norm(p = Inf)), max(abs(v)))
  expect_equal(arr(x$norm(p = -Inf)), min(abs(v)))
  expect_equal(arr(x$norm(p = 0)), sum(v != 0))
  expect_equal(arr(x$norm(p = "fro")), sqrt(sum(v^2)), tolerance = 1e-14)
  expect_equal(arr(x$norm(dim = 1)), sqrt(colSums(m^2)), tolerance = 1e-14)
  expect_equal(x$norm(dim = 2, keepdim = TRUE)$shape, c(3L, 1L))
  expect_equal(arr(torch_tensor(c(3, 4))$norm()), 5)
  expect_equal(torch_tensor(c(3, 4))$norm()$dtype, torch_float32())
  expect_equal(torch_tensor(c(3, 4))$norm(dtype = torch_float64())$dtype, torch_float64())
  expect_error(torch_tensor(1:3)$norm(),
               "norm(): input dtype should be either floating point or complex. Got Long instead.",
               fixed = TRUE)
})

test_that("logsumexp is stable and matches log(sum(exp()))", {
  x <- f64(m)
  expect_equal(arr(x$logsumexp(dim = 1)), log(colSums(exp(m))), tolerance = 1e-14)
  expect_equal(arr(torch_logsumexp(x, dim = c(1, 2))), log(sum(exp(m))), tolerance = 1e-14)
  expect_equal(x$logsumexp(dim = 2, keepdim = TRUE)$shape, c(3L, 1L))
  expect_identical(arr(torch_tensor(c(1000, 1000))$logsumexp(dim = 1)), 0x1.f458bap+9)
  expect_equal(arr(f64(c(-1000, -1000))$logsumexp(dim = 1)), -1000 + log(2), tolerance = 1e-14)
  expect_identical(arr(torch_tensor(rbind(c(1, Inf), c(-Inf, -Inf)))$logsumexp(dim = 2)),
                   c(Inf, -Inf))
  expect_identical(arr(torch_zeros(2, 0)$logsumexp(dim = 2)), c(-Inf, -Inf))
  expect_equal(torch_tensor(1:3)$logsumexp(dim = 1)$dtype, torch_float32())
  expect_equal(arr(torch_tensor(1:3)$logsumexp(dim = 1)), log(sum(exp(1:3))), tolerance = 1e-6)
})

test_that("cumsum matches cumsum() along each dimension", {
  x <- f64(m)
  expect_equal(arr(x$cumsum(dim = 1)), apply(m, 2, cumsum), tolerance = 1e-14)
  expect_equal(arr(torch_cumsum(x, dim = 2)), t(apply(m, 1, cumsum)), tolerance = 1e-14)
  expect_equal(arr(x$cumsum(dim = -1)), t(apply(m, 1, cumsum)), tolerance = 1e-14)
  expect_identical(arr(torch_tensor(1:5)$cumsum(dim = 1)), cumsum(1:5))
  expect_equal(torch_tensor(1:5)$cumsum(dim = 1, dtype = torch_float64())$dtype, torch_float64())
  expect_equal(arr(cumsum(torch_tensor(c(1, 2, 3)))), c(1, 3, 6))
  y <- f64(a3)
  expect_equal(arr(y$cumsum(dim = 2)), aperm(apply(a3, c(1, 3), cumsum), c(2, 1, 3)),
               tolerance = 1e-14)
  expect_equal(torch_zeros(0, 3)$cumsum(dim = 1)$shape, c(0L, 3L))
})

test_that("all and any on bool and numeric tensors", {
  b <- torch_tensor(matrix(c(TRUE, FALSE, TRUE, TRUE), 2))
  expect_identical(arr(b$all()), FALSE)
  expect_identical(arr(b$any()), TRUE)
  expect_identical(arr(torch_all(b, dim = 1)), c(FALSE, TRUE))
  expect_identical(arr(torch_any(b, dim = 2)), c(TRUE, TRUE))
  expect_equal(torch_all(b, dim = 2, keepdim = TRUE)$shape, c(2L, 1L))
  expect_equal(b$all()$dtype, torch_bool())
  expect_identical(arr(torch_tensor(c(0.5, 0))$all()), FALSE)
  expect_identical(arr(torch_tensor(c(0.5, 0))$any()), TRUE)
  expect_identical(arr(torch_tensor(c(NaN, 1))$all()), TRUE)
  expect_identical(arr(torch_tensor(c(1L, 2L))$all()), TRUE)
  expect_identical(arr(torch_tensor(logical(0))$all()), TRUE)
  expect_identical(arr(torch_tensor(logical(0))$any()), FALSE)
})

test_that("base R summaries return 0-d tensors as in R torch", {
  x <- torch_tensor(c(1, 2, 3, 4))
  for (f in list(sum, prod, max, min, mean)) {
    r <- f(x)
    expect_true(is_torch_tensor(r))
    expect_equal(r$shape, integer(0))
  }
  expect_equal(arr(sum(x)), 10)
  expect_equal(arr(prod(x)), 24)
  expect_equal(arr(max(x)), 4)
  expect_equal(arr(min(x)), 1)
  expect_equal(arr(mean(x)), 2.5)
  expect_identical(arr(all(x > 0)), TRUE)
  expect_identical(arr(any(torch_tensor(c(FALSE, FALSE)))), FALSE)
  expect_equal(arr(sum(torch_ones(2, 3), dim = 1)), c(2, 2, 2))
  expect_equal(arr(mean(torch_ones(2, 3), dim = 2)), c(1, 1))
  expect_equal(arr(sum(x, torch_tensor(c(10, 20)))), 40)
  expect_equal(arr(max(x, torch_tensor(c(-1, 7)))), 7)
  expect_equal(arr(min(x, torch_tensor(c(-1, 7)))), -1)
  expect_error(sum(x, na.rm = TRUE), "Torch tensors do not have NAs!", class = "value_error")
})

test_that("empty reductions: sum 0, prod 1, mean NaN; max of nothing errors like PyTorch", {
  e <- torch_tensor(numeric(0))
  expect_identical(arr(e$sum()), 0)
  expect_identical(arr(e$prod()), 1)
  expect_true(is.nan(arr(e$mean())))
  expect_identical(arr(e$norm()), 0)
  expect_identical(arr(torch_zeros(0, 3)$sum(dim = 1)), c(0, 0, 0))
  expect_equal(torch_zeros(0, 3)$sum(dim = 2)$shape, 0L)
  expect_true(all(is.nan(arr(torch_zeros(2, 0)$mean(dim = 2)))))
  expect_identical(arr(torch_zeros(2, 0)$prod(dim = 2)), c(1, 1))
  expect_error(e$max(),
               "max(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.",
               fixed = TRUE, class = "runtime_error")
  expect_error(max(e), "max(): Expected reduction dim to be specified", fixed = TRUE)
  expect_error(e$min(), "min(): Expected reduction dim to be specified", fixed = TRUE)
  expect_error(e$amax(), "amax(): Expected reduction dim to be specified", fixed = TRUE)
  expect_error(e$argmax(), "argmax(): Expected reduction dim to be specified for input.numel() == 0.",
               fixed = TRUE, class = "index_error")
  expect_error(torch_zeros(0, 3)$max(dim = 1),
               "max(): Expected reduction dim 0 to have non-zero size.", fixed = TRUE,
               class = "index_error")
  expect_error(torch_zeros(2, 0)$amax(dim = 2), "amax(): Expected reduction dim 1 to have non-zero size.",
               fixed = TRUE, class = "index_error")
  r <- torch_zeros(0, 3)$max(dim = 2)
  expect_equal(r[[1]]$shape, 0L)
  expect_equal(r[[2]]$shape, 0L)
})

test_that("bad dims and arguments raise R torch's errors", {
  x <- torch_ones(2, 3)
  expect_error(x$sum(dim = 3), "Dimension out of range (expected to be in range of [-2, 2], but got 3)",
               fixed = TRUE, class = "index_error")
  expect_error(x$sum(dim = -3), "Dimension out of range (expected to be in range of [-2, 2], but got -3)",
               fixed = TRUE, class = "index_error")
  expect_error(torch_sum(torch_randn(2, 2, 2), dim = c(1, 4)),
               "Dimension out of range (expected to be in range of [-3, 3], but got 4)", fixed = TRUE)
  for (f in list(torch_sum, torch_mean, torch_max, torch_min, torch_std, torch_var, torch_amax,
                 torch_argmax, torch_prod, torch_logsumexp, torch_cumsum, torch_all)) {
    expect_error(f(torch_tensor(1), dim = 2),
                 "Dimension out of range (expected to be in range of [-1, 1], but got 2)",
                 fixed = TRUE, class = "index_error")
  }
  expect_error(x$sum(dim = 0), "Indexing starts at 1 but found a 0.", fixed = TRUE,
               class = "index_error")
  expect_error(x$max(dim = 0), "Indexing starts at 1", fixed = TRUE)
  expect_error(x$sum(dim = c(1, 1)), "dim 0 appears multiple times in the list of dims", fixed = TRUE)
  expect_error(x$sum(dim = "a"), "dim must be", class = "value_error")
  expect_error(x$sum(dim = 1.5), "whole numbers", class = "value_error")
  expect_error(x$max(dim = c(1, 2)), "dim must be a single whole number", class = "value_error")
  expect_error(x$sum(keepdim = "yes"), "keepdim must be TRUE or FALSE", class = "value_error")
  expect_error(x$sum(dtype = "float"), "dtype must be a torch_dtype", class = "value_error")
  expect_error(x$norm(p = "nuc"), "p must be a number", class = "value_error")
  expect_error(x$logsumexp(), "dim")
  expect_error(x$cumsum(), "dim")
})

test_that("reductions accept R data as self in the torch_ forms", {
  expect_equal(arr(torch_sum(c(1, 2, 3))), 6)
  expect_equal(arr(torch_max(matrix(1:4, 2))), 4L)
})

test_that("max with other / a tensor as second argument is the elementwise maximum", {
  skip_if_not(exists("torch_maximum", envir = asNamespace("torchlite")))
  a <- torch_tensor(c(1, 5, 3))
  b <- torch_tensor(c(4, 2, 6))
  expect_equal(arr(a$max(other = b)), c(4, 5, 6))
  expect_equal(arr(torch_max(a, b)), c(4, 5, 6))
  expect_equal(arr(torch_min(a, other = b)), c(1, 2, 3))
})
