# The torch_tensor class: an external pointer to a C tensor (serializable: see
# src/r/r_altrep.c). `x$name` goes straight to C, which answers fields itself and turns
# methods (the functions in `tensor_methods`) into closures with `self` bound to x.

tensor_methods <- new.env(parent = emptyenv())

# Adds methods (functions whose body refers to `self`) to the tensor method table.
define_methods <- function(...) {
  fns <- list(...)
  for (nm in names(fns)) {
    f <- fns[[nm]]
    environment(f) <- topenv()
    assign(nm, f, envir = tensor_methods)
  }
}

# Byte code that names a registered C routine (`.Call(C_tl_add, self, other, alpha)`) looks
# it up by name on every call: through the function's own frame (an S3 method's holds eight
# variables), then the namespace's hash table; about 400 machine instructions, a quarter of
# what a `$` method's body costs (bench/README.md). The functions on the per-op path are
# therefore recompiled with the routines' registered addresses as constants: the S3 methods
# of torch_tensor when the package loads (register_routine_constants()), the tensor methods
# when first bound (fast_method(), called by C_tl_dollar). They print as before: the
# original text is kept as their source reference. The price: such a function, serialized
# and loaded again (a bound method `x$add` saved with saveRDS()), holds a null address and
# stops with R's "NULL value passed as symbol address"; take the method from the tensor
# again.
with_routine_constants <- function(f) {
  nms <- all.names(body(f))
  nms <- unique(nms[startsWith(nms, "C_tl_")])
  ns <- topenv()
  vals <- mget(nms, envir = ns, ifnotfound = list(NULL))
  vals <- vals[vapply(vals, inherits, NA, what = "NativeSymbolInfo")]
  if (!length(vals)) return(f)
  vals <- lapply(vals, `[[`, "address") # what .Call() takes from the object anyway
  text <- deparse(f, control = c("keepInteger", "keepNA", "niceNames", "showAttributes",
                                 "useSource")) # as print() shows a function
  g <- f
  body(g) <- eval(call("substitute", body(f), vals))
  g <- compiler::cmpfun(g)
  src <- srcfilecopy("<torchlite>", text)
  attr(g, "srcref") <- srcref(src, c(1L, 1L, length(text), nchar(text[length(text)], "bytes")))
  g
}

# Specialized tensor methods, made on first use (C_tl_dollar keeps them in its name cache).
tensor_methods_fast <- new.env(parent = emptyenv())

# The specialized method `name`, or NULL if there is no such method.
fast_method <- function(name) {
  f <- tensor_methods_fast[[name]]
  if (!is.null(f)) return(f)
  f <- tensor_methods[[name]]
  if (is.null(f)) return(NULL)
  g <- tryCatch(with_routine_constants(f), error = function(e) f)
  assign(name, g, envir = tensor_methods_fast)
  g
}

# Called from .onLoad: the S3 methods of torch_tensor with routine constants, put in place
# of the originals in the namespace and in the S3 method table that R's dispatch reads (the
# one of the environment that defines the generic, as registerS3method() finds it; that
# function itself would also append to the namespace's registration record), and the
# exported functions that wrap the body of a training loop.
register_routine_constants <- function(ns) {
  s3 <- getNamespaceInfo(ns, "S3methods")
  groups <- c("Math", "Ops", "matrixOps", "Summary", "Complex")
  for (i in which(s3[, 2] == "torch_tensor")) {
    f <- get(s3[i, 3], envir = ns)
    g <- tryCatch(with_routine_constants(f), error = function(e) f)
    if (identical(g, f)) next
    generic <- s3[i, 1]
    def <- if (generic %in% groups) .BaseNamespaceEnv else {
      gf <- get(generic, envir = ns)
      if (typeof(gf) == "closure") environment(gf) else .BaseNamespaceEnv
    }
    table <- def[[".__S3MethodsTable__."]]
    if (!is.environment(table)) next
    assign(s3[i, 3], g, envir = ns)
    assign(paste(generic, "torch_tensor", sep = "."), g, envir = table)
  }
  for (nm in c("with_no_grad", "with_enable_grad")) {
    f <- get(nm, envir = ns)
    assign(nm, tryCatch(with_routine_constants(f), error = function(e) f), envir = ns)
  }
}

#' Fields and methods of a tensor
#'
#' `x$name` gives a field (`shape`, `dtype`, `requires_grad`, `ndim`, `device`, `is_leaf`,
#' `grad`, `grad_fn`) or a method to call (`x$numel()`, `x$size(1)`, `x$item()`,
#' `x$to(dtype = torch_float64())`, ...). `x$requires_grad <- TRUE` sets the flag.
#'
#' @param x a `torch_tensor`.
#' @param name a field or method name.
#' @param value the new value of the field.
#' @return The field's value, or a function for a method.
#' @examples
#' x <- torch_ones(2, 3)
#' x$shape
#' x$dtype
#' x$numel()
#' x$requires_grad <- TRUE
#' x$requires_grad
#' @name tensor-fields
NULL

