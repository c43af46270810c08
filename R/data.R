#' @include nn.R
NULL

# Datasets and data loaders, with R torch's interface: `dataset()` makes a dataset
# generator, `dataloader()` batches a dataset, `dataloader_make_iter()` /
# `dataloader_next()` iterate, and `coro::loop(for (b in dl) ...)` works when coro is
# installed (through an `as_iterator()` method registered for coro's generic).

Dataset_def <- new_class_def(
  "dataset",
  public = list(
    initialize = function(...) {},
    .getitem = function(index) {
      signal_torch_error("not_implemented_error", "this dataset does not implement .getitem()")
    },
    .length = function() {
      signal_torch_error("not_implemented_error", "this dataset does not implement .length()")
    }
  ),
  parent_env = topenv()
)

#' Define a dataset
#'
#' `dataset()` creates a dataset generator, as R torch's: give `initialize` (which stores
#' the data in `self`), `.getitem(index)` (returns the sample `index`, 1-based, usually a
#' list of tensors) and `.length()` (the number of samples). A `.getbatch(index)` method,
#' if given, returns a whole batch for a vector of indices and is used by [dataloader()]
#' instead of `.getitem()` and collation. `ds[i]` calls `.getitem(i)` and `length(ds)`
#' `.length()`.
#'
#' @param name the class name.
#' @param inherit a dataset generator to inherit from.
#' @param ... methods and fields.
#' @param private,active lists of private members and of active bindings.
#' @param parent_env the environment the methods see.
#' @return A dataset generator.
#' @examples
#' squares <- dataset(
#'   "squares",
#'   initialize = function(n) {
#'     self$x <- torch_arange(1, n)
#'   },
#'   .getitem = function(i) list(x = self$x[i], y = self$x[i]^2),
#'   .length = function() self$x$size(1)
#' )
#' ds <- squares(5)
#' length(ds)
#' ds[2]
#' @export
dataset <- function(name = NULL, inherit = NULL, ..., private = NULL, active = NULL,
                    parent_env = parent.frame()) {
  parent_def <- Dataset_def
  parent_classes <- character()
  if (!is.null(inherit)) {
    if (!inherits(inherit, "dataset_generator"))
      signal_torch_error("value_error", "inherit must be a dataset generator")
    parent_def <- attr(inherit, "def")
    parent_classes <- attr(inherit, "classes")
  }
  classes <- unique(c(name, parent_classes, "dataset"))
  def <- new_class_def(name, public = list(...), private = private, active = active,
                       inherit = parent_def, parent_env = parent_env)
  gen <- class_generator(def, classes)
  attr(gen, "class") <- c("dataset_generator", "function")
  attr(gen, "def") <- def
  attr(gen, "classes") <- setdiff(classes, "dataset")
  gen
}

#' @export
print.dataset_generator <- function(x, ...) {
  cat("<dataset_generator: ", c(attr(x, "classes"), "dataset")[1], ">\n", sep = "")
  invisible(x)
}

#' @export
print.dataset <- function(x, ...) {
  cat("<", class(x)[1], "> dataset of ", dataset_length(x), " samples\n", sep = "")
  invisible(x)
}

#' @export
`[.dataset` <- function(x, i) x$.getitem(i)

#' @export
length.dataset <- function(x) dataset_length(x)

dataset_length <- function(ds) {
  n <- ds$.length()
  if (!is.numeric(n) || length(n) != 1 || is.na(n) || n < 0)
    signal_torch_error("value_error", ".length() of a dataset must return a single non-negative number")
  as.integer(n)
}

#' Is this a dataset?
#'
#' @param x any R object.
#' @return `TRUE` for datasets made by [dataset()] generators or [tensor_dataset()].
#' @examples
#' is_dataset(tensor_dataset(torch_ones(3, 2)))
#' @export
is_dataset <- function(x) inherits(x, "dataset")

#' Dataset of tensors
#'
#' A dataset whose sample `i` is the list of the `i`-th slices (along the first dimension)
#' of the tensors given. All the tensors must have the same size in their first dimension.
#' Names given to the tensors name the elements of the samples.
#'
#' @param ... tensors.
#' @return A `tensor_dataset`.
#' @examples
#' ds <- tensor_dataset(x = torch_randn(10, 3), y = torch_randn(10))
#' length(ds)
#' ds[1]
#' @export
tensor_dataset <- dataset(
  "tensor_dataset",
  initialize = function(...) {
    tensors <- list(...)
    if (length(tensors) == 0)
      signal_torch_error("value_error", "tensor_dataset() needs at least one tensor")
    if (!all(vapply(tensors, is_torch_tensor, TRUE)))
      signal_torch_error("type_error", "all the arguments of tensor_dataset() must be tensors")
    if (any(vapply(tensors, function(t) t$ndim == 0, TRUE)))
      signal_torch_error("value_error", "tensor_dataset() needs tensors with at least one dimension")
    sizes <- vapply(tensors, function(t) t$size(1), 1)
    if (any(sizes != sizes[1]))
      signal_torch_error("value_error", "Size mismatch between tensors")
    self$tensors <- tensors
  },
  .getitem = function(index) {
    lapply(self$tensors, function(t) t[index, .., drop = length(index) == 1])
  },
  .getbatch = function(index) {
    lapply(self$tensors, function(t) t[index, .., drop = FALSE])
  },
  .length = function() self$tensors[[1]]$size(1),
  parent_env = topenv()
)

