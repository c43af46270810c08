# Operators (+ - * / ^ %% %/% == != < <= > >= & | !, unary -) and base math generics.
# Expected float32 values marked "PyTorch" were computed with PyTorch 1.13 (Debian) on the
# same inputs and are compared exactly.

x_vals <- c(-1.0, 0.30000001192092896, 1.7000000476837158, -0.12345600128173828, 2.0,
            0.0010000000474974513)
x2_vals <- c(1.0, 2.5, -0.699999988079071, 0.9876539707183838, 4.0, -3.299999952316284)

test_that("arithmetic operators match base R in double precision", {
  a <- c(1.5, -2.25, 3, 0.1, -7)
  b <- c(2, 0.5, -4, 3, 1e-3)
  ta <- torch_tensor(a, dtype = torch_float64())
  tb <- torch_tensor(b, dtype = torch_float64())
  expect_equal(as.numeric(ta + tb), a + b, tolerance = 0)
  expect_equal(as.numeric(ta - tb), a - b, tolerance = 0)
  expect_equal(as.numeric(ta * tb), a * b, tolerance = 0)
  expect_equal(as.numeric(ta / tb), a / b, tolerance = 0)
  expect_equal(as.numeric(ta^2), a^2, tolerance = 0)
  expect_equal(as.numeric(abs(ta)^tb), abs(a)^b, tolerance = 1e-15)
  expect_equal(as.numeric(-ta), -a, tolerance = 0)
  expect_equal(as.numeric(ta + 1), a + 1, tolerance = 0)
  expect_equal(as.numeric(2 * ta), 2 * a, tolerance = 0)
  expect_equal(as.numeric(ta / 4), a / 4, tolerance = 0)
})

test_that("the seed expression (1 - x)^2 + 5 * (x2 - x^2)^2 matches PyTorch exactly", {
  x <- torch_tensor(x_vals)
  x2 <- torch_tensor(x2_vals)
  value <- (1 - x)^2 + 5 * (x2 - x^2)^2
  expect_identical(value$dtype, torch_float32())
  # PyTorch: (1 - x)**2 + 5 * (x2 - x**2)**2
  expect_identical(as.numeric(value), c(4.0, 29.530500411987305, 64.93050384521484,
                                        5.990084648132324, 1.0, 55.44803237915039))
  # the same as float32 arithmetic step by step
  f <- function(v) f32(v)
  manual <- f(f(f(1 - f(x_vals))^2) + f(5 * f(f(f(x2_vals) - f(f(x_vals)^2))^2)))
  expect_identical(as.numeric(value), manual)
})

test_that("scalar operands keep float32 and match PyTorch", {
  x <- torch_tensor(x_vals)
  x2 <- torch_tensor(x2_vals)
  expect_identical(as.numeric(x * 0.1), c(-0.10000000149011612, 0.030000001192092896,
    0.17000000178813934, -0.012345599941909313, 0.20000000298023224, 0.00010000000474974513))
  expect_identical(as.numeric(x - 0.1), c(-1.100000023841858, 0.20000001788139343,
    1.600000023841858, -0.2234559953212738, 1.899999976158142, -0.0989999994635582))
  expect_identical(as.numeric(x / 3), c(-0.3333333432674408, 0.10000000149011612,
    0.5666666626930237, -0.041152000427246094, 0.6666666865348816, 0.0003333333588670939))
  expect_identical(as.numeric(1 / x), c(-1.0, 3.3333332538604736, 0.5882352590560913,
    -8.100051879882812, 0.5, 999.9999389648438))
  expect_identical(as.numeric(x / x2), c(-1.0, 0.12000000476837158, -2.4285714626312256,
    -0.12499924749135971, 0.5, -0.00030303033418022096))
  expect_identical(as.numeric(x^3), c(-1.0, 0.027000002562999725, 4.913000106811523,
    -0.0018816404044628143, 8.0, 1.0000001937626735e-09))
  expect_identical(as.numeric(x^-2), c(1.0, 11.11111068725586, 0.34602075815200806,
    65.61083984375, 0.25, 999999.875))
  expect_identical(as.numeric(abs(x)^0.5), c(1.0, 0.547722578048706, 1.3038405179977417,
    0.35136306285858154, 1.4142135381698608, 0.03162277862429619))
  expect_identical(as.numeric(abs(x)^2.5), c(1.0, 0.049295034259557724, 3.768099308013916,
    0.005355259403586388, 5.656854152679443, 3.1622779061990514e-08))
  expect_identical(as.numeric(abs(x)^-0.5), c(1.0, 1.8257417678833008, 0.7669649720191956,
    2.8460590839385986, 0.7071067690849304, 31.622774124145508))
  for (op in list(`+`, `-`, `*`, `/`)) {
    expect_identical(op(x, 2.5)$dtype, torch_float32())
    expect_identical(op(2.5, x)$dtype, torch_float32())
  }
})

