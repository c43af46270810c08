#' @include nn.R
NULL

# Optimisers, written with in-place tensor operations inside with_no_grad(). The update
# rules are PyTorch's (torch/optim/*.py, single-tensor forms), step for step, so that the
# trajectories agree with PyTorch's; `addcmul_(a, b, value = v)` is written
# `add_(a$mul(v)$mul(b))` and `addcdiv_(a, b, value = v)` `add_(a$mul(v)$div(b))`, the order
# in which libtorch's kernels round.

#' Mark an optimiser argument as required
#'
#' The default of arguments that have none (such as `lr` of [optim_sgd()]): an optimiser
#' fails if a parameter group gives no value for it.
#'
#' @return An object of class `optim_required`.
#' @examples
#' optim_required()
#' @export
optim_required <- function() structure(list(), class = "optim_required")

#' @export
print.optim_required <- function(x, ...) {
  cat("<optim_required>\n")
  invisible(x)
}

is_optim_required <- function(x) inherits(x, "optim_required")

tensor_key <- function(p) .Call(C_tl_tensor_id, p)

Optimizer_def <- new_class_def(
  "torch_optimizer",
  public = list(
    initialize = function(params, defaults) {
      self$defaults <- defaults
      self$state <- new.env(parent = emptyenv())
      self$param_groups <- list()
      if (is_torch_tensor(params)) {
        groups <- list(list(params = list(params)))
      } else if (is.list(params) && length(params) > 0 && is_torch_tensor(params[[1]])) {
        groups <- list(list(params = unname(params)))
      } else if (is.list(params) && length(params) > 0 && is.list(params[[1]])) {
        groups <- params
      } else if (is.list(params) && length(params) == 0) {
        signal_torch_error("value_error", "optimizer got an empty parameter list")
      } else {
        signal_torch_error("value_error", paste0(
          "params must be a tensor, a list of tensors or a list of parameter groups ",
          "(lists with an element `params`), not an object of class <", class(params)[1], ">"))
      }
      for (g in groups) self$add_param_group(g)
      invisible(self)
    },
    add_param_group = function(param_group) {
      if (!is.list(param_group) || is.null(names(param_group)) ||
          !"params" %in% names(param_group))
        signal_torch_error("value_error",
          "a parameter group must be a named list with an element `params`")
      params <- param_group$params
      if (is_torch_tensor(params)) params <- list(params)
      if (!is.list(params) || length(params) == 0)
        signal_torch_error("value_error", "optimizer got an empty parameter list")
      params <- unname(params)
      gi <- length(self$param_groups) + 1
      for (i in seq_along(params)) {
        p <- params[[i]]
        if (!is_torch_tensor(p))
          signal_torch_error("type_error", paste0(
            "optimizer can only optimize Tensors, but one of the params is <", class(p)[1], ">"))
        if (!p$requires_grad)
          signal_torch_error("value_error", sprintf(
            "parameter %d of group %d does not require grad: the optimizer can't update it (set requires_grad = TRUE or leave it out)",
            i, gi))
        if (!p$is_leaf)
          signal_torch_error("value_error", "can't optimize a non-leaf Tensor")
      }
      param_group$params <- params
      for (nm in names(self$defaults)) {
        if (!nm %in% names(param_group)) {
          if (is_optim_required(self$defaults[[nm]]))
            signal_torch_error("value_error", paste0(
              "parameter group didn't specify a value of required optimization parameter ", nm))
          param_group[nm] <- list(self$defaults[[nm]])
        }
      }
      new_keys <- vapply(params, tensor_key, "")
      old_keys <- unlist(lapply(self$param_groups, function(g) vapply(g$params, tensor_key, "")))
      if (anyDuplicated(new_keys) || any(new_keys %in% old_keys))
        signal_torch_error("value_error", "some parameters appear in more than one parameter group")
      self$param_groups[[gi]] <- param_group
      invisible(self)
    },
    zero_grad = function(set_to_none = FALSE) {
      for (group in self$param_groups) {
        for (p in group$params) {
          g <- p$grad
          if (is.null(g)) next
          if (isTRUE(set_to_none)) p$grad <- NULL
          else with_no_grad({
            g$detach_()
            g$zero_()
          })
        }
      }
      invisible(NULL)
    },
    step = function(closure = NULL) {
      signal_torch_error("not_implemented_error", "this optimizer does not implement step()")
    },
    state_dict = function() {
      params <- unlist(lapply(self$param_groups, function(g) g$params))
      keys <- vapply(params, tensor_key, "")
      state <- list()
      for (i in seq_along(keys)) {
        s <- self$state[[keys[i]]]
        if (!is.null(s)) state[[as.character(i)]] <- s
      }
      start <- 0L
      groups <- lapply(self$param_groups, function(g) {
        n <- length(g$params)
        g$params <- start + seq_len(n)
        start <<- start + n
        g
      })
      list(state = state, param_groups = groups)
    },
    load_state_dict = function(state_dict) {
      if (!is.list(state_dict) || !all(c("state", "param_groups") %in% names(state_dict)))
        signal_torch_error("value_error",
          "state_dict must be a list with elements `state` and `param_groups` (from $state_dict())")
      groups <- state_dict$param_groups
      if (length(groups) != length(self$param_groups))
        signal_torch_error("value_error",
          "loaded state dict has a different number of parameter groups")
      for (i in seq_along(groups)) {
        if (length(groups[[i]]$params) != length(self$param_groups[[i]]$params))
          signal_torch_error("value_error", paste0(
            "loaded state dict contains a parameter group that doesn't match the size of ",
            "optimizer's group"))
      }
      params <- unlist(lapply(self$param_groups, function(g) g$params))
      per_param <- c("momentum_buffer", "exp_avg", "exp_avg_sq", "max_exp_avg_sq",
                     "square_avg", "grad_avg", "sum")
      new_state <- list()
      for (nm in names(state_dict$state)) {
        i <- suppressWarnings(as.integer(nm))
        if (is.na(i) || i < 1 || i > length(params))
          signal_torch_error("value_error", paste0(
            "loaded state dict refers to parameter '", nm, "', which the optimizer does not have"))
        p <- params[[i]]
        s <- state_dict$state[[nm]]
        for (k in names(s)) {
          v <- s[[k]]
          if (!is_torch_tensor(v)) next
          if (k %in% per_param && !identical(as.integer(dim(v)), as.integer(dim(p))))
            signal_torch_error("value_error", sprintf(
              "size mismatch for state '%s' of parameter %d: {%s} in the state dict, {%s} in the optimizer",
              k, i, paste(dim(v), collapse = ","), paste(dim(p), collapse = ",")))
          s[[k]] <- if (is_floating_tensor(v)) v$detach()$to(dtype = p$dtype, copy = TRUE)
                    else v$detach()$clone()
        }
        new_state[[tensor_key(p)]] <- s
      }
      rm(list = ls(self$state, all.names = TRUE), envir = self$state)
      for (k in names(new_state)) assign(k, new_state[[k]], envir = self$state)
      for (i in seq_along(groups)) {
        g <- groups[[i]]
        g$params <- self$param_groups[[i]]$params
        self$param_groups[[i]] <- g
      }
      invisible(self)
    },
    print = function(...) {
      cat("<", class(self)[1], "> optimizer with ", length(self$param_groups),
          " parameter group", if (length(self$param_groups) != 1) "s", "\n", sep = "")
      for (i in seq_along(self$param_groups)) {
        g <- self$param_groups[[i]]
        hp <- g[setdiff(names(g), "params")]
        hp <- hp[vapply(hp, function(v) is.atomic(v) && length(v) <= 2, TRUE)]
        vals <- vapply(hp, function(v) paste(format(v), collapse = ", "), "")
        cat("  group ", i, ": ", length(g$params), " parameter", if (length(g$params) != 1) "s",
            if (length(vals)) paste0(" (", paste0(names(vals), " = ", vals, collapse = ", "), ")"),
            "\n", sep = "")
      }
      invisible(self)
    }
  ),
  private = list(
    # Runs `update(group, param)` for each parameter with a gradient, without recording.
    step_helper = function(closure, update) {
      loss <- NULL
      if (!is.null(closure) && !is.function(closure))
        signal_torch_error("value_error", "closure must be a function (or NULL)")
      if (!is.null(closure)) loss <- with_enable_grad(closure())
      with_no_grad({
        for (group in self$param_groups) {
          for (p in group$params) {
            if (is.null(p$grad)) next
            update(group, p)
          }
        }
      })
      loss
    },
    get_state = function(p) self$state[[tensor_key(p)]],
    set_state = function(p, value) assign(tensor_key(p), value, envir = self$state)
  ),
  parent_env = topenv()
)

