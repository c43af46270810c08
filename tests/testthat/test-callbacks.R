# R code called back from the engine (hooks, custom functions' forward and backward) or by
# the data pipeline (datasets, collate functions) may fail with an error or be interrupted.
# Afterwards the engine must be usable (the next backward works), grad mode must be what it
# was, the user must see their own condition, and the failed graph's memory must be
# released once its handles are gone.

core_mem <- function() {
  gc(full = TRUE)
  gc(full = TRUE)
  torchlite_memory()
}

# a condition of class "interrupt", as Ctrl-C signals it
fake_interrupt <- function() signalCondition(structure(class = c("interrupt", "condition"), list()))
# a real SIGINT to this process, handled at the next check for interrupts (Sys.sleep())
real_interrupt <- function() {
  tools::pskill(Sys.getpid(), tools::SIGINT)
  Sys.sleep(2)
}

# what a failing callback is made to do, and how the test catches it
failures <- list(
  error = list(raise = function() stop("boom from R"),
               catch = function(expr) tryCatch(expr, error = function(e) conditionMessage(e))),
  custom_condition = list(
    raise = function() stop(structure(class = c("my_error", "error", "condition"),
                                      list(message = "custom boom", call = NULL))),
    catch = function(expr) tryCatch(expr, my_error = function(e) "custom boom")),
  interrupt = list(raise = fake_interrupt,
                   catch = function(expr) tryCatch(expr, interrupt = function(c) "interrupted"))
)
expected <- c(error = "boom from R", custom_condition = "custom boom", interrupt = "interrupted")

leaf <- function() torch_tensor(c(1, 2, 3), requires_grad = TRUE)

# the engine works and gives the right gradient
expect_engine_works <- function(w) {
  w$grad <- NULL
  (w * w)$sum()$backward()
  expect_identical(as.numeric(w$grad), 2 * as.numeric(w))
  w$grad <- NULL
}

test_that("errors and interrupts in tensor hooks leave the engine usable", {
  w <- leaf()
  expect_engine_works(w) # the leaf's gradient slot exists from now on
  base <- core_mem()
  for (kind in names(failures)) {
    f <- failures[[kind]]
    for (on_leaf in c(FALSE, TRUE)) {
      z <- w * 2
      h <- (if (on_leaf) w else z)$register_hook(function(g) {
        f$raise()
        g
      })
      y <- (z * z)$sum()
      expect_identical(f$catch(y$backward()), expected[[kind]], info = kind)
      expect_true(autograd_is_enabled())
      expect_null(w$grad)
      h$remove()
      rm(z, y, h)
      expect_identical(core_mem(), base, info = paste(kind, on_leaf))
      expect_engine_works(w)
    }
  }
})

test_that("a real SIGINT inside a hook is caught as an interrupt", {
  skip_on_os("windows")
  w <- leaf()
  expect_engine_works(w)
  base <- core_mem()
  z <- w * 2
  z$register_hook(function(g) {
    real_interrupt()
    g
  })
  y <- (z * z)$sum()
  res <- tryCatch(y$backward(), interrupt = function(c) "interrupted")
  expect_identical(res, "interrupted")
  expect_true(autograd_is_enabled())
  rm(z, y)
  expect_identical(core_mem(), base)
  expect_engine_works(w)
})

test_that("a failed backward with retain_graph = TRUE can be run again", {
  w <- leaf()
  z <- w * 2
  h <- z$register_hook(function(g) stop("once"))
  y <- (z * z)$sum()
  expect_error(y$backward(retain_graph = TRUE), "once")
  h$remove()
  y$backward()
  expect_identical(as.numeric(w$grad), 8 * as.numeric(w))
})

test_that("errors in hooks during autograd_grad(create_graph = TRUE) restore grad mode", {
  w <- leaf()
  z <- w * 2
  z$register_hook(function(g) stop("hook boom"))
  y <- (z * z)$sum()
  expect_error(autograd_grad(y, w, create_graph = TRUE), "hook boom")
  expect_true(autograd_is_enabled())
  with_no_grad(expect_error(z$backward(gradient = torch_ones(3)), "hook boom"))
  expect_true(autograd_is_enabled())
  g <- autograd_grad((w * w)$sum(), w, create_graph = TRUE)[[1]]
  expect_true(g$requires_grad)
  expect_identical(as.numeric(g), c(2, 4, 6))
})

