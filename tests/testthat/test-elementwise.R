# Elementwise functions, methods and in-place forms: values, promotion, broadcasting,
# special values, empty tensors, non-contiguous inputs and errors.

version_of <- function(x) .Call(torchlite:::C_tl_version, x)
data_ptr <- function(x) torchlite:::.tl_data_ptr(x)
strided <- function(x, size, stride, offset = 0) torchlite:::tl_strided_view(x, size, stride, offset)
f64 <- function(v) torch_tensor(v, dtype = torch_float64())

test_that("dtype promotion follows PyTorch", {
  f <- torch_ones(2)
  i64 <- torch_tensor(1:2)
  i32 <- torch_tensor(1:2, dtype = torch_int32())
  b <- torch_tensor(c(TRUE, FALSE))
  d <- torch_ones(2, dtype = torch_float64())
  expect_identical((f * 2.5)$dtype, torch_float32())           # R double stays float32
  expect_identical((i64 + 1.5)$dtype, torch_float32())         # default float
  expect_identical(as.numeric(i64 + 1.5), c(2.5, 3.5))
  expect_identical((i64 + 1L)$dtype, torch_int64())
  expect_identical((i32 + 1L)$dtype, torch_int32())            # R integer keeps int32
  expect_identical(torch_add(i32, i64)$dtype, torch_int64())
  expect_identical((i32 + i64)$dtype, torch_int64())
  expect_identical((b + b)$dtype, torch_bool())                # add on bool is "or"
  expect_identical(as.logical(b + b), c(TRUE, FALSE))
  expect_identical((b * b)$dtype, torch_bool())
  expect_identical((b + 1L)$dtype, torch_int64())
  expect_identical((b + 1.5)$dtype, torch_float32())
  expect_identical((f + d)$dtype, torch_float64())
  expect_identical((d * 2L)$dtype, torch_float64())
  expect_identical((i64 / i64)$dtype, torch_float32())         # true division
  expect_identical(as.numeric(torch_tensor(c(1L, 3L)) / 2L), c(0.5, 1.5))
  # a 0-d tensor counts only by category
  z64 <- torch_full(integer(0), 2, dtype = torch_float64())
  expect_identical(z64$shape, integer(0))
  expect_identical((f * z64)$dtype, torch_float32())
  expect_identical((i32 * z64)$dtype, torch_float64())
  expect_identical((i32 * torch_full(integer(0), 2L))$dtype, torch_int32())
  expect_identical(torch_eq(i64, 1.5)$dtype, torch_bool())
})

test_that("add/sub with alpha", {
  a <- c(1, 2, 3); b <- c(0.5, -1, 4)
  expect_equal(as.numeric(torch_add(f64(a), f64(b), alpha = 2)), a + 2 * b, tolerance = 0)
  expect_equal(as.numeric(torch_sub(f64(a), f64(b), alpha = 0.5)), a - 0.5 * b, tolerance = 0)
  expect_equal(as.numeric(f64(a)$add(f64(b), alpha = -3)), a - 3 * b, tolerance = 0)
  expect_identical(as.integer(torch_tensor(1:3)$add(2L, alpha = 3L)), c(7L, 8L, 9L))
  # PyTorch fuses b * alpha + a for float32 (vfmadd): add(x, x2, alpha = 0.01)
  x <- torch_tensor(c(-1.0, 0.3, 1.7, -0.123456, 2.0, 1e-3))
  x2 <- torch_tensor(c(1.0, 2.5, -0.7, 0.987654, 4.0, -3.3))
  expect_identical(as.numeric(torch_add(x, x2, alpha = 0.01)), c(-0.9900000095367432,
    0.32500001788139343, 1.693000078201294, -0.11357945948839188, 2.0399999618530273,
    -0.03199999779462814))
  expect_torch_error(torch_add(torch_tensor(1:2), 1L, alpha = 0.5), "runtime_error",
                     "For integral input tensors, argument alpha must not be a floating point number.")
  expect_torch_error(torch_sub(torch_tensor(TRUE), torch_tensor(FALSE)), "runtime_error",
                     "Subtraction, the `-` operator, with two bool tensors is not supported.")
})

test_that("division modes, remainder and fmod", {
  a <- c(-7, 7, -7, 7, 5.5, -0.5)
  b <- c(2, 2, -2, -2, 1.5, 3)
  expect_equal(as.numeric(torch_div(f64(a), f64(b))), a / b, tolerance = 0)
  expect_equal(as.numeric(torch_div(f64(a), f64(b), rounding_mode = "trunc")), trunc(a / b))
  expect_equal(as.numeric(torch_div(f64(a), f64(b), rounding_mode = "floor")), floor(a / b))
  expect_equal(as.numeric(torch_floor_divide(f64(a), f64(b))), a %/% b)
  expect_equal(as.numeric(torch_remainder(f64(a), f64(b))), a %% b, tolerance = 1e-15)
  expect_equal(as.numeric(torch_fmod(f64(a), f64(b))), sign(a) * (abs(a) %% abs(b)),
               tolerance = 1e-15)
  ia <- c(-7L, 7L, -7L, 7L, 0L, -1L)
  ib <- c(2L, 2L, -2L, -2L, 3L, 5L)
  ti <- torch_tensor(ia); tj <- torch_tensor(ib)
  expect_identical(as.integer(torch_div(ti, tj, rounding_mode = "floor")), ia %/% ib)
  expect_identical(as.integer(torch_div(ti, tj, rounding_mode = "trunc")),
                   as.integer(trunc(ia / ib)))
  expect_identical(as.integer(torch_remainder(ti, tj)), ia %% ib)
  expect_identical(torch_remainder(ti, tj)$dtype, torch_int64())
  expect_identical(as.integer(torch_fmod(ti, tj)), c(-1L, 1L, -1L, 1L, 0L, -1L))
  expect_identical(as.integer(x <- torch_tensor(c(-7L, 7L))$remainder(-3L)), c(-1L, -2L))
  # float division by zero is IEEE; floor division keeps infinities
  expect_identical(as.numeric(torch_tensor(c(1, -1, 0)) / 0), c(Inf, -Inf, NaN))
  expect_identical(as.numeric(torch_div(torch_tensor(c(1, -1)), 0, rounding_mode = "floor")),
                   c(Inf, -Inf))
  expect_identical(as.numeric(torch_tensor(1:2) / 0L), c(Inf, Inf))
  # Python semantics with infinite divisors
  expect_identical(as.numeric(torch_remainder(torch_tensor(c(-7, 7, Inf)), Inf)), c(Inf, 7, NaN))
})

