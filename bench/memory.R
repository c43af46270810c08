# Resident memory of mlp_large over its 20 iterations, in a fresh R process:
#   Rscript bench/memory.R [threads]
# Prints one line per figure, "<what> <iteration> <bytes>": the RSS before the loop (after
# the data and parameters are made), the RSS and the core's own bytes (torchlite_memory())
# after every iteration, and the peak resident memory (VmHWM) at the end.
# bench/memory_pytorch.py does the same for PyTorch; bench/run.R runs both.
suppressPackageStartupMessages(library(torchlite))
args <- commandArgs(trailingOnly = TRUE)
torch_set_num_threads(if (length(args)) as.integer(args[1]) else 2L)
here <- local({
  f <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
  if (length(f)) dirname(f) else "bench"
})
source(file.path(here, "workloads.R"))

run <- make_mlp_large()
cat("rss_before 0", bench_rss(), "\n")
run(on_iter = function(t, loss) {
  cat("rss", t, bench_rss(), "\n")
  cat("core_bytes", t, torchlite_memory()[["bytes"]], "\n")
})
cat("hwm 20", bench_rss("VmHWM"), "\n")
