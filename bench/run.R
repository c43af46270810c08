# The benchmark: torchlite against PyTorch on the workloads of WORKLOADS.md, in one run.
#
#   make bench                      (= Rscript bench/run.R)
#   Rscript bench/run.R [--threads N] [--only a,b] [--no-pytorch] [--no-memory]
#                       [--no-physical] [--batch-pytorch] [--no-readme] [--runs N]
#
# Times our side of every workload (bench/workloads.R: one warm-up call, then min and median
# over pytorch_bench.py's repetition counts) and, right after each, the same workload with
# ../shared/anchors/pytorch_bench.py --only (or $PYTORCH_BENCH) run by /usr/bin/python3 (or
# $PYTHON) with the same thread count; prints the ratio ours / PyTorch beside issue 7's target. Then the physical references
# (sgemm GFLOP/s through torch_mm, copy bandwidth of a 1e8-byte buffer) and the resident
# memory of mlp_large for both sides, each in a fresh process. A full run (no --only) with
# PyTorch present rewrites README.md's performance table between its bench markers
# (--no-readme: leave README.md alone). --runs N repeats the timings N times in the same run
# and, with PyTorch present, adds a table of every pass's ratios (the first pass gives the
# main table).
# Ratios, not absolute times, are what count: the machines are shared and noisy.

suppressPackageStartupMessages(library(torchlite))

args <- commandArgs(trailingOnly = TRUE)
opt_value <- function(name, default) {
  i <- match(name, args)
  if (is.na(i) || i == length(args)) default else args[i + 1]
}
threads <- as.integer(opt_value("--threads", "2"))
only <- strsplit(opt_value("--only", ""), ",")[[1]]
runs <- as.integer(opt_value("--runs", "1"))
if (is.na(runs) || runs < 1) stop("--runs takes a whole number of passes, 1 or more")
do_pytorch <- !"--no-pytorch" %in% args
do_memory <- !"--no-memory" %in% args
do_physical <- !"--no-physical" %in% args
# a full run with PyTorch rewrites the performance section of ../README.md
do_readme <- !"--no-readme" %in% args

bench_dir <- local({
  f <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
  normalizePath(if (length(f)) dirname(f) else "bench")
})
root <- dirname(bench_dir)
source(file.path(bench_dir, "workloads.R"))
python <- Sys.getenv("PYTHON", "/usr/bin/python3")
pytorch_bench <- Sys.getenv("PYTORCH_BENCH",
                            file.path(dirname(root), "shared", "anchors", "pytorch_bench.py"))

torch_set_num_threads(threads)

# ---------------------------------------------------------------- the machine

cpu <- tryCatch({
  l <- grep("^model name", readLines("/proc/cpuinfo"), value = TRUE)
  sub("^model name\\s*:\\s*", "", l[1])
}, error = function(e) NA_character_)
backend <- torchlite_backend()
cat("torchlite benchmark  ", format(Sys.time(), "%Y-%m-%d %H:%M"), "\n", sep = "")
cat(sprintf("machine: %s cores (nproc), CPU %s\n",
            trimws(system("nproc", intern = TRUE)), cpu))
cat(sprintf("%s; torchlite %s, BLAS: %s; OpenMP: %s; math kernels: %s; threads: %d (both sides)\n",
            R.version.string, utils::packageVersion("torchlite"), backend$blas,
            backend$openmp, if (is.null(backend$simd)) "?" else backend$simd,
            torch_get_num_threads()))
cat(sprintf("timer: %s; load average at start: %s\n",
            if (requireNamespace("bench", quietly = TRUE)) "bench::hires_time() (monotonic)" else "Sys.time()",
            tryCatch(paste(strsplit(readLines("/proc/loadavg"), " ")[[1]][1:3], collapse = " "),
                     error = function(e) "?")))
cat("The machine is shared and noisy: compare the ratios, not absolute times across runs.\n\n")

# ---------------------------------------------------------------- both sides, interleaved

# Each workload is timed on our side and then, right after, by pytorch_bench.py --only it
# (a fresh Python process per workload), so that the two figures of a ratio are taken close
# together in time on this noisy machine. --batch-pytorch runs pytorch_bench.py once instead.
have_torch <- do_pytorch && file.exists(python) && file.exists(pytorch_bench) &&
  suppressWarnings(system2(python, c("-c", shQuote("import torch")), stdout = FALSE,
                           stderr = FALSE)) == 0
