# Indexing with R torch's semantics, checked against base R on the same array. Many cases
# restate R torch's own indexing tests. Note R torch's differences from base R: negative
# indices count from the end, `a:b` literally written inside [ ] is a slice (a view),
# missing trailing indices take whole dims, and a single number drops its dim.

arr <- function(...) { set.seed(42); array(round(rnorm(prod(c(...))), 3), c(...)) }
is_view_of <- function(base, y) { # does writing into y change base?
  old <- as_array(base)
  y[..] <- 777
  changed <- !identical(as_array(base), old)
  base[..] <- torch_tensor(old, dtype = base$dtype)
  changed
}

test_that("numbers, slices, steps and empty arguments", {
  a <- arr(10, 10, 10)
  x <- torch_tensor(a, dtype = torch_float64())
  expect_identical(x[1, 1, 1]$shape, integer(0))
  expect_identical(as_array(x[1, 1, 1]), a[1, 1, 1])
  expect_identical(as_array(x[1, , ]), a[1, , ])
  expect_identical(as_array(x[1:5, , ]), a[1:5, , ])
  expect_identical(as_array(x[1:10:2, , ]), a[seq(1, 10, by = 2), , ])
  expect_identical(as_array(x[2:9:3, 4, 1:2]), a[c(2, 5, 8), 4, 1:2])
  expect_identical(as_array(x[, , 3]), a[, , 3])
  expect_identical(as_array(x[3]), a[3, , ])        # missing trailing dims are whole
  expect_identical(as_array(x[]), a)
  expect_identical(as_array(x[(2):(3), 1, 1]), a[2:3, 1, 1])
  i <- 4; j <- 6
  expect_identical(as_array(x[i:j, j, i]), a[4:6, 6, 4])
  expect_identical(as_array(x[i + 1, (j - 1):N, 1]), a[5, 5:10, 1])

  y <- torch_tensor(0:9)
  expect_identical(as_array(y[1]), 0L)
  expect_identical(as_array(y[-1]), 9L)
  expect_identical(as_array(y[-2:10]), c(8L, 9L))
  expect_identical(as_array(y[2:N]), 1:9)
  expect_identical(as_array(y[5:N]), 4:9)
  expect_identical(as_array(y[1:(-7)]), 0:3)
  expect_identical(as_array(y[1:5:2]), c(0L, 2L, 4L))
  expect_identical(as_array(y[3:100]), 2:9)      # slices are clamped, as in Python
  expect_identical(y[11:12]$shape, 0L)
  expect_identical(y[5:4]$shape, 0L)
})

test_that("slices with negative ends count from the end (end inclusive)", {
  x <- torch_tensor(c(1, 2, 3))
  expect_identical(as_array(x[2:-1]), c(2, 3))
  expect_identical(as_array(x[-2:-1]), c(2, 3))
  expect_identical(as_array(x[-3:-2]), c(1, 2))
  expect_identical(as_array(x[c(-1, -2)]), c(3, 2))
})

test_that("the ellipsis, new axes and drop = FALSE", {
  a <- arr(3, 4, 5, 6)
  x <- torch_tensor(a, dtype = torch_float64())
  expect_identical(as_array(x[1, ..]), a[1, , , ])
  expect_identical(as_array(x[1, 1, ..]), a[1, 1, , ])
  expect_identical(as_array(x[.., 1]), a[, , , 1])
  expect_identical(as_array(x[.., 1, 1]), a[, , 1, 1])
  expect_identical(as_array(x[2, .., 3]), a[2, , , 3])
  expect_identical(as_array(x[.., 2:3, 1]), a[, , 2:3, 1])

  v <- torch_randn(10)
  expect_identical(v[, NULL]$shape, c(10L, 1L))
  expect_identical(v[NULL, , NULL]$shape, c(1L, 10L, 1L))
  expect_identical(v[NULL, , NULL, NULL]$shape, c(1L, 10L, 1L, 1L))
  expect_identical(v[, newaxis]$shape, c(10L, 1L))
  expect_identical(v[newaxis, , newaxis]$shape, c(1L, 10L, 1L))
  expect_identical(v[newaxis, .., newaxis]$shape, c(1L, 10L, 1L))
  expect_identical(as_array(v[, NULL])[, 1], as_array(v))

  m <- torch_randn(10, 10)
  expect_identical(m[1, , drop = FALSE]$shape, c(1L, 10L))
  expect_identical(m[.., 1, drop = FALSE]$shape, c(10L, 1L))
  expect_identical(m[.., -1, drop = FALSE]$shape, c(10L, 1L))
  expect_identical(m[2, 3, drop = FALSE]$shape, c(1L, 1L))
  expect_equal(as_array(m[2, 3, drop = FALSE])[1, 1], as_array(m)[2, 3])
})

