# Matrix products against base R (%*%, crossprod, loops): float64 tight, float32 within a
# relative 1e-5; shapes, dtypes, strided operands and PyTorch's error messages.

arr <- function(t) as_array(t)
f64 <- function(x) torch_tensor(x, dtype = torch_float64())

set.seed(1)
A <- matrix(rnorm(12), 3, 4)
B <- matrix(rnorm(20), 4, 5)

rel_equal <- function(got, want, tol) expect_lt(max(abs(got - want)) / max(abs(want), 1), tol)

test_that("the package is linked to OpenBLAS here", {
  skip_if_not(grepl("OpenBLAS", torchlite_backend()$blas))
  expect_match(torchlite_backend()$blas, "OpenBLAS")
})

test_that("mm matches %*% in float64 and float32", {
  expect_equal(arr(f64(A)$mm(f64(B))), A %*% B, tolerance = 1e-14)
  expect_equal(arr(torch_mm(f64(A), f64(B))), A %*% B, tolerance = 1e-14)
  r <- torch_tensor(A)$mm(torch_tensor(B))
  expect_equal(r$dtype, torch_float32())
  expect_equal(r$shape, c(3L, 5L))
  rel_equal(arr(r), arr(torch_tensor(A)$double()) %*% arr(torch_tensor(B)$double()), 1e-6)
  # a larger product through BLAS
  X <- matrix(rnorm(300 * 200), 300)
  Y <- matrix(rnorm(200 * 150), 200)
  expect_equal(arr(f64(X)$mm(f64(Y))), X %*% Y, tolerance = 1e-12)
  rel_equal(arr(torch_tensor(X)$mm(torch_tensor(Y))), X %*% Y, 1e-5)
})

test_that("transposed and strided operands (BLAS transpose flags or copies)", {
  At <- f64(t(A))$t()  # a transposed view of a contiguous tensor: values of A
  expect_false(At$is_contiguous())
  expect_equal(arr(At$mm(f64(B))), A %*% B, tolerance = 1e-14)
  Bt <- f64(t(B))$t()
  expect_equal(arr(f64(A)$mm(Bt)), A %*% B, tolerance = 1e-14)
  expect_equal(arr(At$mm(Bt)), A %*% B, tolerance = 1e-14)
  rel_equal(arr(torch_tensor(t(A))$t()$mm(torch_tensor(t(B))$t())), A %*% B, 1e-6)
  # t(A) %*% A and A %*% t(A) from the same storage
  x <- f64(A)
  expect_equal(arr(x$t()$mm(x)), crossprod(A), tolerance = 1e-14)
  expect_equal(arr(x$mm(x$t())), tcrossprod(A), tolerance = 1e-14)
  # column slices (row stride larger than the row length)
  wide <- matrix(rnorm(40), 4, 10)
  s <- f64(wide)$narrow(2, 3, 5)
  expect_equal(arr(f64(A)$mm(s)), A %*% wide[, 3:7], tolerance = 1e-14)
  # broadcast (stride 0) operands are copied
  e <- f64(matrix(1:4, 4, 1))$expand(c(4, 5))
  expect_equal(arr(f64(A)$mm(e)), A %*% matrix(1:4, 4, 5), tolerance = 1e-14)
  # permuted batches
  b3 <- array(rnorm(2 * 4 * 3), c(2, 4, 3))
  p <- f64(b3)$permute(c(1, 3, 2))  # (2, 3, 4), each batch t(b3[i, , ])
  for (i in 1:2)
    expect_equal(arr(p$bmm(f64(B)$unsqueeze(1)$expand(c(2, 4, 5))))[i, , ],
                 t(b3[i, , ]) %*% B, tolerance = 1e-14)
})

