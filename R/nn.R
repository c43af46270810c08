#' @include tensor.R
NULL

# Modules, built on the public tensor API. The objects follow R torch: `nn_module()` returns
# a generator; calling it creates an instance (an environment holding `self`'s fields,
# parameters, buffers and submodules) wrapped in a callable: `model(x)` is
# `model$forward(x)`, `model$fc1` reaches the instance.
#
# A small class system (R6-like, no dependency) is shared by modules, optimisers,
# schedulers and datasets: a class definition is a list of public members (methods and
# fields), private members, active bindings, a parent definition and the environment the
# methods see. Methods run in an environment holding `self`, `private` and `super`.

# ---------------------------------------------------------------- class system

new_class_def <- function(classname, public = list(), private = list(), active = list(),
                          inherit = NULL, parent_env = parent.frame()) {
  if (!is.null(classname) && (!is.character(classname) || length(classname) != 1 || is.na(classname)))
    signal_torch_error("value_error", "the class name must be a single string (or NULL)")
  chk_members <- function(x, what) {
    if (length(x) && (is.null(names(x)) || any(names(x) == "")))
      signal_torch_error("value_error", paste0("all ", what, " members must be named"))
  }
  chk_members(public, "public")
  chk_members(private, "private")
  chk_members(active, "active")
  list(classname = classname, public = public, private = private %||% list(),
       active = active %||% list(), inherit = inherit, parent_env = parent_env)
}

`%||%` <- function(a, b) if (is.null(a)) b else a

# Installs the members of `def` (and of its parents, first) into `self` and `private`;
# returns an environment with the methods visible at this level (the next level's `super`).
bind_class <- function(def, self, private) {
  super <- if (!is.null(def$inherit)) bind_class(def$inherit, self, private) else NULL
  enclos <- new.env(parent = def$parent_env)
  enclos$self <- self
  enclos$private <- private
  if (!is.null(super)) enclos$super <- super
  bound <- new.env(parent = emptyenv())
  if (!is.null(super))
    for (nm in ls(super, all.names = TRUE)) assign(nm, get(nm, envir = super), envir = bound)
  put <- function(env, nm, v) {
    if (exists(nm, envir = env, inherits = FALSE) && bindingIsActive(nm, env))
      rm(list = nm, envir = env)
    assign(nm, v, envir = env)
  }
  for (nm in names(def$public)) {
    v <- def$public[[nm]]
    if (is.function(v)) {
      environment(v) <- enclos
      assign(nm, v, envir = bound)
    }
    put(self, nm, v)
  }
  for (nm in names(def$private)) {
    v <- def$private[[nm]]
    if (is.function(v)) environment(v) <- enclos
    put(private, nm, v)
  }
  for (nm in names(def$active)) {
    f <- def$active[[nm]]
    environment(f) <- enclos
    if (exists(nm, envir = self, inherits = FALSE)) rm(list = nm, envir = self)
    makeActiveBinding(nm, f, self)
  }
  assign(".__enclos_env__", enclos, envir = self)
  bound
}

# A new instance: members installed, class set, initialize() called with `...`.
class_new <- function(.def, .class, ...) {
  self <- new.env(parent = emptyenv())
  private <- new.env(parent = emptyenv())
  bind_class(.def, self, private)
  class(self) <- .class
  init <- get0("initialize", envir = self, inherits = FALSE)
  if (is.function(init)) init(...)
  self
}

# The initialize() a definition ends up with (its own or the nearest parent's).
class_init <- function(def) {
  while (!is.null(def)) {
    f <- def$public[["initialize"]]
    if (is.function(f)) return(f)
    def <- def$inherit
  }
  NULL
}

