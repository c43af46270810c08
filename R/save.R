#' @include tensor.R
NULL

# torch_save() / torch_load(): an RDS file holding
#   list(magic = "torchlite-save", version = 1L, object = <encoded object>)
# where each tensor is replaced by a list of class "torchlite_saved_tensor" with its values
# as an R vector in row-major order (doubles for floating types and int64, which are exact
# up to 2^53; integers for int32; logicals for bool), its dtype name, shape, requires_grad
# flag and whether it is a parameter. The format is ours (not R torch's or
# PyTorch's); files written by a later version of the format are refused.

save_magic <- "torchlite-save"
save_version <- 1L

encode_tensor <- function(t) {
  shape <- as.integer(dim(t))
  dtype <- as.character(t$dtype)
  # an R array with the tensor's dims (int64 as exact doubles), flattened in row-major
  # order so that the shape alone rebuilds the tensor
  a <- .Call(C_tl_as_array, t$detach(), dtype == "Long")
  values <- if (length(shape) > 1) as.vector(aperm(a, rev(seq_along(shape)))) else as.vector(a)
  structure(list(values = values, dtype = dtype, shape = shape,
                 requires_grad = isTRUE(t$requires_grad),
                 parameter = inherits(t, "nn_parameter")),
            class = "torchlite_saved_tensor")
}

decode_tensor <- function(s) {
  dtypes <- list(Bool = torch_bool(), Int = torch_int32(), Long = torch_int64(),
                 Float = torch_float32(), Double = torch_float64())
  dt <- dtypes[[s$dtype]]
  if (is.null(dt)) signal_torch_error("value_error", paste0("unknown dtype '", s$dtype, "' in the file"))
  shape <- s$shape
  v <- s$values
  if (length(v) != prod(shape))
    signal_torch_error("value_error", "corrupt file: a tensor's values do not match its shape")
  t <- if (length(v) == 0) torch_zeros(shape, dtype = dt)
       else torch_tensor(v, dtype = dt)$reshape(shape)
  if (isTRUE(s$parameter)) t <- nn_parameter(t, requires_grad = isTRUE(s$requires_grad))
  else if (isTRUE(s$requires_grad)) t$requires_grad_(TRUE)
  t
}

encode_object <- function(x, where = "obj") {
  if (is_torch_tensor(x)) return(encode_tensor(x))
  if (inherits(x, "nn_module"))
    signal_torch_error("type_error", paste0(
      "torch_save() saves tensors and lists of them: save a module's state with ",
      "torch_save(model$state_dict(), path) and restore it with ",
      "model$load_state_dict(torch_load(path))"))
  if (is.list(x) && !is.object(x)) {
    out <- lapply(seq_along(x), function(i) encode_object(x[[i]], paste0(where, "[[", i, "]]")))
    attributes(out) <- attributes(x)
    return(out)
  }
  if (is.environment(x) || is.function(x) || typeof(x) %in% c("externalptr", "closure", "builtin", "special"))
    signal_torch_error("type_error", paste0(
      "torch_save() can't save ", where, ", an object of type '", typeof(x), "'"))
  x
}

decode_object <- function(x) {
  if (inherits(x, "torchlite_saved_tensor")) return(decode_tensor(x))
  if (is.list(x) && !is.object(x)) {
    out <- lapply(x, decode_object)
    attributes(out) <- attributes(x)
    return(out)
  }
  x
}

#' Save and load tensors
#'
#' `torch_save(obj, path)` writes a tensor, or a (nested) list of tensors and plain R
#' values (such as a module's `$state_dict()` or an optimiser's), to a file;
#' `torch_load(path)` reads it back: tensors come back with their values, dtype, shape and
#' `requires_grad` flag (parameters as parameters). The file is an RDS file in torchlite's
#' own versioned format; it is not readable by R torch or PyTorch, and `torch_load()`
#' refuses files it did not write.
#'
#' @param obj a tensor or a list of tensors and R values.
#' @param path the file name.
#' @param ... unused (for compatibility with R torch).
#' @param device only `"cpu"` (or `NULL`).
#' @return `torch_save()` returns `path` invisibly; `torch_load()` the saved object.
#' @examples
#' f <- tempfile(fileext = ".pt")
#' model <- nn_linear(3, 1)
#' torch_save(model$state_dict(), f)
#' model2 <- nn_linear(3, 1)
#' model2$load_state_dict(torch_load(f))
#' torch_equal <- identical(as_array(model$weight), as_array(model2$weight))
#' torch_equal
#' torch_save(list(a = torch_ones(2), b = list(torch_tensor(1:3), "note")), f)
#' torch_load(f)
#' @seealso [tensor_serialization]: tensors also survive `saveRDS()` / `readRDS()`.
#' @export
torch_save <- function(obj, path, ...) {
  if (!is.character(path) || length(path) != 1 || is.na(path))
    signal_torch_error("value_error", "path must be a single file name")
  payload <- list(magic = save_magic, version = save_version, object = encode_object(obj))
  tryCatch(suppressWarnings(saveRDS(payload, path)), error = function(e)
    signal_torch_error("runtime_error", paste0(
      "cannot write '", path, "': ", conditionMessage(e), " (does its folder exist and is it writable?)")))
  invisible(path)
}

#' @rdname torch_save
#' @export
torch_load <- function(path, device = "cpu") {
  if (!is.null(device)) torch_device(if (inherits(device, "torch_device")) device$type else device)
  if (!is.character(path) || length(path) != 1 || is.na(path))
    signal_torch_error("value_error", "path must be a single file name")
  if (!file.exists(path))
    signal_torch_error("value_error", paste0("No such file: '", path, "'"))
  payload <- tryCatch(suppressWarnings(readRDS(path)), error = function(e) NULL)
  if (!is.list(payload) || !identical(payload$magic, save_magic) || !is.numeric(payload$version))
    signal_torch_error("value_error", paste0(
      "'", path, "' is not a file written by torchlite's torch_save()"))
  if (payload$version > save_version)
    signal_torch_error("value_error", paste0(
      "'", path, "' was written in version ", payload$version,
      " of torchlite's format; this version of torchlite reads up to version ", save_version))
  decode_object(payload$object)
}