#' Define an optimiser
#'
#' `optimizer()` creates an optimiser generator, as R torch's: give at least `initialize`
#' (which calls `super$initialize(params, defaults)`) and `step`. Instances have
#' `$param_groups` (a list of parameter groups: lists with `params` and the
#' hyper-parameters), `$state`, `$zero_grad()`, `$step()`, `$state_dict()` and
#' `$load_state_dict()`.
#'
#' @param name the class name.
#' @param inherit an optimiser generator to inherit from.
#' @param ... methods and fields.
#' @param private,active lists of private members and of active bindings.
#' @param parent_env the environment the methods see.
#' @return An optimiser generator.
#' @examples
#' optim_plain_sgd <- optimizer(
#'   "optim_plain_sgd",
#'   initialize = function(params, lr) {
#'     super$initialize(params, list(lr = lr))
#'   },
#'   step = function(closure = NULL) {
#'     with_no_grad({
#'       for (group in self$param_groups) for (p in group$params) {
#'         if (!is.null(p$grad)) p$add_(p$grad, alpha = -group$lr)
#'       }
#'     })
#'   }
#' )
#' x <- torch_tensor(2, requires_grad = TRUE)
#' opt <- optim_plain_sgd(x, lr = 0.1)
#' for (i in 1:50) {
#'   opt$zero_grad()
#'   y <- x^2
#'   y$backward()
#'   opt$step()
#' }
#' x
#' @export
optimizer <- function(name = NULL, inherit = NULL, ..., private = NULL, active = NULL,
                      parent_env = parent.frame()) {
  parent_def <- Optimizer_def
  parent_classes <- character()
  if (!is.null(inherit)) {
    if (!inherits(inherit, "optimizer_generator"))
      signal_torch_error("value_error", "inherit must be an optimizer generator")
    parent_def <- attr(inherit, "def")
    parent_classes <- attr(inherit, "classes")
  }
  classes <- unique(c(name, parent_classes, "torch_optimizer"))
  def <- new_class_def(name, public = list(...), private = private, active = active,
                       inherit = parent_def, parent_env = parent_env)
  gen <- class_generator(def, classes)
  attr(gen, "class") <- c("optimizer_generator", "function")
  attr(gen, "def") <- def
  attr(gen, "classes") <- setdiff(classes, "torch_optimizer")
  gen
}