# ---------------------------------------------------------------- collation

#' Default collation
#'
#' Combines a list of samples into a batch, as R torch's default: tensors are stacked
#' along a new first dimension, single numbers become a tensor (integers int64, doubles
#' float32), R vectors and arrays are converted and stacked, character values are
#' concatenated, and lists (samples with several parts) are collated element by element,
#' keeping their names.
#'
#' @param batch a list of samples.
#' @return The batch.
#' @examples
#' utils_data_default_collate(list(list(x = torch_ones(2), y = 1L), list(x = torch_zeros(2), y = 2L)))
#' @export
utils_data_default_collate <- function(batch) {
  if (!is.vector(batch) || length(batch) == 0)
    signal_torch_error("value_error", "batch must be a non-empty list of samples")
  elem <- batch[[1]]
  if (is_torch_tensor(elem)) {
    torch_stack(batch, dim = 1)
  } else if (is.atomic(elem) && !is.character(elem) &&
             (length(elem) > 1 || is.array(elem))) {
    torch_stack(lapply(batch, torch_tensor), dim = 1)
  } else if (is.integer(elem) && length(elem) == 1) {
    torch_tensor(unlist(batch), dtype = torch_long())
  } else if (is.numeric(elem) && length(elem) == 1) {
    torch_tensor(unlist(batch), dtype = torch_float())
  } else if (is.logical(elem) && length(elem) == 1) {
    torch_tensor(unlist(batch))
  } else if (is.character(elem)) {
    unlist(batch)
  } else if (is.list(elem)) {
    out <- lapply(seq_along(elem), function(i) {
      utils_data_default_collate(lapply(batch, function(s) s[[i]]))
    })
    names(out) <- names(elem)
    out
  } else {
    signal_torch_error("type_error", paste0(
      "Can't collate data of class: '", paste(class(elem), collapse = "', '"), "'"))
  }
}

# ---------------------------------------------------------------- data loader

#' Data loader
#'
#' Iterates over a dataset in batches, as R torch's `dataloader()`: each batch holds
#' `batch_size` samples (the last may be smaller, or is dropped with `drop_last = TRUE`),
#' in order or, with `shuffle = TRUE`, in a new random order at every pass (drawn from the
#' package's generator, so [torch_manual_seed()] makes it reproducible). Samples are
#' combined by `collate_fn` ([utils_data_default_collate()] by default: tensors are
#' stacked); a dataset with a `.getbatch()` method gives whole batches, passed to
#' `collate_fn` if one is given. `length(dl)` is the number of batches.
#'
#' Iterate with `dataloader_make_iter()` and `dataloader_next()` (which returns `completed`,
#' `NULL` by default, at the end), or with `coro::loop(for (batch in dl) ...)` when the
#' coro package is installed.
#'
#' @param dataset a dataset.
#' @param batch_size the number of samples per batch.
#' @param shuffle whether to reshuffle the samples at every pass.
#' @param sampler,batch_sampler not supported (must be `NULL`).
#' @param num_workers must be 0 (no worker processes).
#' @param collate_fn a function combining a list of samples into a batch, or `NULL` for
#'   the default.
#' @param pin_memory ignored (CPU only).
#' @param drop_last whether to drop the last, incomplete batch.
#' @param ... further arguments of R torch's `dataloader()`, ignored.
#' @return A `dataloader`.
#' @examples
#' ds <- tensor_dataset(torch_arange(1, 10), torch_arange(1, 10) * 10)
#' dl <- dataloader(ds, batch_size = 4)
#' length(dl)
#' it <- dataloader_make_iter(dl)
#' while (!is.null(batch <- dataloader_next(it))) print(batch[[1]])
#' @export
dataloader <- function(dataset, batch_size = 1, shuffle = FALSE, sampler = NULL,
                       batch_sampler = NULL, num_workers = 0, collate_fn = NULL,
                       pin_memory = FALSE, drop_last = FALSE, ...) {
  if (!is_dataset(dataset))
    signal_torch_error("type_error", paste0(
      "dataset must be a dataset (made by dataset() or tensor_dataset()), not an object of class <",
      class(dataset)[1], ">"))
  if (!is.numeric(batch_size) || length(batch_size) != 1 || is.na(batch_size) ||
      batch_size < 1 || batch_size != round(batch_size))
    signal_torch_error("value_error", paste0(
      "batch_size should be a positive integer value, but got batch_size=",
      paste(format(batch_size), collapse = " ")))
  if (!is.null(sampler) || !is.null(batch_sampler))
    signal_torch_error("value_error", "custom samplers are not supported by torchlite's dataloader()")
  if (!is.numeric(num_workers) || !identical(as.numeric(num_workers), 0))
    signal_torch_error("value_error", "torchlite's dataloader() loads data in the main process only (num_workers = 0)")
  if (!is.null(collate_fn) && !is.function(collate_fn))
    signal_torch_error("type_error", "collate_fn must be a function")
  for (a in c("shuffle", "drop_last")) {
    v <- get(a)
    if (!is.logical(v) || length(v) != 1 || is.na(v))
      signal_torch_error("value_error", paste0(a, " must be TRUE or FALSE"))
  }
  n <- dataset_length(dataset)
  if (n == 0)
    signal_torch_error("value_error",
      "the dataset is empty: a dataloader needs a dataset with at least one sample")
  dl <- list(dataset = dataset, batch_size = as.integer(batch_size), shuffle = isTRUE(shuffle),
             collate_fn = collate_fn, drop_last = isTRUE(drop_last))
  structure(dl, class = "dataloader")
}