test_that("integer division by zero is an error and writes nothing", {
  for (mode in c("trunc", "floor")) {
    expect_torch_error(torch_div(torch_tensor(1:3), torch_tensor(c(1L, 0L, 2L)),
                                 rounding_mode = mode), "runtime_error", "ZeroDivisionError")
  }
  expect_torch_error(torch_remainder(torch_tensor(1:3), 0L), "runtime_error", "ZeroDivisionError")
  expect_torch_error(torch_fmod(torch_tensor(1:3), FALSE), "runtime_error", "ZeroDivisionError")
  x <- torch_tensor(c(10L, 20L, 30L))
  v <- version_of(x)
  expect_torch_error(x$div_(torch_tensor(c(2L, 0L, 5L)), rounding_mode = "floor"),
                     "runtime_error", "ZeroDivisionError")
  expect_identical(as.integer(x), c(10L, 20L, 30L))
  expect_identical(version_of(x), v)
  # true division of integers by zero is float infinity, not an error
  expect_identical(as.numeric(torch_div(torch_tensor(1L), 0L)), Inf)
})

test_that("pow: tensor^scalar, scalar^tensor, tensor^tensor", {
  v <- c(0.5, 1, 2.5, 4)
  e <- c(2, -1, 0.5, 3)
  expect_equal(as.numeric(torch_pow(f64(v), f64(e))), v^e, tolerance = 1e-15)
  expect_equal(as.numeric(torch_pow(2, f64(v))), 2^v, tolerance = 1e-15)
  expect_equal(as.numeric(f64(v)$pow(1.5)), v^1.5, tolerance = 1e-15)
  expect_equal(as.numeric(f64(v)^0), rep(1, 4))
  expect_equal(as.numeric(torch_tensor(v)^3), f32(f32(f32(v)^2) * f32(v)))
  expect_identical(as.integer(torch_tensor(c(2L, -3L))^3L), c(8L, -27L))
  expect_identical((torch_tensor(1:3)^2L)$dtype, torch_int64())
  expect_identical((torch_tensor(1:3)^2)$dtype, torch_float32()) # an R double is a float scalar
  expect_identical((torch_tensor(1:3)^0.5)$dtype, torch_float32())
  expect_identical(as.integer(torch_pow(torch_tensor(c(2L, 1L, -1L, 0L, 3L)),
                                        torch_tensor(c(-1L, -2L, -3L, -1L, 0L)))),
                   c(0L, 1L, -1L, 0L, 1L))
  expect_torch_error(torch_tensor(1:3)^-1L, "runtime_error",
                     "Integers to negative integer powers are not allowed.")
  expect_identical(as.numeric(torch_tensor(c(0, -0))^-1), c(Inf, -Inf))
  expect_identical(as.numeric(torch_tensor(c(4, 9))$square()), c(16, 81))
  expect_identical(torch_tensor(TRUE)$square()$dtype, torch_int64())
})

test_that("maximum and minimum propagate NaN", {
  a <- torch_tensor(c(1, NaN, 3, -1))
  b <- torch_tensor(c(2, 1, NaN, -2))
  expect_identical(as.numeric(torch_maximum(a, b)), c(2, NaN, NaN, -1))
  expect_identical(as.numeric(torch_minimum(a, b)), c(1, NaN, NaN, -2))
  expect_identical(as.integer(torch_maximum(torch_tensor(1:3), 2L)), c(2L, 2L, 3L))
  expect_identical(torch_maximum(torch_tensor(1:3), torch_tensor(2.5))$dtype, torch_float32())
  expect_identical(as.numeric(torch_tensor(1:3)$minimum(torch_tensor(2.5))), c(1, 2, 2.5))
})

test_that("unary functions match base R in double precision", {
  v <- c(-2.5, -0.3, 0.1, 0.7, 3.2)
  p <- c(0.01, 0.3, 1, 2.5, 40)
  u <- c(-0.9, -0.3, 0, 0.4, 0.99)
  t <- f64(v); tp <- f64(p); tu <- f64(u)
  expect_equal(as.numeric(torch_exp(t)), exp(v), tolerance = 1e-15)
  expect_equal(as.numeric(torch_exp2(t)), 2^v, tolerance = 1e-15)
  expect_equal(as.numeric(torch_expm1(t)), expm1(v), tolerance = 1e-15)
  expect_equal(as.numeric(torch_log(tp)), log(p), tolerance = 1e-15)
  expect_equal(as.numeric(torch_log2(tp)), log2(p), tolerance = 1e-15)
  expect_equal(as.numeric(torch_log10(tp)), log10(p), tolerance = 1e-15)
  expect_equal(as.numeric(torch_log1p(tp)), log1p(p), tolerance = 1e-15)
  expect_equal(as.numeric(torch_sqrt(tp)), sqrt(p), tolerance = 0)
  expect_equal(as.numeric(torch_rsqrt(tp)), 1 / sqrt(p), tolerance = 1e-15)
  expect_equal(as.numeric(torch_sin(t)), sin(v), tolerance = 1e-15)
  expect_equal(as.numeric(torch_cos(t)), cos(v), tolerance = 1e-15)
  expect_equal(as.numeric(torch_tan(t)), tan(v), tolerance = 1e-15)
  expect_equal(as.numeric(torch_asin(tu)), asin(u), tolerance = 1e-15)
  expect_equal(as.numeric(torch_acos(tu)), acos(u), tolerance = 1e-15)
  expect_equal(as.numeric(torch_atan(t)), atan(v), tolerance = 1e-15)
  expect_equal(as.numeric(torch_sinh(t)), sinh(v), tolerance = 1e-15)
  expect_equal(as.numeric(torch_cosh(t)), cosh(v), tolerance = 1e-15)
  expect_equal(as.numeric(torch_tanh(t)), tanh(v), tolerance = 1e-15)
  expect_equal(as.numeric(torch_sigmoid(t)), 1 / (1 + exp(-v)), tolerance = 1e-15)
  expect_equal(as.numeric(torch_reciprocal(t)), 1 / v, tolerance = 0)
  expect_equal(as.numeric(torch_relu(t)), pmax(v, 0))
  expect_equal(as.numeric(torch_abs(t)), abs(v))
  expect_equal(as.numeric(torch_neg(t)), -v)
  expect_equal(as.numeric(torch_square(t)), v * v, tolerance = 0)
  expect_equal(as.numeric(torch_frac(t)), v - trunc(v), tolerance = 1e-15)
  expect_equal(as.numeric(torch_sign(t)), sign(v))
})

test_that("float32 unary functions are within 1e-6 relative of base R", {
  v <- seq(-4, 4, length.out = 41)
  p <- seq(0.05, 20, length.out = 41)
  x <- torch_tensor(v); xp <- torch_tensor(p)
  vv <- f32(v); pp <- f32(p)
  rel <- function(got, want) max(abs(got - want) / pmax(abs(want), 1e-30))
  expect_lt(rel(as.numeric(x$exp()), exp(vv)), 1e-6)
  expect_lt(rel(as.numeric(xp$log()), log(pp)), 1e-6)
  expect_lt(rel(as.numeric(x$sin()), sin(vv)), 1e-6)
  expect_lt(rel(as.numeric(x$cos()), cos(vv)), 1e-6)
  expect_lt(rel(as.numeric(x$tanh()), tanh(vv)), 1e-6)
  expect_lt(rel(as.numeric(x$sigmoid()), 1 / (1 + exp(-vv))), 1e-6)
  expect_lt(rel(as.numeric(xp$sqrt()), sqrt(pp)), 1e-6)
  expect_lt(rel(as.numeric(xp$rsqrt()), 1 / sqrt(pp)), 1e-6)
  expect_lt(rel(as.numeric(xp$log1p()), log1p(pp)), 1e-6)
  expect_lt(rel(as.numeric(x$expm1()), expm1(vv)), 1e-6)
  expect_lt(rel(as.numeric((x / 5)$tan()), tan(f32(vv / 5))), 1e-6)
  # sigmoid is computed as 1 / (1 + exp(-x)) in float32: small tensors match PyTorch
  s <- torch_tensor(c(-1.0, 0.3, 1.7, -0.123456, 2.0, 1e-3))$sigmoid()
  expect_identical(as.numeric(s), c(0.2689414322376251, 0.5744425058364868, 0.8455348014831543,
                                    0.46917515993118286, 0.8807970285415649, 0.500249981880188))
})

