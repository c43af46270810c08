#' @include optim.R
NULL

# Learning-rate schedulers, as PyTorch's torch/optim/lr_scheduler.py with R torch's names.
# A scheduler sets `lr` in each of its optimiser's parameter groups; creating one performs
# the first step (epoch 0).

LRScheduler_def <- new_class_def(
  "lr_scheduler",
  public = list(
    initialize = function(optimizer, last_epoch = -1, verbose = FALSE) {
      if (!is_optimizer(optimizer))
        signal_torch_error("type_error", paste0(
          "an object of class <", class(optimizer)[1], "> is not an optimizer"))
      if (!is.numeric(last_epoch) || length(last_epoch) != 1 || is.na(last_epoch) ||
          last_epoch < -1 || last_epoch != round(last_epoch))
        signal_torch_error("value_error", "last_epoch must be -1 or a non-negative whole number")
      self$optimizer <- optimizer
      groups <- optimizer$param_groups
      for (i in seq_along(groups)) {
        if (last_epoch == -1) {
          if (is.null(groups[[i]]$initial_lr)) optimizer$param_groups[[i]]$initial_lr <- groups[[i]]$lr
        } else if (is.null(groups[[i]]$initial_lr)) {
          signal_torch_error("value_error", sprintf(
            "param 'initial_lr' is not specified in param_groups[[%d]] when resuming an optimizer", i))
        }
      }
      self$base_lrs <- vapply(optimizer$param_groups, function(g) g$initial_lr, 1)
      self$last_epoch <- last_epoch
      self$verbose <- verbose
      self$step()
    },
    get_lr = function() {
      signal_torch_error("not_implemented_error", "this scheduler does not implement get_lr()")
    },
    get_last_lr = function() self$.last_lr,
    step = function() {
      self$last_epoch <- self$last_epoch + 1
      values <- self$get_lr()
      for (i in seq_along(self$optimizer$param_groups)) {
        self$optimizer$param_groups[[i]]$lr <- values[[i]]
        if (isTRUE(self$verbose))
          message(sprintf("Adjusting learning rate of group %d to %.4e.", i, values[[i]]))
      }
      self$.last_lr <- vapply(self$optimizer$param_groups, function(g) g$lr, 1)
      invisible(NULL)
    },
    state_dict = function() {
      nms <- setdiff(ls(self, all.names = TRUE), c("optimizer", ".__enclos_env__"))
      vals <- mget(nms, envir = self)
      is_fn <- function(v) is.function(v) || (is.list(v) && length(v) && all(vapply(v, is.function, TRUE)))
      vals[!vapply(vals, is_fn, TRUE)]
    },
    load_state_dict = function(state_dict) {
      for (nm in names(state_dict)) assign(nm, state_dict[[nm]], envir = self)
      invisible(self)
    }
  ),
  parent_env = topenv()
)

#' Define a learning-rate scheduler
#'
#' `lr_scheduler()` creates a scheduler generator, as R torch's: give `initialize` (which
#' ends with `super$initialize(optimizer, last_epoch, verbose)`) and `get_lr()`, which
#' returns the learning rates of the optimiser's parameter groups for epoch
#' `self$last_epoch`. Instances have `$step()`, `$get_last_lr()`, `$state_dict()` and
#' `$load_state_dict()`.
#'
#' @param classname the class name.
#' @param inherit a scheduler generator to inherit from.
#' @param ... methods and fields.
#' @param parent_env the environment the methods see.
#' @return A scheduler generator.
#' @examples
#' lr_halving <- lr_scheduler(
#'   "lr_halving",
#'   initialize = function(optimizer, last_epoch = -1) {
#'     super$initialize(optimizer, last_epoch)
#'   },
#'   get_lr = function() self$base_lrs * 0.5^self$last_epoch
#' )
#' opt <- optim_sgd(torch_zeros(1, requires_grad = TRUE), lr = 1)
#' sched <- lr_halving(opt)
#' sched$step()
#' opt$param_groups[[1]]$lr
#' @export
lr_scheduler <- function(classname = NULL, inherit = NULL, ..., parent_env = parent.frame()) {
  parent_def <- LRScheduler_def
  parent_classes <- character()
  if (!is.null(inherit)) {
    if (!inherits(inherit, "lr_scheduler_generator"))
      signal_torch_error("value_error", "inherit must be a scheduler generator")
    parent_def <- attr(inherit, "def")
    parent_classes <- attr(inherit, "classes")
  }
  classes <- unique(c(classname, parent_classes, "lr_scheduler"))
  def <- new_class_def(classname, public = list(...), inherit = parent_def,
                       parent_env = parent_env)
  gen <- class_generator(def, classes)
  attr(gen, "class") <- c("lr_scheduler_generator", "function")
  attr(gen, "def") <- def
  attr(gen, "classes") <- setdiff(classes, "lr_scheduler")
  gen
}

