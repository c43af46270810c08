# Random number generation must match libtorch's CPU generator bit for bit.
# Expected values come from PyTorch 1.13 (x86-64, AVX2 kernels):
#   torch.manual_seed(s); torch.randn(n) / torch.rand(n) / torch.randint(...)
#
# Values are compared through their exact decimal form: "%.9g" identifies a
# float32 value uniquely and "%.17g" a double, and sprintf() is exact, whereas
# parsing 17-digit literals in R is not always correctly rounded.

f32 <- function(x) sprintf("%.9g", as.numeric(x))
f64 <- function(x) sprintf("%.17g", as.numeric(x))
pick <- function(x, idx) f32(as.numeric(x)[idx])

test_that("torch_randn small sizes (cached Box-Muller path) match libtorch", {
  torch_manual_seed(1)
  expect_identical(f32(torch_randn(3)), c("0.661352158", "0.266924113", "0.0616772585"))
  torch_manual_seed(42)
  expect_identical(f32(torch_randn(3)), c("0.336690366", "0.128809407", "0.234462366"))
  torch_manual_seed(123456789)
  expect_identical(f32(torch_randn(3)), c("0.110278368", "2.20076966", "-0.896996915"))
  torch_manual_seed(0)
  expect_identical(f32(torch_randn(3)), c("1.54099607", "-0.293428898", "-2.17878938"))
})

test_that("torch_randn n >= 16 (16-element block path, tail recomputed) matches libtorch", {
  torch_manual_seed(42)
  expect_identical(f32(torch_randn(16)), c(
    "1.92691529", "1.48728406", "0.900717199", "-2.10552096", "0.678418458",
    "-1.23454487", "-0.0430674776", "-1.60466695", "-0.752135277", "1.64872301",
    "-0.392478645", "-1.40360713", "-0.727881312", "-0.559430182", "-0.768838882",
    "0.76244539"))
  torch_manual_seed(42)
  expect_identical(f32(torch_randn(17)), c(
    "1.92691529", "-0.159597471", "-0.497397542", "0.439589262", "-0.758131146",
    "1.07831764", "0.800800562", "1.68062055", "0.355859905", "1.29642284",
    "0.61046648", "1.33473778", "-0.23162432", "0.041759491", "-0.251575291",
    "0.859858513", "-0.309726775"))
  torch_manual_seed(42)
  expect_identical(f32(torch_randn(33)), c(
    "1.92691529", "1.48728406", "0.900717199", "-2.10552096", "0.678418458",
    "-1.23454487", "-0.0430674776", "-1.60466695", "-0.752135277", "1.64872301",
    "-0.392478645", "-1.40360713", "-0.727881312", "-0.559430182", "-0.768838882",
    "0.76244539", "1.64231694", "-0.871236145", "-0.223365918", "1.71736145",
    "0.31888032", "-0.424518973", "0.305720925", "-0.774592519", "0.0349123441",
    "0.995636106", "-0.879785836", "-0.601142049", "-1.27415121", "2.12278509",
    "-1.23465312", "-0.487913877", "-1.41805995"))

  # other seeds: first two / last two elements plus the (exact) sum
  check <- function(seed, n, vals, total) {
    torch_manual_seed(seed)
    x <- torch_randn(n)
    expect_identical(pick(x, c(1, 2, n - 1, n)), vals)
    expect_equal(sum(as.numeric(x)), total, tolerance = 1e-12)
  }
  check(1, 16, c("-1.5255959", "-0.750231802", "0.228425175", "0.467635512"), -7.113806627690792)
  check(1, 17, c("-1.5255959", "-1.16076148", "-0.131623209", "-0.798439801"), -6.246772415935993)
  check(1, 33, c("-1.5255959", "-0.750231802", "-0.629847229", "2.40697813"), -5.6808960773050785)
  check(123456789, 16, c("0.264255404", "-0.414898962", "-1.23118997", "1.2969768"), -1.6160551570355892)
  check(123456789, 17, c("0.264255404", "-0.705566049", "-1.8619113", "0.957497478"), 3.0633344873785973)
  check(123456789, 33, c("0.264255404", "-0.414898962", "0.340369582", "-0.526212871"), -0.30823899805545807)
})

