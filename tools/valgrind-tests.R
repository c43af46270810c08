# The testthat suite for `make valgrind` (run as R -d valgrind -f tools/valgrind-tests.R):
# the test files matching VALGRIND_FILTER (all when empty), then "N passed, M failed".
# Test failures do not fail the run: valgrind's emulation of floating-point vector
# instructions is not bit-exact, so a few bit-exact float32 expectations (test-elementwise.R,
# test-operators.R: values differing in their last bits) fail under it. What
# `make valgrind` judges is valgrind's own report.
f <- Sys.getenv("VALGRIND_FILTER")
res <- as.data.frame(testthat::test_dir(
  "tests/testthat", package = "torchlite", load_package = "installed",
  filter = if (nzchar(f)) f else NULL,
  reporter = testthat::SummaryReporter$new(show_praise = FALSE, max_reports = 3),
  stop_on_failure = FALSE))
failed <- sum(res$failed) + sum(res$error)
cat(sprintf("%d passed, %d failed\n", sum(res$passed), failed))
if (failed > 0) cat("failed:", unique(res$file[res$failed + res$error > 0]), "\n")