if (!do_pytorch) {
  cat("PyTorch: skipped (--no-pytorch); our figures alone.\n\n")
} else if (!have_torch) {
  cat(sprintf("PyTorch is absent (%s -c 'import torch' failed, or %s is missing); our figures alone.\n\n",
              python, pytorch_bench))
}
batch <- "--batch-pytorch" %in% args
json_field <- function(line, key) {
  m <- regmatches(line, regexec(sprintf('"%s": *("([^"]*)"|[-+0-9.eE]+)', key), line))[[1]]
  if (!length(m)) NA_character_ else if (nzchar(m[3])) m[3] else m[2]
}
theirs <- list()
engine <- NA_character_
run_pytorch <- function(names) {
  pargs <- c(shQuote(pytorch_bench), "--threads", threads)
  if (length(names)) pargs <- c(pargs, "--only", paste(names, collapse = ","))
  out <- suppressWarnings(system2(python, pargs, stdout = TRUE, stderr = FALSE))
  for (line in grep("^\\{", out, value = TRUE)) {
    nm <- json_field(line, "workload")
    engine <<- json_field(line, "engine")
    theirs[[nm]] <<- c(min = as.numeric(json_field(line, "min_s")),
                       median = as.numeric(json_field(line, "median_s")))
  }
}

# One pass times every workload on both sides. --runs N makes N passes (each with fresh
# workloads, as a separate run would): the table below is the first pass's, and a second
# table gives every pass's ratio and how many met their target, i.e. how far a target's
# verdict in one run can be trusted on this machine.
time_pass <- function(pass) {
  cat(sprintf("timing torchlite%s%s ...\n", if (have_torch) " and PyTorch" else "",
              if (runs > 1) sprintf(" (pass %d of %d)", pass, runs) else ""))
  workloads <- bench_workloads()
  if (length(only)) workloads <- workloads[names(workloads) %in% only]
  theirs <<- list()
  ours <- list()
  for (nm in names(workloads)) {
    w <- workloads[[nm]]
    invisible(gc(verbose = FALSE))
    res <- tryCatch(bench_best_of(w$fn, w$reps),
                    error = function(e) structure(conditionMessage(e), class = "bench_error"))
    if (inherits(res, "bench_error")) {
      cat(sprintf("  %-26s torchlite error: %s\n", nm, res))
      ours[[nm]] <- c(min = NA, median = NA)
    } else {
      cat(sprintf("  %-26s torchlite min %9.5f s  median %9.5f s  (%d reps)\n", nm,
                  res[["min"]], res[["median"]], w$reps))
      ours[[nm]] <- res
    }
    if (have_torch && !batch) {
      run_pytorch(nm)
      p <- theirs[[nm]]
      if (!is.null(p))
        cat(sprintf("  %-26s PyTorch   min %9.5f s  median %9.5f s\n", "", p[["min"]], p[["median"]]))
    }
  }
  rm(workloads)
  invisible(gc(verbose = FALSE))
  if (have_torch && batch) {
    cat(sprintf("timing PyTorch (%s, one process) ...\n", basename(pytorch_bench)))
    run_pytorch(only)
  }
  list(ours = ours, theirs = theirs)
}
ratio_of <- function(o, p) if (!is.null(p) && !is.na(o[["min"]])) o[["min"]] / p[["min"]] else NA
passes <- lapply(seq_len(runs), time_pass)
ours <- passes[[1]]$ours
theirs <- passes[[1]]$theirs

# ---------------------------------------------------------------- the table

cat(sprintf("\nResults (%d threads; min over the repetitions; ratio = ours / PyTorch, lower is better)%s\n\n",
            threads, if (!is.na(engine)) paste0("; ", engine) else ""))
fmt_s <- function(x) if (is.null(x) || is.na(x)) "NA" else sprintf("%.5f", x)
rows <- lapply(names(ours), function(nm) {
  o <- ours[[nm]]
  p <- theirs[[nm]]
  ratio <- ratio_of(o, p)
  target <- bench_targets[[nm]]
  data.frame(
    workload = nm,
    `torchlite min (s)` = fmt_s(o[["min"]]),
    `torchlite median (s)` = fmt_s(o[["median"]]),
    `PyTorch min (s)` = if (is.null(p)) "-" else fmt_s(p[["min"]]),
    `PyTorch median (s)` = if (is.null(p)) "-" else fmt_s(p[["median"]]),
    ratio = if (is.na(ratio)) "-" else sprintf("%.2f", ratio),
    target = sprintf("<= %.2f", target),
    met = if (is.na(ratio)) "-" else if (ratio <= target) "yes" else "NO",
    check.names = FALSE)
})
tab <- do.call(rbind, rows)
md_table <- function(df) {
  w <- pmax(nchar(names(df)), vapply(df, function(col) max(nchar(col)), 1L))
  line <- function(v) paste0("| ", paste(sprintf("%-*s", w, v), collapse = " | "), " |")
  c(line(names(df)), paste0("|", paste(strrep("-", w + 2), collapse = "|"), "|"),
    apply(df, 1, line))
}
writeLines(md_table(tab))

