#' @include optim.R
NULL

# L-BFGS, a port of PyTorch's torch/optim/lbfgs.py (itself after minFunc and torch7's
# lbfgs.lua / lswolfe.lua). Vectors (directions, gradients) are float tensors of all the
# parameters flattened together; scalars (step sizes, losses, dot products) are R numbers.

lbfgs_cubic_interpolate <- function(x1, f1, g1, x2, f2, g2, bounds = NULL) {
  if (!is.null(bounds)) {
    xmin_bound <- bounds[1]
    xmax_bound <- bounds[2]
  } else if (x1 <= x2) {
    xmin_bound <- x1
    xmax_bound <- x2
  } else {
    xmin_bound <- x2
    xmax_bound <- x1
  }
  d1 <- g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
  d2_square <- d1^2 - g1 * g2
  if (!is.na(d2_square) && d2_square >= 0) {
    d2 <- sqrt(d2_square)
    min_pos <- if (x1 <= x2) x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
               else x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
    min(max(min_pos, xmin_bound), xmax_bound)
  } else {
    (xmin_bound + xmax_bound) / 2
  }
}

# Line search for a step satisfying the strong Wolfe conditions; `obj_func(x, t, d)`
# returns list(loss, grad) at x + t d. Returns the loss, gradient and step found and the
# number of evaluations.
lbfgs_strong_wolfe <- function(obj_func, x, t, d, f, g, gtd, c1 = 1e-4, c2 = 0.9,
                               tolerance_change = 1e-9, max_ls = 25) {
  d_norm <- d$abs()$max()$item()
  g <- g$clone()
  r <- obj_func(x, t, d)
  f_new <- r$loss
  g_new <- r$grad
  ls_func_evals <- 1
  gtd_new <- g_new$dot(d)$item()

  t_prev <- 0
  f_prev <- f
  g_prev <- g
  gtd_prev <- gtd
  done <- FALSE
  ls_iter <- 0
  bracket_gtd <- NULL
  while (ls_iter < max_ls) {
    if (f_new > (f + c1 * t * gtd) || (ls_iter > 1 && f_new >= f_prev)) {
      bracket <- c(t_prev, t)
      bracket_f <- c(f_prev, f_new)
      bracket_g <- list(g_prev, g_new$clone())
      bracket_gtd <- c(gtd_prev, gtd_new)
      break
    }
    if (abs(gtd_new) <= -c2 * gtd) {
      bracket <- t
      bracket_f <- f_new
      bracket_g <- list(g_new)
      done <- TRUE
      break
    }
    if (gtd_new >= 0) {
      bracket <- c(t_prev, t)
      bracket_f <- c(f_prev, f_new)
      bracket_g <- list(g_prev, g_new$clone())
      bracket_gtd <- c(gtd_prev, gtd_new)
      break
    }
    # interpolate
    min_step <- t + 0.01 * (t - t_prev)
    max_step <- t * 10
    tmp <- t
    t <- lbfgs_cubic_interpolate(t_prev, f_prev, gtd_prev, t, f_new, gtd_new,
                                 bounds = c(min_step, max_step))
    # next step
    t_prev <- tmp
    f_prev <- f_new
    g_prev <- g_new$clone()
    gtd_prev <- gtd_new
    r <- obj_func(x, t, d)
    f_new <- r$loss
    g_new <- r$grad
    ls_func_evals <- ls_func_evals + 1
    gtd_new <- g_new$dot(d)$item()
    ls_iter <- ls_iter + 1
  }
  if (ls_iter == max_ls) {
    bracket <- c(0, t)
    bracket_f <- c(f, f_new)
    bracket_g <- list(g, g_new)
  }

  # zoom phase: refine the bracket until a point satisfies the conditions
  insuf_progress <- FALSE
  low_high <- function() if (bracket_f[1] <= bracket_f[length(bracket_f)]) c(1L, 2L) else c(2L, 1L)
  lh <- low_high()
  low <- lh[1]
  high <- lh[2]
  while (!done && ls_iter < max_ls) {
    if (abs(bracket[2] - bracket[1]) * d_norm < tolerance_change) break
    t <- lbfgs_cubic_interpolate(bracket[1], bracket_f[1], bracket_gtd[1],
                                 bracket[2], bracket_f[2], bracket_gtd[2])
    eps <- 0.1 * (max(bracket) - min(bracket))
    if (min(max(bracket) - t, t - min(bracket)) < eps) {
      if (insuf_progress || t >= max(bracket) || t <= min(bracket)) {
        t <- if (abs(t - max(bracket)) < abs(t - min(bracket))) max(bracket) - eps
             else min(bracket) + eps
        insuf_progress <- FALSE
      } else {
        insuf_progress <- TRUE
      }
    } else {
      insuf_progress <- FALSE
    }
    r <- obj_func(x, t, d)
    f_new <- r$loss
    g_new <- r$grad
    ls_func_evals <- ls_func_evals + 1
    gtd_new <- g_new$dot(d)$item()
    ls_iter <- ls_iter + 1
    if (f_new > (f + c1 * t * gtd) || f_new >= bracket_f[low]) {
      bracket[high] <- t
      bracket_f[high] <- f_new
      bracket_g[[high]] <- g_new$clone()
      bracket_gtd[high] <- gtd_new
      lh <- low_high()
      low <- lh[1]
      high <- lh[2]
    } else {
      if (abs(gtd_new) <= -c2 * gtd) {
        done <- TRUE
      } else if (gtd_new * (bracket[high] - bracket[low]) >= 0) {
        bracket[high] <- bracket[low]
        bracket_f[high] <- bracket_f[low]
        bracket_g[[high]] <- bracket_g[[low]]
        bracket_gtd[high] <- bracket_gtd[low]
      }
      bracket[low] <- t
      bracket_f[low] <- f_new
      bracket_g[[low]] <- g_new$clone()
      bracket_gtd[low] <- gtd_new
    }
  }
  list(loss = bracket_f[low], grad = bracket_g[[low]], t = bracket[low],
       evals = ls_func_evals)
}

