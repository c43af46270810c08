# The small-tensor path of binary elementwise ops (elementwise.c, binary_small: contiguous
# operands of equal shapes or with a one-element side, up to 4096 elements) must give what
# the general driver gives: same dtype, shape and bits. The general driver is reached with
# the same values through a non-contiguous view (every other element of a longer tensor).

# x as a strided (non-contiguous) view with the same values
strided <- function(x) {
  if (x$numel() < 2) return(NULL)
  n <- x$numel()
  big <- torch_zeros(2 * n, dtype = x$dtype)
  big[seq(1, 2 * n, by = 2)] <- x$reshape(n)
  v <- big[seq(1, 2 * n, by = 2)]
  if (x$dim() == 1) v else v$reshape(x$shape) # a copy when reshaped: keep 1-d views
}

same_result <- function(r1, r2) {
  expect_equal(r1$dtype, r2$dtype)
  expect_equal(r1$shape, r2$shape)
  expect_identical(as_array(r1), as_array(r2))
}

ops <- list(`+` = function(a, b) a + b, `-` = function(a, b) a - b,
            `*` = function(a, b) a * b, `/` = function(a, b) a / b,
            `^` = function(a, b) a^b, `<` = function(a, b) a < b,
            `==` = function(a, b) a == b, `max` = function(a, b) torch_maximum(a, b))

values <- function(n, dtype) {
  v <- c(-2.5, 0, 1.25, 3, -0, 7.5, NaN, Inf, -Inf, 1e-3, 2^20, -1)
  v <- rep_len(v, n)
  if (dtype == torch_int64() || dtype == torch_int32()) v <- c(-3, 0, 2, 5, 1, -1)[seq_len(n) %% 6 + 1]
  torch_tensor(v, dtype = dtype)
}

test_that("small binary ops on contiguous operands give the general driver's bits", {
  dtypes <- list(torch_float32(), torch_float64(), torch_int64())
  for (n in c(2, 7, 100, 4096)) {
    for (dt in dtypes) {
      a <- values(n, dt)
      b <- torch_tensor(rev(as_array(values(n, dt))), dtype = dt)
      a_nc <- strided(a)
      for (nm in names(ops)) {
        f <- ops[[nm]]
        if (nm == "^" && dt == torch_int64()) next # negative integer powers error either way
        # equal shapes
        same_result(f(a, b), f(a_nc, b))
        # a wrapped R number on either side
        same_result(f(a, 2.5), f(a_nc, 2.5))
        same_result(f(3L, a), f(3L, a_nc))
        # a one-element tensor of another dtype (converted), either side
        s <- torch_tensor(0.75, dtype = torch_float64())
        same_result(f(a, s), f(a_nc, s))
        same_result(f(s$reshape(c(1)), a), f(s$reshape(c(1)), a_nc))
      }
    }
  }
})

test_that("small binary ops keep shapes of matrices, one-element operands and 0-d tensors", {
  m <- torch_tensor(matrix(c(1, -2, 3.5, 4, 0, -6), 2, 3))
  same_result(m * m, m$t()$contiguous()$t() * m) # a transposed copy takes the general path
  same_result(m + torch_tensor(2)$reshape(c(1, 1)), m$t()$t() + torch_tensor(2)$reshape(c(1, 1)))
  expect_equal((torch_tensor(2)$reshape(c(1, 1)) * torch_tensor(3))$shape, c(1, 1))
  expect_equal((torch_tensor(3) * torch_tensor(2)$reshape(c(1, 1, 1)))$shape, c(1, 1, 1))
  z <- torch_tensor(5)$reshape(integer(0))
  expect_equal((z * z)$shape, integer(0))
  expect_equal(as.numeric(z - 1), 4)
  # a one-element tensor with more dims than the other side broadcasts up
  expect_equal((torch_ones(3) + torch_ones(1, 1))$shape, c(1, 3))
  # float64 tensor with a wrapped number stays float64; an integer tensor with a double
  # number becomes float32, as in PyTorch
  expect_equal((torch_ones(3, dtype = torch_float64()) * 2)$dtype, torch_float64())
  expect_equal((torch_tensor(1:3) * 0.5)$dtype, torch_float32())
  expect_equal(as.numeric(torch_tensor(1:3) * 0.5), c(0.5, 1, 1.5))
  # integer division by zero is still refused
  expect_error(torch_tensor(1:3) %/% 0L, "ZeroDivisionError")
})

test_that("gradients through the small path match gradcheck", {
  x <- torch_tensor(c(0.3, -1.2, 2.5), dtype = torch_float64(), requires_grad = TRUE)
  y <- torch_tensor(c(1.1, 0.4, -0.7), dtype = torch_float64(), requires_grad = TRUE)
  expect_true(gradcheck(function(a, b) (a * b - a / (b + 3) + 2 * a)^2, list(x, y)))
})

