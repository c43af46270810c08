# The direct path for small matrix products (linalg.c: bit for bit OpenBLAS's result) and
# the cheap elementwise kernels of a small network's step (where, comparisons, clamp, the
# broadcast add of a bias row), which must give the same bits as before.

small_gemm <- function(enable = NULL) torchlite:::tl_small_gemm(enable)

# operand of logical shape r x c in one of several layouts
operand <- function(r, c, dtype, layout) {
  switch(layout,
    contig = torch_randn(r, c, dtype = dtype),
    trans  = torch_randn(c, r, dtype = dtype)$t(),
    slice  = torch_randn(r + 2, c + 3, dtype = dtype)[2:(r + 1), 3:(c + 2)],
    tslice = torch_randn(c + 3, r + 2, dtype = dtype)$t()[2:(r + 1), 3:(c + 2)],
    step   = torch_randn(r, c, 2, dtype = dtype)[, , 1],
    expand = torch_randn(1, c, dtype = dtype)$expand(c(r, c)))
}

# every shape here is one the direct path takes (k < 8, or n < 8 / m < 4 for float32,
# n < 4 / m even for float64)
small_shapes <- list(c(100, 3, 32), c(100, 32, 1), c(100, 1, 32), c(32, 100, 1), c(3, 100, 32),
                     c(1, 1, 1), c(7, 2, 9), c(17, 5, 33), c(64, 7, 100), c(9, 17, 5),
                     c(2, 32, 100), c(3, 100, 17), c(40, 100, 3), c(1, 200, 64), c(33, 256, 1),
                     c(8, 17, 2), c(4, 32, 7))

test_that("small products give the bits of the BLAS path", {
  skip_if_not(isTRUE(small_gemm()), "no direct path for small products here (no AVX2/FMA or no OpenBLAS Haswell kernels)")
  on.exit(small_gemm(TRUE))
  layouts <- c("contig", "trans", "slice", "tslice", "step", "expand")
  set.seed(3)
  for (dt in list(torch_float32(), torch_float64())) {
    for (s in small_shapes) {
      for (rep in 1:3) {
        torch_manual_seed(sum(s) + rep)
        a <- operand(s[1], s[2], dt, sample(layouts, 1))
        b <- operand(s[2], s[3], dt, sample(layouts, 1))
        small_gemm(TRUE)
        direct <- as_array(a$mm(b))
        small_gemm(FALSE)
        blas <- as_array(a$mm(b))
        small_gemm(TRUE)
        expect_identical(direct, blas, info = paste(c(s, rep), collapse = " "))
        # signed zeros, infinities and NaN too: -0 sums are stored as +0 by both
        av <- as_array(a$contiguous())
        av[seq(1, length(av), by = 3)] <- c(0, -0, Inf, -Inf, NaN, 1e30)[1 + (seq(1, length(av), by = 3) %% 6)]
        a2 <- torch_tensor(av, dtype = dt)
        small_gemm(TRUE)
        d2 <- as_array(a2$mm(b))
        small_gemm(FALSE)
        b2 <- as_array(a2$mm(b))
        small_gemm(TRUE)
        expect_true(identical(d2, b2, num.eq = FALSE), info = paste(c(s, rep), collapse = " "))
      }
    }
  }
  # batched products and matmul go through the same path
  x <- torch_randn(4, 5, 3)
  y <- torch_randn(4, 3, 6)
  direct <- as_array(x$bmm(y))
  small_gemm(FALSE)
  expect_identical(direct, as_array(x$bmm(y)))
  small_gemm(TRUE)
})

test_that("lanes loaded by rows and transposed give the bits of the BLAS path", {
  # C^T = B^T A^T with A contiguous: the lanes (rows of A) are apart and each one's run over
  # k is adjacent, so the kernel loads L values of k per lane and transposes them (instead
  # of gathering); k not a multiple of L, 4-vector and 1-vector groups, a remainder of lanes
  skip_if_not(isTRUE(small_gemm()), "no direct path for small products here (no AVX2/FMA or no OpenBLAS Haswell kernels)")
  on.exit(small_gemm(TRUE))
  shapes <- list(c(100, 32, 1), c(100, 13, 1), c(37, 20, 1), c(64, 9, 2), c(30, 17, 3),
                 c(16, 8, 1), c(8, 4, 1))
  for (dt in list(torch_float32(), torch_float64())) {
    for (s in shapes) {
      torch_manual_seed(sum(s))
      av <- as_array(torch_randn(s[1], s[2], dtype = dt))
      av[seq(2, length(av), by = 7)] <- c(0, -0, Inf, NaN, -1e30)[1 + (seq(2, length(av), by = 7) %% 5)]
      a <- torch_tensor(av, dtype = dt)
      b <- torch_randn(s[2], s[3], dtype = dt)
      small_gemm(TRUE)
      direct <- as_array(a$mm(b))
      small_gemm(FALSE)
      blas <- as_array(a$mm(b))
      small_gemm(TRUE)
      expect_true(identical(direct, blas, num.eq = FALSE), info = paste(s, collapse = " "))
    }
  }
})