#' @rdname tensor-fields
#' @export
`$.torch_tensor` <- function(x, name) .Call(C_tl_dollar, x, name)

#' @rdname tensor-fields
#' @export
`$<-.torch_tensor` <- function(x, name, value) {
  switch(name,
    requires_grad = .Call(C_tl_set_requires_grad, x, value),
    grad = .Call(C_tl_set_grad, x, value),
    signal_torch_error("value_error", paste0("cannot assign to the field '", name, "'"))
  )
  invisible(x)
}

#' @export
`[[.torch_tensor` <- function(x, i) .Call(C_tl_dollar, x, i)

#' @importFrom utils .DollarNames
#' @export
.DollarNames.torch_tensor <- function(x, pattern = "") {
  fields <- c("shape", "dtype", "requires_grad", "ndim", "device", "is_leaf", "grad",
              "grad_fn", "names", "is_cuda")
  nms <- sort(c(fields, ls(tensor_methods)))
  grep(pattern, nms, value = TRUE)
}

#' Saving tensors with saveRDS(), save() and serialize()
#'
#' Tensors survive R's own serialization: `saveRDS()`/`readRDS()`, `save()`/`load()`,
#' `serialize()`/`unserialize()`, and so everything built on them (lists or environments
#' holding tensors, modules, results sent back by parallel workers). Loading such an object
#' loads torchlite if needed.
#'
#' Each tensor is written with its dtype, shape, values (all values are kept exactly, int64
#' included) and `requires_grad` flag. A restored tensor is a new, contiguous **leaf**: it keeps
#' `requires_grad`, but not its `grad`, its `grad_fn` (the autograd history is not saved) or
#' its hooks. Memory shared between different tensors is not preserved: a view and its base,
#' or two handles on one tensor, come back as independent copies; one tensor that appears
#' several times in the saved object comes back as a single tensor (`identical()` is `TRUE`
#' between its occurrences, as before saving).
#'
#' A tensor is still an external pointer (`typeof(x)` is `"externalptr"`); what makes it
#' serializable is a small object stored with the pointer, whose ALTREP serialization method
#' writes the tensor's data. Serialization format version 2 (`saveRDS(version = 2)`) has no
#' such methods: tensors saved that way come back without their data, and using them is an
#' error. [torch_save()] writes a file that [torch_load()] reads back.
#'
#' @name tensor_serialization
#' @aliases serialization
#' @seealso [torch_save()]
#' @examples
#' x <- torch_tensor(c(1, 2, 3), requires_grad = TRUE)
#' f <- tempfile(fileext = ".rds")
#' saveRDS(list(x = x, y = x * 2), f)
#' r <- readRDS(f)
#' r$y
#' r$y$is_leaf # TRUE: the autograd history is not saved
#' unlink(f)
NULL

#' Is this a tensor?
#'
#' @param x any R object.
#' @return `TRUE` when `x` is a `torch_tensor`.
#' @examples
#' is_torch_tensor(torch_ones(1))
#' is_torch_tensor(1)
#' @export
is_torch_tensor <- function(x) inherits(x, "torch_tensor")

dim_arg <- function(dim, ndim) {
  if (!is.numeric(dim) || length(dim) != 1 || is.na(dim) || dim != round(dim))
    signal_torch_error("value_error", "dim must be a single whole number")
  if (dim == 0)
    signal_torch_error("index_error", "Indexing starts at 1 but found a 0.")
  d <- if (dim > 0) dim else ndim + dim + 1
  if (d < 1 || d > ndim)
    signal_torch_error(
      "index_error",
      sprintf("Dimension out of range (expected to be in range of [%d, %d], but got %d)",
              -ndim, ndim, as.integer(dim)))
  as.integer(d)
}

define_methods(
  numel = function() .Call(C_tl_numel, self),
  dim = function() self$ndim,
  size = function(dim) {
    s <- .Call(C_tl_shape, self)
    if (missing(dim)) return(s)
    s[dim_arg(dim, length(s))]
  },
  stride = function(dim) {
    s <- .Call(C_tl_strides, self)
    if (missing(dim)) return(s)
    s[dim_arg(dim, length(s))]
  },
  element_size = function() c(Bool = 1L, Int = 4L, Long = 8L, Float = 4L, Double = 8L)[[
    .Call(C_tl_type_name, self)]],
  is_contiguous = function() .Call(C_tl_is_contiguous, self),
  contiguous = function() .Call(C_tl_contiguous, self),
  clone = function() .Call(C_tl_clone, self),
  item = function() .Call(C_tl_item, self),
  to = function(dtype = NULL, device = NULL, other = NULL, non_blocking = FALSE,
                copy = FALSE, memory_format = NULL) {
    if (!is.null(device)) torch_device(if (inherits(device, "torch_device")) device$type else device)
    if (!is.null(other)) {
      if (!is.null(dtype)) signal_torch_error("value_error", "give either other or dtype, not both")
      dtype <- other$dtype
    }
    .Call(C_tl_to, self, dtype, copy)
  },
  type = function(dtype) .Call(C_tl_to, self, dtype, FALSE),
  float = function() .Call(C_tl_to, self, torch_float32(), FALSE),
  double = function() .Call(C_tl_to, self, torch_float64(), FALSE),
  long = function() .Call(C_tl_to, self, torch_int64(), FALSE),
  int = function() .Call(C_tl_to, self, torch_int32(), FALSE),
  bool = function() .Call(C_tl_to, self, torch_bool(), FALSE),
  cpu = function(memory_format = NULL) self,
  print = function(n = 30) print.torch_tensor(self, n = n)
)

