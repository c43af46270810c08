# Wrong inputs to autograd: backward, grad, grad mode, custom functions, hooks, gradcheck,
# graphs and the optim() bridge. Classed errors and an intact session (helper-bad-input.R);
# an error raised by the user's own R code (a hook, forward, backward, fn) reaches the user
# unchanged, with grad mode restored.

not_tensor_lists <- c("chr", "fun", "fac", "na", "nan", "inf", "neg", "huge", "cplx", "raw",
                      "env", "mat", "vec2", "num0")
not_flags <- c("chr", "lst", "null", "fun", "fac", "na", "nan", "inf", "neg", "huge", "cplx",
               "raw", "env", "df", "mat", "vec2", "num0", "empty", "dead", "int", "bool", "t3d")

leaf <- function() torch_tensor(c(1, 2), requires_grad = TRUE)

test_that("autograd_backward() and autograd_grad(): every wrong value is a classed error", {
  fuzz_args("autograd_backward", function() list(tensors = (leaf() * 2)$sum(), grad_tensors = NULL,
                                                  retain_graph = FALSE, create_graph = FALSE),
            fail = list(tensors = c(not_tensor_lists, "null", "empty", "dead", "int", "bool", "t3d"),
                        grad_tensors = c(not_tensor_lists, "empty", "dead", "t3d"),
                        retain_graph = not_flags, create_graph = not_flags))
  fuzz_args("autograd_grad", function() {
    w <- leaf()
    list(outputs = (w * 2)$sum(), inputs = w, grad_outputs = NULL, retain_graph = FALSE,
         allow_unused = FALSE)
  }, fail = list(outputs = c(not_tensor_lists, "null", "empty", "dead", "int", "bool", "t3d"),
                 inputs = c(not_tensor_lists, "empty", "dead", "int", "bool", "t3d"),
                 retain_graph = not_flags, allow_unused = not_flags))
  w <- leaf()
  expect_bad(autograd_backward("a"), "value_error", "tensors must be a tensor or a list of tensors")
  expect_bad(autograd_backward(list(w$sum(), "a")), "value_error", "tensors must be a tensor or a list")
  expect_bad(autograd_backward(w$sum(), grad_tensors = "a"), "value_error", "grad_tensors must be")
  expect_bad(autograd_backward(w$sum(), retain_graph = NA), "value_error", "retain_graph must be TRUE or FALSE")
  expect_bad(autograd_backward(w), "runtime_error", "grad can be implicitly created only for scalar outputs")
  expect_bad(autograd_backward(list(w$sum()), list(torch_ones(1), torch_ones(1))), "value_error",
             "got 1 tensors and 2 gradients")
  expect_bad(autograd_backward(torch_ones(1)), "runtime_error", "does not require grad and does not have a grad_fn")
  expect_bad(w$sum()$backward(gradient = torch_ones(3)), "runtime_error", "Mismatch in shape")
  expect_bad(w$backward(gradient = "a"), "value_error", "must be a tensor or a list of tensors")
  y <- (w * w)$sum()
  autograd_grad(y, w)
  expect_bad(autograd_grad(y, w), "runtime_error", "Trying to backward through the graph a second time")
  expect_bad(autograd_grad((w * 2)$sum(), torch_ones(2, requires_grad = TRUE)), "runtime_error",
             "Set allow_unused=TRUE")
  expect_bad(autograd_grad((w * 2)$sum(), "a"), "value_error", "inputs must be a tensor or a list of tensors")
  expect_bad(autograd_grad((w * 2)$sum(), w, allow_unused = "a"), "value_error", "allow_unused must be TRUE or FALSE")
  expect_bad(autograd_grad((w * 2)$sum(), w, grad_outputs = torch_ones(3)), "runtime_error", "Mismatch in shape")
  # modified in place after being saved
  v <- leaf()
  z <- v * 1
  out <- (z * z)$sum()
  with_no_grad(z$add_(1))
  expect_bad(out$backward(), "runtime_error", "modified by an inplace operation")
  # the engine still works
  u <- leaf()
  (u * u)$sum()$backward()
  expect_identical(as.numeric(u$grad), c(2, 4))
})

