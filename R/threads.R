#' Threads and the linked BLAS
#'
#' `torch_set_num_threads()` sets the number of threads used by torchlite's parallel
#' kernels (OpenMP) and by OpenBLAS when the package is linked to it;
#' `torch_get_num_threads()` reads it. `torchlite_backend()` reports the BLAS in use, the
#' thread count, whether OpenMP is available, and the vector instructions of the float32 math
#' kernels (exp, log, sin, ...): `"avx512"` or `"avx2"` (the same results, 16 or 8 lanes a
#' step; `TORCHLITE_SIMD=avx2` in the environment before the package loads keeps 8) or
#' `"generic"` (the C library's functions; `TORCHLITE_SIMD=generic`).
#'
#' @param num_threads a whole number, at least 1.
#' @return `torch_get_num_threads()`: an integer; `torchlite_backend()`: a list with
#'   `blas`, `num_threads`, `openmp` and `simd`; `torch_set_num_threads()`: `NULL`,
#'   invisibly.
#' @examples
#' torch_get_num_threads()
#' torchlite_backend()
#' @name threads
NULL

#' @rdname threads
#' @export
torch_set_num_threads <- function(num_threads) {
  .Call(C_tl_set_num_threads, num_threads)
  invisible(NULL)
}

#' @rdname threads
#' @export
torch_get_num_threads <- function() .Call(C_tl_get_num_threads)

#' @rdname threads
#' @export
torchlite_backend <- function() .Call(C_tl_backend_info)