test_that("torch_randn(1000) matches libtorch", {
  check <- function(seed, vals, total) {
    torch_manual_seed(seed)
    x <- torch_randn(1000)
    expect_identical(pick(x, c(1, 500, 1000)), vals)
    expect_equal(sum(as.numeric(x)), total, tolerance = 1e-12)
  }
  check(1, c("-1.5255959", "1.42741537", "0.0603169799"), 8.726469044573605)
  check(42, c("1.92691529", "0.094958514", "-0.853454411"), 4.23129390826216)
  check(123456789, c("0.264255404", "-0.265019983", "-0.674432456"), -60.48191515234066)
})

test_that("torch_rand matches libtorch", {
  torch_manual_seed(1)
  expect_identical(f32(torch_rand(3)), c("0.7576316", "0.279310882", "0.403069258"))
  torch_manual_seed(42)
  expect_identical(f32(torch_rand(3)), c("0.882269263", "0.915003955", "0.38286376"))
  torch_manual_seed(123456789)
  expect_identical(f32(torch_rand(3)), c("0.405253887", "0.606179953", "0.738970876"))

  torch_manual_seed(42)
  expect_identical(f32(torch_rand(17)), c(
    "0.882269263", "0.915003955", "0.38286376", "0.959305644", "0.390448213",
    "0.600895345", "0.256572485", "0.793641329", "0.940771461", "0.133185923",
    "0.934598088", "0.59357965", "0.869404435", "0.567715287", "0.741094053",
    "0.429404497", "0.885442913"))
  torch_manual_seed(1)
  expect_identical(f32(torch_rand(17)), c(
    "0.7576316", "0.279310882", "0.403069258", "0.734684467", "0.0292815566",
    "0.79985863", "0.397137344", "0.754371941", "0.569508493", "0.438777924",
    "0.638680458", "0.524665892", "0.682614088", "0.305149496", "0.46354562",
    "0.454986334", "0.572471976"))

  check <- function(seed, vals, total) {
    torch_manual_seed(seed)
    x <- torch_rand(33)
    expect_identical(pick(x, c(1, 2, 32, 33)), vals)
    expect_equal(sum(as.numeric(x)), total, tolerance = 1e-12)
  }
  check(1, c("0.7576316", "0.279310882", "0.974277735", "0.830029905"), 17.80748814344406)
  check(42, c("0.882269263", "0.915003955", "0.0752658844", "0.886013687"), 17.98290377855301)
  check(123456789, c("0.405253887", "0.606179953", "0.756783426", "0.13731426"), 16.871794819831848)
})

test_that("float64 torch_randn / torch_rand match libtorch", {
  torch_manual_seed(42)
  expect_identical(
    f64(torch_randn(3, dtype = torch_float64())),
    c("0.33669035438385886", "0.1288094051365897", "0.23446236336153173")
  )
  torch_manual_seed(42)
  x <- torch_randn(17, dtype = torch_float64())
  expect_identical(
    f64(as.numeric(x)[c(1, 2, 16, 17)]),
    c("0.29955628775026372", "1.504572275678796", "0.85521596147228696", "0.24941187969157649")
  )
  expect_equal(sum(as.numeric(x)), 8.966966934936444, tolerance = 1e-12)
  torch_manual_seed(42)
  expect_identical(
    f64(torch_rand(5, dtype = torch_float64())),
    c("0.058154485961429692", "0.062910167424577557", "0.12358607277440903",
      "0.052580164361077042", "0.52617189685476184")
  )
})

test_that("successive calls continue libtorch's stream", {
  torch_manual_seed(7)
  x1 <- torch_randn(3)
  x2 <- torch_rand(20)
  x3 <- torch_randn(100)
  x4 <- torch_randn(2)
  x5 <- torch_rand(2, dtype = torch_float64())
  expect_identical(f32(x1), c("-0.146795094", "0.786141276", "0.94682163"))
  expect_identical(pick(x2, c(1, 20)), c("0.365316153", "0.628589094"))
  expect_equal(sum(as.numeric(x2)), 11.161682724952698, tolerance = 1e-12)
  expect_identical(pick(x3, c(1, 50, 100)), c("-1.3032167", "-0.882180989", "1.27160573"))
  expect_equal(sum(as.numeric(x3)), 2.6815479119541124, tolerance = 1e-12)
  # uses the Box-Muller sample cached by randn(3)
  expect_identical(f32(x4), c("-1.114344", "-0.159007445"))
  expect_identical(f64(x5), c("0.30305805153606846", "0.97006530875610741"))
})