# A generator function with the arguments of the class's initialize(): it creates an
# instance and passes it to `wrap`.
class_generator <- function(def, class, wrap = identity) {
  init <- class_init(def)
  fmls <- if (is.null(init)) NULL else formals(init)
  args <- lapply(names(fmls), as.name)
  names(args) <- ifelse(names(fmls) == "...", "", names(fmls))
  call <- as.call(c(list(as.name("class_new"), as.name(".def"), as.name(".class")), args))
  env <- new.env(parent = topenv())
  env$.def <- def
  env$.class <- class
  env$.wrap <- wrap
  gen <- function() NULL
  formals(gen) <- fmls
  body(gen) <- call("{", call(".wrap", call))
  environment(gen) <- env
  gen
}

# ---------------------------------------------------------------- nn_Module

nn_Module_def <- new_class_def(
  "nn_Module",
  public = list(
    initialize = function() {},
    forward = function(...) {
      signal_torch_error("not_implemented_error", "Forward method is not implemented")
    },
    add_module = function(name, module) self$register_module(name, module),
    register_module = function(name, module) {
      name <- as.character(name)
      if (!inherits(module, "nn_module"))
        signal_torch_error("value_error", paste0(
          "Expected an nn_module but got an object of class <", class(module)[1], ">"))
      if (inherits(module, "nn_module_generator"))
        signal_torch_error("value_error", paste0("Module '", name, "' must be initialized"))
      module_forget(self, private, name)
      private$modules_[[name]] <- module
      assign(name, module, envir = self)
      invisible(self)
    },
    register_parameter = function(name, param) {
      if (!is.null(param) && !is_torch_tensor(param))
        signal_torch_error("type_error", paste0(
          "cannot register an object of class <", class(param)[1], "> as parameter '", name,
          "' (a tensor or NULL expected)"))
      module_forget(self, private, name)
      if (is.null(param)) return(invisible(self))
      if (!inherits(param, "nn_parameter"))
        param <- nn_parameter(param, requires_grad = param$requires_grad)
      private$parameters_[[name]] <- param
      assign(name, param, envir = self)
      invisible(self)
    },
    register_buffer = function(name, tensor, persistent = TRUE) {
      if (!is.null(tensor) && !is_torch_tensor(tensor))
        signal_torch_error("type_error", paste0(
          "cannot register an object of class <", class(tensor)[1], "> as buffer '", name,
          "' (a tensor or NULL expected)"))
      module_forget(self, private, name)
      if (is.null(tensor)) return(invisible(self))
      private$buffers_[[name]] <- tensor
      if (isTRUE(persistent))
        private$non_persistent_buffers_ <- setdiff(private$non_persistent_buffers_, name)
      else
        private$non_persistent_buffers_ <- union(private$non_persistent_buffers_, name)
      assign(name, tensor, envir = self)
      invisible(self)
    },
    train = function(mode = TRUE) {
      if (!(is.logical(mode) && length(mode) == 1 && !is.na(mode)))
        signal_torch_error("value_error", "mode must be TRUE or FALSE")
      private$training_ <- mode
      for (m in private$modules_) m$train(mode)
      invisible(module_callable(self))
    },
    eval = function() self$train(FALSE),
    zero_grad = function(set_to_none = FALSE) {
      for (p in self$parameters) {
        g <- p$grad
        if (is.null(g)) next
        if (isTRUE(set_to_none)) p$grad <- NULL
        else with_no_grad({
          g$detach_()
          g$zero_()
        })
      }
      invisible(NULL)
    },
    named_parameters = function(recursive = TRUE) {
      if (isTRUE(recursive)) self$parameters else private$parameters_
    },
    named_buffers = function(recursive = TRUE) {
      if (isTRUE(recursive)) self$buffers else private$buffers_
    },
    apply = function(fn) {
      for (m in private$modules_) m$apply(fn)
      fn(module_callable(self))
      invisible(module_callable(self))
    },
    .apply = function(fn) {
      for (m in private$modules_) m$.apply(fn)
      for (nm in names(private$parameters_)) {
        p <- private$parameters_[[nm]]
        new <- with_no_grad(fn(p))
        if (!identical(.Call(C_tl_tensor_id, new), .Call(C_tl_tensor_id, p))) {
          new <- nn_parameter(new$detach(), requires_grad = p$requires_grad)
          g <- p$grad
          if (!is.null(g)) new$grad <- with_no_grad(fn(g))
          private$parameters_[[nm]] <- new
          assign(nm, new, envir = self)
        }
      }
      for (nm in names(private$buffers_)) {
        b <- private$buffers_[[nm]]
        new <- with_no_grad(fn(b))
        private$buffers_[[nm]] <- new
        assign(nm, new, envir = self)
      }
      invisible(module_callable(self))
    },
    to = function(dtype = NULL, device = NULL, tensor = NULL, non_blocking = FALSE,
                  copy = FALSE, ...) {
      if (!is.null(device)) torch_device(if (inherits(device, "torch_device")) device$type else device)
      if (!is.null(tensor)) dtype <- tensor$dtype
      if (is.null(dtype)) return(invisible(module_callable(self)))
      if (!inherits(dtype, "torch_dtype") || !(dtype == torch_float32() || dtype == torch_float64()))
        signal_torch_error("value_error", paste0(
          "nn_module$to() only accepts floating point dtypes, but got desired dtype ",
          if (inherits(dtype, "torch_dtype")) as.character(dtype) else class(dtype)[1]))
      self$.apply(function(x) if (is_floating_tensor(x)) x$to(dtype = dtype) else x)
    },
    cpu = function() invisible(module_callable(self)),
    state_dict = function(prefix = "", keepvars = FALSE) {
      out <- list()
      for (nm in names(private$parameters_)) {
        out[[paste0(prefix, nm)]] <- keepvars_or_detach(private$parameters_[[nm]], keepvars)
      }
      for (nm in setdiff(names(private$buffers_), private$non_persistent_buffers_)) {
        out[[paste0(prefix, nm)]] <- keepvars_or_detach(private$buffers_[[nm]], keepvars)
      }
      for (nm in names(private$modules_)) {
        out <- c(out, private$modules_[[nm]]$state_dict(prefix = paste0(prefix, nm, "."),
                                                        keepvars = keepvars))
      }
      out
    },
    load_state_dict = function(state_dict, ..., strict = TRUE) {
      module_load_state_dict(self, state_dict, strict)
      invisible(module_callable(self))
    },
    print = function(...) {
      print_nn_module(self, private)
      invisible(module_callable(self))
    }
  ),
  private = list(
    training_ = TRUE,
    parameters_ = list(),
    buffers_ = list(),
    modules_ = list(),
    non_persistent_buffers_ = character()
  ),
  active = list(
    training = function(value) {
      if (!missing(value)) {
        if (!(is.logical(value) && length(value) == 1 && !is.na(value)))
          signal_torch_error("value_error", "Field `training` must be a logical flag.")
        private$training_ <- value
      }
      private$training_
    },
    parameters = function(value) {
      if (!missing(value))
        signal_torch_error("runtime_error", paste0(
          "It's not possible to modify the parameters list. You can modify the parameter ",
          "in place or use `module$parameter_name <- new_value`"))
      module_collect(self, private, "parameters", "parameters_")
    },
    buffers = function(value) {
      if (!missing(value))
        signal_torch_error("runtime_error", "It's not possible to modify the buffers list.")
      module_collect(self, private, "buffers", "buffers_")
    },
    modules = function(value) {
      if (!missing(value))
        signal_torch_error("runtime_error", "It's not possible to modify the modules list.")
      out <- list(module_callable(self))
      names(out) <- ""
      for (nm in names(private$modules_)) {
        sub <- private$modules_[[nm]]$modules
        names(sub) <- ifelse(names(sub) == "", nm, paste0(nm, ".", names(sub)))
        out <- c(out, sub)
      }
      unique_modules(out)
    },
    children = function(value) {
      if (!missing(value))
        signal_torch_error("runtime_error", "It's not possible to modify the children list.")
      private$modules_
    }
  ),
  parent_env = topenv()
)