test_that("x[, 1, NULL] of an n x 3 matrix is n x 1 (seed example)", {
  d <- matrix(1:12 / 4, 4, 3)
  x <- torch_tensor(d)
  y <- x[, 1, NULL]
  expect_identical(y$shape, c(4L, 1L))
  expect_equal(as_array(y), d[, 1, drop = FALSE], tolerance = 1e-7)
  expect_identical(x[, 2:3]$shape, c(4L, 2L))
})

test_that("vectors index each dimension independently, as in R", {
  x <- torch_tensor(1:10)
  y <- 1:10
  expect_identical(as_array(x[c(1, 3, 2, 5)]), y[c(1, 3, 2, 5)])
  index <- 1:3
  expect_identical(as_array(x[index]), y[index])
  expect_identical(as_array(x[c(2L, 2L, 2L)]), c(2L, 2L, 2L))
  expect_identical(as_array(x[seq(1, 10, by = 3)]), y[seq(1, 10, by = 3)])
  expect_identical(as_array(x[rev(index)]), 3:1)
  expect_identical(x[integer(0)]$shape, 0L)

  a <- arr(10, 10)
  m <- torch_tensor(a, dtype = torch_float64())
  expect_identical(as_array(m[c(2, 3, 1), c(3, 2, 1)]), a[c(2, 3, 1), c(3, 2, 1)])
  expect_identical(as_array(m[c(2, 3, 1), 4]), a[c(2, 3, 1), 4])
  expect_identical(as_array(m[5, c(-1, 1)]), a[5, c(10, 1)])
  expect_identical(as_array(m[2:4, c(1, 1)]), a[2:4, c(1, 1)])

  b <- arr(3, 3, 3)
  z <- torch_tensor(b, dtype = torch_float64())
  expect_identical(as_array(z[c(1, 2), 1:2, c(1, 2)]), as_array(z[1:2, 1:2, 1:2]))
  expect_identical(as_array(z[c(1, 2), newaxis, 1:2, c(1, 2)]), as_array(z[1:2, newaxis, 1:2, 1:2]))
  expect_identical(as_array(z[newaxis, c(1, 2), newaxis, 1:2, c(1, 2)]),
                   as_array(z[newaxis, 1:2, newaxis, 1:2, 1:2]))
  expect_identical(as_array(z[c(1, 2), c(1, 2), ]), b[1:2, 1:2, ])
  expect_identical(as_array(z[c(1, 2), , c(1, 2)]), b[1:2, , 1:2])
  expect_identical(as_array(z[c(1, 2), c(1, 2), c(1, 2)]), b[1:2, 1:2, 1:2])
  expect_identical(as_array(z[c(3, 1), .., c(2, 3)]), b[c(3, 1), , c(2, 3)])
  expect_identical(as_array(z[c(1, 2), c(1, 2), newaxis, c(1, 2)])[, , 1, ], b[1:2, 1:2, 1:2])

  # the index vector is not modified (R torch #691)
  bb <- c(1, 2, 3)
  torch_randn(6, 4)[bb]
  expect_identical(bb, c(1, 2, 3))
})