test_that("float32 exp/log/sin/cos/tanh/sigmoid/... match PyTorch's AVX2 build bit for bit", {
  skip_if_not(torchlite:::tl_elementwise_simd() == "avx2",
              "the SLEEF-compatible kernels need a CPU with AVX2 and FMA")
  # PyTorch 1.13 (Debian, AVX2): x = torch.tensor([i * 0.37 for i in range(-20, 20)])
  x <- torch_tensor((-20:19) * 0.37)
  p <- torch_tensor(0.001 + (0:39) * 0.731)
  expect_identical(as.numeric(x$exp()), c(0.0006112527335062623, 0.0008849315927363932, 0.0012811465421691537,
    0.0018547599902376533, 0.0026851999573409557, 0.0038874566089361906,
    0.005628007464110851, 0.008147859945893288, 0.01179593801498413, 0.017077386379241943,
    0.02472352609038353, 0.035793107002973557, 0.05181891471147537, 0.07502004504203796,
    0.10860911011695862, 0.15723717212677002, 0.22763767838478088, 0.32955896854400635,
    0.47711390256881714, 0.690734326839447, 1.0, 1.4477345943450928, 2.095935583114624,
    3.034358501434326, 4.392945766448975, 6.359819412231445, 9.207330703735352,
    13.329771041870117, 19.2979736328125, 27.938339233398438, 40.44730758666992,
    58.55697250366211, 84.77494812011719, 122.73161315917969, 177.68276977539062,
    257.23760986328125, 372.4117431640625, 539.1533203125, 780.5508422851562,
    1130.0308837890625))
  expect_identical(as.numeric(p$log()), c(-6.907755374908447, -0.31197476387023926, 0.38048917055130005, 0.7857263684272766,
    1.0732945203781128, 1.2963696718215942, 1.4786456823349, 1.6327637434005737,
    1.7662707567214966, 1.8840347528457642, 1.9893800020217896, 2.0846776962280273,
    2.1716787815093994, 2.2517127990722656, 2.3258132934570312, 2.3947994709014893,
    2.4593324661254883, 2.5199520587921143, 2.57710599899292, 2.631169080734253,
    2.6824588775634766, 2.731245756149292, 2.7777628898620605, 2.822211742401123,
    2.8647689819335938, 2.9055886268615723, 2.944807291030884, 2.982545852661133,
    3.018911600112915, 3.0540013313293457, 3.0879011154174805, 3.120689630508423,
    3.1524367332458496, 3.1832072734832764, 3.2130589485168457, 3.2420454025268555,
    3.2702150344848633, 3.2976131439208984, 3.324280261993408, 3.350255012512207))
  expect_identical(as.numeric((x * 3)$sin()), c(0.2073371708393097, -0.7840402722358704, -0.9046013951301575, -0.020441586151719093,
    0.8864213228225708, 0.808758556842804, -0.16717560589313507, -0.957429826259613,
    -0.6842896342277527, 0.3488742709159851, 0.9945525527000427, 0.5356031656265259,
    -0.5182281136512756, -0.9964755773544312, -0.3679603636264801, 0.6692396998405457,
    0.9631309509277344, 0.1872945874929428, -0.7965654730796814, -0.8956986665725708, 0.0,
    0.8956986665725708, 0.7965654730796814, -0.1872945874929428, -0.9631309509277344,
    -0.6692396998405457, 0.3679603636264801, 0.9964755773544312, 0.5182281136512756,
    -0.5356031656265259, -0.9945525527000427, -0.3488742709159851, 0.6842896342277527,
    0.957429826259613, 0.16717560589313507, -0.808758556842804, -0.8864213228225708,
    0.020441586151719093, 0.9046013951301575, 0.7840402722358704))
  expect_identical(as.numeric((x * 3)$cos()), c(-0.9782695174217224, -0.6207099556922913, 0.42625856399536133, 0.9997910261154175,
    0.4628792703151703, -0.5881407856941223, -0.9859271049499512, -0.28866612911224365,
    0.7292103171348572, 0.9371695518493652, 0.1042364090681076, -0.8444698452949524,
    -0.8552424311637878, 0.08388344198465347, 0.9298414587974548, 0.7430465817451477,
    -0.2690330445766449, -0.9823037981987, -0.6045522689819336, 0.4446614980697632, 1.0,
    0.4446614980697632, -0.6045522689819336, -0.9823037981987, -0.2690330445766449,
    0.7430465817451477, 0.9298414587974548, 0.08388344198465347, -0.8552424311637878,
    -0.8444698452949524, 0.1042364090681076, 0.9371695518493652, 0.7292103171348572,
    -0.28866612911224365, -0.9859271049499512, -0.5881407856941223, 0.4628792703151703,
    0.9997910261154175, 0.42625856399536133, -0.6207099556922913))
  expect_identical(as.numeric(x$tanh()), c(-0.9999992251396179, -0.9999984502792358, -0.9999967217445374, -0.9999931454658508,
    -0.9999855756759644, -0.9999697804450989, -0.9999366402626038, -0.9998672604560852,
    -0.9997217655181885, -0.9994168877601624, -0.998778223991394, -0.9974409937858582,
    -0.9946439862251282, -0.988806962966919, -0.9766831398010254, -0.9517459869384766,
    -0.9014679789543152, -0.8040624260902405, -0.6291451454162598, -0.35399171710014343,
    0.0, 0.35399171710014343, 0.6291451454162598, 0.8040624260902405, 0.9014679789543152,
    0.9517459869384766, 0.9766831398010254, 0.988806962966919, 0.9946439862251282,
    0.9974409937858582, 0.998778223991394, 0.9994168877601624, 0.9997217655181885,
    0.9998672604560852, 0.9999366402626038, 0.9999697804450989, 0.9999855756759644,
    0.9999931454658508, 0.9999967217445374, 0.9999984502792358))
  # sigmoid: SLEEF exp in blocks of 16, the C library for the last 8 and for strided data
  expect_identical(as.numeric(x$sigmoid()), c(0.0006108792731538415, 0.0008841491653583944, 0.0012795072980225086,
    0.001851326203905046, 0.002678008982911706, 0.003872402710840106, 0.005596510600298643,
    0.008082008920609951, 0.011658416129648685, 0.016790645197033882, 0.024127019569277763,
    0.03455623239278793, 0.04926600307226181, 0.06978478282690048, 0.09796880930662155,
    0.13587290048599243, 0.18542741239070892, 0.24787087738513947, 0.3230041265487671,
    0.4085410237312317, 0.5, 0.5914589762687683, 0.6769958138465881, 0.752129077911377,
    0.8145726323127747, 0.8641270995140076, 0.9020312428474426, 0.9302151799201965,
    0.9507339596748352, 0.9654437899589539, 0.9758729934692383, 0.9832093119621277,
    0.9883415102958679, 0.9919180274009705, 0.9944034814834595, 0.9961276650428772,
    0.9973220229148865, 0.9981486797332764, 0.9987205266952515, 0.9991158843040466))
  expect_identical(as.numeric((x / 4)$expm1()), c(-0.84276282787323, -0.8275244832038879, -0.810809314250946, -0.7924742698669434,
    -0.7723622918128967, -0.7503012418746948, -0.7261021137237549, -0.6995578408241272,
    -0.6704410314559937, -0.6385024785995483, -0.6034685969352722, -0.5650394558906555,
    -0.5228860974311829, -0.4766474664211273, -0.4259277284145355, -0.370292603969574,
    -0.309265673160553, -0.24232444167137146, -0.16889572143554688, -0.08835078775882721,
    0.0, 0.09691314399242401, 0.20321844518184662, 0.3198261260986328, 0.44773462414741516,
    0.5880391597747803, 0.741940975189209, 0.9107578992843628, 1.095935583114624,
    1.2990591526031494, 1.521868348121643, 1.7662705183029175, 2.034358501434326,
    2.32842755317688, 2.6509957313537598, 3.0048255920410156, 3.3929457664489746,
    3.8186798095703125, 4.285673141479492, 4.797924518585205))
  expect_identical(as.numeric(p$log1p()), c(0.00099950039293617, 0.5492768287658691, 0.9013801217079163, 1.1612740755081177,
    1.3673663139343262, 1.5381567478179932, 1.6839886903762817, 1.8112353086471558,
    1.9241026639938354, 2.025513172149658, 2.117579936981201, 2.20188045501709,
    2.279623508453369, 2.3517560958862305, 2.4190337657928467, 2.482069253921509,
    2.541365623474121, 2.597342014312744, 2.650350570678711, 2.7006897926330566,
    2.7486162185668945, 2.7943501472473145, 2.8380837440490723, 2.8799846172332764,
    2.9202001094818115, 2.9588606357574463, 2.996082305908203, 3.031967878341675,
    3.066610097885132, 3.1000924110412598, 3.1324896812438965, 3.163870334625244,
    3.19429612159729, 3.2238235473632812, 3.2525038719177246, 3.2803847789764404,
    3.307509183883667, 3.3339173793792725, 3.3596458435058594, 3.3847291469573975))
  expect_identical(as.numeric(p$log2()), c(-9.965784072875977, -0.4500844478607178, 0.5489298105239868, 1.13356351852417,
    1.5484366416931152, 1.870266079902649, 2.133234739303589, 2.3555800914764404,
    2.548189878463745, 2.718087673187256, 2.8700687885284424, 3.007554292678833,
    3.133070230484009, 3.248534679412842, 3.3554391860961914, 3.454965353012085,
    3.5480666160583496, 3.6355223655700684, 3.717978000640869, 3.7959747314453125,
    3.8699700832366943, 3.940354824066162, 4.00746488571167, 4.071590900421143,
    4.132987976074219, 4.191878318786621, 4.2484588623046875, 4.30290412902832,
    4.355368614196777, 4.40599250793457, 4.454899787902832, 4.502203464508057,
    4.548005104064941, 4.592397212982178, 4.635464191436768, 4.677282810211182,
    4.717923164367676, 4.757450103759766, 4.795922756195068, 4.833395957946777))
  expect_identical(as.numeric(p$log10()), c(-3.0, -0.13548892736434937, 0.16524434089660645, 0.3412366211414337, 0.46612587571144104,
    0.5630061626434326, 0.6421676278114319, 0.7091003060340881, 0.767081618309021,
    0.8182258605957031, 0.863976776599884, 0.9053640365600586, 0.943148136138916,
    0.9779064059257507, 1.0100878477096558, 1.0400482416152954, 1.0680744647979736,
    1.094401240348816, 1.11922287940979, 1.1427022218704224, 1.1649770736694336,
    1.1861649751663208, 1.206367015838623, 1.2256710529327393, 1.244153380393982,
    1.2618811130523682, 1.2789136171340942, 1.2953031063079834, 1.3110966682434082,
    1.3263359069824219, 1.341058373451233, 1.3552982807159424, 1.3690859079360962,
    1.3824493885040283, 1.3954137563705444, 1.4080023765563965, 1.420236349105835,
    1.4321351051330566, 1.4437166452407837, 1.454997181892395))
  # sinh/cosh: SLEEF in blocks of 16, the C library for the rest (as sigmoid)
  expect_identical(as.numeric(x$sinh()), c(-817.9920043945312, -565.0149536132812, -390.2747802734375, -269.5757141113281,
    -186.20452880859375, -128.61685180664062, -88.83857727050781, -61.361732482910156,
    -42.38157653808594, -29.269947052001953, -20.211292266845703, -13.951272964477539,
    -9.623076438903809, -6.62737512588501, -4.549361228942871, -3.1012911796569824,
    -2.0826539993286133, -1.3523997068405151, -0.809410810470581, -0.3785001337528229, 0.0,
    0.3785001337528229, 0.809410810470581, 1.3523997068405151, 2.0826539993286133,
    3.1012911796569824, 4.549361228942871, 6.62737512588501, 9.623076438903809,
    13.951272964477539, 20.211292266845703, 29.269947052001953, 42.38157653808594,
    61.361732482910156, 88.83857727050781, 128.6168670654297, 186.20452880859375,
    269.57574462890625, 390.2747497558594, 565.0150146484375))
  expect_identical(as.numeric(x$cosh()), c(817.9926147460938, 565.015869140625, 390.27606201171875, 269.57757568359375,
    186.20721435546875, 128.62074279785156, 88.84420776367188, 61.36988067626953,
    42.39337158203125, 29.287025451660156, 20.23601531982422, 13.987066268920898,
    9.674895286560059, 6.702395439147949, 4.657969951629639, 3.258528470993042,
    2.3102917671203613, 1.6819586753845215, 1.286524772644043, 1.0692344903945923, 1.0,
    1.0692344903945923, 1.286524772644043, 1.6819586753845215, 2.3102917671203613,
    3.258528470993042, 4.657969951629639, 6.702395439147949, 9.674895286560059,
    13.987066268920898, 20.23601531982422, 29.287025451660156, 42.39337158203125,
    61.36988067626953, 88.84420776367188, 128.62074279785156, 186.20721435546875,
    269.57757568359375, 390.27606201171875, 565.015869140625))
  xt <- strided(x, c(5, 8), c(1, 5)) # x$view(c(8, 5))$t()
  expect_identical(as_array(xt$sigmoid()), matrix(c(0.0006108792731538415, 0.003872402710840106, 0.024127019569277763, 0.13587290048599243,
    0.5, 0.8641270995140076, 0.9758729934692383, 0.9961276650428772, 0.0008841491653583944,
    0.005596510600298643, 0.03455623239278793, 0.18542741239070892, 0.5914589762687683,
    0.9020312428474426, 0.9832093119621277, 0.9973220229148865, 0.0012795072980225086,
    0.008082008920609951, 0.04926600307226181, 0.24787087738513947, 0.6769958138465881,
    0.9302151799201965, 0.9883415102958679, 0.9981486797332764, 0.001851326203905046,
    0.011658416129648685, 0.06978478282690048, 0.3230041265487671, 0.752129077911377,
    0.9507339596748352, 0.9919180274009705, 0.9987205266952515, 0.002678008982911706,
    0.016790645197033882, 0.09796880930662155, 0.4085410237312317, 0.8145726323127747,
    0.9654437899589539, 0.9944034814834595, 0.9991158843040466), 5, 8, byrow = TRUE))
  expect_identical(as_array(xt$exp()), matrix(c(0.0006112527335062623, 0.0038874566089361906, 0.02472352609038353, 0.15723717212677002,
    1.0, 6.359819412231445, 40.44730758666992, 257.23760986328125, 0.0008849315927363932,
    0.005628007464110851, 0.035793107002973557, 0.22763767838478088, 1.4477345943450928,
    9.207330703735352, 58.55697250366211, 372.4117431640625, 0.0012811465421691537,
    0.008147859945893288, 0.05181891471147537, 0.32955896854400635, 2.095935583114624,
    13.329771041870117, 84.77494812011719, 539.1533203125, 0.0018547599902376533,
    0.01179593801498413, 0.07502004504203796, 0.47711390256881714, 3.034358501434326,
    19.2979736328125, 122.73161315917969, 780.5508422851562, 0.0026851999573409557,
    0.017077386379241943, 0.10860911011695862, 0.690734326839447, 4.392945766448975,
    27.938339233398438, 177.68276977539062, 1130.0308837890625), 5, 8, byrow = TRUE))
})

