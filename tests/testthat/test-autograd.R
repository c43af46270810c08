# Autograd: the seeds' examples (exact printed output), the API, and its error paths.

out_lines <- function(expr) capture.output(print(expr))

test_that("seed 000: mean, grad and the next_functions chain", {
  x <- torch_ones(2, 2, requires_grad = TRUE)
  y <- x$mean()
  expect_identical(out_lines(y$grad_fn), "MeanBackward0")
  y$backward()
  expect_identical(out_lines(x$grad),
                   c("torch_tensor", " 0.2500  0.2500", " 0.2500  0.2500", "[ CPUFloatType{2,2} ]"))

  x1 <- torch_ones(2, 2, requires_grad = TRUE)
  x2 <- torch_tensor(1.1, requires_grad = TRUE)
  y <- x1 * (x2 + 2)
  z <- y$pow(2) * 3
  out <- z$mean()
  y$retain_grad()
  z$retain_grad()
  expect_identical(out_lines(out$grad_fn), "MeanBackward0")
  nf <- out$grad_fn$next_functions
  expect_identical(out_lines(nf), c("[[1]]", "MulBackward1", ""))
  nf <- nf[[1]]$next_functions
  expect_identical(out_lines(nf), c("[[1]]", "PowBackward0", ""))
  nf <- nf[[1]]$next_functions
  expect_identical(out_lines(nf), c("[[1]]", "MulBackward0", ""))
  nf <- nf[[1]]$next_functions
  expect_identical(out_lines(nf), c("[[1]]", "torch::autograd::AccumulateGrad", "",
                                    "[[2]]", "AddBackward1", ""))
  expect_identical(out_lines(nf[[2]]$next_functions),
                   c("[[1]]", "torch::autograd::AccumulateGrad", ""))
  out$backward()
  expect_identical(out_lines(z$grad),
                   c("torch_tensor", " 0.2500  0.2500", " 0.2500  0.2500", "[ CPUFloatType{2,2} ]"))
  expect_identical(out_lines(y$grad),
                   c("torch_tensor", " 4.6500  4.6500", " 4.6500  4.6500", "[ CPUFloatType{2,2} ]"))
  expect_identical(out_lines(x2$grad), c("torch_tensor", " 18.6000", "[ CPUFloatType{1} ]"))
  expect_identical(out_lines(x1$grad),
                   c("torch_tensor", " 14.4150  14.4150", " 14.4150  14.4150", "[ CPUFloatType{2,2} ]"))
})

test_that("seed 001: x7, its grad_fn and the partial derivatives", {
  x1 <- torch_tensor(2, requires_grad = TRUE)
  x2 <- torch_tensor(2, requires_grad = TRUE)
  x3 <- x1$square()
  x5 <- x3 * 0.2
  x4 <- x2$square()
  x6 <- x4 * 0.2
  x7 <- x5 + x6 - 5
  expect_identical(out_lines(x7),
                   c("torch_tensor", "-3.4000", "[ CPUFloatType{1} ][ grad_fn = <SubBackward1> ]"))
  expect_true(x7$requires_grad)
  x7$backward()
  expect_identical(out_lines(x1$grad), c("torch_tensor", " 0.8000", "[ CPUFloatType{1} ]"))
  expect_identical(out_lines(x2$grad), c("torch_tensor", " 0.8000", "[ CPUFloatType{1} ]"))
})

test_that("seed 001: the Rosenbrock lab prints the seed's numbers", {
  a <- 1
  b <- 5
  rosenbrock <- function(x) {
    x1 <- x[1]
    x2 <- x[2]
    (a - x1)^2 + b * (x2 - x1^2)^2
  }
  num_iterations <- 1000
  lr <- 0.01
  x <- torch_tensor(c(-1, 1), requires_grad = TRUE)
  printed <- capture.output(
    for (i in 1:num_iterations) {
      if (i %% 100 == 0) cat("Iteration: ", i, "\n")
      value <- rosenbrock(x)
      if (i %% 100 == 0) cat("Value is: ", as.numeric(value), "\n")
      value$backward()
      if (i %% 100 == 0) cat("Gradient is: ", as.matrix(x$grad), "\n")
      with_no_grad({
        x$sub_(lr * x$grad)
        x$grad$zero_()
      })
    })
  expect_identical(printed[1:9], c(
    "Iteration:  100 ", "Value is:  0.3502924 ", "Gradient is:  -0.667685 -0.5771312 ",
    "Iteration:  200 ", "Value is:  0.07398106 ", "Gradient is:  -0.1603189 -0.2532476 ",
    "Iteration:  300 ", "Value is:  0.02483024 ", "Gradient is:  -0.07679074 -0.1373911 "))
  expect_identical(printed[28:30], c(
    "Iteration:  1000 ", "Value is:  6.962555e-05 ", "Gradient is:  -0.003222887 -0.006653666 "))
  expect_identical(out_lines(x), c("torch_tensor", " 0.9918", " 0.9830",
                                   "[ CPUFloatType{2} ][ requires_grad = TRUE ]"))
})