test_that("long tensors index like integer vectors (1-based, negative from the end)", {
  a <- arr(4, 4)
  x <- torch_tensor(a, dtype = torch_float64())
  index <- torch_tensor(1L)
  expect_identical(x[index, index]$shape, c(1L, 1L))
  expect_identical(x[index, index]$item(), a[1, 1])
  index0 <- torch_tensor(1L)$view(integer(0))
  expect_identical(x[index0, index0]$shape, integer(0))
  expect_identical(as_array(x[index0, index0]), a[1, 1])
  neg <- torch_tensor(-1L)
  expect_identical(x[neg, neg]$item(), a[4, 4])
  both <- torch_tensor(c(-1L, 1L))
  expect_identical(as_array(x[both, both]), a[c(4, 1), c(4, 1)])
  expect_identical(as_array(x[torch_tensor(c(2L, 3L), dtype = torch_int32()), 1]), a[2:3, 1])
  # a 2-d index tensor replaces its dim by its own shape
  idx2 <- torch_tensor(matrix(c(1L, 2L, 3L, 4L), 2, 2))
  expect_identical(x[idx2]$shape, c(2L, 2L, 4L))
  expect_identical(as_array(x[idx2])[2, 1, ], a[2, ])

  b <- arr(3, 4, 3)
  y <- torch_tensor(b, dtype = torch_float64())
  l <- torch_tensor(c(1L, 3L))
  expect_identical(as_array(y[.., l, ]), b[, c(1, 3), ])
  expect_identical(as_array(y[.., l, l]), b[, c(1, 3), c(1, 3)])
  expect_identical(as_array(y[l, .., l]), b[c(1, 3), , c(1, 3)])

  expect_torch_error(x[torch_tensor(c(-1L, 0L, 1L)), ], "index_error", "Indexing starts at 1 but found a 0.")
  expect_torch_error(x[torch_tensor(c(1.5, 2))], "index_error",
                     "Only long and boolean tensors are supported as indices, got a Float tensor.")
  expect_torch_error(x[torch_tensor(c(1L, 5L))], "index_error",
                     "index 5 is out of bounds for dimension 1 with size 4")
})

test_that("logical vectors and boolean tensors select elements (masks)", {
  x <- torch_tensor(c(-1, -2, 0, 1, 2))
  expect_identical(as_array(x[torch_tensor(c(TRUE, TRUE, FALSE, FALSE, FALSE))]), c(-1, -2))
  expect_identical(as_array(x[c(FALSE, FALSE, TRUE, FALSE, TRUE)]), c(0, 2))
  m <- rbind(c(-1, -2, 0, 1, 2), c(2, 1, 0, -1, -2))
  xm <- torch_tensor(m)
  mask <- torch_tensor(m < 0)
  # a 2-d mask picks elements in row-major order, as R torch does
  expect_identical(as_array(xm[mask]), c(-1, -2, -1, -2))
  expect_identical(as_array(xm[torch_tensor(m > 0)]), t(m)[t(m) > 0])
  expect_torch_error(xm[mask, 1], "index_error", "too many indices for tensor of dimension 2")
  expect_identical(as_array(xm[torch_tensor(c(FALSE, TRUE)), ]), m[2, , drop = FALSE])
  expect_identical(as_array(xm[, c(TRUE, FALSE, TRUE, FALSE, TRUE)]), m[, c(1, 3, 5)])
  expect_identical(xm[torch_tensor(matrix(FALSE, 2, 5))]$shape, 0L)

  expect_identical(as_array(torch_tensor(c(1, 2))[c(TRUE, FALSE)]), 1)
  expect_identical(torch_tensor(c(1))[TRUE]$shape, c(1L, 1L))   # scalar TRUE adds an axis
  expect_identical(torch_tensor(c(1))[FALSE]$shape, c(0L, 1L))
  z <- torch_zeros(2, 2)
  expect_identical(dim(z[c(TRUE, FALSE), ]), c(1L, 2L))
  expect_identical(dim(z[c(TRUE, FALSE), c(TRUE, FALSE)]), c(1L, 1L))

  a <- arr(4, 4, 4)
  y <- torch_tensor(a, dtype = torch_float64())
  ix <- c(TRUE, FALSE, TRUE, FALSE)
  expect_identical(as_array(y[ix, ix, ix]), a[ix, ix, ix])
  expect_identical(as_array(y[torch_tensor(ix), 2, torch_tensor(ix)]), a[ix, 2, ix])
  # a 2-d mask over the last two dims
  mk <- matrix(c(TRUE, FALSE), 4, 4)
  expect_identical(as_array(y[2, torch_tensor(mk)]), t(a[2, , ])[t(mk)])
  expect_torch_error(y[torch_tensor(c(TRUE, FALSE))], "index_error",
    "The shape of the mask [2] at index 1 does not match the shape of the indexed tensor [4, 4, 4] at index 1")
  expect_torch_error(y[c(TRUE, NA, TRUE, TRUE)], "index_error", "NA is not a valid index")
})