test_that("grad mode: wrong values are classed errors and errors restore the mode", {
  fuzz_args("autograd_set_grad_mode", function() list(enabled = TRUE), fail = list(enabled = not_flags))
  for (fn in c("with_no_grad", "with_enable_grad", "with_detect_anomaly"))
    fuzz_args(fn, function() list(code = 1))
  expect_no_args("autograd_is_enabled", isTRUE)
  expect_bad(autograd_set_grad_mode("a"), "value_error", "enabled must be TRUE or FALSE")
  expect_bad(local_no_grad(.env = "a"), "value_error", ".env must be an environment")
  expect_bad(local_enable_grad(.env = list()), "value_error", ".env must be an environment")
  expect_bad(local_no_grad(.env = NULL), "value_error", ".env must be an environment")
  # the user's error reaches the user, and the mode is restored
  expect_error(with_no_grad(stop("boom")), "boom")
  expect_true(autograd_is_enabled())
  # no code at all, an interrupt, and return() from the caller's frame also restore it
  expect_error(with_no_grad(), "argument \"code\" is missing")
  expect_true(autograd_is_enabled())
  expect_identical(tryCatch(with_no_grad(signalCondition(structure(
    class = c("interrupt", "condition"), list()))), interrupt = function(c) "interrupted"),
    "interrupted")
  expect_true(autograd_is_enabled())
  early <- function() {
    with_no_grad(return(autograd_is_enabled()))
    "not reached"
  }
  expect_false(early())
  expect_true(autograd_is_enabled())
  expect_false(with_enable_grad(with_no_grad(autograd_is_enabled())))
  expect_error(with_detect_anomaly(stop("boom")), "boom")
  expect_true(autograd_is_enabled())
  with_no_grad({
    expect_error(with_enable_grad(stop("boom")), "boom")
    expect_false(autograd_is_enabled())
  })
  f <- function() {
    local_no_grad()
    stop("inside")
  }
  expect_error(f(), "inside")
  expect_true(autograd_is_enabled())
  g <- function() {
    local_no_grad()
    local_enable_grad()
    stop("inside")
  }
  expect_error(g(), "inside")
  expect_true(autograd_is_enabled())
  expect_identical(session_problems(TRUE), character())
})

test_that("custom functions: wrong definitions and results are classed errors", {
  fuzz_args("autograd_function", function() list(forward = function(ctx, x) x * 2,
                                                  backward = function(ctx, g) list(x = g * 2)),
            fail = list(forward = setdiff(names(bad_values()), "fun"),
                        backward = setdiff(names(bad_values()), "fun")))
  w <- leaf()
  expect_bad(autograd_function(1, 2), "value_error", "forward and backward must be functions")
  f3 <- autograd_function(function(ctx, x) "a", function(ctx, g) g)
  expect_bad(f3(w), "value_error", "forward must return a tensor or a list of tensors")
  f4 <- autograd_function(function(ctx, x) x * 2, function(ctx, g) list(x = "a"))
  expect_bad(f4(w)$sum()$backward(), "runtime_error", "returned a non-tensor")
  f5 <- autograd_function(function(ctx, x) x * 2, function(ctx, g) list(x = torch_ones(5)))
  expect_bad(f5(w)$sum()$backward(), "runtime_error", "has the wrong shape")
  f6 <- autograd_function(function(ctx, x) x * 2, function(ctx, g) list(z = g))
  expect_bad(f6(w)$sum()$backward(), "value_error", "gradients for unknown inputs: z")
  f7 <- autograd_function(function(ctx, x) x * 2, function(ctx, g) 42)
  expect_bad(f7(w)$sum()$backward(), "value_error", "backward must return a list of gradients")
  f8 <- autograd_function(function(ctx, x) x * 2, function(ctx, g) list(g, g, g))
  expect_bad(f8(w)$sum()$backward(), "value_error", "more gradients than there are inputs")
  f9 <- autograd_function(function(ctx, x) x * 2, function(ctx, g) list(x = dead_tensor()))
  expect_bad(f9(w)$sum()$backward(), "runtime_error")
  expect_null(w$grad)
})

test_that("hooks and tensor autograd methods check their arguments", {
  w <- leaf()
  expect_bad(w$register_hook("a"), "value_error", "hook must be a function")
  expect_bad(w$requires_grad_(NA), "value_error", "requires_grad must be TRUE or FALSE")
  i <- torch_tensor(1:2)
  expect_bad(i$requires_grad_(TRUE), "runtime_error", "Only Tensors of floating point")
  h <- leaf()
  h$register_hook(function(g) torch_ones(3))
  expect_bad((h * 2)$sum()$backward(), "runtime_error", "has changed the type or size of the gradient")
  h2 <- leaf()
  h2$register_hook(function(g) g$to(dtype = torch_float64()))
  expect_bad((h2 * 2)$sum()$backward(), "runtime_error", "has changed the type or size")
  expect_null(h$grad)
})

test_that("gradcheck() checks its arguments", {
  x <- function() torch_tensor(c(0.5, 1.5), dtype = torch_float64(), requires_grad = TRUE)
  fuzz_args("gradcheck", function() list(fn = function(x) (x * x)$sum(), inputs = x(), eps = 1e-6,
                                          atol = 1e-5, rtol = 1e-3),
            fail = list(fn = setdiff(names(bad_values()), "fun"),
                        inputs = c(not_tensor_lists, "null", "empty", "dead", "int", "bool", "t3d"),
                        eps = c(not_flags, "null"),
                        atol = c(setdiff(not_flags, c("inf", "huge")), "null"),
                        rtol = c(setdiff(not_flags, c("inf", "huge")), "null")))
  expect_bad(gradcheck(function(x) x$sum(), torch_tensor(1, dtype = torch_float64())), "value_error",
             "at least one input with requires_grad = TRUE")
  expect_bad(gradcheck(function(x) 1, x()), "value_error", "fn must return a tensor")
  expect_bad(gradcheck(function(x) x$sum(), x(), eps = "a"), "value_error", "eps must be a single non-negative number")
  expect_bad(gradcheck(function(x) (x * x)$sum(), list(x(), "a")), "value_error", "inputs must be a tensor or a list")
  expect_error(gradcheck(function(x) stop("inner"), x()), "inner")
  expect_true(autograd_is_enabled())
})