test_that("integer and bool inputs to floating functions give float32", {
  i <- torch_tensor(c(1L, 4L, 9L))
  expect_identical(torch_sqrt(i)$dtype, torch_float32())
  expect_identical(as.numeric(torch_sqrt(i)), c(1, 2, 3))
  expect_identical(torch_exp(torch_tensor(c(TRUE, FALSE)))$dtype, torch_float32())
  expect_equal(as.numeric(torch_exp(torch_tensor(c(TRUE, FALSE)))), c(f32(exp(1)), 1))
  expect_identical(as.numeric(torch_reciprocal(torch_tensor(c(0L, 2L)))), c(Inf, 0.5))
  expect_identical(torch_sigmoid(i)$dtype, torch_float32())
  # dtype-keeping functions
  expect_identical(torch_abs(torch_tensor(c(-5L, 5L)))$dtype, torch_int64())
  expect_identical(as.integer(torch_abs(torch_tensor(c(-5L, 5L)))), c(5L, 5L))
  expect_identical(as.integer(torch_relu(torch_tensor(c(-5L, 5L)))), c(0L, 5L))
  expect_identical(as.integer(torch_sign(torch_tensor(c(-5L, 0L, 5L)))), c(-1L, 0L, 1L))
  expect_identical(torch_floor(i)$dtype, torch_int64())
  expect_identical(as.integer(torch_round(i)), c(1L, 4L, 9L))
  expect_identical(as.logical(torch_sign(torch_tensor(c(TRUE, FALSE)))), c(TRUE, FALSE))
  expect_torch_error(torch_neg(torch_tensor(TRUE)), "runtime_error", "Negation, the `-` operator")
  expect_torch_error(torch_abs(torch_tensor(TRUE)), "type_error", "not implemented for 'Bool'")
  expect_torch_error(torch_relu(torch_tensor(TRUE)), "runtime_error",
                     "Boolean inputs not supported for relu")
  expect_torch_error(torch_floor(torch_tensor(TRUE)), "type_error", "not implemented for 'Bool'")
  expect_torch_error(torch_frac(i), "type_error", "not implemented for 'Long'")
})