test_that("small unary ops on contiguous tensors give the general driver's bits", {
  fns <- list(exp = function(x) x$exp(), log = function(x) x$log(), sin = function(x) x$sin(),
              sigmoid = function(x) x$sigmoid(), tanh = function(x) x$tanh(),
              sqrt = function(x) x$sqrt(), abs = function(x) x$abs(), neg = function(x) -x,
              relu = function(x) x$relu(), sq = function(x) x^2, half = function(x) x^0.5,
              cube = function(x) x^3, recip = function(x) x^-1, powd = function(x) x^2.5,
              rsqrt = function(x) x$rsqrt(), floor = function(x) x$floor())
  for (n in c(2, 9, 4096)) {
    for (dt in list(torch_float32(), torch_float64())) {
      a <- values(n, dt)
      a_nc <- strided(a)
      for (nm in names(fns)) same_result(fns[[nm]](a), fns[[nm]](a_nc))
    }
  }
  i <- torch_tensor(c(-3L, 4L, 0L, 7L))
  same_result(i^2L, strided(i)^2L)
  same_result(i$abs(), strided(i)$abs())
})

test_that("small in-place ops give the general driver's bits and bump the version", {
  for (dt in list(torch_float32(), torch_float64())) {
    for (n in c(1, 5, 300)) {
      for (op in c("add_", "sub_", "mul_", "div_")) {
        for (other in list(2.5, torch_tensor(0.5, dtype = torch_float64()),
                           values(n, dt) + 0.25)) {
          a <- values(n, dt)
          a_nc <- strided(a) # a general-path twin (NULL for one element)
          v0 <- .Call(torchlite:::C_tl_version, a)
          a[[op]](other)
          expect_equal(.Call(torchlite:::C_tl_version, a), v0 + 1)
          if (!is.null(a_nc)) {
            a_nc[[op]](other)
            expect_identical(as_array(a), as_array(a_nc))
          } else {
            ref <- switch(op, add_ = values(n, dt) + other, sub_ = values(n, dt) - other,
                          mul_ = values(n, dt) * other, div_ = values(n, dt) / other)
            expect_identical(as_array(a), as_array(ref))
          }
        }
      }
    }
  }
  # what the general driver refuses is still refused
  x <- torch_ones(3)
  expect_error(x$add_(torch_ones(2, 3)), "doesn't match the broadcast shape")
  expect_error(torch_tensor(1:3)$add_(0.5), "can't be cast")
  # the same memory on both sides goes the general way and stays right
  y <- torch_tensor(c(1, 2, 3))
  y$add_(y)
  expect_equal(as.numeric(y), c(2, 4, 6))
})

test_that("the gradient of one element of a vector is written directly and right", {
  for (dt in list(torch_float32(), torch_float64())) {
    x <- torch_tensor(c(1.5, -2, 3), dtype = dt, requires_grad = TRUE)
    y <- x[1] * 2 + x[-1] * 7 + x[3]^2 + x[2]$sin()
    y$backward()
    expect_equal(as.numeric(x$grad), c(2, cos(-2), 7 + 2 * 3), tolerance = 1e-6)
    # the general path (a 2-d input) gives the same bits for the same gradient
    m <- torch_tensor(matrix(c(1.5, -2, 3), 1), dtype = dt, requires_grad = TRUE)
    (m[1, 1] * 2 + m[1, 3] * 7 + m[1, 3]^2 + m[1, 2]$sin())$backward()
    expect_identical(as_array(x$grad), as.numeric(as_array(m$grad)))
  }
  z <- torch_tensor(c(1, 2, 3), dtype = torch_float64(), requires_grad = TRUE)
  expect_true(gradcheck(function(a) a[2] * a[1] + a[-1]^3, z))
})

test_that("the gradient of x^2 is computed in one pass with the general path's bits", {
  for (dt in list(torch_float32(), torch_float64())) {
    v <- c(1.1, -2.3, 0, -0, 1e-30, 3e38, NaN, Inf, -Inf, 7.25)
    fast <- torch_tensor(v, dtype = dt, requires_grad = TRUE)
    (fast^2 * torch_tensor(seq(0.5, 5, by = 0.5), dtype = dt))$sum()$backward()
    # create_graph = TRUE records the backward, which takes the general path
    slow <- torch_tensor(v, dtype = dt, requires_grad = TRUE)
    (slow^2 * torch_tensor(seq(0.5, 5, by = 0.5), dtype = dt))$sum()$backward(create_graph = TRUE)
    expect_identical(as_array(fast$grad), as_array(slow$grad$detach()))
    slow$grad <- NULL # a gradient with a graph through slow itself: a cycle until cleared
  }
  x <- torch_tensor(c(0.5, -1.5), dtype = torch_float64(), requires_grad = TRUE)
  expect_true(gradcheck(function(a) (a^2)$sum(), x))
})

