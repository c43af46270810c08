# Shared expectations.

# Expect a torchlite error of the given class whose message matches `msg` (fixed string).
expect_torch_error <- function(expr, class = "torch_error", msg = NULL) {
  err <- tryCatch({ force(expr); NULL }, error = function(e) e)
  if (is.null(err)) testthat::fail("no error was raised")
  testthat::expect_s3_class(err, class)
  if (!is.null(msg)) testthat::expect_true(grepl(msg, conditionMessage(err), fixed = TRUE),
                                           info = conditionMessage(err))
  invisible(err)
}

# The exact double value of a float32 rounding of x (R has no float type).
f32 <- function(x) {
  con <- rawConnection(raw(0), "r+")
  on.exit(close(con))
  writeBin(as.double(x), con, size = 4)
  seek(con, 0)
  readBin(con, "double", n = length(x), size = 4)
}
