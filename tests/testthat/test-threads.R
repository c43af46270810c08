# Results do not depend on the number of threads. Elementwise kernels split the index range
# into chunks (above 2 x 32768 elements, or 2 x 4096 for costly math), and the reductions
# split into pieces whose number depends on the shape only and are combined in a fixed
# order, so results are bitwise identical with 1, 2 or 3 threads. Matrix products go to the
# BLAS, which may split its work differently: those are compared within float32 rounding.
#
# What the C sources guarantee (checked by reading them, see also the last test): the only
# OpenMP regions are in src/core (tl_iter_run_parallel in iter.c, the sum engine and the
# generic reduction engine in ops/reduce.c); src/core includes no R header and the R layer
# (src/r) has no OpenMP region, so no R API is called from a worker thread. The kernels run
# in those regions are the core's static loop functions: they neither allocate (the byte
# counter is not atomic) nor record errors (the message buffer is global); division by zero
# and dtype checks happen before the parallel loop, and the scratch buffer of a parallel sum
# is allocated before the region starts.

with_threads <- function(n, code) {
  old <- torch_get_num_threads()
  on.exit(torch_set_num_threads(old))
  torch_set_num_threads(n)
  force(code)
}

# evaluates f() with 1, 2 and 3 threads; all results as R vectors
by_threads <- function(f) lapply(c(1, 2, 3), function(n) with_threads(n, {
  out <- f()
  if (is.list(out)) lapply(out, as.numeric) else as.numeric(out)
}))

expect_same_for_all_threads <- function(f, label) {
  r <- by_threads(f)
  expect_identical(r[[2]], r[[1]], label = paste(label, "with 2 threads"))
  expect_identical(r[[3]], r[[1]], label = paste(label, "with 3 threads"))
}

n_big <- 300007 # > 2 x 32768 and not a multiple of 16: uneven chunks

test_that("the package reports its threads and OpenMP", {
  info <- torchlite_backend()
  expect_true(is.logical(info$openmp))
  with_threads(2, expect_identical(torch_get_num_threads(), 2L))
  if (!isTRUE(info$openmp)) skip("built without OpenMP: kernels run on one thread")
  succeed()
})

test_that("elementwise operations are bitwise identical with 1, 2 and 3 threads", {
  torch_manual_seed(42)
  a <- torch_randn(n_big)
  b <- torch_randn(n_big)
  m <- torch_randn(700, 501)
  i <- torch_randint(-1000, 1000, n_big, dtype = torch_int64())
  row <- torch_randn(1, 501)
  ops <- list(
    add = function() a + b, mul = function() a * b, div = function() a / b,
    sub_alpha = function() torch_sub(a, b, alpha = 0.3), pow = function() a$abs()$pow(1.7),
    exp = function() a$exp(), log = function() a$abs()$log(), sin = function() a$sin(),
    tanh = function() a$tanh(), sigmoid = function() a$sigmoid(), sqrt = function() a$abs()$sqrt(),
    clamp = function() a$clamp(min = -0.5, max = 0.5), relu = function() torch_relu(a),
    where = function() torch_where(a > b, a, b), compare = function() a > b,
    round = function() torch_round(a, decimals = 2), remainder = function() torch_remainder(a, 0.7),
    to_double = function() a$to(dtype = torch_float64()), int_ops = function() (i * 3L) %/% 7L,
    int_to_float = function() i$to(dtype = torch_float32()) / 3,
    broadcast = function() m * row + m[1, ],
    transposed = function() m$t() * 2 + 1, contiguous = function() m$t()$contiguous(),
    inplace = function() a$clone()$mul_(1.5)$add_(b),
    grad = function() {
      w <- a$clone()$requires_grad_(TRUE)
      ((w * b)$sigmoid() * w)$sum()$backward()
      w$grad
    }
  )
  for (nm in names(ops)) expect_same_for_all_threads(ops[[nm]], nm)
})

test_that("reductions are bitwise identical with 1, 2 and 3 threads", {
  torch_manual_seed(7)
  a <- torch_randn(n_big)
  m <- torch_randn(1000, 301)
  d <- torch_randn(n_big, dtype = torch_float64())
  ops <- list(
    sum = function() a$sum(), mean = function() a$mean(), sum_f64 = function() d$sum(),
    sum_dim1 = function() m$sum(dim = 1), sum_dim2 = function() m$sum(dim = 2),
    mean_keepdim = function() m$mean(dim = 1, keepdim = TRUE),
    sum_transposed = function() m$t()$sum(dim = 2), prod = function() (a / 100 + 1)$prod(),
    amax = function() m$amax(dim = 1), amin = function() a$amin(), max_dim = function() m$max(dim = 2),
    argmax = function() a$argmax(), var = function() m$var(dim = 1), std = function() a$std(),
    norm = function() m$norm(dim = 2), logsumexp = function() m$logsumexp(dim = 1),
    cumsum = function() m$cumsum(dim = 1), all = function() (a > -10)$all(), any = function() (a > 4)$any(),
    int_sum = function() torch_randint(0, 100, n_big, dtype = torch_int64())$sum(),
    grad = function() {
      w <- m$clone()$requires_grad_(TRUE)
      (w$logsumexp(dim = 2) * w$sum(dim = 2))$sum()$backward()
      w$grad
    }
  )
  for (nm in names(ops)) {
    torch_manual_seed(1) # for the ops that draw random numbers
    expect_same_for_all_threads(function() {
      torch_manual_seed(1)
      ops[[nm]]()
    }, nm)
  }
})

test_that("matrix products agree across thread counts within float32 rounding", {
  torch_manual_seed(3)
  a <- torch_randn(300, 200)
  b <- torch_randn(200, 250)
  r <- by_threads(function() torch_mm(a, b))
  expect_equal(r[[2]], r[[1]], tolerance = 1e-6)
  expect_equal(r[[3]], r[[1]], tolerance = 1e-6)
  ref <- as.numeric(as_array(a) %*% as_array(b))
  expect_equal(r[[2]], ref, tolerance = 1e-5)
})

test_that("the C sources keep R out of OpenMP regions", {
  root <- normalizePath(file.path(test_path(), "..", ".."), mustWork = FALSE)
  core <- file.path(root, "src", "core")
  if (!dir.exists(core)) skip("C sources not available (installed package)")
  files <- list.files(core, pattern = "\\.[ch]$", recursive = TRUE, full.names = TRUE)
  rfiles <- list.files(file.path(root, "src", "r"), pattern = "\\.[ch]$", full.names = TRUE)
  text <- function(f) paste(readLines(f, warn = FALSE), collapse = "\n")
  core_text <- vapply(files, text, "")
  # no R header in the core, no OpenMP in the R layer
  expect_false(any(grepl("#include\\s*[<\"](R\\.h|Rinternals\\.h|Rdefines\\.h|R_ext/)", core_text)))
  expect_false(any(grepl("#pragma\\s+omp", vapply(rfiles, text, ""))))
  # the parallel regions are where this file's comment says
  omp_files <- basename(files[grepl("#pragma\\s+omp", core_text)])
  expect_setequal(omp_files, c("iter.c", "reduce.c"))
})
