#' @include tensor.R
NULL

# ---------------------------------------------------------------- grad mode

#' Turn gradient recording off or on
#'
#' `with_no_grad()` evaluates its code with gradient recording off (operations on tensors
#' that require grad record nothing), `with_enable_grad()` with it on; both restore the
#' previous mode afterwards, also on error, and nest. `local_no_grad()` and
#' `local_enable_grad()` change the mode until the calling function returns.
#' `autograd_set_grad_mode()` sets it; `autograd_is_enabled()` reads it.
#'
#' @param code the code to evaluate.
#' @param .env the frame whose exit restores the mode.
#' @param enabled `TRUE` or `FALSE`.
#' @return The value of `code`; `autograd_set_grad_mode()` returns the previous mode
#'   invisibly.
#' @examples
#' x <- torch_ones(2, requires_grad = TRUE)
#' y <- with_no_grad(x * 2)
#' y$requires_grad
#' f <- function() { local_no_grad(); autograd_is_enabled() }
#' f()
#' autograd_is_enabled()
#' @name with_no_grad
NULL

#' @rdname with_no_grad
#' @export
with_no_grad <- function(code) .External2(C_tl_with_grad_mode_ext, FALSE)

#' @rdname with_no_grad
#' @export
with_enable_grad <- function(code) .External2(C_tl_with_grad_mode_ext, TRUE)

defer_restore_mode <- function(old, env) {
  # checked before `old` is forced (forcing it changes the mode)
  if (!is.environment(env))
    signal_torch_error("value_error", ".env must be an environment (the frame whose exit restores the grad mode)")
  do.call(base::on.exit, list(call(".Call", C_tl_set_grad_mode, old), TRUE, FALSE),
          envir = env)
}

#' @rdname with_no_grad
#' @export
local_no_grad <- function(.env = parent.frame()) {
  defer_restore_mode(.Call(C_tl_set_grad_mode, FALSE), .env)
  invisible()
}

#' @rdname with_no_grad
#' @export
local_enable_grad <- function(.env = parent.frame()) {
  defer_restore_mode(.Call(C_tl_set_grad_mode, TRUE), .env)
  invisible()
}

#' @rdname with_no_grad
#' @export
autograd_set_grad_mode <- function(enabled) invisible(.Call(C_tl_set_grad_mode, enabled))

#' @rdname with_no_grad
#' @export
autograd_is_enabled <- function() .Call(C_tl_grad_mode)

#' Anomaly detection
#'
#' Inside `with_detect_anomaly()`, every recorded operation remembers the R calls that
#' created it; a backward formula that fails, or that produces `NaN`, raises an error that
#' names the operation and those calls.
#'
#' @param code the code to evaluate.
#' @return The value of `code`.
#' @examples
#' x <- torch_tensor(c(1, 2), requires_grad = TRUE)
#' with_detect_anomaly({
#'   y <- (x * x)$sum()
#'   y$backward()
#' })
#' x$grad
#' @export
with_detect_anomaly <- function(code) {
  old <- .Call(C_tl_set_anomaly, TRUE)
  on.exit(.Call(C_tl_set_anomaly, old))
  force(code)
}

# ---------------------------------------------------------------- backward

as_tensor_list <- function(x, what) {
  if (is.null(x)) return(NULL)
  if (is_torch_tensor(x)) return(list(x))
  if (!is.list(x))
    signal_torch_error("value_error", paste0(what, " must be a tensor or a list of tensors"))
  x
}

#' Compute gradients
#'
#' `autograd_backward()` accumulates the gradients of `tensors` into the `$grad` of the
#' leaves of their graph (what `x$backward()` does for one tensor). `autograd_grad()`
#' returns the gradients of `outputs` with respect to `inputs` as a list, without touching
#' `$grad`.
#'
#' @param tensors,outputs a tensor or a list of tensors to differentiate.
#' @param grad_tensors,grad_outputs the gradients with respect to them (`NULL` for
#'   one-element tensors, whose gradient is 1).
#' @param retain_graph keep the graph's saved tensors for another backward pass.
#' @param create_graph record the backward pass so that its result can be differentiated
#'   again (higher-order gradients).
#' @param inputs the tensors to compute gradients for.
#' @param allow_unused return `NULL` for inputs the outputs do not depend on instead of
#'   an error.
#' @return `autograd_backward()`: `NULL`, invisibly; `autograd_grad()`: a list of tensors.
#' @examples
#' x <- torch_tensor(c(1, 2, 3), requires_grad = TRUE)
#' y <- (x * x)$sum()
#' autograd_grad(y, x, retain_graph = TRUE)
#' autograd_backward(list(y))
#' x$grad
#' @name autograd_backward
NULL

#' @rdname autograd_backward
#' @export
autograd_backward <- function(tensors, grad_tensors = NULL, retain_graph = create_graph,
                              create_graph = FALSE, inputs = NULL) {
  tensors <- as_tensor_list(tensors, "tensors")
  grad_tensors <- as_tensor_list(grad_tensors, "grad_tensors")
  .Call(C_tl_run_backward, tensors, grad_tensors, retain_graph, create_graph,
        as_tensor_list(inputs, "inputs"), TRUE, FALSE)
  invisible(NULL)
}