# Removes `name` from the registries (before it is registered as something else).
module_forget <- function(self, private, name) {
  private$parameters_[[name]] <- NULL
  private$buffers_[[name]] <- NULL
  private$modules_[[name]] <- NULL
  private$non_persistent_buffers_ <- setdiff(private$non_persistent_buffers_, name)
  if (exists(name, envir = self, inherits = FALSE) && !bindingIsActive(name, self))
    rm(list = name, envir = self)
}

# Parameters (or buffers) of the submodules, then the module's own, named `sub.name`;
# a tensor reachable twice is listed once, as R torch does.
module_collect <- function(self, private, field, own) {
  out <- list()
  for (nm in names(private$modules_)) {
    sub <- private$modules_[[nm]][[field]]
    if (length(sub)) {
      names(sub) <- paste0(nm, ".", names(sub))
      out <- c(out, sub)
    }
  }
  out <- c(out, private[[own]])
  if (length(out) > 1) {
    ids <- vapply(out, function(t) .Call(C_tl_tensor_id, t), "")
    out <- out[!duplicated(ids)]
  }
  out
}

# Drops the modules whose instance appeared earlier in the list.
unique_modules <- function(mods) {
  keep <- logical(length(mods))
  seen <- list()
  for (i in seq_along(mods)) {
    inst <- attr(mods[[i]], "module")
    if (!any(vapply(seen, identical, TRUE, inst))) {
      keep[i] <- TRUE
      seen[[length(seen) + 1]] <- inst
    }
  }
  mods[keep]
}