test_that("rounding is half to even, with decimals", {
  x <- torch_tensor(c(0.5, 1.5, 2.5, -0.5, -1.5, 3.7, -3.7))
  expect_identical(as.numeric(torch_round(x)), c(0, 2, 2, -0, -2, 4, -4))
  expect_identical(as.numeric(x$round(decimals = 1)), as.numeric(x))
  expect_equal(as.numeric(torch_round(f64(c(1234.5678, -0.125)), decimals = 2)),
               c(1234.57, -0.12))
  expect_equal(as.numeric(torch_round(f64(c(1234.5678, 1250)), decimals = -2)), c(1200, 1200))
  expect_identical(as.numeric(torch_floor(x)), floor(f32(c(0.5, 1.5, 2.5, -0.5, -1.5, 3.7, -3.7))))
  expect_identical(as.numeric(torch_ceil(x)), ceiling(f32(c(0.5, 1.5, 2.5, -0.5, -1.5, 3.7, -3.7))))
})

test_that("NaN and Inf propagate", {
  x <- torch_tensor(c(NaN, Inf, -Inf, 0))
  expect_identical(as.numeric(x + 1), c(NaN, Inf, -Inf, 1))
  expect_identical(as.numeric(x * 0), c(NaN, NaN, NaN, 0))
  expect_identical(as.numeric(x$exp()), c(NaN, Inf, 0, 1))
  expect_identical(as.numeric(x$sigmoid()), c(NaN, 1, 0, 0.5))
  expect_identical(as.numeric(x$relu()), c(NaN, Inf, 0, 0))
  expect_identical(as.numeric(x$sqrt()), c(NaN, Inf, NaN, 0))
  expect_identical(as.numeric(x$tanh()), c(NaN, 1, -1, 0))
  expect_identical(as.numeric(torch_log(torch_tensor(c(-1, 0)))), c(NaN, -Inf))
  expect_identical(as.numeric(torch_rsqrt(torch_tensor(c(0, -1, 4)))), c(Inf, NaN, 0.5))
  expect_identical(as.numeric(x$clamp(-1, 1)), c(NaN, 1, -1, 0))
  expect_identical(as.logical(x > 0), c(FALSE, TRUE, FALSE, FALSE))
  expect_identical(as.numeric(torch_sign(x)), c(0, 1, -1, 0)) # libtorch: sign(NaN) is 0
})