#' @rdname autograd_backward
#' @export
autograd_grad <- function(outputs, inputs, grad_outputs = NULL, retain_graph = create_graph,
                          create_graph = FALSE, allow_unused = FALSE) {
  .Call(C_tl_run_backward, as_tensor_list(outputs, "outputs"),
        as_tensor_list(grad_outputs, "grad_outputs"), retain_graph, create_graph,
        as_tensor_list(inputs, "inputs"), FALSE, allow_unused)
}

# ---------------------------------------------------------------- grad_fn objects


#' @export
print.torch_grad_fn <- function(x, ...) {
  cat(.Call(C_tl_node_name, x), "\n", sep = "")
  invisible(x)
}

#' @export
format.torch_grad_fn <- function(x, ...) .Call(C_tl_node_name, x)

# ---------------------------------------------------------------- hook handles

#' @export
`$.torch_hook_handle` <- function(x, name) {
  switch(name,
    remove = function() {
      t <- x[["tensor"]]
      if (!is.null(t)) .Call(C_tl_remove_hook, t, x[["id"]])
      invisible(NULL)
    },
    signal_torch_error("value_error", paste0("'", name, "' is not a field of a hook handle"))
  )
}

#' @export
print.torch_hook_handle <- function(x, ...) {
  cat("<torch_hook_handle>\n")
  invisible(x)
}

# ---------------------------------------------------------------- tensor methods

define_methods(
  # (the arguments are read in the frame by C_tl_backward_ext)
  backward = function(gradient = NULL, retain_graph = create_graph, create_graph = FALSE,
                      inputs = NULL) invisible(.External2(C_tl_backward_ext)),
  retain_grad = function() {
    .Call(C_tl_retain_grad, self)
    invisible(self)
  },
  retains_grad = function() .Call(C_tl_retains_grad, self),
  detach = function() .Call(C_tl_detach, self),
  detach_ = function() invisible(.Call(C_tl_detach_, self)),
  requires_grad_ = function(requires_grad = TRUE) .Call(C_tl_requires_grad_, self, requires_grad),
  register_hook = function(hook) {
    id <- .Call(C_tl_register_hook, self, hook)
    structure(list(tensor = self, id = id), class = "torch_hook_handle")
  }
)

# ---------------------------------------------------------------- custom functions

#' Functions with a hand-written backward
#'
#' `autograd_function()` makes a differentiable function from a `forward` and a `backward`.
#' `forward(ctx, ...)` computes the result (with gradient recording off) and may keep what
#' the backward needs with `ctx$save_for_backward()`; `backward(ctx, grad_output, ...)`
#' receives the gradients of the outputs and returns the gradients of the inputs, as a list
#' named by `forward`'s arguments (in any order) or in their order.
#'
#' The context offers `ctx$save_for_backward(...)` (tensors and other R values, named or
#' not), `ctx$saved_variables`, `ctx$needs_input_grad` (a named logical vector),
#' `ctx$mark_dirty(...)` (inputs modified in place by forward) and
#' `ctx$mark_non_differentiable(...)` (outputs without gradients).
#'
#' @param forward `function(ctx, ...)` returning a tensor or a list of tensors.
#' @param backward `function(ctx, ...)` returning the input gradients.
#' @return A function with `forward`'s arguments (without `ctx`).
#' @examples
#' cube <- autograd_function(
#'   forward = function(ctx, x) {
#'     ctx$save_for_backward(x = x)
#'     x^3
#'   },
#'   backward = function(ctx, grad_output) {
#'     x <- ctx$saved_variables$x
#'     list(x = grad_output * 3 * x^2)
#'   }
#' )
#' x <- torch_tensor(2, requires_grad = TRUE)
#' y <- cube(x)
#' y$backward()
#' x$grad
#' @export
autograd_function <- function(forward, backward) {
  if (!is.function(forward) || !is.function(backward))
    signal_torch_error("value_error", "forward and backward must be functions")
  force(forward)
  force(backward)
  function(...) {
    args <- list(...)
    n <- length(args)
    nms <- names(args)
    if (is.null(nms)) nms <- rep("", n)
    fnames <- setdiff(names(formals(forward)), c("ctx", "..."))
    # unnamed arguments take forward's argument names in order
    free <- setdiff(fnames, nms[nms != ""])
    k <- 0L
    for (i in seq_len(n)) if (nms[i] == "") {
      k <- k + 1L
      nms[i] <- if (k <= length(free)) free[k] else paste0("..", i)
    }
    is_t <- vapply(args, is_torch_tensor, TRUE)
    record <- autograd_is_enabled() && any(vapply(args[is_t], function(a) a$requires_grad, TRUE))
    ctx <- new_autograd_ctx(args, nms, is_t)
    out <- with_no_grad(do.call(forward, c(list(ctx), unname_if_needed(args, names(list(...))))))
    if (!record) return(out)
    single <- is_torch_tensor(out)
    outs <- if (single) list(out) else out
    if (!is.list(outs) || !all(vapply(outs, is_torch_tensor, TRUE)))
      signal_torch_error("value_error", "forward must return a tensor or a list of tensors")
    # an output that is an unmodified input becomes an alias, so the input keeps its history
    for (j in seq_along(outs)) {
      for (i in which(is_t)) {
        if (identical(torchlite_ptr(outs[[j]]), torchlite_ptr(args[[i]])) &&
            !any(vapply(ctx$.dirty, function(d) identical(torchlite_ptr(d), torchlite_ptr(args[[i]])), TRUE)))
          outs[[j]] <- args[[i]]$detach()
      }
    }
    # saved outputs are kept detached: the node must not hold its own outputs
    for (s in seq_along(ctx$.saved)) {
      v <- ctx$.saved[[s]]
      if (is_torch_tensor(v) && any(vapply(outs, function(o) identical(torchlite_ptr(o), torchlite_ptr(v)), TRUE)))
        ctx$.saved[s] <- list(v$detach())
    }
    nondiff <- vapply(outs, function(o) any(vapply(ctx$.nondiff, function(d) identical(torchlite_ptr(d), torchlite_ptr(o)), TRUE)), TRUE)
    rec_outs <- outs
    rec_outs[nondiff] <- list(NULL)
    inputs <- args
    inputs[!is_t] <- list(NULL)
    meta <- lapply(outs, function(o) list(o$shape, as.integer(unclass(o$dtype))))
    ctx$.input_names <- nms
    ext <- list(backward, ctx, nms, meta)
    .Call(C_tl_custom_record, rec_outs, unname(inputs), ext)
    if (single) outs[[1]] else outs
  }
}