keepvars_or_detach <- function(p, keepvars) {
  if (isTRUE(keepvars)) return(p)
  out <- p$detach()
  if (p$requires_grad) out$requires_grad_(TRUE)
  out
}

is_floating_tensor <- function(x) {
  dt <- unclass(x$dtype)
  dt == 3L || dt == 4L
}

module_load_state_dict <- function(self, state_dict, strict) {
  if (!is.list(state_dict) || (length(state_dict) && is.null(names(state_dict))))
    signal_torch_error("type_error", "state_dict must be a named list of tensors")
  own <- self$state_dict(keepvars = TRUE)
  missing_keys <- setdiff(names(own), names(state_dict))
  unexpected <- setdiff(names(state_dict), names(own))
  if (length(missing_keys))
    signal_torch_error("value_error", paste0(
      "Error(s) in loading state_dict: missing key(s) in state_dict: ",
      paste0("\"", missing_keys, "\"", collapse = ", "), "."))
  if (isTRUE(strict) && length(unexpected))
    signal_torch_error("value_error", paste0(
      "Error(s) in loading state_dict: unexpected key(s) in state_dict: ",
      paste0("\"", unexpected, "\"", collapse = ", "), "."))
  for (nm in names(own)) {
    v <- state_dict[[nm]]
    if (!is_torch_tensor(v))
      signal_torch_error("type_error", paste0(
        "state_dict entry '", nm, "' is not a tensor (class <", class(v)[1], ">)"))
    if (!identical(as.integer(dim(v)), as.integer(dim(own[[nm]]))))
      signal_torch_error("value_error", paste0(
        "size mismatch for ", nm, ": copying a param with shape {",
        paste(dim(v), collapse = ","), "} from checkpoint, the shape in current model is {",
        paste(dim(own[[nm]]), collapse = ","), "}."))
  }
  with_no_grad({
    for (nm in names(own)) own[[nm]]$copy_(state_dict[[nm]])
  })
  invisible(NULL)
}

# The callable a user holds: the instance's forward() with class and the instance attached.
module_callable <- function(instance) {
  f <- get("forward", envir = instance, inherits = FALSE)
  attr(f, "class") <- get(".classes", envir = instance, inherits = FALSE)
  attr(f, "module") <- instance
  f
}

