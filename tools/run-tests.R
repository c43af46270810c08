# Runs the testthat suite against the installed package and prints one line
# "N passed, M failed" (failures include errors) for CI to read.
res <- testthat::test_dir("tests/testthat", package = "torchlite", load_package = "installed",
                          reporter = testthat::ProgressReporter$new(show_praise = FALSE),
                          stop_on_failure = FALSE)
df <- as.data.frame(res)
passed <- sum(df$passed)
failed <- sum(df$failed) + sum(df$error)
cat(sprintf("%d passed, %d failed\n", passed, failed))
quit(status = if (failed > 0) 1 else 0)