#' @export
print.optimizer_generator <- function(x, ...) {
  cat("<optimizer_generator: ", c(attr(x, "classes"), "torch_optimizer")[1], ">\n", sep = "")
  invisible(x)
}

#' @export
print.torch_optimizer <- function(x, ...) x$print()

#' Is this an optimiser?
#'
#' @param x any R object.
#' @return `TRUE` for optimisers made by `optim_*()` functions or [optimizer()] generators.
#' @examples
#' is_optimizer(optim_sgd(torch_zeros(1, requires_grad = TRUE), lr = 0.1))
#' @export
is_optimizer <- function(x) inherits(x, "torch_optimizer")

# a single number (checked before && and ||, which need length-one operands)
hp_num <- function(x) is.numeric(x) && length(x) == 1 && !is.na(x)

check_hparam <- function(ok, msg) {
  if (!isTRUE(tryCatch(ok, error = function(e) FALSE)))
    signal_torch_error("value_error", tryCatch(paste(msg, collapse = " "), error = function(e)
      "invalid hyper-parameter: hyper-parameters must be single numbers"))
}

#' SGD optimiser
#'
#' Stochastic gradient descent, optionally with momentum, as PyTorch's `torch.optim.SGD`:
#' with gradient `g` (plus `weight_decay * p`), the momentum buffer is
#' `b = momentum * b + (1 - dampening) * g` (`b = g` on the first step), and the update is
#' `p = p - lr * b`, or `p = p - lr * (g + momentum * b)` with Nesterov momentum.
#'
#' @param params a tensor, a list of tensors, or a list of parameter groups (lists with
#'   `params` and their own hyper-parameters, e.g. `lr`).
#' @param lr the learning rate (required).
#' @param momentum the momentum factor.
#' @param dampening dampening of the momentum.
#' @param weight_decay L2 penalty.
#' @param nesterov whether to use Nesterov momentum (needs `momentum > 0` and
#'   `dampening = 0`).
#' @return An optimiser: call `$zero_grad()` and `$step()`.
#' @examples
#' x <- torch_tensor(c(-1, 2), requires_grad = TRUE)
#' opt <- optim_sgd(x, lr = 0.1, momentum = 0.5)
#' for (i in 1:20) {
#'   opt$zero_grad()
#'   loss <- (x^2)$sum()
#'   loss$backward()
#'   opt$step()
#' }
#' x
#' @export
optim_sgd <- optimizer(
  "optim_sgd",
  initialize = function(params, lr = optim_required(), momentum = 0, dampening = 0,
                        weight_decay = 0, nesterov = FALSE) {
    check_hparam(is_optim_required(lr) || (hp_num(lr) && lr >= 0), paste0("Invalid learning rate: ", format(lr)))
    check_hparam(momentum >= 0, paste0("Invalid momentum value: ", momentum))
    check_hparam(weight_decay >= 0, paste0("Invalid weight_decay value: ", weight_decay))
    check_hparam(!isTRUE(nesterov) || (hp_num(momentum) && hp_num(dampening) && momentum > 0 && dampening == 0),
                 "Nesterov momentum requires a momentum and zero dampening")
    super$initialize(params, list(lr = lr, momentum = momentum, dampening = dampening,
                                  weight_decay = weight_decay, nesterov = nesterov))
  },
  step = function(closure = NULL) {
    private$step_helper(closure, function(group, p) {
      d_p <- p$grad
      if (group$weight_decay != 0) d_p <- d_p$add(p, alpha = group$weight_decay)
      if (group$momentum != 0) {
        st <- private$get_state(p)
        buf <- st$momentum_buffer
        if (is.null(buf)) {
          buf <- d_p$clone()$detach()
          private$set_state(p, list(momentum_buffer = buf))
        } else {
          buf$mul_(group$momentum)$add_(d_p, alpha = 1 - group$dampening)
        }
        d_p <- if (isTRUE(group$nesterov)) d_p$add(buf, alpha = group$momentum) else buf
      }
      p$add_(d_p, alpha = -group$lr)
    })
  },
  parent_env = topenv()
)