test_that("integer products use exact loops; bool products error as in PyTorch", {
  ai <- matrix(1:6, 2, 3)
  bi <- matrix(7:12, 3, 2)
  imat <- function(x) { storage.mode(x) <- "integer"; x }
  r <- torch_tensor(ai)$mm(torch_tensor(bi))
  expect_equal(r$dtype, torch_int64())
  expect_identical(arr(r), imat(ai %*% bi))
  r32 <- torch_tensor(ai, dtype = torch_int32())$mm(torch_tensor(bi, dtype = torch_int32()))
  expect_equal(r32$dtype, torch_int32())
  expect_identical(arr(r32), imat(ai %*% bi))
  expect_identical(arr(torch_tensor(ai)$t()$mm(torch_tensor(ai))), imat(crossprod(ai)))
  expect_identical(arr(torch_tensor(ai)$mv(torch_tensor(1:3))), as.integer(ai %*% 1:3))
  expect_identical(arr(torch_dot(torch_tensor(1:3), torch_tensor(4:6))), 32L)
  b <- torch_tensor(matrix(TRUE, 2, 2))
  expect_error(b$mm(b), "\"addmm_impl_cpu_\" not implemented for 'Bool'", fixed = TRUE,
               class = "runtime_error")
  expect_error(b$matmul(b), "\"addmm_impl_cpu_\" not implemented for 'Bool'", fixed = TRUE)
  expect_error(b$mv(torch_tensor(c(TRUE, TRUE))), "\"addmv_impl_cpu\" not implemented for 'Bool'",
               fixed = TRUE)
  expect_error(torch_tensor(c(TRUE, FALSE))$dot(torch_tensor(c(TRUE, FALSE))),
               "\"dot\" not implemented for 'Bool'", fixed = TRUE)
  expect_error(b$unsqueeze(1)$bmm(b$unsqueeze(1)), "\"bmm\" not implemented for 'Bool'",
               fixed = TRUE)
})

test_that("empty products", {
  expect_equal(torch_zeros(0, 3)$mm(torch_zeros(3, 2))$shape, c(0L, 2L))
  expect_identical(arr(torch_ones(2, 0)$mm(torch_ones(0, 2))), matrix(0, 2, 2))
  expect_identical(arr(f64(matrix(0, 2, 0))$mm(f64(matrix(0, 0, 3)))), matrix(0, 2, 3))
  expect_equal(torch_ones(2, 3, 0)$bmm(torch_ones(2, 0, 4))$shape, c(2L, 3L, 4L))
  expect_identical(arr(torch_dot(torch_ones(0), torch_ones(0))), 0)
})

test_that("mv, dot and bmm match R", {
  v <- rnorm(4)
  expect_equal(arr(f64(A)$mv(f64(v))), as.vector(A %*% v), tolerance = 1e-14)
  expect_equal(arr(torch_mv(f64(A)$t(), f64(rnorm(3) -> w))), as.vector(t(A) %*% w),
               tolerance = 1e-14)
  expect_equal(arr(f64(v)$dot(f64(v))), sum(v * v), tolerance = 1e-14)
  expect_equal(f64(v)$dot(f64(v))$shape, integer(0))
  rel_equal(arr(torch_tensor(v)$dot(torch_tensor(v))), sum(arr(torch_tensor(v))^2), 1e-6)
  b1 <- array(rnorm(2 * 3 * 4), c(2, 3, 4))
  b2 <- array(rnorm(2 * 4 * 5), c(2, 4, 5))
  r <- f64(b1)$bmm(f64(b2))
  expect_equal(r$shape, c(2L, 3L, 5L))
  for (i in 1:2) expect_equal(arr(r)[i, , ], b1[i, , ] %*% b2[i, , ], tolerance = 1e-14)
  r32 <- torch_bmm(torch_tensor(b1), torch_tensor(b2))
  for (i in 1:2) rel_equal(arr(r32)[i, , ], b1[i, , ] %*% b2[i, , ], 1e-5)
})