test_that("slc() builds slices from values", {
  a <- arr(10, 10)
  x <- torch_tensor(a, dtype = torch_float64())
  expect_identical(as_array(x[slc(start = 1, end = 5, step = 2), ]), a[seq(1, 5, by = 2), ])
  expect_identical(as_array(x[slc(1, 5, 2), 1]), a[seq(1, 5, by = 2), 1])
  expect_identical(as_array(x[slc(1, 5, 2), slc(1, 5, 2)]), a[seq(1, 5, by = 2), seq(1, 5, by = 2)])
  expect_identical(as_array(x[slc(2, Inf), ]), as_array(x[2:N, ]))
  expect_identical(as_array(x[slc(2, N), 1]), a[2:10, 1])
  s <- slc(3, 6)
  expect_identical(as_array(x[s, 1]), a[3:6, 1])
  expect_identical(as_array(x[slc(1, 10):3, 1]), a[c(1, 4, 7, 10), 1])
  expect_output(print(slc(1, 3, 5)), "<slice>")
})

test_that("numbers, slices, .. and NULL give views; vectors and masks give copies", {
  x <- torch_tensor(matrix(as.numeric(1:12), 3, 4))
  expect_true(is_view_of(x, x[2, ]))
  expect_true(is_view_of(x, x[, 2:3]))
  expect_true(is_view_of(x, x[1:3:2, 2:N]))
  expect_true(is_view_of(x, x[.., 1, NULL]))
  expect_true(is_view_of(x, x[-1]))
  expect_false(is_view_of(x, x[c(1, 2), ]))
  expect_false(is_view_of(x, x[, c(TRUE, FALSE, TRUE, TRUE)]))
  expect_false(is_view_of(x, x[torch_tensor(2L), ]))
  r <- x[2, ]
  r[3] <- 0
  expect_identical(as_array(x)[2, 3], 0)
  v <- x[, 2]$view(c(3, 1))
  v[1, 1] <- -5
  expect_identical(as_array(x)[1, 2], -5)
  # strides of a stepped slice
  expect_identical(torch_zeros(6, 6)[1:6:2, 1:6:3]$stride(), c(12L, 3L))
})

test_that("indexing works on non-contiguous tensors and keeps the dtype", {
  a <- arr(3, 4, 5)
  x <- torch_tensor(a, dtype = torch_float64())$permute(c(3, 1, 2))
  b <- aperm(a, c(3, 1, 2))
  expect_identical(as_array(x[2, , ]), b[2, , ])
  expect_identical(as_array(x[c(5, 1), 2:3, -1]), b[c(5, 1), 2:3, 4])
  expect_identical(as_array(x[, c(3, 1), c(TRUE, FALSE, TRUE, TRUE)]), b[, c(3, 1), c(1, 3, 4)])
  for (dt in list(torch_bool(), torch_int32(), torch_int64(), torch_float32(), torch_float64())) {
    t <- torch_ones(3, 3, dtype = dt)
    expect_true(t[1, ]$dtype == dt)
    expect_true(t[c(1, 3), 2]$dtype == dt)
  }
  i <- torch_tensor(matrix(1:6, 2, 3))
  expect_identical(as_array(i$t()[c(3, 1), ]), t(matrix(1:6, 2, 3))[c(3, 1), ])
})

test_that("zero-size dims", {
  x <- torch_zeros(0, 3)
  expect_identical(x[, 1]$shape, 0L)
  expect_identical(x[.., 2:3]$shape, c(0L, 2L))
  expect_identical(x[integer(0), ]$shape, c(0L, 3L))
  expect_torch_error(x[1, ], "index_error", "index 1 is out of bounds for dimension 1 with size 0")
  expect_torch_error(torch_tensor(logical(0))[1], "index_error", "out of bounds")
})