# `self$name <- value` inside a module: parameters, buffers and modules are registered.
module_assign <- function(x, name, value) {
  private <- get(".__enclos_env__", envir = x)$private
  if (inherits(value, "nn_parameter")) {
    x$register_parameter(name, value)
  } else if (inherits(value, "nn_buffer")) {
    x$register_buffer(name, value, !identical(attr(value, "persistent"), FALSE))
  } else if (is_nn_module(value)) {
    x$register_module(name, value)
  } else if (!is.null(private$parameters_[[name]])) {
    if (!is.null(value))
      signal_torch_error("type_error", paste0(
        "cannot assign an object of class <", class(value)[1], "> as parameter '", name,
        "' (nn_parameter() or NULL expected)"))
    module_forget(x, private, name)
  } else if (!is.null(private$buffers_[[name]]) && is_torch_tensor(value)) {
    private$buffers_[[name]] <- value
    assign(name, value, envir = x)
  } else if (!is.null(private$modules_[[name]]) || !is.null(private$buffers_[[name]])) {
    if (!is.null(value))
      signal_torch_error("type_error", paste0(
        "cannot assign an object of class <", class(value)[1], "> as child module or buffer '",
        name, "' (an nn_module, a tensor or NULL expected)"))
    module_forget(x, private, name)
  } else {
    assign(name, value, envir = x)
  }
  invisible(x)
}

#' @export
`$<-.nn_Module` <- function(x, name, value) module_assign(x, name, value)

#' @export
`[[<-.nn_Module` <- function(x, i, value) module_assign(x, i, value)

#' @export
`$.nn_module` <- function(x, name) .subset2(attr(x, "module"), name)

#' @export
`[[.nn_module` <- function(x, i) .subset2(attr(x, "module"), i)

#' @export
`$<-.nn_module` <- function(x, name, value) {
  module_assign(attr(x, "module"), name, value)
  x
}

#' @export
`[[<-.nn_module` <- function(x, i, value) {
  module_assign(attr(x, "module"), i, value)
  x
}

#' @importFrom utils .DollarNames
#' @export
.DollarNames.nn_module <- function(x, pattern = "") {
  grep(pattern, ls(attr(x, "module"), all.names = FALSE), value = TRUE)
}

#' @export
names.nn_module <- function(x) ls(attr(x, "module"), all.names = FALSE)