test_that("errors and interrupts in custom functions leave the engine usable", {
  w <- leaf()
  expect_engine_works(w)
  base <- core_mem()
  for (kind in names(failures)) {
    f <- failures[[kind]]
    # forward fails (after making tensors and turning grad mode on)
    fwd <- autograd_function(
      forward = function(ctx, x) {
        tmp <- x * 3
        ctx$save_for_backward(tmp = tmp)
        autograd_set_grad_mode(TRUE)
        f$raise()
        tmp
      },
      backward = function(ctx, g) list(x = g))
    expect_identical(f$catch(fwd(w)), expected[[kind]], info = kind)
    expect_true(autograd_is_enabled())
    # backward fails
    bwd <- autograd_function(
      forward = function(ctx, x) {
        ctx$save_for_backward(x = x)
        x * 2
      },
      backward = function(ctx, grad_output) {
        partial <- grad_output * 2
        f$raise()
        list(x = partial)
      })
    y <- (bwd(w) * w)$sum()
    expect_identical(f$catch(y$backward()), expected[[kind]], info = kind)
    expect_true(autograd_is_enabled())
    expect_null(w$grad)
    rm(fwd, bwd, y)
    expect_identical(core_mem(), base, info = kind)
    expect_engine_works(w)
  }
  # and a custom function that works still works after all that
  sq <- autograd_function(
    forward = function(ctx, x) {
      ctx$save_for_backward(x = x)
      x * x
    },
    backward = function(ctx, grad_output) list(x = 2 * ctx$saved_variables$x * grad_output))
  sq(w)$sum()$backward()
  expect_identical(as.numeric(w$grad), c(2, 4, 6))
})

test_that("errors in backward with create_graph = TRUE restore grad mode", {
  w <- leaf()
  bad <- autograd_function(function(ctx, x) x * 2, function(ctx, g) {
    expect_true(autograd_is_enabled()) # create_graph records the backward pass
    stop("bw boom")
  })
  y <- bad(w)$sum()
  expect_error(y$backward(create_graph = TRUE), "bw boom")
  expect_true(autograd_is_enabled())
  bad2 <- autograd_function(function(ctx, x) x * 2, function(ctx, g) {
    expect_false(autograd_is_enabled())
    stop("bw boom")
  })
  y2 <- bad2(w)$sum()
  with_no_grad(expect_error(autograd_backward(list(y2)), "bw boom"))
  expect_true(autograd_is_enabled())
  expect_engine_works(w)
})

test_that("errors and interrupts in datasets and collate functions leave things usable", {
  w <- leaf()
  expect_engine_works(w)
  base <- core_mem()
  for (kind in names(failures)) {
    f <- failures[[kind]]
    ds <- dataset("failing",
      initialize = function(n) self$x <- torch_randn(n, 2),
      .getitem = function(i) {
        if (i == 3) f$raise()
        list(x = self$x[i, ])
      },
      .length = function() self$x$size(1))
    dl <- dataloader(ds(4), batch_size = 2)
    it <- dataloader_make_iter(dl)
    expect_identical(dataloader_next(it)$x$shape, c(2L, 2L))
    expect_identical(f$catch(dataloader_next(it)), expected[[kind]], info = kind)
    dl2 <- dataloader(tensor_dataset(torch_randn(4, 2)), batch_size = 2,
                      collate_fn = function(batch) {
                        f$raise()
                        batch
                      })
    expect_identical(f$catch(dataloader_next(dataloader_make_iter(dl2))), expected[[kind]], info = kind)
    # in a training step, under with_no_grad
    res <- f$catch(with_no_grad({
      b <- torch_ones(2)
      f$raise()
    }))
    expect_identical(res, expected[[kind]])
    expect_true(autograd_is_enabled())
    rm(ds, dl, it, dl2, b)
    expect_identical(core_mem(), base, info = kind)
    expect_engine_works(w)
  }
  # a fresh loader works
  dl <- dataloader(tensor_dataset(torch_ones(4, 2)), batch_size = 4)
  expect_identical(dataloader_next(dataloader_make_iter(dl))[[1]]$shape, c(4L, 2L))
})

test_that("an optimiser's closure that fails leaves the optimiser usable", {
  p <- leaf()
  opt <- optim_lbfgs(list(p), lr = 1, max_iter = 5)
  expect_error(opt$step(function() stop("closure boom")), "closure boom")
  expect_true(autograd_is_enabled())
  closure <- function() {
    opt$zero_grad()
    loss <- ((p - 1)^2)$sum()
    loss$backward()
    loss
  }
  for (i in 1:5) opt$step(closure)
  expect_equal(as.numeric(p), c(1, 1, 1), tolerance = 1e-4)
})

test_that("a hook that drops handles and runs the garbage collector is safe", {
  w <- leaf()
  e <- new.env()
  e$z <- w * 2
  e$u <- e$z$exp()
  y <- (e$u * e$z)$sum()
  e$z$register_hook(function(g) {
    rm(list = ls(e), envir = e)
    for (i in 1:3) gc(full = TRUE)
    g * 1
  })
  y$backward()
  z <- 2 * c(1, 2, 3)
  expect_equal(as.numeric(w$grad), (exp(z) * z + exp(z)) * 2, tolerance = 1e-6)
  # big allocations inside a hook make the core ask R for collections mid-backward
  w$grad <- NULL
  z2 <- w * 2
  z2$register_hook(function(g) {
    for (i in 1:20) big <- torch_ones(4e6)
    g
  })
  (z2 * z2)$sum()$backward()
  expect_identical(as.numeric(w$grad), c(8, 16, 24))
})