test_that("graphs and DOT output check their arguments", {
  y <- function() (leaf() * 2)$sum()
  fuzz_args("autograd_graph", function() list(y = y(), params = NULL),
            fail = list(y = setdiff(names(bad_values()), c("empty", "int", "bool", "t3d")),
                        params = setdiff(names(bad_values()), c("null", "lst", "df"))))
  fuzz_args("autograd_graph_dot", function() list(y = y()),
            fail = list(y = setdiff(names(bad_values()), c("empty", "int", "bool", "t3d"))))
  fuzz_args("as_dot", function() list(x = autograd_graph(y())),
            fail = list(x = setdiff(names(bad_values()), c("empty", "int", "bool", "t3d"))))
  fuzz_args("render_dot", function() list(dot = "digraph { a -> b }", file = tempfile(fileext = ".svg")),
            fail = list(dot = setdiff(names(bad_values()), c("chr", "empty", "int", "bool", "t3d")),
                        file = setdiff(names(bad_values()), "chr")))
  expect_bad(autograd_graph("a"), "value_error", "y must be a tensor")
  expect_bad(autograd_graph(y(), params = "a"), "value_error", "params must be a named list of tensors")
  expect_bad(as_dot(1), "value_error", "as_dot() needs a graph from autograd_graph() or a tensor")
  expect_bad(render_dot(1, "a.svg"), "value_error", "dot must be DOT text")
  expect_bad(render_dot("digraph{}", 1), "value_error", "file must be a file name")
  expect_bad(render_dot("digraph{}", tempfile(fileext = ".svg"), format = 1), "value_error", "format")
})

test_that("torch_optim_objective() checks fn, dtype and par", {
  fuzz_args("torch_optim_objective", function() list(fn = function(x) sum(x^2), dtype = torch_float64()),
            fail = list(fn = setdiff(names(bad_values()), "fun"),
                        dtype = setdiff(names(bad_values()), character())))
  expect_bad(torch_optim_objective(1), "value_error", "fn must be a function")
  expect_bad(torch_optim_objective(function(x) sum(x), dtype = torch_int64()), "value_error",
             "dtype must be torch_float64() or torch_float32()")
  o <- torch_optim_objective(function(x) sum(x^2))
  expect_bad(o$fn("a"), "value_error", "par must be a non-empty numeric vector")
  expect_bad(o$gr(NULL), "value_error", "par must be a non-empty numeric vector")
  o2 <- torch_optim_objective(function(x) "a")
  expect_bad(o2$fn(1), "value_error", "fn must return a one-element tensor")
  o3 <- torch_optim_objective(function(x) stop("obj boom"))
  expect_error(o3$fn(c(1, 2)), "obj boom")
  expect_identical(o$fn(c(1, 2)), 5)
  expect_identical(o$gr(c(1, 2)), c(2, 4))
})

test_that("every argument of backward, grad and gradcheck", {
  fuzz_args("autograd_backward", function() {
    w <- leaf()
    list(tensors = (w * 2)$sum(), grad_tensors = NULL, retain_graph = TRUE, create_graph = TRUE,
         inputs = list(w))
  })
  fuzz_args("autograd_grad", function() {
    w <- leaf()
    list(outputs = (w * 2)$sum(), inputs = list(w), grad_outputs = torch_tensor(1)$squeeze(),
         retain_graph = TRUE, create_graph = TRUE, allow_unused = TRUE)
  })
  fuzz_args("gradcheck", function() list(fn = function(x) (x * x)$sum(),
                                          inputs = torch_tensor(c(0.5, 1.5), dtype = torch_float64(),
                                                                requires_grad = TRUE),
                                          eps = 1e-6, atol = 1e-5, rtol = 1e-3, raise_exception = FALSE))
  fuzz_args("render_dot", function() list(dot = "digraph{}", file = tempfile(fileext = ".svg"), format = "svg"))
})

test_that("wrong later arguments of backward leave no memory behind", {
  w <- leaf()
  y <- (w * w)$sum()
  gc(); gc() # handles of small tensors are released by chunk: it takes two collections
  before <- torchlite_memory()
  for (i in 1:10) {
    expect_bad(autograd_backward(list(y), list("a")), "value_error")
    expect_bad(autograd_backward(list(y), inputs = list("a")), "value_error")
    expect_bad(autograd_grad(list(y), list(w), grad_outputs = list(1)), "value_error")
  }
  gc(); gc() # handles of small tensors are released by chunk: it takes two collections
  expect_identical(torchlite_memory(), before)
  y$backward()
  expect_identical(as.numeric(w$grad), c(2, 4))
})
