# Memory stays flat: a long training loop (seed 000's two-layer network) releases every
# graph, gradient and temporary it makes, so that after a collection the C core holds
# exactly what it held before the loop.

core_bytes <- function() {
  gc(full = TRUE)
  gc(full = TRUE)
  torchlite_memory()[["bytes"]]
}

mlp_data <- function() {
  torch_manual_seed(777)
  n <- 100
  d_in <- 3
  d_hidden <- 32
  d_out <- 1
  x <- torch_randn(n, d_in)
  y <- x[, 1, NULL] * 0.2 - x[, 2, NULL] * 1.3 - x[, 3, NULL] * 0.5 + torch_randn(n, 1)
  list(x = x, y = y,
       w1 = torch_randn(d_in, d_hidden, requires_grad = TRUE),
       w2 = torch_randn(d_hidden, d_out, requires_grad = TRUE),
       b1 = torch_zeros(1, d_hidden, requires_grad = TRUE),
       b2 = torch_zeros(1, d_out, requires_grad = TRUE))
}

# the training loop of seed 000 (R torch's autograd example), `iters` times
train_mlp <- function(p, iters, learning_rate = 1e-4) {
  x <- p$x
  y <- p$y
  w1 <- p$w1
  w2 <- p$w2
  b1 <- p$b1
  b2 <- p$b2
  for (t in seq_len(iters)) {
    y_pred <- x$mm(w1)$add(b1)$clamp(min = 0)$mm(w2)$add(b2)
    loss <- (y_pred - y)$pow(2)$sum()
    loss$backward()
    with_no_grad({
      w1$sub_(learning_rate * w1$grad)
      w2$sub_(learning_rate * w2$grad)
      b1$sub_(learning_rate * b1$grad)
      b2$sub_(learning_rate * b2$grad)
      w1$grad$zero_()
      w2$grad$zero_()
      b1$grad$zero_()
      b2$grad$zero_()
    })
  }
  loss$item()
}

test_that("10,000 iterations of the seed-000 training loop leave the core's memory flat", {
  p <- mlp_data()
  # one step first, so that the four $grad tensors (kept between steps) exist
  train_mlp(p, 1)
  before <- core_bytes()
  objects_before <- torchlite_memory()[["objects"]]
  loss <- train_mlp(p, 10000)
  expect_true(is.finite(loss))
  expect_identical(core_bytes(), before)
  expect_identical(torchlite_memory()[["objects"]], objects_before)
})

test_that("memory stays bounded during the loop, not only after it", {
  p <- mlp_data()
  train_mlp(p, 1)
  before <- core_bytes()
  peak <- 0
  for (k in 1:20) {
    train_mlp(p, 100)
    peak <- max(peak, torchlite_memory()[["bytes"]])
  }
  # the core asks R for a collection past a threshold (a minor one every 64 MB of growth in
  # large blocks or 96 MB in all, a full one past 192 MB): the loop never piles up more than
  # that on top of what it keeps
  expect_lt(peak - before, 80 * 2^20)
  expect_identical(core_bytes(), before)
})

test_that("a loop over big tensors triggers collections by itself", {
  before <- core_bytes()
  peak <- 0
  for (i in 1:60) {
    z <- torch_ones(4e6) * 2 # 16 MB each; the handles become garbage at once
    peak <- max(peak, torchlite_memory()[["bytes"]])
  }
  rm(z)
  # 60 x 32 MB would be ~1.9 GB without the core's own collection requests
  expect_lt(peak - before, 400 * 2^20)
  expect_identical(core_bytes(), before)
})

test_that("a chain of big temporaries is freed by minor collections, not full ones", {
  # Each op's input is alive during the collection the op's output may ask for, so it
  # survives that one; the core then arranges for the next collection to include the
  # generation it moved to. Without that, the survivors waited for a full collection (R's
  # gcinfo() reports those; the core's own minor ones run silent): 17 in this loop before,
  # 2 with it.
  x <- torch_randn(4e6) # 16 MB
  invisible(gc())
  lines <- character()
  con <- textConnection("lines", "w", local = TRUE)
  sink(con, type = "message")
  old <- gcinfo(TRUE)
  for (i in 1:60) y <- (x * 2 + 1)$sin()
  gcinfo(old)
  sink(type = "message")
  close(con)
  expect_lt(sum(grepl("level 2", lines)), 7)
  expect_equal(as.numeric(y[1]), sin(as.numeric(x[1]) * 2 + 1), tolerance = 1e-6)
})

test_that("a loop that keeps its big results makes the older-generation requests rarer", {
  # when a collection of the older generation frees little of what grew (the results are
  # alive), the growth the next request waits for doubles (R makes every sixth such
  # collection a full one); a full collection of the core's own sets it back. 80 x 16 MB
  # kept: 6 requests and a slack of 96 MB without the doubling, 4 and 192 MB with it.
  x <- torch_randn(4e6) # 16 MB
  invisible(gc())
  s0 <- torchlite:::.tl_gc_state()
  res <- vector("list", 80)
  for (i in 1:80) res[[i]] <- x * 2
  s1 <- torchlite:::.tl_gc_state()
  expect_gt(s1[["arm_slack_mb"]], 96)
  expect_lt(s1[["armed"]] - s0[["armed"]], 6)
  expect_equal(as.numeric(res[[80]][1]), 2 * as.numeric(x[1]), tolerance = 1e-6)
  rm(res)
  invisible(gc())
  # a chain of temporaries: the requests come again, and free what they are for
  for (i in 1:60) y <- (x * 2 + 1)$sin()
  s2 <- torchlite:::.tl_gc_state()
  expect_gt(s2[["armed"]], s1[["armed"]])
  expect_identical(s2[["arm_slack_mb"]], 96)
  expect_lt(torchlite_memory()[["bytes"]], 400 * 2^20)
})