#' Define a module
#'
#' `nn_module()` creates a module generator, as R torch does: `initialize` sets up the
#' parameters, buffers and submodules of an instance, `forward` computes its output. Calling
#' the generator with `initialize`'s arguments creates an instance; calling the instance
#' (`model(x)`) calls `forward`.
#'
#' Inside the methods, `self` is the instance. Assigning a tensor wrapped in
#' [nn_parameter()] to `self$name` registers a parameter, one wrapped in [nn_buffer()] a
#' buffer, and an instance of another module a submodule; anything else is a plain field.
#' Other methods and fields given in `...` become members of the instance, `private`
#' members are reachable as `private$name`, and `active` members are active bindings.
#' `super$method()` calls the parent class's method.
#'
#' Every instance has: `$parameters` (a named list of all parameters, those of the
#' submodules first, named like `fc1.weight`), `$named_parameters()`, `$buffers`,
#' `$modules` (the module and all submodules), `$children` (the direct submodules),
#' `$train()`, `$eval()`, `$training`, `$zero_grad()`, `$state_dict()`,
#' `$load_state_dict(state_dict, strict = TRUE)`, `$to(dtype =)`, `$apply(fn)`,
#' `$register_parameter()`, `$register_buffer()`, `$add_module()`.
#'
#' @param classname the name of the class (shown when printing), or `NULL`.
#' @param inherit a module generator to inherit from.
#' @param ... methods and fields: at least `initialize` and `forward`.
#' @param private,active lists of private members and of active bindings.
#' @param parent_env the environment the methods see (besides `self`, `private`, `super`).
#' @return A module generator (a function of `initialize`'s arguments).
#' @examples
#' net <- nn_module(
#'   "net",
#'   initialize = function(d_in, d_hidden) {
#'     self$fc1 <- nn_linear(d_in, d_hidden)
#'     self$fc2 <- nn_linear(d_hidden, 1)
#'   },
#'   forward = function(x) {
#'     self$fc2(nnf_relu(self$fc1(x)))
#'   }
#' )
#' model <- net(3, 8)
#' model(torch_randn(4, 3))
#' names(model$parameters)
#' model
#' @export
nn_module <- function(classname = NULL, inherit = NULL, ..., private = NULL, active = NULL,
                      parent_env = parent.frame()) {
  parent_def <- nn_Module_def
  parent_classes <- character()
  if (!is.null(inherit)) {
    if (!inherits(inherit, "nn_module_generator"))
      signal_torch_error("value_error", "inherit must be a module generator made by nn_module()")
    parent_def <- attr(inherit, "def")
    parent_classes <- setdiff(attr(inherit, "classes"), "nn_module")
  }
  classes <- unique(c(classname, parent_classes, "nn_module"))
  def <- new_class_def(classname, public = c(list(.classes = classes), list(...)),
                       private = private, active = active, inherit = parent_def,
                       parent_env = parent_env)
  gen <- class_generator(def, c(setdiff(classes, "nn_module"), "nn_Module"), module_callable)
  attr(gen, "class") <- c(classes, "nn_module_generator")
  attr(gen, "def") <- def
  attr(gen, "classes") <- classes
  gen
}

#' @export
print.nn_module_generator <- function(x, ...) {
  cat("<nn_module_generator: ", attr(x, "classes")[1], ">\n", sep = "")
  invisible(x)
}

#' Parameters, buffers and modules
#'
#' `nn_parameter(x)` marks a tensor as a parameter (and sets `requires_grad`), so that
#' assigning it to `self$name` in a module registers it; `nn_buffer(x)` marks a tensor as a
#' buffer (state saved in the state dict but not trained). `is_nn_parameter()`,
#' `is_nn_buffer()` and `is_nn_module()` test objects.
#'
#' @param x a tensor (or any object, for the tests).
#' @param requires_grad whether the parameter is trained.
#' @param persistent whether the buffer is part of the state dict.
#' @return `nn_parameter()` and `nn_buffer()` return `x` marked; the tests `TRUE` or `FALSE`.
#' @examples
#' w <- nn_parameter(torch_zeros(2, 2))
#' w$requires_grad
#' is_nn_parameter(w)
#' is_nn_buffer(nn_buffer(torch_ones(1)))
#' is_nn_module(nn_linear(1, 1))
#' @name nn_parameter
NULL

#' @rdname nn_parameter
#' @export
nn_parameter <- function(x, requires_grad = TRUE) {
  if (!is_torch_tensor(x))
    signal_torch_error("type_error", "`x` must be a tensor.")
  x$requires_grad_(requires_grad)
  if (!inherits(x, "nn_parameter")) class(x) <- c(class(x), "nn_parameter")
  x
}

#' @rdname nn_parameter
#' @export
is_nn_parameter <- function(x) inherits(x, "nn_parameter")

#' @rdname nn_parameter
#' @export
nn_buffer <- function(x, persistent = TRUE) {
  if (!is_torch_tensor(x))
    signal_torch_error("type_error", "`x` must be a tensor.")
  if (!inherits(x, "nn_buffer")) class(x) <- c(class(x), "nn_buffer")
  attr(x, "persistent") <- persistent
  x
}

#' @rdname nn_parameter
#' @export
is_nn_buffer <- function(x) inherits(x, "nn_buffer")