test_that("matmul follows PyTorch's rules for every rank combination", {
  v3 <- rnorm(3); v4 <- rnorm(4)
  x <- f64(A)
  # 1-d x 1-d: dot, 0-d
  r <- torch_matmul(f64(v4), f64(v4))
  expect_equal(r$shape, integer(0))
  expect_equal(arr(r), sum(v4^2), tolerance = 1e-14)
  # 2-d x 1-d, 1-d x 2-d
  expect_equal(arr(x$matmul(f64(v4))), as.vector(A %*% v4), tolerance = 1e-14)
  r <- f64(v3)$matmul(x)
  expect_equal(r$shape, 4L)
  expect_equal(arr(r), as.vector(v3 %*% A), tolerance = 1e-14)
  # 2-d x 2-d
  expect_equal(arr(x$matmul(f64(B))), A %*% B, tolerance = 1e-14)
  # 3-d x 2-d and 3-d x 1-d (folded into one product)
  b1 <- array(rnorm(2 * 3 * 4), c(2, 3, 4))
  r <- f64(b1)$matmul(f64(B))
  expect_equal(r$shape, c(2L, 3L, 5L))
  for (i in 1:2) expect_equal(arr(r)[i, , ], b1[i, , ] %*% B, tolerance = 1e-14)
  r <- f64(b1)$matmul(f64(v4))
  expect_equal(r$shape, c(2L, 3L))
  for (i in 1:2) expect_equal(arr(r)[i, ], as.vector(b1[i, , ] %*% v4), tolerance = 1e-14)
  # a non-contiguous 3-d operand is folded through a copy
  bp <- f64(aperm(b1, c(2, 1, 3)))$permute(c(2, 1, 3))
  expect_equal(arr(bp$matmul(f64(B))), arr(f64(b1)$matmul(f64(B))), tolerance = 1e-14)
  # 1-d / 2-d x 3-d
  b2 <- array(rnorm(2 * 4 * 5), c(2, 4, 5))
  r <- f64(v4)$matmul(f64(b2))
  expect_equal(r$shape, c(2L, 5L))
  for (i in 1:2) expect_equal(arr(r)[i, ], as.vector(v4 %*% b2[i, , ]), tolerance = 1e-14)
  r <- x$matmul(f64(b2))
  expect_equal(r$shape, c(2L, 3L, 5L))
  for (i in 1:2) expect_equal(arr(r)[i, , ], A %*% b2[i, , ], tolerance = 1e-14)
  # batched with broadcasting of the batch dims
  c4 <- array(rnorm(6 * 1 * 3 * 4), c(6, 1, 3, 4))
  r <- f64(c4)$matmul(f64(b2))
  expect_equal(r$shape, c(6L, 2L, 3L, 5L))
  for (i in c(1, 6)) for (j in 1:2)
    expect_equal(arr(r)[i, j, , ], c4[i, 1, , ] %*% b2[j, , ], tolerance = 1e-14)
  expect_equal(torch_ones(1, 3, 4)$matmul(torch_ones(2, 4, 5))$shape, c(2L, 3L, 5L))
  expect_equal(arr(torch_ones(2, 3, 4)$matmul(torch_ones(2, 4, 5)))[1, 1, 1], 4)
  # float32 batched
  r32 <- torch_tensor(c4)$matmul(torch_tensor(b2))
  rel_equal(arr(r32)[2, 1, , ], c4[2, 1, , ] %*% b2[1, , ], 1e-5)
})

test_that("matrix product errors carry PyTorch's messages", {
  expect_error(torch_ones(2, 3)$mm(torch_ones(4, 5)),
               "mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)", fixed = TRUE,
               class = "runtime_error")
  expect_error(torch_ones(3)$mm(torch_ones(3, 4)), "self must be a matrix", fixed = TRUE)
  expect_error(torch_ones(2, 3)$mm(torch_ones(3)), "mat2 must be a matrix", fixed = TRUE)
  expect_error(torch_ones(2, 3)$mm(torch_ones(3, 2, dtype = torch_float64())),
               "expected scalar type Float but found Double", fixed = TRUE)
  expect_error(torch_ones(2, 3, dtype = torch_int64())$mm(torch_ones(3, 2)),
               "expected scalar type Long but found Float", fixed = TRUE)
  expect_error(torch_ones(2, 2)$dot(torch_ones(2, 2)),
               "1D tensors expected, but got 2D and 2D tensors", fixed = TRUE)
  expect_error(torch_ones(2)$dot(torch_ones(3)),
               "inconsistent tensor size, expected tensor [2] and src [3] to have the same number of elements, but got 2 and 3 elements respectively",
               fixed = TRUE)
  expect_error(torch_ones(2)$dot(torch_ones(2, dtype = torch_float64())),
               "dot : expected both vectors to have same dtype, but found Float and Double",
               fixed = TRUE)
  expect_error(torch_ones(2, 3)$mv(torch_ones(4)), "size mismatch, got 2, 2x3,4", fixed = TRUE)
  expect_error(torch_ones(3)$mv(torch_ones(3)), "vector + matrix @ vector expected, got 1, 1, 1",
               fixed = TRUE)
  expect_error(torch_ones(3, 4)$bmm(torch_ones(3, 4, 4)), "batch1 must be a 3D tensor", fixed = TRUE)
  expect_error(torch_ones(2, 3, 4)$bmm(torch_ones(3, 4)), "batch2 must be a 3D tensor", fixed = TRUE)
  expect_error(torch_ones(2, 3, 4)$bmm(torch_ones(2, 5, 4)),
               "Expected size for first two dimensions of batch2 tensor to be: [2, 4] but got: [2, 5].",
               fixed = TRUE)
  expect_error(torch_matmul(torch_tensor(5)$squeeze(), torch_ones(3)),
               "both arguments to matmul need to be at least 1D, but they are 0D and 1D", fixed = TRUE)
  expect_error(torch_ones(3)$matmul(torch_ones(4, 5)),
               "mat1 and mat2 shapes cannot be multiplied (1x3 and 4x5)", fixed = TRUE)
  expect_error(torch_ones(2, 3)$matmul(torch_ones(4)), "size mismatch, got 2, 2x3,4", fixed = TRUE)
  expect_error(torch_ones(3)$matmul(torch_ones(4)), "inconsistent tensor size", fixed = TRUE)
  expect_error(torch_ones(2, 3, 4)$matmul(torch_ones(5, 2)),
               "mat1 and mat2 shapes cannot be multiplied (6x4 and 5x2)", fixed = TRUE)
  expect_error(torch_ones(2, 3, 4)$matmul(torch_ones(3)), "size mismatch, got 6, 6x4,3", fixed = TRUE)
  expect_error(torch_ones(3)$matmul(torch_ones(2, 4, 5)), "size mismatch, got 10, 10x4,3",
               fixed = TRUE)
  expect_error(torch_ones(2, 3)$matmul(torch_ones(2, 4, 5)),
               "mat1 and mat2 shapes cannot be multiplied (10x4 and 3x2)", fixed = TRUE)
  expect_error(torch_ones(2, 3, 4)$matmul(torch_ones(2, 5, 2)),
               "Expected size for first two dimensions of batch2 tensor to be: [2, 4] but got: [2, 5].",
               fixed = TRUE)
  expect_error(torch_ones(2, 3, 4)$matmul(torch_ones(5, 4, 2)),
               "The size of tensor a (2) must match the size of tensor b (5) at non-singleton dimension 0",
               fixed = TRUE)
  expect_error(torch_ones(2, 3)$matmul(torch_ones(3, 2, dtype = torch_float64())),
               "expected scalar type Float but found Double", fixed = TRUE)
  expect_error(torch_ones(2, 3, 4)$matmul(torch_ones(2, 4, 5, dtype = torch_float64())),
               "expected scalar type Float but found Double", fixed = TRUE)
  expect_error(torch_mm(torch_ones(2, 2), "a"))
})