adam_update <- function(private, group, p, decoupled) {
  betas <- group$betas
  beta1 <- betas[[1]]
  beta2 <- betas[[2]]
  st <- private$get_state(p)
  if (is.null(st)) {
    st <- list(step = 0, exp_avg = torch_zeros_like(p), exp_avg_sq = torch_zeros_like(p))
    if (isTRUE(group$amsgrad)) st$max_exp_avg_sq <- torch_zeros_like(p)
  }
  grad <- p$grad
  st$step <- st$step + 1
  private$set_state(p, st)
  if (decoupled) {
    p$mul_(1 - group$lr * group$weight_decay)
  } else if (group$weight_decay != 0) {
    grad <- grad$add(p, alpha = group$weight_decay)
  }
  st$exp_avg$mul_(beta1)$add_(grad, alpha = 1 - beta1)
  st$exp_avg_sq$mul_(beta2)$add_(grad$mul(1 - beta2)$mul(grad))
  bias_correction1 <- 1 - beta1^st$step
  bias_correction2 <- 1 - beta2^st$step
  step_size <- group$lr / bias_correction1
  bias_correction2_sqrt <- sqrt(bias_correction2)
  if (isTRUE(group$amsgrad)) {
    st$max_exp_avg_sq$copy_(torch_maximum(st$max_exp_avg_sq, st$exp_avg_sq))
    denom <- (st$max_exp_avg_sq$sqrt() / bias_correction2_sqrt)$add_(group$eps)
  } else {
    denom <- (st$exp_avg_sq$sqrt() / bias_correction2_sqrt)$add_(group$eps)
  }
  p$add_(st$exp_avg$mul(-step_size)$div(denom))
}

check_adam_args <- function(lr, betas, eps, weight_decay) {
  check_hparam(lr >= 0, paste0("Invalid learning rate: ", format(lr)))
  check_hparam(eps >= 0, paste0("Invalid epsilon value: ", format(eps)))
  check_hparam(length(betas) == 2, "betas must be a vector of two numbers")
  check_hparam(hp_num(betas[[1]]) && betas[[1]] >= 0 && betas[[1]] < 1,
               paste0("Invalid beta parameter at index 1: ", format(betas[[1]])))
  check_hparam(hp_num(betas[[2]]) && betas[[2]] >= 0 && betas[[2]] < 1,
               paste0("Invalid beta parameter at index 2: ", format(betas[[2]])))
  check_hparam(weight_decay >= 0, paste0("Invalid weight_decay value: ", format(weight_decay)))
}