#' @rdname nn_parameter
#' @export
is_nn_module <- function(x) inherits(x, "nn_module") && !inherits(x, "nn_module_generator")

# ---------------------------------------------------------------- printing

#' @export
print.nn_module <- function(x, ...) {
  if (inherits(x, "nn_module_generator")) return(print.nn_module_generator(x))
  m <- attr(x, "module")
  print_nn_module(m, get(".__enclos_env__", envir = m)$private)
  invisible(x)
}

comma <- function(x) format(x, nsmall = 0, big.mark = ",", scientific = FALSE)

cli_utf8 <- function() isTRUE(getOption("cli.unicode", l10n_info()[["UTF-8"]]))

cat_rule <- function(title) {
  width <- getOption("cli.width", getOption("width", 80))
  ch <- if (cli_utf8()) "\u2500" else "-"
  left <- paste0(strrep(ch, 2), " ", title, " ")
  cat(left, strrep(ch, max(0, width - nchar(left))), "\n", sep = "")
}

cat_bullet <- function(text) {
  cat(if (cli_utf8()) "\u2022" else "*", " ", text, "\n", sep = "")
}

parameter_count <- function(module) {
  ps <- module$parameters
  if (length(ps) == 0) return(0)
  sum(vapply(ps, function(p) prod(dim(p)), 1))
}

tensor_str <- function(t) {
  paste0(as.character(t$dtype), " [", paste(paste0("1:", dim(t)), collapse = ", "), "]")
}

print_nn_module <- function(self, private) {
  cat("An `nn_module` containing ", comma(parameter_count(self)), " parameters.\n", sep = "")
  if (length(private$modules_)) {
    cat("\n")
    cat_rule("Modules")
    for (nm in names(private$modules_)) {
      m <- private$modules_[[nm]]
      cat_bullet(paste0(nm, ": <", class(m)[1], "> #", comma(parameter_count(m)),
                        " parameters"))
    }
  }
  if (length(private$parameters_)) {
    cat("\n")
    cat_rule("Parameters")
    for (nm in names(private$parameters_))
      cat_bullet(paste0(nm, ": ", tensor_str(private$parameters_[[nm]])))
  }
  if (length(private$buffers_)) {
    cat("\n")
    cat_rule("Buffers")
    for (nm in names(private$buffers_))
      cat_bullet(paste0(nm, ": ", tensor_str(private$buffers_[[nm]])))
  }
  invisible(NULL)
}

# ---------------------------------------------------------------- containers

#' A sequential container
#'
#' Calls its modules one after the other, each on the previous one's output. The modules
#' are registered under the names `"0"`, `"1"`, ... (as in R torch); `model[[i]]` gives the
#' `i`-th one and `length(model)` their number.
#'
#' @param ... modules.
#' @return An `nn_sequential` module.
#' @examples
#' model <- nn_sequential(nn_linear(3, 4), nn_relu(), nn_linear(4, 1))
#' model(torch_randn(2, 3))
#' length(model)
#' model[[1]]
#' @export
nn_sequential <- nn_module(
  "nn_sequential",
  initialize = function(...) {
    modules <- list(...)
    for (i in seq_along(modules)) self$add_module(name = i - 1, module = modules[[i]])
  },
  forward = function(input) {
    for (module in private$modules_) input <- module(input)
    input
  },
  parent_env = topenv()
)

#' @export
length.nn_sequential <- function(x) length(.subset2(attr(x, "module"), "children"))

#' @export
`[[.nn_sequential` <- function(x, i) {
  if (is.numeric(i) && length(i) == 1) {
    ch <- .subset2(attr(x, "module"), "children")
    if (i < 1 || i > length(ch))
      signal_torch_error("index_error", sprintf(
        "index %s is out of range for an nn_sequential of %d modules", format(i), length(ch)))
    return(ch[[i]])
  }
  .subset2(attr(x, "module"), i)
}