#' @export
print.lr_scheduler_generator <- function(x, ...) {
  cat("<lr_scheduler_generator: ", c(attr(x, "classes"), "lr_scheduler")[1], ">\n", sep = "")
  invisible(x)
}

#' @export
print.lr_scheduler <- function(x, ...) {
  cat("<", class(x)[1], "> at epoch ", x$last_epoch, ", lr ",
      paste(format(x$get_last_lr()), collapse = ", "), "\n", sep = "")
  invisible(x)
}

lr_lambdas_for <- function(optimizer, lr_lambda) {
  if (!is_optimizer(optimizer))
    signal_torch_error("type_error", paste0(
      "an object of class <", class(optimizer)[1], "> is not an optimizer"))
  n <- length(optimizer$param_groups)
  if (is.function(lr_lambda)) return(rep(list(lr_lambda), n))
  if (!is.list(lr_lambda) || !all(vapply(lr_lambda, is.function, TRUE)))
    signal_torch_error("type_error", "lr_lambda must be a function or a list of functions")
  if (length(lr_lambda) != n)
    signal_torch_error("value_error", sprintf("Expected %d lr_lambdas, but got %d", n,
                                              length(lr_lambda)))
  lr_lambda
}

#' Step decay of the learning rate
#'
#' `lr_step()` multiplies the learning rate of each parameter group by `gamma` every
#' `step_size` epochs; `lr_multiplicative()` multiplies it by `lr_lambda(epoch)` at every
#' epoch; `lr_lambda()` sets it to the initial rate times `lr_lambda(epoch)`. Call
#' `scheduler$step()` once per epoch, after the optimiser's steps.
#'
#' @param optimizer an optimiser.
#' @param step_size the period of the decay, in epochs.
#' @param gamma the factor of the decay.
#' @param lr_lambda a function of the epoch (or a list of them, one per parameter group).
#' @param last_epoch the index of the last epoch (-1 to start afresh).
#' @param verbose whether to report each update.
#' @return A scheduler.
#' @examples
#' opt <- optim_sgd(torch_zeros(1, requires_grad = TRUE), lr = 0.1)
#' sched <- lr_step(opt, step_size = 2, gamma = 0.5)
#' for (epoch in 1:5) {
#'   opt$step()
#'   sched$step()
#'   cat(epoch, opt$param_groups[[1]]$lr, "\n")
#' }
#' @export
lr_step <- lr_scheduler(
  "lr_step",
  initialize = function(optimizer, step_size, gamma = 0.1, last_epoch = -1) {
    if (!is.numeric(step_size) || length(step_size) != 1 || is.na(step_size) || step_size < 1 ||
        step_size != round(step_size))
      signal_torch_error("value_error", "step_size must be a positive whole number")
    if (!is.numeric(gamma) || length(gamma) != 1 || is.na(gamma))
      signal_torch_error("value_error", "gamma must be a single number")
    self$step_size <- step_size
    self$gamma <- gamma
    super$initialize(optimizer, last_epoch)
  },
  get_lr = function() {
    lrs <- vapply(self$optimizer$param_groups, function(g) g$lr, 1)
    if (self$last_epoch == 0 || self$last_epoch %% self$step_size != 0) return(lrs)
    lrs * self$gamma
  },
  parent_env = topenv()
)

#' @rdname lr_step
#' @export
lr_multiplicative <- lr_scheduler(
  "lr_multiplicative",
  initialize = function(optimizer, lr_lambda, last_epoch = -1, verbose = FALSE) {
    self$lr_lambdas <- lr_lambdas_for(optimizer, lr_lambda)
    super$initialize(optimizer, last_epoch, verbose)
  },
  get_lr = function() {
    lrs <- vapply(self$optimizer$param_groups, function(g) g$lr, 1)
    if (self$last_epoch <= 0) return(lrs)
    vapply(seq_along(lrs), function(i) lrs[i] * self$lr_lambdas[[i]](self$last_epoch), 1)
  },
  parent_env = topenv()
)