test_that("seed 002: chain rule through four parameters, accumulation and reset", {
  x <- torch_tensor(1.0, requires_grad = TRUE)
  y <- x^2
  y$backward()
  expect_equal(x$grad$item(), 2)
  y2 <- x^3
  y2$backward()
  expect_equal(x$grad$item(), 5)
  y2 <- x^3
  x$grad <- NULL
  y2$backward()
  expect_equal(x$grad$item(), 3)

  p1 <- torch_tensor(1.0, requires_grad = TRUE)
  p2_1 <- torch_tensor(2.0, requires_grad = TRUE)
  p2_2 <- torch_tensor(3.0, requires_grad = TRUE)
  p3 <- torch_tensor(1.5, requires_grad = TRUE)
  x <- 3
  o1 <- (p1 * x)^2 + 1
  o2_1 <- (p2_1 * o1)^0.5 - 4
  o2_2 <- (p2_2 * o1)$sin()
  o3 <- (p3 * (o2_1 + 2 * o2_2) + 9)^0.3
  y <- 8 * o3
  y$backward()
  expect_identical(out_lines(p1$grad), c("torch_tensor", " 19.5745", "[ CPUFloatType{1} ]"))
  expect_identical(out_lines(p2_1$grad), c("torch_tensor", " 1.0581", "[ CPUFloatType{1} ]"))
  expect_identical(out_lines(p2_2$grad), c("torch_tensor", " 2.9195", "[ CPUFloatType{1} ]"))
  expect_identical(out_lines(p3$grad), c("torch_tensor", "-0.9488", "[ CPUFloatType{1} ]"))
})

test_that("seed 003: loss values, vector backward, detach and no_grad", {
  vals <- c(-1.2365, 1.8245, -1.0701, 0.0869, -0.0376)
  x <- torch_tensor(vals)
  loss <- x^2 - 5
  expect_identical(out_lines(loss), c("torch_tensor", "-3.4711", "-1.6712", "-3.8549", "-4.9924",
                                      "-4.9986", "[ CPUFloatType{5} ]"))
  x <- torch_tensor(vals, requires_grad = TRUE)
  loss <- x^2 - 5
  expect_identical(tail(out_lines(loss), 1), "[ CPUFloatType{5} ][ grad_fn = <SubBackward1> ]")
  expect_identical(out_lines(loss$grad_fn), "SubBackward1")
  loss$backward(gradient = torch_ones(5))
  g <- c("torch_tensor", "-2.4730", " 3.6490", "-2.1402", " 0.1738", "-0.0752")
  expect_identical(out_lines(x$grad), c(g, "[ CPUFloatType{5} ]"))
  expect_identical(out_lines(2 * x), c(g, "[ CPUFloatType{5} ][ grad_fn = <MulBackward0> ]"))
  a <- torch_rand(2, 2, requires_grad = TRUE)
  expect_true(a$requires_grad)
  b <- a$detach()
  expect_false(b$requires_grad)
  c <- torch_rand(2, 2, requires_grad = TRUE)
  expect_output(with_no_grad({
    loss <- c^2
    print(loss$requires_grad)
  }), "[1] FALSE", fixed = TRUE)
})

test_that("backward() is invisible and refuses non-scalar outputs without a gradient", {
  x <- torch_tensor(c(1, 2), requires_grad = TRUE)
  y <- x * 2
  expect_torch_error(y$backward(), "runtime_error",
                     "grad can be implicitly created only for scalar outputs")
  expect_invisible(y$sum()$backward())
  expect_equal(as_array(x$grad), c(2, 2))
  expect_torch_error((x * 2)$backward(gradient = torch_ones(3)), "runtime_error",
                     "Mismatch in shape")
  expect_torch_error(torch_ones(1)$backward(), "runtime_error",
                     "does not require grad and does not have a grad_fn")
})

test_that("a freed graph cannot be walked twice; retain_graph keeps it", {
  x <- torch_tensor(c(1, 2), requires_grad = TRUE)
  y <- (x * x)$sum()
  y$backward(retain_graph = TRUE)
  y$backward()
  expect_equal(as_array(x$grad), c(4, 8))
  expect_torch_error(y$backward(), "runtime_error",
                     "Trying to backward through the graph a second time")
})