test_that("bad indices give classed errors", {
  x <- torch_randn(c(10, 10, 10, 10))
  expect_torch_error(x[1, 1, 1, 1, 1], "index_error", "too many indices for tensor of dimension 4")
  y <- torch_tensor(c(1, 2, 3))
  expect_torch_error(y[0], "index_error", "Indexing in R is 1-based and found a 0.")
  expect_torch_error(y[c(0, 1)], "index_error", "Indexing in R is 1-based and found a 0.")
  expect_torch_error(y[4], "index_error", "index 4 is out of bounds for dimension 1 with size 3")
  expect_torch_error(y[-4], "index_error", "index -4 is out of bounds for dimension 1 with size 3")
  expect_torch_error(y[c(1, 4)], "index_error", "index 4 is out of bounds for dimension 1 with size 3")
  expect_identical(as_array(y[N]), 3)            # N alone is the last position
  expect_identical(as_array(y[N:N]), 3)
  expect_torch_error(y[N - 1], "index_error", "out of bounds") # as in R torch, N is only a marker
  expect_torch_error(y["a"], "index_error", "Unsupported index of type character")
  expect_torch_error(y[list(1)], "index_error", "Unsupported index of type list")
  expect_torch_error(y[NA], "index_error", "NA is not a valid index")
  expect_torch_error(y[NA_real_], "index_error", "NA is not a valid index")
  expect_torch_error(y[1:3:0], "value_error", "step must be greater than zero")
  expect_torch_error(y[.., ..], "index_error", "single ellipsis")
  expect_torch_error(y[1, drop = NA], "value_error", "drop must be TRUE or FALSE")
  expect_torch_error(y[c(1, 2):3], "index_error", "the start of a slice must be a single number")
  expect_torch_error(torch_tensor(10)$view(integer(0))[1], "index_error", "too many indices for tensor of dimension 0")
  # an R error inside an index expression propagates and leaks nothing
  gc(); gc() # handles of small tensors are released by chunk: it takes two collections
  before <- torchlite_memory()[["objects"]]
  expect_error(y[c(1, 2), stop("boom")], "boom")
  expect_error(y[c(1, 2), "a"], class = "index_error")
  gc(); gc() # handles of small tensors are released by chunk: it takes two collections
  expect_lte(torchlite_memory()[["objects"]], before)
})

test_that("indexing works from compiled functions, with variables and forwarded dots", {
  f <- compiler::cmpfun(function(t, i) t[i:N])
  x <- torch_tensor(1:10)
  expect_identical(as_array(f(x, 8)), 8:10)
  g <- function(t, ...) t[...]
  expect_identical(as_array(g(x, 2:3)), 2:3)
  expect_identical(as_array(g(torch_tensor(matrix(1:6, 2)), , 2)), c(3L, 4L))
  h <- compiler::cmpfun(function(t) { out <- 0L; for (k in 1:3) out <- out + as_array(t[k]); out })
  expect_identical(h(x), 6L)
  N <- 3 # R torch's N inside brackets wins over a variable called N
  expect_identical(as_array(x[2:N]), 2:10)
})