#' @export
length.dataloader <- function(x) {
  n <- dataset_length(x$dataset)
  bs <- x$batch_size
  as.integer(if (x$drop_last) n %/% bs else ceiling(n / bs))
}

#' @export
print.dataloader <- function(x, ...) {
  cat("<dataloader> ", length(x), " batches of ", x$batch_size, " samples from a <",
      class(x$dataset)[1], ">", if (x$shuffle) ", shuffled", "\n", sep = "")
  invisible(x)
}

#' Is this a data loader?
#'
#' @param x any R object.
#' @return `TRUE` for objects made by [dataloader()].
#' @examples
#' is_dataloader(dataloader(tensor_dataset(torch_ones(2, 2))))
#' @export
is_dataloader <- function(x) inherits(x, "dataloader")

#' @rdname dataloader
#' @param dataloader,iter a dataloader, and an iterator made from one by
#'   `dataloader_make_iter()`.
#' @param completed the value `dataloader_next()` returns when the iterator is exhausted.
#' @export
dataloader_make_iter <- function(dataloader) {
  if (!is_dataloader(dataloader))
    signal_torch_error("type_error", "dataloader_make_iter() needs a dataloader")
  ds <- dataloader$dataset
  n <- dataset_length(ds)
  order <- if (dataloader$shuffle) order(as.numeric(torch_rand(n, dtype = torch_float64())))
           else seq_len(n)
  bs <- dataloader$batch_size
  n_batches <- length(dataloader)
  getbatch <- ds$.getbatch
  # as R torch: samples from .getitem() go through the default collation, batches from
  # .getbatch() through none; a user's collate_fn gets either
  collate <- dataloader$collate_fn
  if (is.null(collate)) collate <- if (is.function(getbatch)) identity else utils_data_default_collate
  iter <- new.env(parent = emptyenv())
  iter$batch <- 0L
  iter$.next <- function() {
    if (iter$batch >= n_batches) return(dataloader_exhausted)
    iter$batch <- iter$batch + 1L
    idx <- order[((iter$batch - 1L) * bs + 1L):min(iter$batch * bs, n)]
    if (is.function(getbatch)) collate(getbatch(idx))
    else collate(lapply(idx, function(i) ds$.getitem(i)))
  }
  iter$.length <- function() n_batches
  structure(iter, class = "dataloader_iterator")
}

dataloader_exhausted <- structure(list(), class = "dataloader_exhausted")

#' @rdname dataloader
#' @export
dataloader_next <- function(iter, completed = NULL) {
  if (!inherits(iter, "dataloader_iterator"))
    signal_torch_error("type_error", "dataloader_next() needs an iterator made by dataloader_make_iter()")
  res <- iter$.next()
  if (inherits(res, "dataloader_exhausted")) completed else res
}

#' @export
length.dataloader_iterator <- function(x) x$.length()

#' @export
print.dataloader_iterator <- function(x, ...) {
  cat("<dataloader_iterator> at batch ", x$batch, " of ", x$.length(), "\n", sep = "")
  invisible(x)
}

# coro's iteration protocol: `coro::loop(for (b in dl) ...)` calls coro::as_iterator(dl),
# which must return a function giving the next element or coro::exhausted(). Registered
# (lazily, only if coro is loaded) through the S3method(coro::as_iterator, dataloader)
# directive in NAMESPACE.

#' @exportS3Method coro::as_iterator
as_iterator.dataloader <- function(x) {
  iter <- dataloader_make_iter(x)
  function() dataloader_next(iter, coro::exhausted())
}
