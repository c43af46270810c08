# How much of a small-tensor loop is R's own dispatch, how much is our C work, and how much
# is the glue between them: mlp_seed's loop three ways, timed in one process.
#   Rscript bench/floor.R [repetitions]
#
# - "R floor": the same R code on dummy S3 objects whose `$`, `-` and `*` methods return
#   at once (a `$` method that returns a function that forces its argument and returns):
#   what R alone charges for this loop's 24 `$`, 5 operators and 16 method calls;
# - "C work": the same computation with every op a direct `.Call` of its routine (no
#   dispatch, no method closures): our C code, its `.Call`s and the handles it makes;
# - "torchlite": the workload as bench/workloads.R runs it.
# What the last exceeds the sum of the first two by is the glue: the bodies of the methods
# (their `.Call`s), binding methods to tensors, the wrappers of backward() and
# with_no_grad(). bench/README.md (session 6) has the figures.
suppressPackageStartupMessages(library(torchlite))
args <- commandArgs(trailingOnly = TRUE)
reps <- if (length(args)) as.integer(args[1]) else 15L
torch_set_num_threads(2)
here <- if (file.exists("bench/workloads.R")) "bench" else "."
source(file.path(here, "workloads.R"))
tm <- if (requireNamespace("bench", quietly = TRUE)) function() as.numeric(bench::hires_time()) else
  function() as.numeric(Sys.time())
best <- function(f) {
  f()
  m <- Inf
  for (r in seq_len(reps)) {
    a <- tm()
    f()
    m <- min(m, tm() - a)
  }
  m
}

# the R floor: the workload's own loop function, evaluated in an environment where its data,
# parameters and with_no_grad() are dummies
dummy <- structure(1L, class = "floor_dummy")
dummy_method <- function(...) { # forces its argument, as a method's .Call does
  if (...length()) ..1
  dummy
}
`$.floor_dummy` <- function(x, name) if (name == "grad") dummy else dummy_method
`-.floor_dummy` <- function(e1, e2) dummy
`*.floor_dummy` <- function(e1, e2) dummy
make_floor <- function() {
  f <- make_mlp_seed()
  e <- new.env(parent = globalenv())
  for (v in c("x", "y", "w1", "w2", "b1", "b2")) assign(v, dummy, envir = e)
  e$iters <- get("iters", envir = environment(f))
  e$lr <- get("lr", envir = environment(f))
  e$with_no_grad <- function(code) code
  environment(f) <- e
  f
}

# the C work: the routines called directly, with mlp_seed's data and parameters
ns <- asNamespace("torchlite")
C <- function(name) get(name, envir = ns)
make_direct <- function(iters = 200, lr = 1e-4) {
  mm <- C("C_tl_mm"); add <- C("C_tl_add"); clamp <- C("C_tl_clamp"); sub <- C("C_tl_op_sub")
  pow <- C("C_tl_pow"); sum <- C("C_tl_sum"); backward <- C("C_tl_run_backward")
  sub_ <- C("C_tl_sub_"); grad <- C("C_tl_grad"); zero_ <- C("C_tl_zero_")
  mul <- C("C_tl_op_mul"); mode <- C("C_tl_set_grad_mode")
  torch_manual_seed(1)
  x <- torch_randn(100, 3)
  y <- x[, 1, NULL] * 0.2 - x[, 2, NULL] * 1.3 - x[, 3, NULL] * 0.5 + torch_randn(100, 1)
  w1 <- torch_randn(3, 32, requires_grad = TRUE)
  w2 <- torch_randn(32, 1, requires_grad = TRUE)
  b1 <- torch_zeros(1, 32, requires_grad = TRUE)
  b2 <- torch_zeros(1, 1, requires_grad = TRUE)
  function() {
    for (t in seq_len(iters)) {
      h <- .Call(clamp, .Call(add, .Call(mm, x, w1), b1, 1L), 0, NULL)
      y_pred <- .Call(add, .Call(mm, h, w2), b2, 1L)
      loss <- .Call(sum, .Call(pow, .Call(sub, y_pred, y), 2), NULL, FALSE, NULL)
      .Call(backward, loss, NULL, FALSE, FALSE, NULL, TRUE, FALSE)
      .Call(mode, FALSE)
      for (p in list(w1, w2, b1, b2)) .Call(sub_, p, .Call(mul, lr, .Call(grad, p)), 1L)
      for (p in list(w1, w2, b1, b2)) .Call(zero_, .Call(grad, p))
      .Call(mode, TRUE)
    }
    loss$item()
  }
}

real <- make_mlp_seed()
direct <- make_direct()
stopifnot(isTRUE(all.equal(make_direct()(), make_mlp_seed()(), tolerance = 1e-6)))
fl <- make_floor()
cat(sprintf("mlp_seed, microseconds per iteration (best of %d calls of 200 iterations)\n\n", reps))
cat("| round | R floor | C work | torchlite | glue (torchlite - floor - C work) |\n|---|---|---|---|---|\n")
for (round in 1:3) {
  t <- c(best(fl), best(direct), best(real)) / 200 * 1e6
  cat(sprintf("| %d | %.1f | %.1f | %.1f | %.1f |\n", round, t[1], t[2], t[3], t[3] - t[1] - t[2]))
}