#' Convert a tensor to an R array
#'
#' `as_array()` returns an R vector (tensors of 0 or 1 dimensions) or array with the
#' tensor's dims and the same `x[i, j]` values. Floating types become doubles, integer types
#' R integers (values beyond R's integer range give a warning) and bool logicals.
#' `as.numeric()`, `as.integer()`, `as.logical()`, `as.vector()` and `as.matrix()` go
#' through it; `as.numeric()` converts int64 tensors to doubles exactly.
#'
#' @param x a `torch_tensor`.
#' @param mode,... as for the base functions.
#' @return An R vector, matrix or array.
#' @examples
#' x <- torch_tensor(matrix(1:6, 2, 3))
#' as_array(x)
#' as.numeric(torch_tensor(c(0.5, 1.5)))
#' @export
as_array <- function(x) UseMethod("as_array")

#' @export
as_array.torch_tensor <- function(x) .Call(C_tl_as_array, x, FALSE)

#' @export
as_array.default <- function(x) {
  signal_torch_error("value_error",
                     paste0("as_array() needs a torch_tensor, not an object of class '",
                            class(x)[1], "'"))
}

#' @rdname as_array
#' @export
as.array.torch_tensor <- function(x, ...) {
  a <- .Call(C_tl_as_array, x, FALSE)
  if (is.null(dim(a))) array(a, dim = length(a)) else a
}

#' @rdname as_array
#' @export
as.matrix.torch_tensor <- function(x, ...) as.matrix(.Call(C_tl_as_array, x, FALSE))

#' @rdname as_array
#' @export
as.vector.torch_tensor <- function(x, mode = "any") as.vector(.Call(C_tl_as_array, x, FALSE), mode)

#' @rdname as_array
#' @export
as.double.torch_tensor <- function(x, ...) as.double(.Call(C_tl_as_array, x, TRUE))

#' @rdname as_array
#' @export
as.integer.torch_tensor <- function(x, ...) as.integer(.Call(C_tl_as_array, x, FALSE))

#' @rdname as_array
#' @export
as.logical.torch_tensor <- function(x, ...) as.logical(.Call(C_tl_as_array, x, FALSE))

#' @export
dim.torch_tensor <- function(x) .Call(C_tl_shape, x)

#' @export
length.torch_tensor <- function(x) .Call(C_tl_numel, x)

# internals used by print()
tl_values <- function(x) .Call(C_tl_values, x)
tl_type_name <- function(x) .Call(C_tl_type_name, x)
tl_grad_fn_name <- function(x) {
  fn <- x$grad_fn
  if (is.null(fn)) NULL else fn$name()
}

#' Memory held by the C core
#'
#' The number of bytes and of allocations the C core currently holds, for checking that a
#' loop releases what it creates.
#'
#' Memory comes back when R's garbage collector finds the tensors' handles unreachable.
#' Handles of small tensors (with small histories) are released in groups of up to 32, which
#' makes them much cheaper to create: a group is released once none of its handles is
#' reachable, so all the memory of dropped small tensors is back after two collections
#' (`gc(); gc()`), and a small tensor that stays alive keeps the few other small tensors
#' of its group alive with it.
#'
#' Released memory is not all given back to the system at once: the core keeps freed blocks
#' for reuse (blocks of up to 2 KB, up to 32 MB of each size; blocks of 2 KB to 128 KB, up
#' to 128 MB in all; a few large blocks, up to 512 MB in all), so that loops reuse memory
#' that is already mapped. Those kept blocks are not counted here, nor is the one 0-d tensor
#' per dtype kept for R numbers given to operations (`2 * x`).
#'
#' @return A named numeric vector: `bytes`, `objects`.
#' @examples
#' torchlite_memory()
#' @export
torchlite_memory <- function() {
  m <- .Call(C_tl_mem)
  c(bytes = m[1], objects = m[2])
}

# internal: identity of the memory behind a tensor, and whether a handle is usable
.tl_data_ptr <- function(x) .Call(C_tl_data_ptr, x)
.tl_is_valid <- function(x) .Call(C_tl_is_valid, x)
# internal, for tests: close the chunk being filled (NULL), or release x's chunk now
.tl_chunk_test <- function(x = NULL) .Call(C_tl_chunk_test, x)
# internal: the forced collections' state (src/r/r_tensor.c), for tests
.tl_gc_state <- function() {
  v <- .Call(C_tl_gc_state)
  c(armed = v[1], arm_slack_mb = v[2])
}
