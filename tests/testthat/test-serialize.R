# Tensors survive saveRDS()/readRDS(), save()/load() and serialize()/unserialize().

via_rds <- function(x) {
  f <- tempfile(fileext = ".rds")
  on.exit(unlink(f))
  saveRDS(x, f)
  readRDS(f)
}
via_raw <- function(x, ...) unserialize(serialize(x, NULL, ...))

# R values of a tensor (int64 as doubles: exact for the values used with this helper)
values <- function(t) if (identical(t$dtype, torch_int64())) as.numeric(t) else as_array(t)

# the same dtype, shape and values, and a handle that works
expect_same_tensor <- function(y, x) {
  expect_true(is_torch_tensor(y))
  expect_true(torchlite:::.tl_is_valid(y))
  expect_identical(y$dtype, x$dtype)
  expect_identical(y$shape, x$shape)
  expect_identical(values(y), values(x))
  expect_true(y$is_contiguous())
}

test_that("tensors of every dtype and shape round-trip through saveRDS() and serialize()", {
  torch_manual_seed(1)
  xs <- list(
    torch_randn(3, 4),                                          # float32
    torch_tensor(array(c(-0, 1e300, -Inf, Inf, NaN, 2.5, 1/3, -7), c(2, 2, 2)),
                 dtype = torch_float64()),
    torch_tensor(c(1L, -5L, .Machine$integer.max, 0L), dtype = torch_int32()),
    torch_tensor(matrix(c(3, -4, 2^53, -2^53, 0, 7), 2), dtype = torch_int64()),
    torch_tensor(matrix(c(TRUE, FALSE, TRUE, TRUE, FALSE, FALSE), 3)),
    torch_tensor(3.25),                                         # shape 1
    torch_randn(2, 1, 3, 1),
    torch_tensor(2.5)$squeeze(),                                # 0-d
    torch_tensor(7L)$squeeze(),
    torch_tensor(TRUE)$squeeze(),
    torch_zeros(0),                                             # empty
    torch_zeros(3, 0, 2, dtype = torch_int64()),
    torch_zeros(0, 4, dtype = torch_bool()),
    torch_zeros(0, dtype = torch_float64()),
    torch_zeros(2, 0, dtype = torch_int32()))
  for (x in xs) {
    expect_same_tensor(via_rds(x), x)
    expect_same_tensor(via_raw(x), x)
    expect_same_tensor(via_raw(x, xdr = FALSE), x)
    # ascii writes doubles with 16 significant digits: exact for all but float64
    if (!identical(x$dtype, torch_float64())) expect_same_tensor(via_raw(x, ascii = TRUE), x)
  }
  s <- via_rds(torch_tensor(2.5)$squeeze())
  expect_identical(s$ndim, 0L)
  expect_identical(s$item(), 2.5)
  expect_identical(via_rds(torch_zeros(3, 0, 2))$shape, c(3L, 0L, 2L))
})

test_that("float values come back bit for bit, including -0, NaN and Inf", {
  x <- torch_tensor(c(-0, NaN, Inf, -Inf, 1e-45, 3.4028234e38, 0.1))
  y <- via_rds(x)
  expect_identical(y$dtype, torch_float32())
  expect_identical(as_array(y), as_array(x))
  expect_identical(1 / as_array(y)[1], -Inf)
  d <- torch_tensor(c(0.1, 1 + 2^-52, 5e-324, .Machine$double.xmax), dtype = torch_float64())
  expect_identical(as_array(via_rds(d)), c(0.1, 1 + 2^-52, 5e-324, .Machine$double.xmax))
})

test_that("int32 and int64 extremes come back exactly", {
  i32 <- torch_tensor(c(-2147483648, 2147483647, -1, 0), dtype = torch_int32())
  y <- via_rds(i32)
  expect_identical(y$dtype, torch_int32())
  expect_identical(as.numeric(y), c(-2147483648, 2147483647, -1, 0))
  # beyond 2^53 a double cannot hold an int64: these take the 8-byte path
  base <- torch_tensor(c(2^60, -2^62, 5, 0), dtype = torch_int64())
  big <- base + 1L
  for (y in list(via_rds(big), via_raw(big, ascii = TRUE), via_raw(big$unsqueeze(1)$t()))) {
    expect_identical(y$dtype, torch_int64())
    expect_identical(as.numeric(y$flatten() - big), c(0, 0, 0, 0))
    expect_identical(as.numeric(y$flatten() - base), c(1, 1, 1, 1))
  }
  lo <- torch_tensor(-2^62, dtype = torch_int64()) * 2L                 # -2^63
  hi <- (torch_tensor(2^62, dtype = torch_int64()) - 1L) * 2L + 1L      # 2^63 - 1
  for (v in list(lo, hi)) {
    r <- via_rds(v)
    expect_identical(as.numeric(r - v), 0)
    expect_identical(as.numeric(r - (v - 1L)), 1)
  }
})

