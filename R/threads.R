#' Threads and the linked BLAS
#'
#' `torch_set_num_threads()` sets the number of threads used by torchlite's parallel
#' kernels (OpenMP) and by OpenBLAS when the package is linked to it;
#' `torch_get_num_threads()` reads it. `torchlite_backend()` reports the BLAS in use, the
#' thread count and whether OpenMP is available.
#'
#' @param num_threads a whole number, at least 1.
#' @return `torch_get_num_threads()`: an integer; `torchlite_backend()`: a list with
#'   `blas`, `num_threads` and `openmp`; `torch_set_num_threads()`: `NULL`, invisibly.
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