test_that("empty tensors", {
  e <- torch_zeros(0, 3)
  r <- e + torch_ones(3)
  expect_identical(r$shape, c(0L, 3L))
  expect_identical((e$exp())$shape, c(0L, 3L))
  expect_identical((e > 1)$shape, c(0L, 3L))
  expect_identical(torch_clamp(e, min = 0)$shape, c(0L, 3L))
  expect_identical(torch_where(e > 0, e, 1)$shape, c(0L, 3L))
  expect_identical(e$add_(1)$shape, c(0L, 3L))
  expect_identical((torch_zeros(0) %/% 0L)$shape, 0L) # no elements, no division by zero
  expect_torch_error(torch_zeros(0, 3) + torch_ones(2), "value_error",
                     "The size of tensor a (3) must match the size of tensor b (2)")
})

test_that("broadcasting over several dimensions", {
  a <- torch_tensor(array(1:6, c(2, 1, 3)))
  b <- torch_tensor(matrix(c(10, 20, 30, 40), 4, 1))
  r <- a * b
  expect_identical(r$shape, c(2L, 4L, 3L))
  ra <- as_array(r)
  aa <- array(1:6, c(2, 1, 3))
  for (i in 1:2) for (j in 1:4) for (k in 1:3)
    expect_equal(ra[i, j, k], aa[i, 1, k] * c(10, 20, 30, 40)[j])
  expect_identical(torch_maximum(torch_zeros(3, 1), torch_zeros(1, 5))$shape, c(3L, 5L))
})

test_that("non-contiguous and broadcast (stride 0) inputs", {
  base <- torch_tensor(1:12, dtype = torch_float64())
  m <- as_array(base)
  # a transposed 3x4 view of a 4x3 row-major buffer
  tv <- strided(base, c(3, 4), c(1, 3))
  expect_false(tv$is_contiguous())
  want <- t(matrix(1:12, 4, 3, byrow = TRUE))
  expect_equal(as_array(tv), want)
  expect_equal(as_array(tv * 2), want * 2)
  expect_equal(as_array(tv + tv$contiguous()), want * 2)
  expect_equal(as_array(torch_exp(tv)), exp(want), tolerance = 1e-15)
  expect_equal(as_array(tv > 6), want > 6)
  expect_equal(as_array(torch_where(tv > 6, tv, 0)), ifelse(want > 6, want, 0))
  expect_equal(as_array(torch_clamp(tv, 3, 9)), pmin(pmax(want, 3), 9))
  # every other element
  ev <- strided(base, 6, 2)
  expect_equal(as.numeric(ev - 1), c(1, 3, 5, 7, 9, 11) - 1)
  expect_equal(as.numeric(ev$sqrt()), sqrt(c(1, 3, 5, 7, 9, 11)), tolerance = 1e-15)
  # stride 0: one element repeated
  rep0 <- strided(base, c(2, 3), c(0, 1))
  expect_equal(as_array(rep0 * torch_ones(2, 3, dtype = torch_float64())),
               matrix(c(1, 2, 3), 2, 3, byrow = TRUE))
  # in place into a strided view writes through to the base
  b2 <- torch_zeros(6)
  strided(b2, 3, 2)$add_(torch_tensor(c(1, 2, 3)))
  expect_identical(as.numeric(b2), c(1, 0, 2, 0, 3, 0))
})

test_that("results keep a transposed input's layout, as PyTorch's", {
  x <- torch_tensor(0:39, dtype = torch_float32())
  xt <- strided(x, c(5, 8), c(1, 5)) # x$view(c(8, 5))$t()
  c1 <- torch_ones(5, 8)
  # PyTorch 1.13: strides of xt+xt, xt+c, c+xt, xt.exp(), xt*2, 2*xt, where, clamp, xt>3
  expect_identical((xt + xt)$stride(), c(1L, 5L))
  expect_identical((xt + c1)$stride(), c(1L, 5L))
  expect_identical((c1 + xt)$stride(), c(8L, 1L))
  expect_identical(xt$exp()$stride(), c(1L, 5L))
  expect_identical((xt * 2)$stride(), c(1L, 5L))
  expect_identical((2 * xt)$stride(), c(1L, 5L))
  expect_identical(torch_where(xt > 3, xt, 0)$stride(), c(1L, 5L))
  expect_identical(xt$clamp(min = 1)$stride(), c(1L, 5L))
  expect_identical((xt > 3)$stride(), c(1L, 5L))
  expect_identical(xt$masked_fill(xt > 3, 1)$stride(), c(8L, 1L))
  want <- t(matrix(0:39, 8, 5, byrow = TRUE))
  expect_equal(as_array(xt + c1), want + 1)
  expect_equal(as_array(xt$exp()), exp(want), tolerance = 1e-6)
})

test_that("large tensors (threaded path) agree with base R", {
  n <- 200003
  v <- sin(seq_len(n)) * 3
  x <- f64(v)
  expect_equal(as.numeric(x * 2 + 1), v * 2 + 1, tolerance = 0)
  expect_equal(as.numeric((x * 2 + 1)$sin()), sin(v * 2 + 1), tolerance = 1e-15)
  expect_equal(as.numeric(x$exp()), exp(v), tolerance = 1e-15)
  expect_equal(as.logical(x > 0), v > 0)
  y <- torch_tensor(v)
  expect_equal(as.numeric(y$sigmoid()), 1 / (1 + exp(-f32(v))), tolerance = 1e-6)
  tv <- strided(x, c(1000, 200), c(1, 1000))
  expect_equal(as_array(tv * 1), matrix(v[1:200000], 1000, 200), tolerance = 0)
  z <- x$clone()
  z$mul_(2)$add_(1)
  expect_equal(as.numeric(z), v * 2 + 1, tolerance = 0)
})

test_that("clamp", {
  x <- torch_tensor(c(-2, -0.5, 0.5, 3))
  expect_identical(as.numeric(torch_clamp(x, min = 0)), c(0, 0, 0.5, 3))
  expect_identical(as.numeric(torch_clamp(x, max = 0)), c(-2, -0.5, 0, 0))
  expect_identical(as.numeric(x$clamp(-1, 1)), c(-1, -0.5, 0.5, 1))
  expect_identical(as.numeric(x$clamp(min = 1, max = 0)), c(0, 0, 0, 0)) # max wins
  expect_identical(as.numeric(x$clamp(min = torch_tensor(c(0, 1, 0, 1)))), c(0, 1, 0.5, 3))
  expect_identical(as.numeric(x$clamp(min = torch_tensor(c(0, NaN, 0, 1)))), c(0, NaN, 0.5, 3))
  expect_identical(as.numeric(x$clamp(min = NaN)), as.numeric(x)) # a NaN scalar bound is ignored
  i <- torch_tensor(c(1L, 5L))
  expect_identical(i$clamp(min = 2L)$dtype, torch_int64())
  expect_identical(as.integer(i$clamp(min = 2L)), c(2L, 5L))
  expect_identical(i$clamp(min = 0.5)$dtype, torch_float32())
  expect_identical(as.numeric(torch_clamp(i, min = torch_tensor(2.5))), c(2.5, 5))
  m <- torch_tensor(matrix(c(1, 5, 9, 2, 6, 10), 2, 3, byrow = TRUE))
  lo <- torch_tensor(c(2, 2, 2)); hi <- torch_tensor(matrix(c(4, 7), 2, 1))
  expect_equal(as_array(torch_clamp(m, lo, hi)), matrix(c(2, 4, 4, 2, 6, 7), 2, 3, byrow = TRUE))
  expect_torch_error(torch_clamp(x), "value_error", "At least one of 'min' or 'max' must not be None")
  expect_torch_error(i$clamp_(min = 0.5), "runtime_error",
                     "result type Float can't be cast to the desired output type Long")
  y <- x$clone()
  expect_identical(as.numeric(y$clamp_(min = 0)), c(0, 0, 0.5, 3))
  expect_identical(as.numeric(y), c(0, 0, 0.5, 3))
})

