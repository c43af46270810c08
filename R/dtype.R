# Element types. A dtype object is an integer code with class "torch_dtype"; the codes are
# the C core's (0 bool, 1 int32, 2 int64, 3 float32, 4 float64).

dtype_names <- c("Bool", "Int", "Long", "Float", "Double")

new_dtype <- function(code) structure(as.integer(code), class = "torch_dtype")

#' Tensor data types
#'
#' Objects naming a tensor's element type, passed as `dtype =` to the creation functions and
#' to `$to()`. `torch_float()` (32-bit floating point) is the default for R doubles,
#' `torch_long()` (64-bit integer) for R integers and `torch_bool()` for R logicals.
#'
#' @return A `torch_dtype` object.
#' @examples
#' torch_float32()
#' torch_tensor(1:3)$dtype == torch_long()
#' @name torch_dtype
NULL

#' @rdname torch_dtype
#' @export
torch_float32 <- function() new_dtype(3L)
#' @rdname torch_dtype
#' @export
torch_float <- function() new_dtype(3L)
#' @rdname torch_dtype
#' @export
torch_float64 <- function() new_dtype(4L)
#' @rdname torch_dtype
#' @export
torch_double <- function() new_dtype(4L)
#' @rdname torch_dtype
#' @export
torch_int64 <- function() new_dtype(2L)
#' @rdname torch_dtype
#' @export
torch_long <- function() new_dtype(2L)
#' @rdname torch_dtype
#' @export
torch_int32 <- function() new_dtype(1L)
#' @rdname torch_dtype
#' @export
torch_int <- function() new_dtype(1L)
#' @rdname torch_dtype
#' @export
torch_bool <- function() new_dtype(0L)

#' @export
print.torch_dtype <- function(x, ...) {
  cat("torch_", dtype_names[unclass(x) + 1L], "\n", sep = "")
  invisible(x)
}

#' @export
as.character.torch_dtype <- function(x, ...) dtype_names[unclass(x) + 1L]

#' @export
`==.torch_dtype` <- function(e1, e2) {
  if (!inherits(e1, "torch_dtype") || !inherits(e2, "torch_dtype")) return(FALSE)
  unclass(e1) == unclass(e2)
}

#' @export
`!=.torch_dtype` <- function(e1, e2) !(e1 == e2)

#' Devices
#'
#' torchlite computes on the CPU only; `torch_device("cpu")` exists so that code written
#' for R torch that names the device keeps working.
#'
#' @param type the device type; only `"cpu"` is available.
#' @param index ignored for the CPU.
#' @return A `torch_device` object.
#' @examples
#' torch_device("cpu")
#' torch_ones(2)$device
#' @export
torch_device <- function(type = "cpu", index = NULL) {
  if (!is.character(type) || length(type) != 1 || !identical(sub(":.*$", "", type), "cpu"))
    signal_torch_error("value_error",
                       paste0("torchlite only computes on the CPU; device '",
                              if (is.character(type)) paste(type, collapse = ",") else
                                paste0("<", class(type)[1], ">"), "' is not available"))
  structure(list(type = "cpu", index = index), class = "torch_device")
}

#' @export
print.torch_device <- function(x, ...) {
  cat("torch_device(type='", x$type, "')\n", sep = "")
  invisible(x)
}

#' @export
`==.torch_device` <- function(e1, e2) {
  type <- function(d) if (inherits(d, "torch_device")) d$type else as.character(d)
  identical(type(e1), type(e2))
}
