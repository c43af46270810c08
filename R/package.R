#' torchlite: tensors and automatic differentiation for R on a small C core
#'
#' torchlite reproduces the tensor and autograd interface of the R 'torch' package on a
#' small C library that installs from source with only R, a C compiler and a BLAS. Scripts
#' written for 'torch' run with `library(torch)` replaced by `library(torchlite)`.
#'
#' @keywords internal
#' @useDynLib torchlite, .registration = TRUE
"_PACKAGE"

# Raises the classed condition for an error reported by the C layer. R torch signals
# conditions of class value_error / runtime_error; we keep those class names.
signal_torch_error <- function(class, message) {
  cond <- structure(
    class = c(class, "torch_error", "error", "condition"),
    list(message = message, call = NULL)
  )
  stop(cond)
}

.onLoad <- function(libname, pkgname) {
  ns <- topenv()
  dtypes <- lapply(0:4, new_dtype)
  .Call(C_tl_init, ns, dtypes, torch_device("cpu"))
  register_routine_constants(ns)
  seed_from_r()
  invisible()
}

# A fresh session gets a random stream, as in R torch; torch_manual_seed() makes it
# reproducible. The seed comes from R's own generator, without changing its state.
seed_from_r <- function() {
  had_seed <- exists(".Random.seed", envir = globalenv(), inherits = FALSE)
  if (had_seed) old <- get(".Random.seed", envir = globalenv(), inherits = FALSE)
  seed <- floor(stats::runif(1) * 2^31)
  if (had_seed) assign(".Random.seed", old, envir = globalenv())
  else rm(".Random.seed", envir = globalenv())
  .Call(C_tl_manual_seed, seed)
}