test_that("a scalar on the left becomes a tensor as in R torch", {
  x <- torch_tensor(2)
  # x is 1-d; 1 - x keeps shape 1
  expect_identical((1 - x)$shape, 1L)
  expect_identical(as.numeric(1 - x), -1)
  expect_identical(as.numeric(10 / torch_tensor(c(2, 4))), c(5, 2.5))
  expect_identical(as.numeric(2^torch_tensor(c(1, 3))), c(2, 8))
  expect_identical((2L * torch_tensor(1:3))$dtype, torch_int64())
  expect_identical(as.integer(2L * torch_tensor(1:3)), c(2L, 4L, 6L))
  expect_identical(as.integer(7L %/% torch_tensor(c(2L, -2L))), c(3L, -3L))
})

test_that("R doubles next to float64 tensors keep double precision", {
  x <- torch_tensor(c(0.3, 0.7), dtype = torch_float64())
  expect_identical(as.numeric(0.1 - x), 0.1 - c(0.3, 0.7))
  expect_identical(as.logical(x > 0.3), c(0.3, 0.7) > 0.3)
  # a 0-d float64 tensor stays float64 (R torch would compute this in float32), and an R
  # number on the left is a scalar, so the result keeps the 0-d shape (R torch: shape 1)
  x0 <- torch_full(integer(0), 0.3, dtype = torch_float64())
  r <- 1 - x0
  expect_identical(r$dtype, torch_float64())
  expect_identical(r$shape, integer(0))
  expect_identical(as.numeric(r), 1 - 0.3)
  expect_identical(as.numeric(c(0.1, 0.2) * x), c(0.1, 0.2) * c(0.3, 0.7))
})

test_that("unary minus and plus", {
  x <- torch_tensor(c(1.5, -2, 0))
  expect_identical(as.numeric(-x), c(-1.5, 2, 0))
  expect_identical(as.numeric(+x), c(1.5, -2, 0))
  expect_identical((-torch_tensor(1:2))$dtype, torch_int64())
  expect_identical(as.integer(-torch_tensor(1:2)), c(-1L, -2L))
  expect_torch_error(-torch_tensor(TRUE), "runtime_error", "Subtraction, the `-` operator")
})

test_that("%% has the sign of the dividend (R torch's fmod) and %/% truncates", {
  a <- c(-7, 7, -7, 7, 5.5)
  b <- c(3, 3, -3, -3, 2)
  ta <- torch_tensor(a, dtype = torch_float64())
  expect_equal(as.numeric(ta %% torch_tensor(b, dtype = torch_float64())), c(-1, 1, -1, 1, 1.5))
  expect_equal(as.numeric(ta %/% torch_tensor(b, dtype = torch_float64())), trunc(a / b))
  expect_identical(as.integer(torch_tensor(c(-7L, 7L)) %% 3L), c(-1L, 1L))
  expect_identical(as.integer(torch_tensor(c(-7L, 7L)) %/% 2L), c(-3L, 3L))
  expect_identical(as.numeric(torch_tensor(c(-7, 7)) %% 3), c(-1, 1))
  expect_torch_error(torch_tensor(1:3) %% 0L, "runtime_error", "ZeroDivisionError")
  expect_torch_error(torch_tensor(1:3) %/% 0L, "runtime_error", "ZeroDivisionError")
})

test_that("comparison operators give bool tensors", {
  x <- torch_tensor(c(1, 2, 3))
  expect_identical((x > 2)$dtype, torch_bool())
  expect_identical(as.logical(x > 2), c(FALSE, FALSE, TRUE))
  expect_identical(as.logical(x >= 2), c(FALSE, TRUE, TRUE))
  expect_identical(as.logical(x < 2), c(TRUE, FALSE, FALSE))
  expect_identical(as.logical(x <= 2), c(TRUE, TRUE, FALSE))
  expect_identical(as.logical(x == 2), c(FALSE, TRUE, FALSE))
  expect_identical(as.logical(x != 2), c(TRUE, FALSE, TRUE))
  expect_identical(as.logical(2 < x), c(FALSE, FALSE, TRUE))
  expect_identical(as.logical(x == torch_tensor(c(1, 0, 3))), c(TRUE, FALSE, TRUE))
  # int tensor against a fraction compares in float
  expect_identical(as.logical(torch_tensor(1:3) > 1.5), c(FALSE, TRUE, TRUE))
  expect_identical(as.logical(torch_tensor(c(NaN, 1)) == torch_tensor(c(NaN, 1))), c(FALSE, TRUE))
  expect_identical(as.logical(torch_tensor(c(NaN, 1)) != torch_tensor(c(NaN, 1))), c(TRUE, FALSE))
})

