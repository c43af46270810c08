# The C-level view of the per-op path, with valgrind's callgrind (instruction counts do not
# depend on the machine's load, unlike timings).
#   Rscript bench/callgrind.R [iterations]   rosenbrock_lab's loop, per function (about 30 s)
#   Rscript bench/callgrind.R items [N]      instructions per item of bench/profile.R (2 min)
# Every figure is a difference of two runs of R under callgrind with the same start-up and
# warm-up: one with the code repeated 0 times and one with it repeated `iterations` (N)
# times; what remains is the loop alone, reported per iteration. libR.so's internal
# functions have no symbols on Debian's build; they show as addresses.
args <- commandArgs(trailingOnly = TRUE)
mode <- if (length(args) && args[1] == "items") "items" else "rosen"
if (mode == "items") args <- args[-1]
reps <- if (length(args)) as.integer(args[1]) else if (mode == "items") 20000L else 1000L
if (!nzchar(Sys.which("valgrind")) || !nzchar(Sys.which("callgrind_annotate")))
  stop("needs valgrind and callgrind_annotate")
tmp <- tempfile("callgrind")
dir.create(tmp)
counter <- 0L

# Runs `setup`, then `body` n times in a loop, under callgrind; returns the per-function
# self instruction counts and the program total.
callgrind <- function(setup, body, n) {
  counter <<- counter + 1L
  script <- file.path(tmp, sprintf("s%d.R", counter))
  writeLines(c("suppressPackageStartupMessages(library(torchlite))", "torch_set_num_threads(2)",
               setup, sprintf("f <- function(n) for (i in seq_len(n)) { %s }", body),
               "f(50)", sprintf("f(%d)", n)), script)
  out <- file.path(tmp, sprintf("cg%d.out", counter))
  cmd <- sprintf("R -d 'valgrind --tool=callgrind --callgrind-out-file=%s' --vanilla --slave -f %s > /dev/null 2> %s.log",
                 out, script, out)
  if (system(cmd) != 0) stop("valgrind failed: see ", out, ".log")
  lines <- system2("callgrind_annotate", c("--inclusive=no", "--threshold=100", "--auto=no", out),
                   stdout = TRUE)
  lines <- grep("^ *[0-9,]+ \\( *[0-9.]+%\\)  ", lines, value = TRUE)
  tot <- grep("PROGRAM TOTALS", lines, value = TRUE)
  total <- as.numeric(gsub(",", "", sub("^ *([0-9,]+) .*", "\\1", tot)))
  lines <- lines[!grepl("PROGRAM TOTALS", lines)]
  ir <- as.numeric(gsub(",", "", sub("^ *([0-9,]+) .*", "\\1", lines)))
  what <- sub("^ *[0-9,]+ \\( *[0-9.]+%\\)  ", "", lines)
  fn <- sub(" \\[.*\\]$", "", what)
  fn <- sub("^.*:", "", fn)                       # drop the source file
  fn <- sub("'[0-9]+$", "", fn)                   # recursion-depth suffixes
  obj <- ifelse(grepl("\\]$", what), basename(sub("^.*\\[(.*)\\]$", "\\1", what)),
                "(no object: inlined)")
  d <- aggregate(ir, list(fn = fn, obj = obj), sum)
  names(d)[3] <- "ir"
  list(fns = d, total = total)
}

per_iteration <- function(setup, body, n) {
  a <- callgrind(setup, body, 0L)
  b <- callgrind(setup, body, n)
  m <- merge(b$fns, a$fns, by = c("fn", "obj"), all.x = TRUE, suffixes = c("", "0"))
  m$ir0[is.na(m$ir0)] <- 0
  m$per_iter <- (m$ir - m$ir0) / n
  list(fns = m[m$per_iter > 0, ], total = (b$total - a$total) / n)
}

if (mode == "items") {
  items <- list(
    c("(a) S3 dispatch of `*` to an empty method",
      "`*.bench_dummy` <- function(e1, e2) NULL; d <- structure(1L, class = 'bench_dummy')", "2 * d"),
    c("(b) `.Call` of a near no-op (C_tl_grad_mode)",
      "C_noop <- getFromNamespace('C_tl_grad_mode', 'torchlite')", ".Call(C_noop)"),
    c("(c) new handle: `.Call(C_tl_detach, x)`",
      "C_detach <- getFromNamespace('C_tl_detach', 'torchlite'); x <- torch_ones(1)", ".Call(C_detach, x)"),
    c("(c') `x$clone()`", "x <- torch_ones(1)", "x$clone()"),
    c("(d0) `2 * x`, no grad", "x <- torch_ones(1)", "2 * x"),
    c("(d) `2 * x`, x requires grad", "x <- torch_ones(1, requires_grad = TRUE)", "2 * x"),
    c("(e) `y <- x * 2; y$backward()`", "x <- torch_ones(1, requires_grad = TRUE)", "y <- x * 2; y$backward()"),
    c("(f) `with_no_grad({})`", "", "with_no_grad({})"),
    c("`x$grad`", "x <- torch_ones(1, requires_grad = TRUE); (2 * x)$backward()", "x$grad"),
    c("`x[1]`, x requires grad", "x <- torch_tensor(c(-1, 1), requires_grad = TRUE)", "x[1]"))
  cat(sprintf("callgrind: instructions per item (difference of runs with %d and 0 repetitions)\n\n", reps))
  cat("| item | instructions | of which torchlite.so | libR.so | libc |\n|---|---|---|---|---|\n")
  for (it in items) {
    r <- per_iteration(it[2], it[3], reps)
    by_obj <- tapply(r$fns$per_iter, r$fns$obj, sum)
    g <- function(o) if (o %in% names(by_obj)) by_obj[[o]] else 0
    cat(sprintf("| %s | %.0f | %.0f | %.0f | %.0f |\n", it[1], r$total, g("torchlite.so"),
                g("libR.so"), g("libc.so.6")))
  }
  quit(save = "no")
}

rosen_setup <- "x <- torch_tensor(c(-1, 1), requires_grad = TRUE)"
rosen_body <- paste(
  "value <- (1 - x[1])^2 + 5 * (x[2] - x[1]^2)^2;",
  "value$backward();",
  "with_no_grad({ x$sub_(0.01 * x$grad); x$grad$zero_() })")
cat(sprintf("callgrind, rosenbrock_lab: (run with %d iterations) - (run with 0), per iteration\n", reps))
r <- per_iteration(rosen_setup, rosen_body, reps)
m <- r$fns
total <- r$total
cat(sprintf("\ninstructions per iteration: %.0f\n", total))
by_obj <- sort(tapply(m$per_iter, m$obj, sum), decreasing = TRUE)
cat("\nby shared object (Ir per iteration, share):\n")
for (o in names(by_obj)[seq_len(min(6, length(by_obj)))])
  cat(sprintf("  %-30s %9.0f  %5.1f%%\n", o, by_obj[[o]], 100 * by_obj[[o]] / total))
show <- function(d, k) {
  d <- d[order(-d$per_iter), ][seq_len(min(k, nrow(d))), ]
  for (i in seq_len(nrow(d)))
    cat(sprintf("  %9.0f  %5.1f%%  %s [%s]\n", d$per_iter[i], 100 * d$per_iter[i] / total,
                d$fn[i], d$obj[i]))
}
cat("\ntop functions, whole process (self Ir per iteration, share of the iteration):\n")
show(m, 25)
cat("\ntop functions in torchlite.so (self Ir per iteration):\n")
show(m[m$obj == "torchlite.so", ], 25)