#' Adam and AdamW optimisers
#'
#' Adam (Kingma and Ba) keeps running averages of the gradient and of its square and
#' steps by `lr * m_hat / (sqrt(v_hat) + eps)`, as PyTorch's `torch.optim.Adam`;
#' `amsgrad = TRUE` uses the maximum of the past squared averages. With `optim_adam()`,
#' `weight_decay` adds an L2 penalty to the gradient; `optim_adamw()` decays the weights
#' directly (`p = p * (1 - lr * weight_decay)`, Loshchilov and Hutter).
#'
#' @inheritParams optim_sgd
#' @param lr the learning rate.
#' @param betas the decay rates of the running averages of the gradient and its square.
#' @param eps a term added to the denominator.
#' @param weight_decay the weight decay.
#' @param amsgrad whether to use the AMSGrad variant.
#' @return An optimiser.
#' @examples
#' x <- torch_tensor(c(-1, 2), requires_grad = TRUE)
#' opt <- optim_adam(x, lr = 0.1)
#' for (i in 1:50) {
#'   opt$zero_grad()
#'   loss <- (x^2)$sum()
#'   loss$backward()
#'   opt$step()
#' }
#' x
#' @export
optim_adam <- optimizer(
  "optim_adam",
  initialize = function(params, lr = 0.001, betas = c(0.9, 0.999), eps = 1e-08,
                        weight_decay = 0, amsgrad = FALSE) {
    check_adam_args(lr, betas, eps, weight_decay)
    super$initialize(params, list(lr = lr, betas = betas, eps = eps,
                                  weight_decay = weight_decay, amsgrad = amsgrad))
  },
  step = function(closure = NULL) {
    private$step_helper(closure, function(group, p) adam_update(private, group, p, FALSE))
  },
  parent_env = topenv()
)

#' @rdname optim_adam
#' @export
optim_adamw <- optimizer(
  "optim_adamw",
  initialize = function(params, lr = 0.001, betas = c(0.9, 0.999), eps = 1e-08,
                        weight_decay = 0.01, amsgrad = FALSE) {
    check_adam_args(lr, betas, eps, weight_decay)
    super$initialize(params, list(lr = lr, betas = betas, eps = eps,
                                  weight_decay = weight_decay, amsgrad = amsgrad))
  },
  step = function(closure = NULL) {
    private$step_helper(closure, function(group, p) adam_update(private, group, p, TRUE))
  },
  parent_env = topenv()
)

#' RMSprop optimiser
#'
#' Divides the gradient by a running root mean square of its recent values, as PyTorch's
#' `torch.optim.RMSprop`: `v = alpha * v + (1 - alpha) * g^2`, `p = p - lr * g /
#' (sqrt(v) + eps)`; `centered = TRUE` subtracts the square of the running mean gradient
#' from `v`, and `momentum > 0` accumulates the steps in a buffer.
#'
#' @inheritParams optim_sgd
#' @param lr the learning rate.
#' @param alpha the smoothing constant.
#' @param eps a term added to the denominator.
#' @param centered whether to normalise by an estimate of the gradient's variance.
#' @return An optimiser.
#' @examples
#' x <- torch_tensor(c(-1, 2), requires_grad = TRUE)
#' opt <- optim_rmsprop(x, lr = 0.05)
#' for (i in 1:50) {
#'   opt$zero_grad()
#'   loss <- (x^2)$sum()
#'   loss$backward()
#'   opt$step()
#' }
#' x
#' @export
optim_rmsprop <- optimizer(
  "optim_rmsprop",
  initialize = function(params, lr = 0.01, alpha = 0.99, eps = 1e-08, weight_decay = 0,
                        momentum = 0, centered = FALSE) {
    check_hparam(lr >= 0, paste0("Invalid learning rate: ", format(lr)))
    check_hparam(eps >= 0, paste0("Invalid epsilon value: ", format(eps)))
    check_hparam(momentum >= 0, paste0("Invalid momentum value: ", format(momentum)))
    check_hparam(weight_decay >= 0, paste0("Invalid weight_decay value: ", format(weight_decay)))
    check_hparam(alpha >= 0, paste0("Invalid alpha value: ", format(alpha)))
    super$initialize(params, list(lr = lr, alpha = alpha, eps = eps,
                                  weight_decay = weight_decay, momentum = momentum,
                                  centered = centered))
  },
  step = function(closure = NULL) {
    private$step_helper(closure, function(group, p) {
      st <- private$get_state(p)
      if (is.null(st)) {
        st <- list(step = 0, square_avg = torch_zeros_like(p))
        if (group$momentum > 0) st$momentum_buffer <- torch_zeros_like(p)
        if (isTRUE(group$centered)) st$grad_avg <- torch_zeros_like(p)
      }
      st$step <- st$step + 1
      private$set_state(p, st)
      grad <- p$grad
      if (group$weight_decay != 0) grad <- grad$add(p, alpha = group$weight_decay)
      alpha <- group$alpha
      st$square_avg$mul_(alpha)$add_(grad$mul(1 - alpha)$mul(grad))
      if (isTRUE(group$centered)) {
        st$grad_avg$mul_(alpha)$add_(grad, alpha = 1 - alpha)
        avg <- st$square_avg$add(st$grad_avg$mul(-1)$mul(st$grad_avg))$sqrt_()
      } else {
        avg <- st$square_avg$sqrt()
      }
      avg$add_(group$eps)
      if (group$momentum > 0) {
        buf <- st$momentum_buffer
        buf$mul_(group$momentum)$add_(grad$div(avg))
        p$add_(buf, alpha = -group$lr)
      } else {
        p$add_(grad$mul(-group$lr)$div(avg))
      }
    })
  },
  parent_env = topenv()
)