#' @rdname lr_step
#' @export
lr_lambda <- lr_scheduler(
  "lr_lambda",
  initialize = function(optimizer, lr_lambda, last_epoch = -1, verbose = FALSE) {
    self$lr_lambdas <- lr_lambdas_for(optimizer, lr_lambda)
    super$initialize(optimizer, last_epoch, verbose)
  },
  get_lr = function() {
    vapply(seq_along(self$base_lrs),
           function(i) self$base_lrs[i] * self$lr_lambdas[[i]](self$last_epoch), 1)
  },
  parent_env = topenv()
)

#' One-cycle learning rate policy
#'
#' Anneals the learning rate from `max_lr / div_factor` up to `max_lr` over the first
#' `pct_start` of the steps and then down to `max_lr / div_factor / final_div_factor`
#' (Smith and Topin's 1cycle policy), as PyTorch's `OneCycleLR`. With `cycle_momentum`, the
#' momentum (or Adam's first beta) moves inversely between `max_momentum` and
#' `base_momentum`. Call `scheduler$step()` after every batch; the number of steps is
#' `total_steps`, or `epochs * steps_per_epoch`.
#'
#' @param optimizer an optimiser.
#' @param max_lr the largest learning rate (or one per parameter group).
#' @param total_steps the number of steps in the cycle.
#' @param epochs,steps_per_epoch give the number of steps when `total_steps` is `NULL`.
#' @param pct_start the fraction of the steps spent increasing the learning rate.
#' @param anneal_strategy `"cos"` or `"linear"`.
#' @param cycle_momentum whether to cycle the momentum.
#' @param base_momentum,max_momentum the momentum bounds.
#' @param div_factor `max_lr / initial lr`.
#' @param final_div_factor `initial lr / final lr`.
#' @param last_epoch the index of the last step (-1 to start afresh).
#' @param verbose whether to report each update.
#' @return A scheduler.
#' @examples
#' opt <- optim_sgd(torch_zeros(1, requires_grad = TRUE), lr = 0.1, momentum = 0.9)
#' sched <- lr_one_cycle(opt, max_lr = 1, total_steps = 10)
#' lrs <- opt$param_groups[[1]]$lr
#' for (i in 1:9) {
#'   opt$step()
#'   sched$step()
#'   lrs <- c(lrs, opt$param_groups[[1]]$lr)
#' }
#' round(lrs, 4)
#' @export
lr_one_cycle <- lr_scheduler(
  "lr_one_cycle",
  initialize = function(optimizer, max_lr, total_steps = NULL, epochs = NULL,
                        steps_per_epoch = NULL, pct_start = 0.3, anneal_strategy = "cos",
                        cycle_momentum = TRUE, base_momentum = 0.85, max_momentum = 0.95,
                        div_factor = 25, final_div_factor = 1e4, last_epoch = -1,
                        verbose = FALSE) {
    if (!is_optimizer(optimizer))
      signal_torch_error("type_error", paste0(
        "an object of class <", class(optimizer)[1], "> is not an optimizer"))
    pos_whole <- function(x) is.numeric(x) && length(x) == 1 && !is.na(x) && x > 0 && x == round(x)
    if (is.null(total_steps) && (is.null(epochs) || is.null(steps_per_epoch))) {
      signal_torch_error("value_error",
        "You must define either total_steps OR (epochs AND steps_per_epoch)")
    } else if (!is.null(total_steps)) {
      if (!pos_whole(total_steps))
        signal_torch_error("value_error", paste0(
          "Expected positive integer total_steps, but got ", format(total_steps)))
      self$total_steps <- total_steps
    } else {
      if (!pos_whole(epochs))
        signal_torch_error("value_error", paste0(
          "Expected positive integer epochs, but got ", format(epochs)))
      if (!pos_whole(steps_per_epoch))
        signal_torch_error("value_error", paste0(
          "Expected positive integer steps_per_epoch, but got ", format(steps_per_epoch)))
      self$total_steps <- epochs * steps_per_epoch
    }
    if (!is.numeric(pct_start) || length(pct_start) != 1 || is.na(pct_start) || pct_start < 0 ||
        pct_start > 1)
      signal_torch_error("value_error", paste0(
        "Expected float between 0 and 1 pct_start, but got ", format(pct_start)))
    if (!is.character(anneal_strategy) || length(anneal_strategy) != 1 ||
        !anneal_strategy %in% c("cos", "linear"))
      signal_torch_error("value_error", paste0(
        "anneal_strategy must by one of 'cos' or 'linear', instead got ",
        if (is.character(anneal_strategy)) paste(anneal_strategy, collapse = " ") else
          paste0("<", class(anneal_strategy)[1], ">")))
    self$anneal_strategy <- anneal_strategy
    self$phases <- list(
      list(end_step = pct_start * self$total_steps - 1, start_lr = "initial_lr",
           end_lr = "max_lr", start_momentum = "max_momentum", end_momentum = "base_momentum"),
      list(end_step = self$total_steps - 1, start_lr = "max_lr", end_lr = "min_lr",
           start_momentum = "base_momentum", end_momentum = "max_momentum")
    )
    n <- length(optimizer$param_groups)
    per_group <- function(name, v) {
      if (length(v) == 1) return(rep(v, n))
      if (length(v) != n)
        signal_torch_error("value_error", sprintf("expected %d values for %s, got %d",
                                                  n, name, length(v)))
      unlist(v)
    }
    if (!is.numeric(max_lr) || length(max_lr) == 0 || anyNA(max_lr) || any(max_lr <= 0))
      signal_torch_error("value_error", "max_lr must be a positive number (or one per parameter group)")
    for (a in c("base_momentum", "max_momentum", "div_factor", "final_div_factor")) {
      v <- get(a)
      if (!is.numeric(v) || length(v) == 0 || anyNA(v) ||
          (a %in% c("div_factor", "final_div_factor") && length(v) != 1))
        signal_torch_error("value_error", paste0(a, " must be a number",
          if (grepl("momentum", a)) " (or one per parameter group)"))
    }
    max_lrs <- per_group("max_lr", max_lr)
    if (last_epoch == -1) {
      for (i in seq_len(n)) {
        optimizer$param_groups[[i]]$initial_lr <- max_lrs[i] / div_factor
        optimizer$param_groups[[i]]$max_lr <- max_lrs[i]
        optimizer$param_groups[[i]]$min_lr <- optimizer$param_groups[[i]]$initial_lr /
          final_div_factor
      }
    }
    self$cycle_momentum <- cycle_momentum
    if (isTRUE(cycle_momentum)) {
      if (!any(c("momentum", "betas") %in% names(optimizer$defaults)))
        signal_torch_error("value_error",
          "optimizer must support momentum with `cycle_momentum` option enabled")
      self$use_beta1 <- "betas" %in% names(optimizer$defaults)
      max_m <- per_group("max_momentum", max_momentum)
      base_m <- per_group("base_momentum", base_momentum)
      if (last_epoch == -1) {
        for (i in seq_len(n)) {
          if (self$use_beta1)
            optimizer$param_groups[[i]]$betas <- c(max_m[i], optimizer$param_groups[[i]]$betas[[2]])
          else
            optimizer$param_groups[[i]]$momentum <- max_m[i]
          optimizer$param_groups[[i]]$max_momentum <- max_m[i]
          optimizer$param_groups[[i]]$base_momentum <- base_m[i]
        }
      }
    }
    super$initialize(optimizer, last_epoch, verbose)
  },
  anneal = function(start, end, pct) {
    if (self$anneal_strategy == "cos") end + (start - end) / 2 * (cos(pi * pct) + 1)
    else (end - start) * pct + start
  },
  get_lr = function() {
    step_num <- self$last_epoch
    if (step_num > self$total_steps)
      signal_torch_error("value_error", sprintf(
        "Tried to step %d times. The specified number of total steps is %d",
        as.integer(step_num + 1), as.integer(self$total_steps)))
    lrs <- numeric(length(self$optimizer$param_groups))
    for (i in seq_along(self$optimizer$param_groups)) {
      group <- self$optimizer$param_groups[[i]]
      start_step <- 0
      for (k in seq_along(self$phases)) {
        phase <- self$phases[[k]]
        end_step <- phase$end_step
        if (step_num <= end_step || k == length(self$phases)) {
          pct <- (step_num - start_step) / (end_step - start_step)
          lr <- self$anneal(group[[phase$start_lr]], group[[phase$end_lr]], pct)
          if (isTRUE(self$cycle_momentum))
            mom <- self$anneal(group[[phase$start_momentum]], group[[phase$end_momentum]], pct)
          break
        }
        start_step <- phase$end_step
      }
      lrs[i] <- lr
      if (isTRUE(self$cycle_momentum)) {
        if (self$use_beta1)
          self$optimizer$param_groups[[i]]$betas <- c(mom, group$betas[[2]])
        else
          self$optimizer$param_groups[[i]]$momentum <- mom
      }
    }
    lrs
  },
  parent_env = topenv()
)