test_that("grad is shared, zeroed in place, assigned and cleared", {
  x <- torch_tensor(c(1, 2), requires_grad = TRUE)
  (x * 3)$sum()$backward()
  g <- x$grad
  g$zero_()
  expect_equal(as_array(x$grad), c(0, 0))
  x$grad <- torch_tensor(c(5, 6))
  expect_equal(as_array(x$grad), c(5, 6))
  (x * 1)$sum()$backward()
  expect_equal(as_array(x$grad), c(6, 7))
  x$grad <- NULL
  expect_null(x$grad)
  expect_torch_error(x$grad <- torch_ones(3), "runtime_error", "different size")
})

test_that("leaves, requires_grad and detach follow PyTorch", {
  x <- torch_ones(2, requires_grad = TRUE)
  y <- x * 2
  expect_true(x$is_leaf)
  expect_false(y$is_leaf)
  expect_true(y$requires_grad)
  expect_torch_error(y$requires_grad <- FALSE, "runtime_error",
                     "you can only change requires_grad flags of leaf variables")
  d <- y$detach()
  expect_false(d$requires_grad)
  expect_true(d$is_leaf)
  expect_identical(torchlite:::.tl_data_ptr(d), torchlite:::.tl_data_ptr(y))
  y$detach_()
  expect_null(y$grad_fn)
  expect_false(y$requires_grad)
  z <- torch_zeros(2)$requires_grad_()
  expect_true(z$requires_grad)
})

test_that("in-place operations on leaves that require grad are refused", {
  x <- torch_ones(2, requires_grad = TRUE)
  expect_torch_error(x$sub_(1), "runtime_error",
                     "a leaf Variable that requires grad is being used in an in-place operation.")
  expect_equal(as_array(x), c(1, 1))
  with_no_grad(x$sub_(1))
  expect_equal(as_array(x), c(0, 0))
})

test_that("modifying a saved tensor in place is detected", {
  x <- torch_tensor(c(1, 2), requires_grad = TRUE)
  e <- x$exp()
  s <- e$sum()
  with_no_grad(e$add_(1))
  expect_torch_error(s$backward(), "runtime_error",
                     "one of the variables needed for gradient computation has been modified by an inplace operation")
})

test_that("grad mode nests, is restored on error, and local_ forms last until return", {
  x <- torch_ones(1, requires_grad = TRUE)
  expect_true(autograd_is_enabled())
  with_no_grad({
    expect_false((x * 2)$requires_grad)
    with_enable_grad(expect_true((x * 2)$requires_grad))
    expect_false(autograd_is_enabled())
  })
  expect_true(autograd_is_enabled())
  expect_error(with_no_grad(stop("boom")), "boom")
  expect_true(autograd_is_enabled())
  f <- function() {
    local_no_grad()
    autograd_is_enabled()
  }
  expect_false(f())
  expect_true(autograd_is_enabled())
  g <- function() {
    with_no_grad({
      local_enable_grad()
      autograd_is_enabled()
    })
  }
  expect_true(autograd_set_grad_mode(FALSE))
  expect_false(autograd_is_enabled())
  autograd_set_grad_mode(TRUE)
  expect_true(autograd_is_enabled())
})

test_that("autograd_grad returns gradients without touching $grad", {
  x <- torch_tensor(c(1, 2, 3), requires_grad = TRUE)
  w <- torch_tensor(c(2, 2, 2), requires_grad = TRUE)
  y <- (x * w)$sum()
  g <- autograd_grad(y, list(x, w))
  expect_equal(as_array(g[[1]]), c(2, 2, 2))
  expect_equal(as_array(g[[2]]), c(1, 2, 3))
  expect_null(x$grad)
  u <- torch_ones(1, requires_grad = TRUE)
  y <- (x * x)$sum()
  expect_torch_error(autograd_grad(y, list(x, u)), "runtime_error",
                     "One of the differentiated Tensors appears to not have been used in the graph")
  y <- (x * x)$sum()
  g <- autograd_grad(y, list(x, u), allow_unused = TRUE)
  expect_null(g[[2]])
  expect_torch_error(autograd_grad(y, torch_ones(1)), "runtime_error", "does not require grad")
})

test_that("create_graph gives higher-order gradients", {
  x <- torch_tensor(2, dtype = torch_float64(), requires_grad = TRUE)
  y <- x^3
  g <- autograd_grad(y, x, create_graph = TRUE)[[1]]
  expect_equal(g$item(), 12)
  expect_false(is.null(g$grad_fn))
  g2 <- autograd_grad(g, x)[[1]]
  expect_equal(g2$item(), 12)
  # through backward(create_graph = TRUE): x$grad carries a graph
  x2 <- torch_tensor(c(1, 2), dtype = torch_float64(), requires_grad = TRUE)
  (x2$sin())$sum()$backward(create_graph = TRUE)
  gg <- autograd_grad(x2$grad$sum(), x2)[[1]]
  expect_equal(as_array(gg), -sin(c(1, 2)))
  # a grad with a graph refers back to its leaf (a cycle, as in PyTorch): break it
  x2$grad <- NULL
})