test_that("where and masked_fill", {
  x <- torch_tensor(c(-1, 2, -3))
  expect_identical(as.numeric(torch_where(x > 0, x, 0)), c(0, 2, 0))
  expect_identical(as.numeric(x$where(x < 0, torch_tensor(10))), c(-1, 10, -3))
  r <- torch_where(torch_tensor(c(TRUE, FALSE)), torch_tensor(1:2), 2.5)
  expect_identical(r$dtype, torch_float32())
  expect_identical(as.numeric(r), c(1, 2.5))
  expect_identical(torch_where(torch_tensor(c(TRUE, FALSE)), torch_tensor(1:2),
                               torch_tensor(c(5, 6), dtype = torch_float64()))$dtype,
                   torch_float64())
  cm <- torch_tensor(matrix(c(TRUE, FALSE), 2, 1))
  w <- torch_where(cm, torch_ones(1, 3), torch_zeros(2, 3))
  expect_equal(as_array(w), matrix(c(1, 1, 1, 0, 0, 0), 2, 3, byrow = TRUE))
  expect_torch_error(torch_where(torch_tensor(1:2), torch_ones(2), 0), "runtime_error",
                     "where expected condition to be a boolean tensor")
  # contiguous runs with a scalar (broadcast) operand on either side, both, or neither,
  # long enough for the vectorised loops (float32, float64, int32, bool)
  set.seed(5)
  v <- rnorm(1000)
  m <- v > 0
  for (dt in list(torch_float32(), torch_float64())) {
    tv <- torch_tensor(v, dtype = dt)
    f <- as.numeric(tv)
    expect_identical(as.numeric(torch_where(tv > 0, tv, 0)), ifelse(m, f, 0))
    expect_identical(as.numeric(torch_where(tv > 0, -1.5, tv)), ifelse(m, -1.5, f))
    expect_identical(as.numeric(torch_where(tv > 0, 2, -2)$to(dtype = dt)), ifelse(m, 2, -2))
    expect_identical(as.numeric(torch_where(tv > 0, tv, -tv)), ifelse(m, f, -f))
  }
  ti <- torch_tensor(1:1000)
  expect_identical(as.integer(torch_where(ti > 500L, ti, torch_tensor(0L))),
                   ifelse(1:1000 > 500, 1:1000, 0L))
  tb <- torch_tensor(m)
  expect_identical(as.logical(torch_where(tb, tb, torch_tensor(TRUE))), rep(TRUE, 1000))

  expect_identical(as.numeric(x$masked_fill(x < 0, 0)), c(0, 2, 0))
  expect_identical(as.integer(torch_tensor(1:3)$masked_fill(torch_tensor(c(TRUE, FALSE, TRUE)), 2.7)),
                   c(2L, 2L, 2L))
  big <- torch_zeros(2, 3)$masked_fill(torch_tensor(c(TRUE, FALSE, TRUE)), 5)
  expect_equal(as_array(big), matrix(c(5, 0, 5), 2, 3, byrow = TRUE))
  m2 <- torch_zeros(3)$masked_fill(torch_tensor(matrix(c(TRUE, FALSE), 2, 1)), -1)
  expect_identical(m2$shape, c(2L, 3L))
  expect_torch_error(x$masked_fill(torch_tensor(c(1, 0, 1)), 0), "runtime_error",
                     "masked_fill_ only supports boolean masks")
  expect_torch_error(x$masked_fill(x > 0, torch_tensor(c(1, 2))), "runtime_error",
                     "masked_fill_ only supports a 0-dimensional value tensor")
  y <- x$clone()
  v <- version_of(y)
  expect_identical(as.numeric(y$masked_fill_(y > 0, NaN)), c(-1, NaN, -3))
  expect_gt(version_of(y), v)
  expect_torch_error(torch_zeros(3)$masked_fill_(torch_ones(2, 3, dtype = torch_bool()), 1),
                     "runtime_error", "output with shape [3] doesn't match the broadcast shape [2, 3]")
})

test_that("in-place ops write into self, bump the version and return self", {
  x <- torch_tensor(c(1, 2, 3))
  p <- data_ptr(x)
  v <- version_of(x)
  r <- x$add_(1)
  expect_identical(as.numeric(x), c(2, 3, 4))
  expect_true(identical(r, x))
  expect_identical(data_ptr(x), p)
  expect_gt(version_of(x), v)
  x$sub_(torch_tensor(c(1, 1, 1)), alpha = 2)
  expect_identical(as.numeric(x), c(0, 1, 2))
  x$mul_(3)$div_(2)
  expect_identical(as.numeric(x), c(0, 1.5, 3))
  x$pow_(2)
  expect_identical(as.numeric(x), c(0, 2.25, 9))
  x$sqrt_()$neg_()$abs_()
  expect_identical(as.numeric(x), c(0, 1.5, 3))
  x$exp_()$log_()
  expect_equal(as.numeric(x), c(0, 1.5, 3), tolerance = 1e-6)
  x$copy_(torch_tensor(c(-1, 0.5, 2)))$relu_()
  expect_identical(as.numeric(x), c(0, 0.5, 2))
  x$sigmoid_()$zero_()
  expect_identical(as.numeric(x), c(0, 0, 0))
  x$fill_(2.5)
  expect_identical(as.numeric(x), c(2.5, 2.5, 2.5))
  expect_identical(data_ptr(x), p)
  # a float64 operand into float32 self computes in float64 and rounds once
  y <- torch_tensor(c(1, 2))
  y$add_(torch_tensor(c(0.1, 0.2), dtype = torch_float64()))
  expect_identical(y$dtype, torch_float32())
  expect_identical(as.numeric(y), f32(c(1, 2) + c(0.1, 0.2)))
  # int64 self, int32 other
  z <- torch_tensor(c(1L, 2L))
  z$mul_(torch_tensor(c(3L, 4L), dtype = torch_int32()))
  expect_identical(as.integer(z), c(3L, 8L))
  expect_identical(z$dtype, torch_int64())
})