runs_note <- NULL
if (runs > 1 && have_torch) { # without PyTorch, each pass printed its own figures above
  cat(sprintf("\nEvery pass (ratio = ours / PyTorch, each pass's own minima; %d passes)\n\n", runs))
  ratios <- vapply(passes, function(ps) vapply(names(ours), function(nm)
    ratio_of(ps$ours[[nm]], ps$theirs[[nm]]), 1), numeric(length(ours)))
  ratios <- matrix(ratios, nrow = length(ours), dimnames = list(names(ours), NULL))
  met_n <- vapply(names(ours), function(nm) sum(ratios[nm, ] <= bench_targets[[nm]], na.rm = TRUE), 1)
  rt <- data.frame(workload = names(ours), check.names = FALSE)
  for (k in seq_len(runs))
    rt[[sprintf("pass %d", k)]] <- ifelse(is.na(ratios[, k]), "-", sprintf("%.2f", ratios[, k]))
  rt$target <- sprintf("<= %.2f", bench_targets[names(ours)])
  rt$met <- sprintf("%d of %d", met_n, runs)
  writeLines(md_table(rt))
  all_met <- sum(apply(ratios, 2, function(r) all(!is.na(r) & r <= bench_targets[names(ours)])))
  cat(sprintf("  passes with every target met: %d of %d\n", all_met, runs))
  runs_note <- sprintf(paste0("The same run made %d passes; passes with every target met: %d; ",
                              "met per workload: %s."), runs, all_met,
                       paste(sprintf("%s %d/%d", names(ours), met_n, runs), collapse = ", "))
}

# ---------------------------------------------------------------- physical references

phys_notes <- character()
mem_note <- NULL
if (do_physical) {
  cat("\nPhysical references\n")
  n <- 4096
  a <- torch_randn(n, n)
  b <- torch_randn(n, n)
  tt <- bench_best_of(function() torch_mm(a, b), 3)
  cat(sprintf("  sgemm through torch_mm (float32, %d x %d, %d threads, best of 3): %.1f GFLOP/s (2 n^3 / %.3f s)\n",
              n, n, threads, 2 * n^3 / tt[["min"]] / 1e9, tt[["min"]]))
  phys_notes <- c(phys_notes, sprintf("sgemm %.0f GFLOP/s (float32, %d x %d, through torch_mm)",
                                      2 * n^3 / tt[["min"]] / 1e9, n, n))
  rm(a, b)
  invisible(gc(verbose = FALSE))

  cc <- tryCatch(system2(file.path(R.home("bin"), "R"), c("CMD", "config", "CC"),
                         stdout = TRUE, stderr = FALSE)[1], error = function(e) "cc")
  exe <- file.path(tempdir(), "physical")
  ok <- suppressWarnings(system(sprintf("%s -O2 -fopenmp %s -o %s 2>/dev/null", cc,
                                        shQuote(file.path(bench_dir, "physical.c")),
                                        shQuote(exe)))) == 0
  copy_out <- if (ok) suppressWarnings(system2(exe, threads, stdout = TRUE)) else character()
  if (length(copy_out)) {
    for (l in copy_out) {
      f <- strsplit(l, " ")[[1]]
      cat(sprintf("  memory copy of a 1e8-byte buffer (C memcpy, bench/physical.c, %s thread%s, best of 10): %.1f GB/s copied (%.2f ms; %.1f GB/s read+write)\n",
                  f[2], if (f[2] == "1") "" else "s", as.numeric(f[4]), 1e3 * as.numeric(f[3]),
                  2 * as.numeric(f[4])))
      phys_notes <- c(phys_notes, sprintf("memcpy of 1e8 bytes %.1f GB/s on %s thread%s",
                                          as.numeric(f[4]), f[2], if (f[2] == "1") "" else "s"))
    }
  } else {
    r <- as.raw(seq_len(1e8) %% 256)
    best <- Inf
    for (i in 1:10) {
      t0 <- bench_now()
      r2 <- r; r2[1] <- as.raw(0)  # R copies the vector on modification
      best <- min(best, bench_now() - t0)
    }
    cat(sprintf("  memory copy of a 1e8-byte buffer (R's own copy of a raw vector; no C compiler): %.1f GB/s copied\n",
                1e8 / best / 1e9))
    rm(r, r2)
  }
}

# ---------------------------------------------------------------- memory