test_that("autograd_backward with several roots and inputs =", {
  a <- torch_tensor(c(1, 2), requires_grad = TRUE)
  b <- torch_tensor(c(3, 4), requires_grad = TRUE)
  autograd_backward(list((a * b)$sum(), a$sum()))
  expect_equal(as_array(a$grad), c(4, 5))
  expect_equal(as_array(b$grad), c(1, 2))
  a$grad <- NULL
  b$grad <- NULL
  (a * b)$sum()$backward(inputs = list(a))
  expect_equal(as_array(a$grad), c(3, 4))
  expect_null(b$grad)
})

test_that("hooks see and replace gradients, can be removed, and errors are contained", {
  x <- torch_tensor(c(1, 2), requires_grad = TRUE)
  seen <- NULL
  h <- x$register_hook(function(grad) {
    seen <<- as_array(grad)
    grad * 10
  })
  (x * 3)$sum()$backward()
  expect_equal(seen, c(3, 3))
  expect_equal(as_array(x$grad), c(30, 30))
  h$remove()
  x$grad <- NULL
  (x * 3)$sum()$backward()
  expect_equal(as_array(x$grad), c(3, 3))
  # a hook on a non-leaf
  x$grad <- NULL
  y <- x * 2
  y$register_hook(function(grad) grad + 1)
  y$sum()$backward()
  expect_equal(as_array(x$grad), c(4, 4))
  # an R error inside a hook comes out as itself, and the engine stays usable
  z <- torch_tensor(c(1, 2), requires_grad = TRUE)
  z$register_hook(function(grad) stop("hook failed"))
  expect_error((z * 2)$sum()$backward(), "hook failed")
  expect_true(autograd_is_enabled())
  w <- torch_tensor(c(1, 2), requires_grad = TRUE)
  (w * 2)$sum()$backward()
  expect_equal(as_array(w$grad), c(2, 2))
  # a hook that runs a backward pass of its own (grad mode is off inside backward, as in
  # PyTorch, so the hook turns it on to record)
  p <- torch_tensor(1, requires_grad = TRUE)
  q <- torch_tensor(1, requires_grad = TRUE)
  p$register_hook(function(grad) {
    with_enable_grad((q * 5)$sum()$backward())
    NULL
  })
  (p * 2)$sum()$backward()
  expect_equal(q$grad$item(), 5)
  expect_torch_error(torch_ones(1)$register_hook(function(g) g), "runtime_error",
                     "doesn't require gradient")
})

test_that("with_detect_anomaly runs code and restores the mode", {
  x <- torch_tensor(c(1, 2), requires_grad = TRUE)
  with_detect_anomaly({
    y <- (x * x)$sum()
    y$backward()
  })
  expect_equal(as_array(x$grad), c(2, 4))
})

test_that("100,000 forward/backward iterations return the core's memory", {
  gc(); gc() # handles of small tensors are released by chunk: it takes two collections
  before <- torchlite_memory()[["bytes"]]
  x <- torch_tensor(c(-1, 1), requires_grad = TRUE)
  for (i in 1:100000) {
    value <- (1 - x[1])^2 + 5 * (x[2] - x[1]^2)^2
    value$backward()
    with_no_grad({
      x$sub_(0.01 * x$grad)
      x$grad$zero_()
    })
  }
  rm(value, x)
  gc(); gc() # handles of small tensors are released by chunk: it takes two collections
  expect_equal(torchlite_memory()[["bytes"]], before)
})

test_that("with_detect_anomaly names the operation behind a NaN gradient", {
  # sqrt's gradient at 0 is Inf; times the 0 coming back from `* 0` it is NaN
  x2 <- torch_tensor(c(0, 1), requires_grad = TRUE)
  err <- with_detect_anomaly(tryCatch({
    w <- x2$sqrt() * 0
    w$sum()$backward()
    NULL
  }, error = function(e) e))
  expect_s3_class(err, "runtime_error")
  expect_match(conditionMessage(err), "Function 'SqrtBackward0' returned nan values in its 0th output.", fixed = TRUE)
  expect_match(conditionMessage(err), "x2$sqrt()", fixed = TRUE)
  # outside anomaly mode the same backward just produces NaN
  x3 <- torch_tensor(c(0, 1), requires_grad = TRUE)
  (x3$sqrt() * 0)$sum()$backward()
  expect_true(is.nan(as_array(x3$grad)[1]))
})
