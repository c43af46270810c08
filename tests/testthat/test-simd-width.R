# On CPUs with AVX-512, the SLEEF-compatible float32 kernels (exp, log, sin, ..., sigmoid)
# run 16 lanes a step instead of 8 (elementwise.c). Every lane does the same operations, so
# the results must be the bits of the 256-bit kernels: here, this process's results against
# those of an R process started with TORCHLITE_SIMD=avx2.

simd_inputs <- function() {
  set.seed(12)
  v <- c(runif(20000, -130, 130), rnorm(20000) * 10, runif(5000, -1e-3, 1e-3),
         runif(5000, 1e-30, 1e-3), runif(5000, 0, 1e30),
         c(0, -0, Inf, -Inf, NaN, 1e-40, -1e-40, 1e38, -1e38, 88.72, 88.73, -87.3, -103.9,
           -104.1, 100, 100.1, 124.9, 125, 125.1, -1, 1, 0.5))
  # consecutive float bit patterns (every 37th) from 2^-20 up
  ints <- seq.int(0x35800000L, by = 37L, length.out = 20000)
  c(v, readBin(writeBin(ints, raw()), "numeric", size = 4, n = length(ints)))
}

simd_results <- function() {
  x <- torch_tensor(simd_inputs())
  pos <- x$abs() + 1e-30
  out <- list()
  for (f in c("exp", "log", "sin", "cos", "tanh", "sigmoid", "expm1", "log1p", "log2", "log10",
              "sinh", "cosh")) {
    a <- if (f %in% c("log", "log1p", "log2", "log10")) pos else x
    out[[f]] <- as_array(a[[f]]())
    out[[paste0(f, "_odd_length")]] <- as_array(a[1:20011][[f]]())
    out[[paste0(f, "_strided")]] <- as_array(a[seq(1, 30001, by = 3)][[f]]())
  }
  out
}

test_that("512-bit float32 kernels give the bits of the 256-bit ones", {
  skip_if_not(torchlite:::tl_elementwise_wide(), "no AVX-512 here (or TORCHLITE_SIMD is set)")
  rscript <- file.path(R.home("bin"), "Rscript")
  skip_if_not(file.exists(rscript), "no Rscript")
  script <- tempfile(fileext = ".R")
  res_file <- tempfile(fileext = ".rds")
  on.exit(unlink(c(script, res_file)))
  writeLines(c("suppressPackageStartupMessages(library(torchlite))",
               deparse(call("<-", quote(simd_inputs), simd_inputs)),
               deparse(call("<-", quote(simd_results), simd_results)),
               "stopifnot(torchlite:::tl_elementwise_simd() == 'avx2', !torchlite:::tl_elementwise_wide())",
               sprintf("saveRDS(simd_results(), %s)", deparse(res_file))), script)
  status <- system2(rscript, c("--vanilla", shQuote(script)), stdout = FALSE, stderr = FALSE,
                    env = c("TORCHLITE_SIMD=avx2",
                            paste0("R_LIBS=", paste(.libPaths(), collapse = .Platform$path.sep))))
  expect_equal(status, 0L)
  narrow <- readRDS(res_file)
  wide <- simd_results()
  expect_identical(names(wide), names(narrow))
  for (nm in names(wide)) expect_true(identical(wide[[nm]], narrow[[nm]]), info = nm)
})
