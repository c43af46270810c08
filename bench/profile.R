# Where the time of a small-tensor op goes: microseconds per item, from plain loops.
#   Rscript bench/profile.R [N]        (N repetitions per item, default 2e5)
# Each item is timed as the best of 5 loops of N repetitions (process CPU time), minus an
# empty loop of N.
# To profile another build, put its library first: R_LIBS=/path/to/lib Rscript bench/profile.R
# The "rosenbrock_lab decomposed" part counts what one Rosenbrock iteration does, then
# compares the sum of the parts with the measured iteration, and reports R's GC time share.
# bench/callgrind.sh gives the C-level view of the same loop.
suppressPackageStartupMessages(library(torchlite))
args <- commandArgs(trailingOnly = TRUE)
N <- if (length(args)) as.numeric(args[1]) else 2e5
torch_set_num_threads(2)
C <- function(name) getFromNamespace(name, "torchlite")

# CPU time of this process (user + system), not wall-clock time: on a shared machine a loop
# that is descheduled for a while does not count that while. (These 1-element loops run on
# one thread.)
now <- function() {
  p <- proc.time()
  p[[1]] + p[[2]]
}

# best of 5 timings of `expr` evaluated N times in a loop (seconds per evaluation)
per_call <- function(expr, n = N, env = parent.frame()) {
  e <- substitute(expr)
  loop <- eval(bquote(function() for (i in seq_len(.(n))) .(e)), list())
  environment(loop) <- env
  best <- Inf
  for (r in 1:5) {
    t0 <- now()
    loop()
    best <- min(best, now() - t0)
  }
  best / n
}
empty <- per_call(NULL)
us <- function(t) sprintf("%7.2f", 1e6 * (t - empty))
row <- function(label, t) cat(sprintf("| %-70s | %s |\n", label, us(t)))

# objects
`*.bench_dummy` <- function(e1, e2) NULL
d <- structure(1L, class = "bench_dummy")
x0 <- torch_ones(1)                          # no grad
x <- torch_ones(1, requires_grad = TRUE)     # leaf that requires grad
C_noop <- C("C_tl_grad_mode")                 # the cheapest entry point: reads a flag
C_clone <- C("C_tl_clone"); C_detach <- C("C_tl_detach"); C_mul <- C("C_tl_op_mul")

cat(sprintf("Per-item cost on a 1-element float32 tensor, microseconds of CPU time (best of 5 loops of %g; empty loop subtracted)\n\n", N))
cat("| item | us |\n|---|---|\n")
row("(a) S3 dispatch of `*` to an empty `*.bench_dummy` method", per_call(2 * d))
row("(b) `.Call` of a (near) no-op: C_tl_grad_mode, registered symbol", per_call(.Call(C_noop)))
row("(c) new tensor handle: `.Call(C_tl_detach, x)` (view, no data copy)", per_call(.Call(C_detach, x0)))
row("(c') `.Call(C_tl_clone, x)` (handle + storage + copy), no `$`", per_call(.Call(C_clone, x0)))
row("(c'') `x$clone()` (the same through `$`: closure + call)", per_call(x0$clone()))
row("     `x$clone` alone (the `$` lookup that builds the closure)", per_call(x0$clone))
row("     `x$grad` (a field through `$`)", per_call(x$grad))
row("(d0) `2 * x`, x without grad (dispatch + .Call + new tensor)", per_call(2 * x0))
row("(d0') `.Call(C_tl_op_mul, 2, x)` without grad (no dispatch)", per_call(.Call(C_mul, 2, x0)))
row("(d) `2 * x`, x requires grad (recorded op with autograd node)", per_call(2 * x))
row("(f) `with_no_grad({})`", per_call(with_no_grad({})))
t_mul_bwd <- per_call({ y <- x * 2; y$backward() }, n = N / 4)
t_mul <- per_call({ y <- x * 2 }, n = N / 4)
cat(sprintf("| %-70s | %7.2f |\n", "(e) `y$backward()` of y <- x * 2 (loop with backward minus without)", 1e6 * (t_mul_bwd - t_mul)))
t_sq_bwd <- per_call({ y <- (x * x)$sum(); y$backward() }, n = N / 4)
t_sq <- per_call({ y <- (x * x)$sum() }, n = N / 4)
cat(sprintf("| %-70s | %7.2f |\n", "(e') `y$backward()` of y <- (x * x)$sum() (2 nodes)", 1e6 * (t_sq_bwd - t_sq)))
row("     `x[1]` on x requiring grad (index + node)", per_call(x[1]))
row("     `1 - x` (R number on the left becomes a tensor)", per_call(1 - x))
row("     `x - 1`", per_call(x - 1))
row("     `x^2`", per_call(x^2))
row("     `torch_tensor(c(-1, 1), requires_grad = TRUE)`", per_call(torch_tensor(c(-1, 1), requires_grad = TRUE)))
row("     `with_no_grad({ x$sub_(0.01 * x$grad); x$grad$zero_() })`",
    per_call(with_no_grad({ x$sub_(0.01 * x$grad); x$grad$zero_() }), n = N / 4))

# ---------------------------------------------------------------- rosenbrock_lab decomposed
cat("\nrosenbrock_lab, one iteration:\n")
xr <- torch_tensor(c(-1, 1), requires_grad = TRUE)
iter <- function() {
  value <- (1 - xr[1])^2 + 5 * (xr[2] - xr[1]^2)^2
  value$backward()
  with_no_grad({
    xr$sub_(0.01 * xr$grad)
    xr$grad$zero_()
  })
}
t_fwd <- per_call((1 - xr[1])^2 + 5 * (xr[2] - xr[1]^2)^2, n = N / 10)
t_iter <- per_call(iter(), n = N / 10)
cat(sprintf("  forward (3 index + 7 arithmetic, one with an R number on the left = 10 recorded ops): %.1f us\n", 1e6 * t_fwd))
cat(sprintf("  whole iteration (forward + backward over 10 nodes + update): %.1f us\n", 1e6 * t_iter))
gc_before <- gc.time()[1]
t0 <- now()
for (i in seq_len(N / 10)) iter()
el <- now() - t0
cat(sprintf("  R garbage collector time during %g iterations: %.0f%% of %.2f s (gc.time())\n",
            N / 10, 100 * (gc.time()[1] - gc_before) / el, el))

# Rprof of the same loop: where R-level time goes
prof <- tempfile()
Rprof(prof, interval = 0.002)
for (i in seq_len(N / 10)) iter()
Rprof(NULL)
s <- summaryRprof(prof)$by.self
cat("\nRprof of rosenbrock_lab iterations (by.self, top 12):\n")
print(utils::head(s[, c("self.time", "self.pct")], 12))