test_that("tensors inside lists, environments and attributes are restored", {
  a <- torch_tensor(c(1, 2, 3))
  b <- torch_ones(2, 2, dtype = torch_int64())
  e <- new.env()
  e$w <- torch_tensor(matrix(1:6, 2) / 4)
  obj <- list(a = a, nested = list(b = b, 1:3, list(a2 = a * 2)), env = e, n = NULL,
              s = structure("x", tensor = b))
  r <- via_rds(obj)
  expect_same_tensor(r$a, a)
  expect_same_tensor(r$nested$b, b)
  expect_identical(r$nested[[2]], 1:3)
  expect_same_tensor(r$nested[[3]]$a2, a * 2)
  expect_same_tensor(r$env$w, e$w)
  expect_same_tensor(attr(r$s, "tensor"), b)
  expect_null(r$n)
  # save() / load()
  f <- tempfile(fileext = ".RData")
  on.exit(unlink(f))
  x1 <- torch_randn(4)
  save(x1, file = f)
  env <- new.env()
  load(f, envir = env)
  expect_same_tensor(env$x1, x1)
})

test_that("requires_grad is kept and a restored tensor is a usable leaf", {
  x <- torch_tensor(c(1, 2, 3), requires_grad = TRUE)
  y <- via_rds(x)
  expect_true(y$requires_grad)
  expect_true(y$is_leaf)
  expect_null(y$grad)
  (y^2)$sum()$backward()
  expect_equal(as_array(y$grad), c(2, 4, 6))
  expect_null(x$grad)                       # the original is untouched
  expect_false(via_rds(torch_ones(2))$requires_grad)
  d <- via_rds(torch_ones(2, dtype = torch_float64(), requires_grad = TRUE))
  expect_true(d$requires_grad)
  expect_identical(d$dtype, torch_float64())
})

test_that("a tensor with a grad_fn or a grad comes back as a leaf without them", {
  x <- torch_tensor(c(1, 2), requires_grad = TRUE)
  z <- x * 3
  expect_false(is.null(z$grad_fn))
  r <- via_rds(list(z = z, x = x))
  expect_true(r$z$is_leaf)
  expect_true(r$z$requires_grad)
  expect_null(r$z$grad_fn)
  expect_identical(as_array(r$z), c(3, 6))
  z$sum()$backward()
  expect_equal(as_array(x$grad), c(3, 3))
  r2 <- via_rds(x)
  expect_null(r2$grad)                      # grads are not saved
  expect_identical(as_array(r2), c(1, 2))
  # with_no_grad results and detached tensors keep requires_grad = FALSE
  expect_false(via_rds(x$detach())$requires_grad)
})

test_that("non-contiguous views are saved as their values", {
  m <- torch_tensor(matrix(1:12 + 0.5, 3, 4))
  views <- list(m$t(), m[, 2], m[2:3, c(1, 3)], m$permute(c(2, 1)),
                torch_tensor(c(1, 2))$expand(c(3, 2)), m[, 2:4]$t())
  expect_false(m$t()$is_contiguous())
  expect_false(m[, 2]$is_contiguous())
  for (v in views) expect_same_tensor(via_rds(v), v)
  # a view is saved as a copy: writing to the restored one leaves the others alone
  v <- m$t()
  r <- via_rds(list(m = m, v = v))
  r$v$zero_()
  expect_identical(as_array(r$m), as_array(m))
  expect_identical(sum(as_array(r$v)), 0)
})

test_that("identical() tells tensors apart before and after serialization", {
  x <- torch_ones(2)
  y <- torch_ones(2)
  expect_true(identical(x, x))
  expect_false(identical(x, y))
  r <- via_rds(list(x, x, y))
  expect_false(identical(r[[1]], x))
  expect_true(identical(r[[1]], r[[1]]))
  expect_true(identical(r[[1]], r[[2]]))    # one handle saved twice is restored once
  expect_false(identical(r[[1]], r[[3]]))
  r[[1]]$add_(1)
  expect_identical(as_array(r[[2]]), c(2, 2))
  expect_identical(as_array(x), c(1, 1))
  expect_false(identical(via_rds(x), via_rds(x)))
})

test_that("handles stay external pointers: R never treats a tensor as a vector", {
  x <- via_rds(torch_tensor(5))
  expect_identical(typeof(x), "externalptr")
  expect_identical(class(x), "torch_tensor")
  expect_false(is.atomic(x))
  expect_false(is.numeric(x))
  l <- sapply(1:2, function(i) torch_tensor(i))
  expect_true(is.list(l))
  expect_true(all(vapply(via_rds(l), is_torch_tensor, TRUE)))
  u <- unlist(list(x, x))
  expect_true(is.list(u) && is_torch_tensor(u[[1]]))
  expect_length(c(list(), x), 1)
  expect_true(is_torch_tensor(c(list(), x)[[1]]))
  expect_identical(length(via_rds(torch_ones(2, 3))), 6L)
})