test_that("in-place ops refuse results that cannot be cast to self", {
  i <- torch_tensor(1:3)
  expect_torch_error(i$div_(2.5), "runtime_error",
                     "result type Float can't be cast to the desired output type Long")
  expect_torch_error(i$div_(2L), "runtime_error",
                     "result type Float can't be cast to the desired output type Long")
  expect_torch_error(i$add_(0.5), "runtime_error",
                     "result type Float can't be cast to the desired output type Long")
  expect_torch_error(i$sqrt_(), "runtime_error",
                     "result type Float can't be cast to the desired output type Long")
  expect_torch_error(i$mul_(torch_ones(3)), "runtime_error",
                     "result type Float can't be cast to the desired output type Long")
  expect_torch_error(torch_tensor(TRUE)$add_(1L), "runtime_error",
                     "result type Long can't be cast to the desired output type Bool")
  expect_identical(as.integer(i), 1:3)
  expect_identical(as.integer(i$div_(2L, rounding_mode = "floor")), c(0L, 1L, 1L))
  expect_torch_error(torch_ones(2, 3)$add_(torch_ones(4, 2, 3)), "runtime_error",
                     "output with shape [2, 3] doesn't match the broadcast shape [4, 2, 3]")
  expect_torch_error(torch_ones(3)$copy_(torch_ones(2, 3)), "runtime_error",
                     "output with shape [3] doesn't match the broadcast shape [2, 3]")
  expect_torch_error(torch_ones(3)$fill_(torch_ones(2)), "runtime_error",
                     "fill_ only supports 0-dimension value tensor but got tensor with 1 dimensions.")
  expect_torch_error(torch_ones(3)$fill_(c(1, 2)), "value_error",
                     "value must be a single number or a 0-d tensor")
})

test_that("in-place ops refuse overlapping outputs", {
  b <- torch_zeros(3)
  e <- strided(b, c(2, 3), c(0, 1))
  expect_torch_error(e$add_(1), "runtime_error",
                     "more than one element of the written-to tensor refers to a single memory location")
  m <- torch_tensor(matrix(1:4, 2, 2), dtype = torch_float32())
  mt <- strided(m, c(2, 2), c(1, 2))
  expect_torch_error(m$add_(mt), "runtime_error",
                     "some elements of the input tensor and the written-to tensor refer to a single memory location")
  # full overlap (the tensor itself) is fine
  expect_identical(as.numeric(m$add_(m)), c(2, 4, 6, 8))
  # copy_ from an overlapping view goes through a temporary
  v <- torch_tensor(c(1, 2, 3, 4))
  strided(v, 3, 1)$copy_(strided(v, 3, 1, offset = 1))
  expect_identical(as.numeric(v), c(2, 3, 4, 4))
})

test_that("fill_, zero_ and copy_ convert dtypes and broadcast", {
  i <- torch_tensor(1:4)
  i$fill_(2.9)
  expect_identical(as.integer(i), rep(2L, 4))
  b <- torch_tensor(c(FALSE, FALSE))
  b$fill_(2)
  expect_identical(as.logical(b), c(TRUE, TRUE))
  f <- torch_ones(2, 3)
  f$copy_(torch_tensor(c(1L, 2L, 3L)))
  expect_equal(as_array(f), matrix(c(1, 2, 3), 2, 3, byrow = TRUE))
  f$zero_()
  expect_identical(as.numeric(f), rep(0, 6))
  f$fill_(torch_full(integer(0), 7, dtype = torch_float64()))
  expect_identical(as.numeric(f), rep(7, 6))
  nc <- strided(torch_ones(6), 3, 2)
  nc$zero_()
  expect_identical(as.numeric(nc), c(0, 0, 0))
})

test_that("methods and aliases", {
  x <- torch_tensor(c(1, 2, 3))
  expect_identical(as.numeric(x$mul(2)), c(2, 4, 6))
  expect_identical(as.numeric(x$multiply(2)), c(2, 4, 6))
  expect_identical(as.numeric(x$div(2)), c(0.5, 1, 1.5))
  expect_identical(as.numeric(x$true_divide(2)), c(0.5, 1, 1.5))
  expect_identical(as.numeric(x$sub(1)), c(0, 1, 2))
  expect_identical(as.logical(x$eq(2)), c(FALSE, TRUE, FALSE))
  expect_identical(as.logical(x$gt(1)), c(FALSE, TRUE, TRUE))
  expect_identical(as.logical(x$ge(2)), c(FALSE, TRUE, TRUE))
  expect_identical(as.logical(x$lt(2)), c(TRUE, FALSE, FALSE))
  expect_identical(as.logical(x$le(2)), c(TRUE, TRUE, FALSE))
  expect_identical(as.logical(x$ne(2)), c(TRUE, FALSE, TRUE))
  expect_identical(as.logical(x$greater(2)), c(FALSE, FALSE, TRUE))
  expect_identical(as.logical((x > 1)$logical_and(x < 3)), c(FALSE, TRUE, FALSE))
  expect_identical(as.logical((x > 1)$logical_or(x < 2)), c(TRUE, TRUE, TRUE))
  expect_identical(as.logical((x > 1)$logical_xor(x < 3)), c(TRUE, FALSE, TRUE))
  expect_identical(as.logical((x > 1)$logical_not()), c(TRUE, FALSE, FALSE))
  expect_identical(as.numeric(x$maximum(torch_tensor(2))), c(2, 2, 3))
  expect_identical(as.numeric(x$fmod(2)), c(1, 0, 1))
  expect_identical(as.numeric(x$floor_divide(2)), c(0, 1, 1))
  expect_identical(as.numeric(nnf_relu(x - 2)), c(0, 0, 1))
  expect_identical(as.numeric(nnf_sigmoid(torch_zeros(1))), 0.5)
  y <- x - 2
  nnf_relu(y, inplace = TRUE)
  expect_identical(as.numeric(y), c(0, 0, 1))
  expect_identical(as.numeric(torch_multiply(x, x)), c(1, 4, 9))
  expect_identical(as.numeric(torch_clip(x, 2, 2)), c(2, 2, 2))
  expect_identical(as.logical(torch_logical_not(torch_tensor(c(TRUE, FALSE)))), c(FALSE, TRUE))
  expect_torch_error(x$div(2, rounding_mode = "round"), "value_error",
                     "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found 'round'")
  expect_torch_error(torch_add(x, "1"), "type_error", "other must be a torch_tensor")
  expect_torch_error(torch_exp("1"), "type_error", "self must be a torch_tensor")
  expect_torch_error(torch_clamp(x, min = "a"), "type_error", "min must be a torch_tensor")
})

test_that("errors release what they allocated", {
  x <- torch_ones(5)
  gc(); gc() # handles of small tensors are released by chunk: it takes two collections
  before <- torchlite_memory()[["objects"]]
  for (k in 1:20) {
    try(x + torch_ones(4), silent = TRUE)
    try(torch_tensor(1:5)$div_(2.5), silent = TRUE)
    try(torch_tensor(1:5) %/% 0L, silent = TRUE)
    try(torch_add(x, c(1, 2)), silent = TRUE)
    try(torch_where(x, x, 1), silent = TRUE)
  }
  gc(); gc() # handles of small tensors are released by chunk: it takes two collections
  expect_identical(torchlite_memory()[["objects"]], before)
})