if (do_memory && (!length(only) || "mlp_large" %in% only)) {
  cat("\nResident memory of mlp_large (20 iterations, fresh process each; MB = 1e6 bytes)\n")
  read_mem <- function(lines) {
    lines <- grep("^(rss|rss_before|hwm|core_bytes) ", trimws(lines), value = TRUE)
    f <- do.call(rbind, strsplit(lines, " +"))
    data.frame(what = f[, 1], iter = as.integer(f[, 2]), bytes = as.numeric(f[, 3]))
  }
  rscript <- file.path(R.home("bin"), "Rscript")
  m_ours <- read_mem(suppressWarnings(system2(rscript, c(shQuote(file.path(bench_dir, "memory.R")), threads),
                                              stdout = TRUE, stderr = FALSE)))
  m_theirs <- if (have_torch)
    read_mem(suppressWarnings(system2(python, c(shQuote(file.path(bench_dir, "memory_pytorch.py")), threads),
                                      stdout = TRUE, stderr = FALSE)))
  pick <- function(m, what, iter) {
    if (is.null(m) || !nrow(m)) return(NA)
    v <- m$bytes[m$what == what & m$iter == iter]
    if (length(v)) v[1] / 1e6 else NA
  }
  fm <- function(x) if (is.na(x)) "-" else sprintf("%.0f", x)
  its <- c(1, 5, 10, 20)
  mem_tab <- data.frame(
    engine = c("torchlite", "PyTorch"),
    `RSS before loop` = c(fm(pick(m_ours, "rss_before", 0)), fm(pick(m_theirs, "rss_before", 0))),
    check.names = FALSE)
  for (i in its)
    mem_tab[[sprintf("RSS after it %d", i)]] <- c(fm(pick(m_ours, "rss", i)), fm(pick(m_theirs, "rss", i)))
  mem_tab[["peak (VmHWM)"]] <- c(fm(pick(m_ours, "hwm", 20)), fm(pick(m_theirs, "hwm", 20)))
  mem_tab[["peak - before"]] <- c(fm(pick(m_ours, "hwm", 20) - pick(m_ours, "rss_before", 0)),
                                  fm(pick(m_theirs, "hwm", 20) - pick(m_theirs, "rss_before", 0)))
  writeLines(md_table(mem_tab))
  if (!is.null(m_ours) && nrow(m_ours)) {
    # Collections free memory every few iterations, so the RSS is a sawtooth: flat means no
    # upward trend, i.e. the highest RSS of the last 8 iterations is within 5% of the highest
    # of iterations 5 to 12 (both windows are longer than the sawtooth's period).
    rss <- vapply(1:20, function(i) pick(m_ours, "rss", i), 1)
    core <- m_ours$bytes[m_ours$what == "core_bytes"] / 1e6
    early <- max(rss[5:12])
    late <- max(rss[13:20])
    flat <- !anyNA(rss) && late <= 1.05 * early
    cat(sprintf(paste0("  ours flat (highest RSS of iterations 13-20 within 5%% of the highest of 5-12): %s ",
                       "(%.0f vs %.0f MB; RSS over iterations 5-20: %s); core bytes (torchlite_memory) ",
                       "min %.0f MB, max %.0f MB over the 20 iterations\n"),
                if (flat) "yes" else "NO", late, early, paste(sprintf("%.0f", rss[5:20]), collapse = " "),
                min(core), max(core)))
    mem_note <- sprintf(paste0("Resident memory of `mlp_large` over its 20 iterations: peak %s MB here, ",
                               "%s MB for PyTorch; flat from iteration to iteration: %s."),
                        fm(pick(m_ours, "hwm", 20)), fm(pick(m_theirs, "hwm", 20)),
                        if (flat) "yes" else "no")
  }
}

# ---------------------------------------------------------------- README.md

readme <- file.path(root, "README.md")
if (do_readme && !length(only) && have_torch && file.exists(readme)) {
  lines <- readLines(readme)
  b <- grep("^<!-- bench:begin", lines)
  e <- grep("^<!-- bench:end", lines)
  if (length(b) == 1 && length(e) == 1 && e > b) {
    short <- tab[, c("workload", "torchlite min (s)", "PyTorch min (s)", "ratio", "target", "met")]
    section <- c(
      lines[b],
      sprintf(paste0("Latest `make bench`: %s, %s cores (%s), %s, BLAS %s, math kernels %s, %s; ",
                     "%d threads on both sides; load average at start %s."),
              format(Sys.time(), "%Y-%m-%d %H:%M"), trimws(system("nproc", intern = TRUE)),
              if (is.na(cpu)) "CPU unknown" else cpu, R.version.string, backend$blas,
              if (is.null(backend$simd)) "?" else backend$simd,
              if (is.na(engine)) "PyTorch" else sub("^pytorch", "PyTorch", engine), threads,
              tryCatch(paste(strsplit(readLines("/proc/loadavg"), " ")[[1]][1:3], collapse = " "),
                       error = function(e) "?")),
      "", md_table(short), "",
      if (length(phys_notes)) c(paste0("Physical references: ", paste(phys_notes, collapse = "; "), "."), ""),
      if (!is.null(runs_note)) c(runs_note, ""),
      if (!is.null(mem_note)) c(mem_note, ""),
      lines[e])
    writeLines(c(lines[seq_len(b - 1)], section, lines[-seq_len(e)]), readme)
    cat("\nREADME.md: performance table rewritten\n")
  }
}