test_that("assignment writes in place, converting and broadcasting the value", {
  x <- torch_randn(2, 2)
  x[1, 1] <- torch_tensor(0)
  expect_identical(as_array(x[1, 1]), 0)
  x[1, 2] <- 0
  expect_identical(as_array(x[1, 2]), 0)
  x[1, 2] <- 1L
  expect_identical(as_array(x[1, 2]), 1)
  b <- torch_tensor(c(TRUE, FALSE))
  b[2] <- TRUE
  expect_identical(as_array(b), c(TRUE, TRUE))

  m <- rbind(c(-1, -2, 0, 1, 2), c(2, 1, 0, -1, -2))
  xm <- torch_tensor(m)
  xm[torch_tensor(m <= 0)] <- 1
  mm <- m; mm[mm <= 0] <- 1
  expect_identical(as_array(xm), mm)
  xm[torch_tensor(m > 1)] <- c(10, 20)          # one value per selected element
  mm[1, 5] <- 10  # row-major order: [1, 5] comes before [2, 1]
  mm[2, 1] <- 20
  expect_identical(as_array(xm), mm)

  v <- torch_tensor(c(1, 2, 3, 4, 5))
  v[1:2] <- c(0, 0)
  expect_identical(as_array(v), c(0, 0, 3, 4, 5))
  v[-1] <- 50
  expect_identical(as_array(v)[5], 50)
  v[c(4, 2)] <- c(40, 20)
  expect_identical(as_array(v), c(0, 20, 3, 40, 50))

  z <- torch_zeros(3, 4, dtype = torch_float64())
  z[, 2] <- c(1, 2, 3)
  z[3, ] <- torch_tensor(c(9, 8, 7, 6))
  z[1:2, 3:4] <- torch_tensor(matrix(c(5, 6), 1, 2))   # broadcast over rows
  zz <- matrix(0, 3, 4); zz[, 2] <- 1:3; zz[3, ] <- c(9, 8, 7, 6); zz[1:2, 3:4] <- rep(c(5, 6), each = 2)
  expect_identical(as_array(z), zz)
  z[c(1, 3), c(1, 4)] <- -1                         # outer product of positions
  zz[c(1, 3), c(1, 4)] <- -1
  expect_identical(as_array(z), zz)
  z[] <- 0
  expect_identical(as_array(z), matrix(0, 3, 4))

  # the value takes x's dtype
  l <- torch_tensor(1:4)
  l[2] <- 2.7
  expect_identical(as_array(l), c(1L, 2L, 3L, 4L))
  l[3] <- torch_tensor(-8.9, dtype = torch_float64())
  expect_identical(as_array(l)[3], -8L)
  expect_true(l$dtype == torch_long())

  # in place: same handle, memory shared with views, version bumped
  w <- torch_zeros(4)
  view <- w[2:3]
  ver <- .Call(torchlite:::C_tl_version, w)
  w2 <- `[<-`(w, 2, value = 5)
  expect_identical(w2, w)
  expect_identical(as_array(view), c(5, 0))
  expect_gt(.Call(torchlite:::C_tl_version, w), ver)
  view[2] <- 7
  expect_identical(as_array(w), c(0, 5, 7, 0))

  # a value that overlaps x is read before it is written
  o <- torch_tensor(c(1, 2, 3, 4))
  o[2:4] <- o[1:3]
  expect_identical(as_array(o), c(1, 1, 2, 3))
})

test_that("bad assignments give classed errors", {
  x <- torch_zeros(2, 3)
  expect_torch_error(x[1, ] <- c(1, 2), "runtime_error",
    "shape mismatch: value tensor of shape [2] cannot be broadcast to indexing result of shape [3]")
  expect_torch_error(x[c(1, 2), ] <- torch_zeros(3, 3), "runtime_error",
    "shape mismatch: value tensor of shape [3, 3] cannot be broadcast to indexing result of shape [2, 3]")
  expect_torch_error(x[3, 1] <- 1, "index_error", "index 3 is out of bounds for dimension 1 with size 2")
  expect_torch_error(x[0] <- 1, "index_error", "Indexing in R is 1-based and found a 0.")
  expect_torch_error(x["a"] <- 1, "index_error", "Unsupported index")
  expect_torch_error(x[torch_tensor(c(TRUE, FALSE, TRUE))] <- 1, "index_error", "The shape of the mask [3]")
  expect_error(x[1] <- "a")
  expect_identical(as_array(x), matrix(0, 2, 3))
})

test_that("masks from comparisons (R torch's own examples)", {
  skip_if_not(exists("<.torch_tensor", envir = asNamespace("torchlite")) ||
                exists("Ops.torch_tensor", envir = asNamespace("torchlite")), "comparisons not built")
  x <- torch_tensor(c(-1, -2, 0, 1, 2))
  expect_identical(as_array(x[x < 0]), c(-1, -2))
  x <- torch_tensor(rbind(c(-1, -2, 0, 1, 2), c(2, 1, 0, -1, -2)))
  expect_identical(as_array(x[x < 0]), c(-1, -2, -1, -2))
  expect_torch_error(x[x < 0, 1], "index_error", "too many indices")
  x[x <= 0] <- 1
  expect_true(all(as_array(x) > 0))
})