test_that("a row broadcast over the rows of a small matrix gives the general driver's bits", {
  for (dt in list(torch_float32(), torch_float64(), torch_int64())) {
    torch_manual_seed(7)
    a <- (torch_randn(6, 5) * 10)$to(dtype = dt)
    a_nc <- torch_zeros(6, 10, dtype = dt)[, seq(1, 10, by = 2)] # strided: the general path
    a_nc$copy_(a)
    a3 <- a$reshape(c(2, 3, 5))
    for (row in list(torch_tensor(c(1.5, -2, 0, 3, -0.5))$to(dtype = dt),
                     torch_tensor(matrix(c(2, 4, -1, 0.25, 8), 1))$to(dtype = dt))) {
      for (nm in c("+", "-", "*", "/", "<", "max")) {
        f <- ops[[nm]]
        same_result(f(a, row), f(a_nc, row))
        same_result(f(a3, row), f(a3$clone()$transpose(1, 2)$contiguous()$transpose(1, 2), row))
      }
    }
  }
  # a column (the other direction) and shapes that do not broadcast still work or fail as before
  a <- torch_ones(3, 4)
  expect_equal(as_array(a + torch_tensor(matrix(1:3, 3))), matrix(rep(2:4, 4), 3))
  expect_error(a + torch_ones(3), "must match the size")
})

test_that("+ - * / of a row over many rows (one call for all rows) give the general bits", {
  # widths with whole 256-bit vectors and tails; special values in both operands
  for (dt in list(torch_float32(), torch_float64())) {
    for (k in c(8, 19, 32)) {
      a <- values(7 * k, dt)$reshape(c(7, k))
      a_nc <- torch_zeros(7, 2 * k, dtype = dt)[, seq(1, 2 * k, by = 2)]
      a_nc$copy_(a)
      r <- rev(as_array(values(k + 3, dt)))[seq_len(k)] * 0.75
      for (row in list(torch_tensor(r, dtype = dt), torch_tensor(matrix(r, 1), dtype = dt))) {
        for (nm in c("+", "-", "*", "/")) {
          same_result(ops[[nm]](a, row), ops[[nm]](a_nc, row))
        }
      }
      # by hand (double precision, as R computes): every row gets the row's own element
      if (dt == torch_float64())
        expect_identical(as_array(a + torch_tensor(r, dtype = dt)), sweep(as_array(a), 2, r, `+`))
    }
  }
})

test_that("clamp's gradient in one pass has the general path's bits", {
  # 19 elements: whole vectors and a tail for both dtypes; gradients with signed zeros and
  # NaN where the mask keeps them or gives +0
  v <- c(-2, -0.5, -0, 0, 0.25, 1, 1.5, NaN, Inf, -Inf, 3, 0.5, -0, 2, -3, 1.25, NaN, 0.75, -1)
  w <- c(seq(0.5, 5.5, by = 0.5), -0, -0, NaN, -0, NaN, 2, -0, 1)
  for (dt in list(torch_float32(), torch_float64())) {
    for (b in list(list(min = 0), list(max = 1), list(min = -0.5, max = 1.25))) {
      fast <- torch_tensor(v, dtype = dt, requires_grad = TRUE)
      (do.call(fast$clamp, b) * torch_tensor(w, dtype = dt))$sum()$backward()
      slow <- torch_tensor(v, dtype = dt, requires_grad = TRUE)
      (do.call(slow$clamp, b) * torch_tensor(w, dtype = dt))$sum()$backward(create_graph = TRUE)
      expect_true(identical(as_array(fast$grad), as_array(slow$grad$detach()), num.eq = FALSE))
      slow$grad <- NULL
    }
  }
  x <- torch_tensor(c(-1.3, 0.4, 2.2), dtype = torch_float64(), requires_grad = TRUE)
  expect_true(gradcheck(function(a) (a$clamp(min = -1, max = 2) * a)$sum(), x))
})

test_that("setting one element of a vector gives the general path's result", {
  for (dt in list(torch_float32(), torch_float64())) {
    x <- torch_tensor(c(1, 2, 3), dtype = dt)
    m <- torch_tensor(matrix(c(1, 2, 3), 1), dtype = dt) # two dims: the general path
    v <- torch_tensor(-0.1, dtype = dt)$reshape(integer(0))
    x[2] <- v
    m[1, 2] <- v
    x[-1] <- torch_tensor(-0, dtype = dt)$reshape(integer(0))
    m[1, -1] <- torch_tensor(-0, dtype = dt)$reshape(integer(0))
    expect_identical(as_array(x), as.numeric(as_array(m)))
    expect_identical(1 / as_array(x)[3], -Inf) # the signed zero is copied
    x[1] <- torch_tensor(2.5, dtype = torch_float64())$reshape(integer(0)) # converted
    expect_equal(as.numeric(x[1]), 2.5)
    expect_error(x[4] <- v, "out of bounds")
  }
})