test_that("nnf_linear is input %*% t(weight) + bias", {
  x <- matrix(rnorm(8), 2, 4)
  w <- matrix(rnorm(12), 3, 4)
  b <- rnorm(3)
  r <- nnf_linear(f64(x), f64(w), f64(b))
  expect_equal(arr(r), x %*% t(w) + matrix(b, 2, 3, byrow = TRUE), tolerance = 1e-14)
  expect_equal(arr(nnf_linear(f64(x), f64(w))), x %*% t(w), tolerance = 1e-14)
  r32 <- nnf_linear(torch_tensor(x), torch_tensor(w), torch_tensor(b))
  expect_equal(r32$dtype, torch_float32())
  rel_equal(arr(r32), x %*% t(w) + matrix(b, 2, 3, byrow = TRUE), 1e-5)
  # batched input, 1-d input, 1-d weight
  x3 <- array(rnorm(5 * 2 * 4), c(5, 2, 4))
  r <- nnf_linear(f64(x3), f64(w), f64(b))
  expect_equal(r$shape, c(5L, 2L, 3L))
  expect_equal(arr(r)[5, , ], x3[5, , ] %*% t(w) + matrix(b, 2, 3, byrow = TRUE), tolerance = 1e-14)
  expect_equal(nnf_linear(torch_ones(4), torch_ones(3, 4))$shape, 3L)
  expect_equal(arr(nnf_linear(torch_ones(2, 3), torch_ones(3))), c(3, 3))
  # the weight goes to BLAS transposed in place: a transposed weight works too
  wt <- f64(t(w))$t()
  expect_equal(arr(nnf_linear(f64(x), wt, f64(b))), arr(r <- nnf_linear(f64(x), f64(w), f64(b))),
               tolerance = 1e-14)
  expect_error(nnf_linear(torch_ones(2, 3), torch_ones(4, 2)),
               "mat1 and mat2 shapes cannot be multiplied (2x3 and 2x4)", fixed = TRUE)
  expect_error(nnf_linear(torch_ones(2, 3), torch_ones(4, 3), torch_ones(3)),
               "The expanded size of the tensor (4) must match the existing size (3) at non-singleton dimension 1.  Target sizes: [2, 4].  Tensor sizes: [3]",
               fixed = TRUE)
  expect_error(nnf_linear(torch_ones(2, 3), torch_ones(4, 3), torch_ones(4, dtype = torch_float64())),
               "expected scalar type Float but found Double", fixed = TRUE)
  expect_error(nnf_linear(torch_ones(2, 3), torch_ones(2, 2, 3)),
               "t() expects a tensor with <= 2 dimensions, but self is 3D", fixed = TRUE)
})

test_that("float32 mm of larger matrices is right (against double)", {
  torch_manual_seed(3)
  a <- torch_randn(512, 300)
  b <- torch_randn(300, 400)
  r <- arr(a$mm(b))
  ref <- arr(a$double()) %*% arr(b$double())
  rel_equal(r, ref, 1e-5)
})