test_that("a restored tensor can be saved again and its memory is released", {
  x <- torch_randn(5, 5)
  y <- via_rds(via_raw(via_rds(x)))
  expect_same_tensor(y, x)
  gc(); gc() # handles of small tensors are released by chunk: it takes two collections
  before <- torchlite_memory()[["objects"]]
  for (i in 1:20) z <- via_rds(x)
  rm(z)
  gc(); gc() # handles of small tensors are released by chunk: it takes two collections
  expect_lte(torchlite_memory()[["objects"]], before)
})

test_that("modules with parameters survive serialization", {
  torch_manual_seed(3)
  m <- nn_linear(3, 2)
  x <- torch_randn(4, 3)
  m2 <- via_raw(m)
  expect_identical(as_array(m2(x)), as_array(m(x)))
  expect_true(m2$weight$requires_grad)
  expect_true(is_nn_parameter(m2$weight))
  p <- via_rds(nn_parameter(torch_ones(2)))
  expect_true(is_nn_parameter(p) && p$requires_grad)
})

# ascii serialization of x with one piece of the saved state replaced
corrupt <- function(x, from, to) {
  txt <- rawToChar(serialize(x, NULL, ascii = TRUE))
  expect_true(grepl(from, txt, fixed = TRUE))
  unserialize(charToRaw(sub(from, to, txt, fixed = TRUE)))
}

test_that("a corrupted serialized state gives a clear error", {
  x <- torch_tensor(matrix(c(1.5, 2, 3, 4, 5, 6), 2))
  expect_torch_error(corrupt(x, "torchlite_tensor/1", "torchlite_tensor/9"), "value_error",
                     "cannot restore a serialized torch_tensor: unknown format 'torchlite_tensor/9'")
  expect_torch_error(corrupt(x, "\n7\nfloat32\n", "\n7\nfloat99\n"), "value_error",
                     "cannot restore a serialized torch_tensor: unknown dtype")
  # the shape c(2, 3) is stored as "14 / 2 / 2 / 3"; make it c(2, 4) or c(2, -3)
  expect_torch_error(corrupt(x, "\n14\n2\n2\n3\n", "\n14\n2\n2\n4\n"), "value_error",
                     "the values do not match the dtype and shape")
  expect_torch_error(corrupt(x, "\n14\n2\n2\n3\n", "\n14\n2\n2\n-3\n"), "value_error",
                     "cannot restore a serialized torch_tensor: invalid shape")
  expect_torch_error(corrupt(x, "\n14\n2\n2\n3\n", "\n14\n2\n2\n1.5\n"), "value_error",
                     "invalid shape")
  # requires_grad stored as TRUE on an integer tensor
  i <- torch_tensor(1:3)
  expect_torch_error(corrupt(i, "\n10\n1\n0\n", "\n10\n1\n1\n"), "value_error",
                     "only floating point tensors can require gradients")
  expect_torch_error(corrupt(i, "\n10\n1\n0\n", "\n10\n1\nNA\n"), "value_error",
                     "invalid requires_grad")
  # the values of an int64 tensor as doubles of another length
  expect_torch_error(corrupt(i, "\n14\n3\n1\n2\n3\n", "\n14\n2\n1\n2\n"), "value_error",
                     "the values do not match")
})

test_that("format version 2 cannot store tensors and says so when the tensor is used", {
  x <- torch_ones(2)
  y <- via_raw(x, version = 2)
  expect_false(torchlite:::.tl_is_valid(y))
  expect_torch_error(y$shape, "runtime_error", "memory is gone")
  expect_torch_error(as_array(y), "runtime_error", "serialization format version 2")
  expect_torch_error(y + 1, "runtime_error", "memory is gone")
  expect_torch_error(x[y], "runtime_error", "memory is gone")
  expect_true(torchlite:::.tl_is_valid(x))
})

test_that("readRDS() in a fresh R session loads torchlite and restores the tensor", {
  f <- tempfile(fileext = ".rds")
  on.exit(unlink(f))
  saveRDS(list(torch_tensor(c(1.5, -2)), torch_tensor(matrix(c(TRUE, FALSE), 1))), f)
  code <- sprintf(paste0("x <- readRDS('%s'); cat(isNamespaceLoaded('torchlite'), ",
                         "as.numeric(x[[1]]), as.character(x[[2]]$dtype), dim(x[[2]]))"), f)
  out <- system2(file.path(R.home("bin"), "Rscript"), c("--vanilla", "-e", shQuote(code)),
                 stdout = TRUE, env = paste0("R_LIBS=", paste(.libPaths(), collapse = ":")))
  expect_identical(out, "TRUE 1.5 -2 Bool 1 2")
})