#' L-BFGS optimiser
#'
#' The limited-memory BFGS algorithm, as PyTorch's `torch.optim.LBFGS`: each
#' `$step(closure)` runs up to `max_iter` iterations, calling `closure()` (which must zero
#' the gradients, compute the loss, call `$backward()` and return the loss) as often as
#' needed. With `line_search_fn = "strong_wolfe"` the step length comes from a line search
#' satisfying the strong Wolfe conditions; otherwise it is `lr`. There is a single parameter
#' group.
#'
#' @param params a tensor or a list of tensors.
#' @param lr the learning rate (the initial step length of the line search).
#' @param max_iter the maximal number of iterations per `$step()`.
#' @param max_eval the maximal number of closure evaluations per `$step()` (default
#'   `max_iter * 5 / 4`).
#' @param tolerance_grad stop when the largest absolute gradient is at most this.
#' @param tolerance_change stop when the loss or the parameters change less than this.
#' @param history_size the number of past updates kept.
#' @param line_search_fn `NULL` or `"strong_wolfe"`.
#' @return An optimiser; its `$step(closure)` returns the loss of the first evaluation.
#' @examples
#' x <- torch_tensor(c(-1.5, 2), dtype = torch_float64(), requires_grad = TRUE)
#' opt <- optim_lbfgs(x, line_search_fn = "strong_wolfe")
#' closure <- function() {
#'   opt$zero_grad()
#'   loss <- (1 - x[1])^2 + 100 * (x[2] - x[1]^2)^2
#'   loss$backward()
#'   loss
#' }
#' for (i in 1:3) opt$step(closure)
#' x
#' @export
optim_lbfgs <- optimizer(
  "optim_lbfgs",
  initialize = function(params, lr = 1, max_iter = 20, max_eval = NULL,
                        tolerance_grad = 1e-07, tolerance_change = 1e-09, history_size = 100,
                        line_search_fn = NULL) {
    for (a in c("max_iter", "tolerance_grad", "tolerance_change", "history_size"))
      check_hparam(hp_num(get(a)) && get(a) >= 0, paste0(a, " must be a single non-negative number"))
    if (is.null(max_eval)) max_eval <- (max_iter * 5) %/% 4
    check_hparam(hp_num(max_eval) && max_eval >= 0, "max_eval must be a single non-negative number")
    check_hparam(lr >= 0, paste0("Invalid learning rate: ", format(lr)))
    check_hparam(is.null(line_search_fn) || identical(line_search_fn, "strong_wolfe"),
                 "only 'strong_wolfe' is supported as line_search_fn")
    super$initialize(params, list(lr = lr, max_iter = max_iter, max_eval = max_eval,
                                  tolerance_grad = tolerance_grad,
                                  tolerance_change = tolerance_change,
                                  history_size = history_size,
                                  line_search_fn = line_search_fn))
    if (length(self$param_groups) != 1)
      signal_torch_error("value_error",
        "LBFGS doesn't support per-parameter options (parameter groups)")
  },
  step = function(closure) {
    if (missing(closure) || !is.function(closure))
      signal_torch_error("value_error", paste0(
        "optim_lbfgs needs a closure: optimizer$step(closure), where closure() zeroes the ",
        "gradients, computes the loss, calls loss$backward() and returns the loss"))
    group <- self$param_groups[[1]]
    params <- group$params
    lr <- group$lr
    max_iter <- group$max_iter
    max_eval <- group$max_eval
    tolerance_grad <- group$tolerance_grad
    tolerance_change <- group$tolerance_change
    line_search_fn <- group$line_search_fn
    history_size <- group$history_size

    local_no_grad()
    evaluate <- function() {
      loss <- with_enable_grad(closure())
      if (!is_torch_tensor(loss))
        signal_torch_error("value_error", "the closure must return the loss as a tensor")
      loss
    }
    flat_grad_of <- function() {
      torch_cat(lapply(params, function(p) {
        g <- p$grad
        if (is.null(g)) torch_zeros(p$numel(), dtype = p$dtype) else g$reshape(-1)
      }))
    }
    add_grad <- function(step_size, update) {
      offset <- 0
      for (p in params) {
        n <- p$numel()
        p$add_(update$narrow(1, offset + 1, n)$view_as(p), alpha = step_size)
        offset <- offset + n
      }
    }
    directional_evaluate <- function(x, t, d) {
      add_grad(t, d)
      loss <- evaluate()$item()
      g <- flat_grad_of()
      for (i in seq_along(params)) params[[i]]$copy_(x[[i]])
      list(loss = loss, grad = g)
    }

    key <- tensor_key(params[[1]])
    state <- self$state[[key]]
    if (is.null(state)) state <- list(func_evals = 0, n_iter = 0)
    save_state <- function() assign(key, state, envir = self$state)

    orig_loss <- evaluate()
    loss <- orig_loss$item()
    current_evals <- 1
    state$func_evals <- state$func_evals + 1
    flat_grad <- flat_grad_of()
    opt_cond <- flat_grad$abs()$max()$item() <= tolerance_grad
    if (opt_cond) {
      save_state()
      return(orig_loss)
    }

    d <- state$d
    t <- state$t
    old_dirs <- state$old_dirs
    old_stps <- state$old_stps
    ro <- state$ro
    H_diag <- state$H_diag
    prev_flat_grad <- state$prev_flat_grad
    prev_loss <- state$prev_loss
    al <- state$al

    n_iter <- 0
    while (n_iter < max_iter) {
      n_iter <- n_iter + 1
      state$n_iter <- state$n_iter + 1

      # descent direction
      if (state$n_iter == 1) {
        d <- flat_grad$neg()
        old_dirs <- list()
        old_stps <- list()
        ro <- numeric()
        H_diag <- 1
      } else {
        y <- flat_grad$sub(prev_flat_grad)
        s <- d$mul(t)
        ys <- y$dot(s)$item()
        if (ys > 1e-10) {
          if (length(old_dirs) == history_size) {
            old_dirs <- old_dirs[-1]
            old_stps <- old_stps[-1]
            ro <- ro[-1]
          }
          old_dirs[[length(old_dirs) + 1]] <- y
          old_stps[[length(old_stps) + 1]] <- s
          ro <- c(ro, 1 / ys)
          H_diag <- ys / y$dot(y)$item()
        }
        num_old <- length(old_dirs)
        if (is.null(al)) al <- numeric(history_size)
        q <- flat_grad$neg()
        for (i in rev(seq_len(num_old))) {
          al[i] <- old_stps[[i]]$dot(q)$item() * ro[i]
          q$add_(old_dirs[[i]], alpha = -al[i])
        }
        d <- q$mul(H_diag)
        for (i in seq_len(num_old)) {
          be_i <- old_dirs[[i]]$dot(d)$item() * ro[i]
          d$add_(old_stps[[i]], alpha = al[i] - be_i)
        }
      }
      if (is.null(prev_flat_grad)) prev_flat_grad <- flat_grad$clone()
      else prev_flat_grad$copy_(flat_grad)
      prev_loss <- loss

      # step length
      t <- if (state$n_iter == 1) min(1, 1 / flat_grad$abs()$sum()$item()) * lr else lr
      gtd <- flat_grad$dot(d)$item()
      if (gtd > -tolerance_change) break

      ls_func_evals <- 0
      if (!is.null(line_search_fn)) {
        x_init <- lapply(params, function(p) p$clone())
        res <- lbfgs_strong_wolfe(directional_evaluate, x_init, t, d, loss, flat_grad, gtd)
        loss <- res$loss
        flat_grad <- res$grad
        t <- res$t
        ls_func_evals <- res$evals
        add_grad(t, d)
        opt_cond <- flat_grad$abs()$max()$item() <= tolerance_grad
      } else {
        add_grad(t, d)
        if (n_iter != max_iter) {
          loss <- evaluate()$item()
          flat_grad <- flat_grad_of()
          opt_cond <- flat_grad$abs()$max()$item() <= tolerance_grad
          ls_func_evals <- 1
        }
      }
      current_evals <- current_evals + ls_func_evals
      state$func_evals <- state$func_evals + ls_func_evals

      # stopping conditions
      if (n_iter == max_iter) break
      if (current_evals >= max_eval) break
      if (opt_cond) break
      if (d$mul(t)$abs()$max()$item() <= tolerance_change) break
      if (abs(loss - prev_loss) < tolerance_change) break
    }

    state$d <- d
    state$t <- t
    state$old_dirs <- old_dirs
    state$old_stps <- old_stps
    state$ro <- ro
    state$H_diag <- H_diag
    state$prev_flat_grad <- prev_flat_grad
    state$prev_loss <- prev_loss
    state$al <- al
    save_state()
    orig_loss
  },
  parent_env = topenv()
)
