# The functions on the per-op path are recompiled with their C routines as constants
# (with_routine_constants() in R/tensor.R); they must behave and print as the originals.

test_that("S3 methods of torch_tensor and the grad-mode wrappers hold their routines", {
  ns <- asNamespace("torchlite")
  routine <- function(name) get(name, envir = ns)$address
  mul <- getS3method("*", "torch_tensor")
  expect_identical(body(mul)[[2]], routine("C_tl_op_mul"))
  expect_identical(body(getS3method("$", "torch_tensor"))[[2]], routine("C_tl_dollar"))
  expect_identical(get("*.torch_tensor", envir = ns), mul)
  expect_identical(body(with_no_grad)[[2]], routine("C_tl_with_grad_mode_ext"))
  expect_identical(body(get("with_enable_grad", envir = ns))[[2]], routine("C_tl_with_grad_mode_ext"))
  # the namespace's record of its S3 registrations is left as it was (names, not functions)
  s3 <- getNamespaceInfo(ns, "S3methods")
  expect_type(s3[, 3], "character")
  expect_false(anyDuplicated(s3[, 3]) > 0)
  expect_true("*.torch_tensor" %in% as.character(methods(class = "torch_tensor")))
  # every S3 method of the class that calls C got one
  for (nm in s3[s3[, 2] == "torch_tensor", 3]) {
    f <- get(nm, envir = ns)
    named <- grep("^C_tl_", all.names(body(f)), value = TRUE)
    expect_length(named, 0)
  }
})

test_that("a method bound by `$` holds its routine and prints its source", {
  x <- torch_tensor(c(1, 2))
  f <- x$add
  expect_identical(body(f)[[2]], asNamespace("torchlite")$C_tl_add$address)
  out <- capture.output(print(f))
  expect_identical(out[1:2], c("function (other, alpha = 1L) ",
                               ".Call(C_tl_add, self, other, alpha)"))
  expect_match(out[3], "^<bytecode: ")
  expect_identical(capture.output(print(getS3method("*", "torch_tensor")))[1:2],
                   c("function (e1, e2) ", ".Call(C_tl_op_mul, e1, e2)"))
  expect_identical(capture.output(print(with_no_grad))[1:2],
                   c("function (code) ", ".External2(C_tl_with_grad_mode_ext, FALSE)"))
  expect_equal(as.numeric(f(10)), c(11, 12))
})

test_that("bound methods share their source record but not their attributes", {
  x <- torch_tensor(c(1, 2))
  f <- (x * 2)$add # temporaries: each `$` makes a new closure
  g <- (x * 3)$add
  attr(f, "note") <- "mine"
  attr(f, "srcref")[1] <- 99L
  expect_null(attr(g, "note"))
  expect_identical(attr(g, "srcref")[1], 1L)
  expect_identical(names(attributes(g)), "srcref")
  expect_identical(names(attributes(torchlite:::tensor_methods_fast$add)), "srcref")
  expect_identical(attr(torchlite:::tensor_methods_fast$add, "srcref")[1], 1L)
  attr(f, "srcref") <- NULL
  expect_identical(capture.output(print(g))[1:2], c("function (other, alpha = 1L) ",
                                                    ".Call(C_tl_add, self, other, alpha)"))
  expect_equal(as.numeric(g(1)), c(4, 7))
  expect_identical(environment(g)$self$shape, 2L)
})

test_that("every method name reaches its own method, also after the name cache fills", {
  x <- torch_tensor(c(1, 2))
  tm <- torchlite:::tensor_methods
  nms <- ls(tm)
  expect_gt(length(nms), 150)
  for (pass in 1:2) {
    for (nm in nms) {
      f <- x[[nm]]
      expect_identical(formals(f), formals(tm[[nm]]), label = nm)
      expect_true(is.function(f) && identical(environment(f)$self, x), label = nm)
    }
  }
  # the specialized copy of each name is made once
  fast <- torchlite:::tensor_methods_fast
  f1 <- get("mul", envir = fast)
  invisible(x$mul)
  expect_identical(get("mul", envir = fast), f1)
})

test_that("functions without routine names are left as they are", {
  f <- function(a) a + 1
  environment(f) <- asNamespace("torchlite")
  expect_identical(torchlite:::with_routine_constants(f), f)
})

test_that("a bound method serialized and loaded again stops with an error, not a crash", {
  x <- torch_tensor(c(1, 2))
  g <- unserialize(serialize(x$add, NULL))
  expect_error(g(1), "NULL value passed as symbol address")
  # the tensor itself comes back whole, and its methods work
  y <- unserialize(serialize(x, NULL))
  expect_equal(as.numeric(y$add(1)), c(2, 3))
})