test_that("logical operators", {
  a <- torch_tensor(c(TRUE, TRUE, FALSE, FALSE))
  b <- torch_tensor(c(TRUE, FALSE, TRUE, FALSE))
  expect_identical(as.logical(a & b), c(TRUE, FALSE, FALSE, FALSE))
  expect_identical(as.logical(a | b), c(TRUE, TRUE, TRUE, FALSE))
  expect_identical(as.logical(!a), c(FALSE, FALSE, TRUE, TRUE))
  expect_identical(as.logical(a & TRUE), c(TRUE, TRUE, FALSE, FALSE))
  expect_identical((!a)$dtype, torch_bool())
  # nonzero is true
  expect_identical(as.logical(!torch_tensor(c(2, 0))), c(FALSE, TRUE))
  expect_identical(as.logical(torch_tensor(c(2, 0)) & torch_tensor(c(1, 1))), c(TRUE, FALSE))
})

test_that("operators broadcast", {
  a <- torch_tensor(matrix(c(1, 2, 3), 3, 1))
  b <- torch_tensor(matrix(c(10, 20, 30, 40), 1, 4))
  r <- a + b
  expect_identical(r$shape, c(3L, 4L))
  expect_equal(as_array(r), outer(c(1, 2, 3), c(10, 20, 30, 40), `+`))
  expect_equal(as_array(a * b), outer(c(1, 2, 3), c(10, 20, 30, 40)))
  expect_equal(as_array(torch_ones(2, 3) - torch_tensor(c(1, 2, 3))),
               matrix(c(0, -1, -2), 2, 3, byrow = TRUE))
  expect_torch_error(torch_ones(3) + torch_ones(4), "value_error",
    "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 0")
  expect_torch_error(torch_ones(2, 3) * torch_ones(2, 4), "value_error",
    "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1")
})

test_that("operators reject non-numeric operands", {
  x <- torch_ones(2)
  expect_torch_error(x + "a", "type_error", "not 'character'")
  expect_torch_error("a" * x, "type_error", "not 'character'")
  expect_torch_error(x + list(1), "type_error", "not 'list'")
  expect_torch_error(torch_add(x, factor("a")), "type_error", "not 'factor'")
})

test_that("Math generics", {
  v <- c(0.25, 1.5, 3, 10)
  x <- torch_tensor(v, dtype = torch_float64())
  expect_equal(as.numeric(exp(x)), exp(v), tolerance = 1e-15)
  expect_equal(as.numeric(log(x)), log(v), tolerance = 1e-15)
  expect_equal(as.numeric(sqrt(x)), sqrt(v), tolerance = 0)
  expect_equal(as.numeric(log2(x)), log2(v), tolerance = 1e-15)
  expect_equal(as.numeric(log10(x)), log10(v), tolerance = 1e-15)
  expect_equal(as.numeric(log1p(x)), log1p(v), tolerance = 1e-15)
  expect_equal(as.numeric(expm1(x)), expm1(v), tolerance = 1e-15)
  expect_equal(as.numeric(sin(x)), sin(v), tolerance = 1e-15)
  expect_equal(as.numeric(cos(x)), cos(v), tolerance = 1e-15)
  expect_equal(as.numeric(tan(x)), tan(v), tolerance = 1e-14)
  expect_equal(as.numeric(tanh(x)), tanh(v), tolerance = 1e-15)
  expect_equal(as.numeric(sinh(x)), sinh(v), tolerance = 1e-15)
  expect_equal(as.numeric(cosh(x)), cosh(v), tolerance = 1e-15)
  expect_equal(as.numeric(atan(x)), atan(v), tolerance = 1e-15)
  expect_equal(as.numeric(asin(x / 10)), asin(v / 10), tolerance = 1e-15)
  expect_equal(as.numeric(acos(x / 10)), acos(v / 10), tolerance = 1e-15)
  expect_equal(as.numeric(abs(-x)), v)
  w <- c(-2.5, -0.5, 0.5, 1.5, 2.5, 2.7)
  y <- torch_tensor(w, dtype = torch_float64())
  expect_equal(as.numeric(floor(y)), floor(w))
  expect_equal(as.numeric(ceiling(y)), ceiling(w))
  expect_equal(as.numeric(trunc(y)), trunc(w))
  expect_equal(as.numeric(round(y)), round(w)) # R also rounds half to even
  expect_equal(as.numeric(sign(y)), sign(w))
  expect_equal(as.numeric(round(torch_tensor(c(1.2345, -2.5678), dtype = torch_float64()), 2)),
               c(1.23, -2.57))
  expect_equal(as.numeric(log(torch_tensor(c(8, 16)), base = 2)), c(3, 4), tolerance = 1e-6)
  expect_torch_error(gamma(x), "value_error", "gamma() is not implemented")
})
