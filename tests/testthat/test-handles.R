# Handles of small tensors share one finalizer per group ("chunk", src/r/r_tensor.c): what
# a group keeps alive, when its memory comes back, and that a dead handle never crashes R.

core_bytes <- function() {
  gc()
  gc()
  torchlite_memory()[["bytes"]]
}

test_that("dropped small handles are all released after two collections", {
  before <- core_bytes()
  x <- torch_tensor(c(-1, 1), requires_grad = TRUE)
  x$sum()$backward() # x's autograd metadata exists from now on
  x$grad <- NULL
  with_x <- core_bytes()
  for (i in 1:500) {
    y <- (x * i)$sum()
    y$backward()
  }
  rm(y)
  x$grad <- NULL
  expect_identical(core_bytes(), with_x)
  rm(x)
  expect_identical(core_bytes(), before)
})

test_that("a small tensor that stays alive releases its group when it goes", {
  before <- core_bytes()
  keep <- torch_ones(3)
  tmp <- lapply(1:10, function(i) torch_ones(3) * i)
  rm(tmp)
  expect_identical(as.numeric(keep), c(1, 1, 1))
  rm(keep)
  expect_identical(core_bytes(), before)
})

test_that("big tensors and small tensors with big histories are not kept by a group", {
  before <- core_bytes()
  keep <- torch_ones(1)
  with_keep <- core_bytes()
  # 400 KB of storage: never in a group, released as soon as it is unreachable
  big <- torch_ones(1e5)
  rm(big)
  expect_identical(core_bytes(), with_keep)
  # a 0-d tensor whose history saves 400 KB (exp saves its output)
  w <- torch_ones(1e5, requires_grad = TRUE)
  with_w <- core_bytes()
  s <- w$exp()$sum()
  keep2 <- torch_ones(1) # made just after s: same group if s were in one
  expect_gt(torchlite_memory()[["bytes"]], with_w + 4e5)
  rm(s)
  expect_lt(core_bytes() - with_w, 1e5)
  rm(keep, keep2, w)
  expect_identical(core_bytes(), before)
})

test_that("a handle reached only from an R finalizer works or fails cleanly", {
  for (order in c("tensor first", "finalizer first")) {
    for (i in 1:10) {
      gc()
      e <- new.env()
      got <- NULL
      if (order == "tensor first") e$t <- torch_ones(2) * 2
      reg.finalizer(e, function(env) {
        got <<- tryCatch(as.numeric(env$t), error = function(err) conditionMessage(err))
      })
      # finalizer first: the tensor's group is newer than the finalizer, so R may release
      # the group before it runs the finalizer that still reaches the handle
      if (order == "finalizer first") e$t <- torch_ones(2) * 2
      gc()
      rm(e)
      gc()
      gc()
      expect_true(identical(got, c(2, 2)) || identical(got, paste(
        "this tensor's memory is gone: it was released by the garbage collector while an R",
        "finalizer could still reach it")), info = paste(order, got))
    }
  }
  expect_identical(as.numeric(torch_ones(2) * 3), c(3, 3))
})

test_that("a handle counts as dead once its chunk is released", {
  # what a collection does when R releases a chunk while an R finalizer still reaches one
  # of its handles (the test above cannot force that order)
  chunk_test <- torchlite:::.tl_chunk_test
  chunk_test() # the tensors below start a chunk of their own
  x <- torch_ones(2) * 2
  y <- torch_ones(3)
  expect_identical(as.numeric(x), c(2, 2))
  expect_identical(as.numeric(y), c(1, 1, 1))
  expect_true(chunk_test(x))
  msg <- "this tensor's memory is gone: it was released by the garbage collector"
  expect_torch_error(x$shape, "runtime_error", msg)
  expect_torch_error(y + 1, "runtime_error", msg)
  expect_torch_error(as.numeric(y), "runtime_error", msg)
  expect_false(torchlite:::.tl_is_valid(x))
  expect_false(chunk_test(torch_ones(1e5))) # a large tensor has a handle of its own
  chunk_test()
  z <- torch_ones(2) * 3
  expect_identical(as.numeric(z), c(3, 3))
})

test_that("small handles still serialize with their data", {
  xs <- lapply(1:40, function(i) torch_tensor(c(i, -i)))
  back <- unserialize(serialize(xs, NULL))
  expect_identical(lapply(back, as.numeric), lapply(1:40, function(i) c(i, -i) + 0))
})

test_that("a leaf's handle returns its current gradient and binds methods to itself", {
  x <- torch_tensor(c(1, 2), requires_grad = TRUE)
  (x * 3)$sum()$backward()
  g1 <- x$grad
  expect_equal(as.numeric(g1), c(3, 3))
  (x * 2)$sum()$backward() # accumulates in place: the same gradient tensor
  expect_equal(as.numeric(x$grad), c(5, 5))
  expect_equal(as.numeric(g1), c(5, 5))
  x$grad$zero_()
  expect_equal(as.numeric(x$grad), c(0, 0))
  x$grad <- NULL
  expect_null(x$grad)
  (x * 4)$sum()$backward() # a new gradient tensor
  expect_equal(as.numeric(x$grad), c(4, 4))
  expect_equal(as.numeric(g1), c(0, 0)) # the old one, still valid on its own
  x$grad <- torch_tensor(c(7, 8))
  expect_equal(as.numeric(x$grad), c(7, 8))
  # create_graph replaces the gradient with a new tensor (the sum) instead of adding in place
  y <- torch_tensor(2, requires_grad = TRUE)
  (y^2)$backward(create_graph = TRUE)
  expect_equal(as.numeric(y$grad), 4)
  (y^2)$backward(create_graph = TRUE)
  expect_equal(as.numeric(y$grad), 8)
  y$grad <- NULL # its graph leads back to y: a cycle until cleared
  # methods of a leaf, more of them than it keeps, each bound to the right tensor
  a <- torch_tensor(c(1, 2))
  b <- torch_tensor(c(10, 20))
  for (r in 1:3) {
    expect_equal(as.numeric(a$add(1)), c(2, 3))
    expect_equal(as.numeric(b$add(1)), c(11, 21))
    expect_equal(as.numeric(a$mul(2)), c(2, 4))
    expect_equal(as.numeric(a$sub(1)), c(0, 1))
    expect_equal(as.numeric(a$div(2)), c(0.5, 1))
    expect_equal(as.numeric(a$neg()), c(-1, -2))
    expect_equal(as.numeric(b$neg()), c(-10, -20))
  }
  f <- a$add_
  f(1)
  expect_equal(as.numeric(a), c(2, 3))
  expect_equal(as.numeric(a$add(0)), c(2, 3)) # a method bound earlier sees the new values
  # two handles on one tensor
  a2 <- a$detach()$requires_grad_(FALSE)
  expect_equal(as.numeric(a2$add(0)), c(2, 3))
})

test_that("a kept gradient handle survives its tensor's handle", {
  x <- torch_tensor(c(1, 2), requires_grad = TRUE)
  (x * x)$sum()$backward()
  g <- x$grad
  rm(x)
  invisible(gc())
  expect_equal(as.numeric(g), c(2, 4))
  expect_equal(as.numeric(g$add(1)), c(3, 5))
})