test_that("switching the direct path off and on works", {
  on.exit(small_gemm(TRUE))
  expect_false(small_gemm(FALSE))
  expect_false(small_gemm())
  expect_type(small_gemm(TRUE), "logical")
})

test_that("small products are correct in value", {
  torch_manual_seed(11)
  for (s in small_shapes) {
    a <- torch_randn(s[1], s[2], dtype = torch_float64())
    b <- torch_randn(s[2], s[3], dtype = torch_float64())
    ref <- as_array(a) %*% as_array(b)
    expect_equal(as_array(a$mm(b)), ref, tolerance = 1e-12)
    expect_equal(as_array(b$t()$mm(a$t())), t(ref), tolerance = 1e-12)
    a32 <- a$to(dtype = torch_float32())
    b32 <- b$to(dtype = torch_float32())
    expect_equal(as_array(a32$mm(b32)), as_array(a32) %*% as_array(b32), tolerance = 1e-5)
  }
  # exact small integers: exact results
  a <- torch_tensor(matrix(c(1, 2, 3, 4, 5, 6), 2))
  b <- torch_tensor(matrix(c(1, 0, -1, 2, 1, 0), 3))
  expect_identical(as_array(a$mm(b)), matrix(c(1, 2, 3, 4, 5, 6), 2) %*% matrix(c(1, 0, -1, 2, 1, 0), 3))
  expect_identical(as_array(a$mm(b))[1, 1], -4)
  # k = 0
  expect_identical(as_array(torch_zeros(3, 0)$mm(torch_zeros(0, 4))), matrix(0, 3, 4))
})

test_that("gradients through small products pass gradcheck", {
  torch_manual_seed(5)
  dbl <- function(...) torch_randn(..., dtype = torch_float64(), requires_grad = TRUE)
  a <- dbl(6, 3)
  b <- dbl(3, 5)
  expect_true(gradcheck(function(a, b) a$mm(b), list(a, b)))
  x <- dbl(10, 3)
  w1 <- dbl(3, 8)
  b1 <- dbl(1, 8)
  w2 <- dbl(8, 1)
  expect_true(gradcheck(function(w1, b1, w2) x$mm(w1)$add(b1)$clamp(min = 0.1)$mm(w2), list(w1, b1, w2)))
  expect_true(gradcheck(function(a, b) a$t()$mm(b$t()), list(dbl(3, 4), dbl(2, 3))))
})

test_that("where keeps its results on NaN, Inf, broadcast and strided operands", {
  v <- c(NaN, -Inf, Inf, -1.5, 0, -0, 2.25, 1e-40)
  n <- 1003
  x <- rep_len(v, n) * rep_len(c(1, -3), n)
  mask <- rep_len(c(TRUE, FALSE, TRUE), n)
  y <- rep_len(c(7, -0, NaN), n)
  for (dt in list(torch_float32(), torch_float64())) {
    tx <- torch_tensor(x, dtype = dt)
    ty <- torch_tensor(y, dtype = dt)
    xv <- as_array(tx)
    yv <- as_array(ty)
    r <- torch_where(torch_tensor(mask), tx, ty)
    expect_true(identical(as_array(r), ifelse(mask, xv, yv), num.eq = FALSE))
    # scalar other (the shape of where(mask, grad, 0) in backward formulas)
    r <- torch_where(torch_tensor(mask), tx, torch_tensor(0, dtype = dt))
    expect_true(identical(as_array(r), ifelse(mask, xv, 0), num.eq = FALSE))
    r <- torch_where(torch_tensor(mask), torch_tensor(-0, dtype = dt), ty)
    expect_true(identical(as_array(r), ifelse(mask, -0, yv), num.eq = FALSE))
    r <- torch_where(torch_tensor(mask), torch_tensor(-0, dtype = dt), torch_tensor(Inf, dtype = dt))
    expect_true(identical(as_array(r), ifelse(mask, -0, Inf), num.eq = FALSE))
  }
  # integer, bool and broadcast operands; a transposed condition
  m <- matrix(c(TRUE, FALSE), 5, 6)
  xi <- matrix(1:30, 5, 6)
  expect_identical(as_array(torch_where(torch_tensor(m), torch_tensor(xi), torch_tensor(-1L))),
                   ifelse(m, xi, -1L))
  expect_identical(as_array(torch_where(torch_tensor(t(m))$t(), torch_tensor(xi), torch_tensor(-1L))),
                   ifelse(m, xi, -1L))
  expect_identical(as_array(torch_where(torch_tensor(m), torch_tensor(m), torch_tensor(TRUE))),
                   ifelse(m, m, TRUE))
  row <- torch_tensor(matrix(c(TRUE, FALSE, TRUE, TRUE, FALSE, FALSE), 1))
  expect_identical(as_array(torch_where(row, torch_tensor(xi * 1), torch_tensor(0))),
                   ifelse(matrix(c(TRUE, FALSE, TRUE, TRUE, FALSE, FALSE), 5, 6, byrow = TRUE), xi * 1, 0))
})