unname_if_needed <- function(args, given) {
  if (is.null(given)) unname(args) else args
}

torchlite_ptr <- function(x) if (is_torch_tensor(x)) .Call(C_tl_tensor_id, x) else NULL

new_autograd_ctx <- function(args, nms, is_t) {
  ctx <- new.env(parent = emptyenv())
  ctx$.saved <- list()
  ctx$.dirty <- list()
  ctx$.nondiff <- list()
  needs <- vapply(seq_along(args), function(i) is_t[i] && args[[i]]$requires_grad, TRUE)
  names(needs) <- nms
  ctx$needs_input_grad <- needs
  ctx$save_for_backward <- function(...) {
    ctx$.saved <- c(ctx$.saved, list(...))
    invisible(NULL)
  }
  ctx$mark_dirty <- function(...) {
    ctx$.dirty <- c(ctx$.dirty, list(...))
    invisible(NULL)
  }
  ctx$mark_non_differentiable <- function(...) {
    ctx$.nondiff <- c(ctx$.nondiff, list(...))
    invisible(NULL)
  }
  makeActiveBinding("saved_variables", function() ctx$.saved, ctx)
  class(ctx) <- "torch_autograd_context"
  ctx
}

#' @export
`$.torch_autograd_context` <- function(x, name) get(name, envir = x, inherits = FALSE)

#' @export
`$<-.torch_autograd_context` <- function(x, name, value) {
  assign(name, value, envir = x)
  x
}

# Called by the engine: runs a custom backward and aligns its result with the inputs.
custom_backward_call <- function(fun, ctx, grads) {
  res <- do.call(fun, c(list(ctx), unname(grads)))
  nms <- ctx$.input_names
  if (is_torch_tensor(res)) res <- list(res)
  if (!is.list(res))
    signal_torch_error("value_error", "backward must return a list of gradients (or one tensor)")
  out <- vector("list", length(nms))
  rn <- names(res)
  if (!is.null(rn) && all(rn != "")) {
    unknown <- setdiff(rn, nms)
    if (length(unknown))
      signal_torch_error("value_error", paste0("backward returned gradients for unknown inputs: ",
                                               paste(unknown, collapse = ", ")))
    for (nm in rn) out[[match(nm, nms)]] <- res[[nm]]
  } else {
    if (length(res) > length(nms))
      signal_torch_error("value_error", "backward returned more gradients than there are inputs")
    for (i in seq_along(res)) if (!is.null(res[[i]])) out[[i]] <- res[[i]]
  }
  out
}

#' @export
`$.torch_grad_fn` <- function(x, name) {
  switch(name,
    next_functions = .Call(C_tl_node_next, x),
    name = function() .Call(C_tl_node_name, x),
    variable = .Call(C_tl_node_variable, x),
    signal_torch_error("value_error", paste0("'", name, "' is not a field of a grad_fn"))
  )
}

# The R calls behind the current operation, for with_detect_anomaly()'s error messages.
anomaly_trace <- function() {
  calls <- sys.calls()
  calls <- calls[-length(calls)]
  txt <- vapply(calls, function(cl) paste(deparse(cl, nlines = 1L), collapse = ""), "")
  txt <- txt[!grepl("^(with_detect_anomaly|force|eval|doTryCatch|tryCatch)", txt)]
  paste(utils::tail(txt, 3), collapse = " -> ")
}