#' Adagrad optimiser
#'
#' Scales each coordinate's step by the inverse square root of the sum of its past squared
#' gradients, as PyTorch's `torch.optim.Adagrad`: `s = s + g^2`,
#' `p = p - clr * g / (sqrt(s) + eps)` with `clr = lr / (1 + (step - 1) * lr_decay)`.
#'
#' @inheritParams optim_sgd
#' @param lr the learning rate.
#' @param lr_decay the learning rate decay.
#' @param initial_accumulator_value the starting value of the sums of squares.
#' @param eps a term added to the denominator.
#' @return An optimiser.
#' @examples
#' x <- torch_tensor(c(-1, 2), requires_grad = TRUE)
#' opt <- optim_adagrad(x, lr = 0.5)
#' for (i in 1:50) {
#'   opt$zero_grad()
#'   loss <- (x^2)$sum()
#'   loss$backward()
#'   opt$step()
#' }
#' x
#' @export
optim_adagrad <- optimizer(
  "optim_adagrad",
  initialize = function(params, lr = 0.01, lr_decay = 0, weight_decay = 0,
                        initial_accumulator_value = 0, eps = 1e-10) {
    check_hparam(lr >= 0, paste0("Invalid learning rate: ", format(lr)))
    check_hparam(lr_decay >= 0, paste0("Invalid lr_decay value: ", format(lr_decay)))
    check_hparam(weight_decay >= 0, paste0("Invalid weight_decay value: ", format(weight_decay)))
    check_hparam(initial_accumulator_value >= 0, paste0(
      "Invalid initial_accumulator_value value: ", format(initial_accumulator_value)))
    check_hparam(eps >= 0, paste0("Invalid epsilon value: ", format(eps)))
    super$initialize(params, list(lr = lr, lr_decay = lr_decay, eps = eps,
                                  weight_decay = weight_decay,
                                  initial_accumulator_value = initial_accumulator_value))
    for (group in self$param_groups) {
      for (p in group$params) {
        private$set_state(p, list(step = 0, sum = torch_full_like(
          p, group$initial_accumulator_value)))
      }
    }
  },
  step = function(closure = NULL) {
    private$step_helper(closure, function(group, p) {
      st <- private$get_state(p)
      if (is.null(st))
        st <- list(step = 0, sum = torch_full_like(p, group$initial_accumulator_value))
      st$step <- st$step + 1
      private$set_state(p, st)
      grad <- p$grad
      if (group$weight_decay != 0) grad <- grad$add(p, alpha = group$weight_decay)
      clr <- group$lr / (1 + (st$step - 1) * group$lr_decay)
      st$sum$add_(grad$mul(grad))
      std <- st$sum$sqrt()$add_(group$eps)
      p$add_(grad$mul(-clr)$div(std))
    })
  },
  parent_env = topenv()
)