test_that("comparisons and clamp keep their NaN and signed-zero semantics", {
  v <- c(NaN, -Inf, Inf, -1.5, 0, -0, 2.25, 1e-40, -3e38)
  n <- 997
  x <- rep_len(v, n)
  for (dt in list(torch_float32(), torch_float64())) {
    t <- torch_tensor(x, dtype = dt)
    xv <- as_array(t)
    expect_identical(as_array(t >= 0), !is.na(xv) & xv >= 0)
    expect_identical(as_array(t > 0), !is.na(xv) & xv > 0)
    expect_identical(as_array(t <= 0), !is.na(xv) & xv <= 0)
    expect_identical(as_array(t < 0), !is.na(xv) & xv < 0)
    expect_identical(as_array(t == 0), !is.na(xv) & xv == 0)
    expect_identical(as_array(t != 0), is.na(xv) | xv != 0)
    tr <- torch_tensor(rev(x), dtype = dt)
    expect_identical(as_array(t >= tr), !is.na(xv) & !is.na(rev(xv)) & xv >= rev(xv))
    expect_identical(as_array(t < tr), !is.na(xv) & !is.na(rev(xv)) & xv < rev(xv))
    # clamp: NaN stays NaN, -0 stays -0 for min = 0 (x < 0 is false), bounds as std::min/max
    lo <- as_array(t$clamp(min = 0))
    expect_true(identical(lo, ifelse(is.na(xv), NaN, ifelse(xv < 0, 0, xv)), num.eq = FALSE))
    both <- as_array(t$clamp(min = -1, max = 1))
    expect_true(identical(both, ifelse(is.na(xv), NaN, pmin(pmax(xv, -1), 1)), num.eq = FALSE))
    expect_true(identical(as_array(t$clamp(max = -0.5)), ifelse(is.na(xv), NaN, pmin(xv, -0.5)),
                          num.eq = FALSE))
    # a NaN bound is ignored by the scalar clamp
    expect_true(identical(as_array(t$clamp(min = NaN, max = 1)), ifelse(is.na(xv), NaN, pmin(xv, 1)),
                          num.eq = FALSE))
  }
  # relu's backward (where(x >= 0, grad, 0))
  x <- torch_tensor(c(-2, -0, 0, 3, NaN, -Inf, Inf), requires_grad = TRUE)
  x$clamp(min = 0)$sum()$backward()
  expect_identical(as_array(x$grad), c(0, 1, 1, 1, 0, 0, 1))
  # strided input
  m <- torch_tensor(matrix(c(-1, 2, NaN, -0, 5, -6), 2))$t()
  expect_true(identical(as_array(m$clamp(min = 0)), t(matrix(c(0, 2, NaN, -0, 5, 0), 2)), num.eq = FALSE))
  expect_identical(as_array(m >= 0), t(matrix(c(FALSE, TRUE, FALSE, TRUE, TRUE, FALSE), 2)))
})

test_that("broadcast adds give the exact float32 sums", {
  torch_manual_seed(2)
  f32m <- function(x) array(f32(x), dim(x)) # f32() keeping the dims
  f32sum <- function(a, b) f32m(a + b) # a + b of two float32 values is exact in double here
  a <- torch_randn(100, 32)
  av <- as_array(a)
  r <- torch_randn(1, 32)
  rv <- as_array(r)
  full <- function(v, nr) matrix(v, nr, length(v), byrow = TRUE)
  expect_identical(as_array(a + r), f32sum(av, full(rv, 100)))
  expect_identical(as_array(a$add(r)), f32sum(av, full(rv, 100)))
  expect_identical(as_array(r + a), f32sum(av, full(rv, 100)))
  v <- torch_randn(32)
  expect_identical(as_array(a + v), f32sum(av, full(as_array(v), 100)))
  col <- torch_randn(100, 1)
  cv <- as_array(col)
  expect_identical(as_array(r + col), f32sum(full(rv, 100), matrix(cv, 100, 32)))
  expect_identical(as_array(a - col), f32m(av - matrix(cv, 100, 32)))
  # non-contiguous: a transposed matrix plus a row, a column slice plus a row
  at <- torch_randn(32, 100)$t()
  atv <- as_array(at)
  expect_identical(as_array(at + r), f32sum(atv, full(rv, 100)))
  sl <- torch_randn(100, 40)[, 3:34]
  expect_identical(as_array(sl + r), f32sum(as_array(sl), full(rv, 100)))
  # in place, as the SGD step does it, and with NaN / Inf in the row
  rv2 <- rv
  rv2[c(1, 5, 9)] <- c(NaN, Inf, -Inf)
  b <- a$clone()
  b$add_(torch_tensor(rv2))
  expect_true(identical(as_array(b), f32sum(av, full(rv2, 100)), num.eq = FALSE))
  # 3-d with a broadcast middle dim, float64
  x3 <- torch_randn(4, 1, 6, dtype = torch_float64())
  y3 <- torch_randn(5, 1, dtype = torch_float64())
  ref <- array(0, c(4, 5, 6))
  xv <- as_array(x3)
  yv <- as_array(y3)
  for (i in 1:4) for (j in 1:5) ref[i, j, ] <- xv[i, 1, ] + yv[j, 1]
  expect_identical(as_array(x3 + y3), ref)
})