test_that("the cached normal sample is shared between calls and reset by the seed", {
  torch_manual_seed(11)
  one_by_one <- c(as.numeric(torch_randn(1)), as.numeric(torch_randn(1)), as.numeric(torch_randn(1)))
  torch_manual_seed(11)
  expect_identical(one_by_one, as.numeric(torch_randn(3)))

  torch_manual_seed(11)
  x1 <- as.numeric(torch_randn(5))
  torch_randn(1) # leaves a cached value behind
  torch_manual_seed(11)
  expect_identical(as.numeric(torch_randn(5)), x1)
})

test_that("seeds use libtorch's 32-bit Mersenne Twister seeding", {
  # only the low 32 bits of the seed reach the engine: 2^40 + 3 behaves as 3
  torch_manual_seed(2^40 + 3)
  expect_identical(f32(torch_randn(3)), c("0.803276062", "0.174833387", "0.0889780968"))
  torch_manual_seed(3)
  expect_identical(f32(torch_randn(3)), c("0.803276062", "0.174833387", "0.0889780968"))
})

test_that("multi-dimensional sizes fill in row-major order", {
  torch_manual_seed(3)
  a <- as_array(torch_randn(2, 3))
  expect_identical(dim(a), c(2L, 3L))
  expect_identical(sprintf("%.9g", a[1, ]), c("0.803276062", "0.174833387", "0.0889780968"))
  expect_identical(sprintf("%.9g", a[2, ]), c("-0.613718033", "0.0461824499", "-1.36825919"))

  torch_manual_seed(3)
  b <- as_array(torch_randn(c(2, 3)))
  expect_identical(b, a)

  torch_manual_seed(3)
  r <- as_array(torch_rand(2, 3, dtype = torch_float64()))
  expect_identical(sprintf("%.17g", r[1, ]),
                   c("0.034108195650520479", "0.28674022672130695", "0.77291494432858432"))
  expect_identical(sprintf("%.17g", r[2, ]),
                   c("0.17492702928129467", "0.75536987164589886", "0.60825062692070497"))
})

test_that("torch_randint matches libtorch for each dtype", {
  torch_manual_seed(42)
  expect_identical(as.numeric(torch_randint(0, 10, 10, dtype = torch_int64())),
                   c(2, 7, 6, 4, 6, 5, 0, 4, 0, 3))
  # default dtype: same draws (R torch returns the default float dtype here)
  torch_manual_seed(42)
  expect_identical(as.numeric(torch_randint(0, 10, 10)), c(2, 7, 6, 4, 6, 5, 0, 4, 0, 3))
  torch_manual_seed(42)
  expect_identical(as.numeric(torch_randint(-5, 5, 10, dtype = torch_int32())),
                   c(-3, 2, 1, -1, 1, 0, -5, -1, -5, -2))
  torch_manual_seed(42)
  expect_identical(as.numeric(torch_randint(1, 7, 6, dtype = torch_float32())),
                   c(1, 6, 5, 5, 1, 6))
  torch_manual_seed(42)
  expect_identical(as.numeric(torch_randint(3, 1000, 6, dtype = torch_float64())),
                   c(976, 330, 598, 68, 79, 807))
})

test_that("torch_randint with a range >= 2^32 uses 64-bit draws", {
  torch_manual_seed(42)
  expect_identical(as.numeric(torch_randint(-7, 2^40, 5, dtype = torch_int64())),
                   c(441463804072, 395813185266, 458529314964, 809946996811, 439983178392))
  torch_manual_seed(42)
  expect_identical(as.numeric(torch_randint(0, 2^32, 3, dtype = torch_int64())),
                   c(3421126067, 787846414, 3348747335))
})
