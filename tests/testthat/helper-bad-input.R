# Helpers of the test-bad-input-*.R files. A wrong input must raise a classed torch error
# (class torch_error plus one of `bad_kinds`) with a message, and leave the session as it
# was: grad mode, the values of earlier tensors, and an earlier leaf's gradient.

bad_kinds <- c("value_error", "type_error", "index_error", "runtime_error", "memory_error",
               "not_implemented_error")

# Earlier state that no failed call may change.
bad_sentinel <- local({
  x <- torch_tensor(c(1.5, -2, 3))
  w <- torch_tensor(c(1, 2), requires_grad = TRUE)
  (w * w)$sum()$backward()
  environment()
})

# A handle whose tensor is gone: serialization format 2 cannot carry a tensor's data.
dead_tensor <- function() unserialize(serialize(torch_ones(2), NULL, version = 2))

session_problems <- function(grad) {
  p <- character()
  if (!identical(autograd_is_enabled(), grad))
    p <- c(p, sprintf("grad mode is %s, was %s", autograd_is_enabled(), grad))
  if (!identical(as.numeric(bad_sentinel$x), c(1.5, -2, 3)))
    p <- c(p, "an earlier tensor changed")
  if (!identical(as.numeric(bad_sentinel$w$grad), c(2, 4)))
    p <- c(p, "an earlier leaf's gradient changed")
  p
}

is_classed_torch_error <- function(e) inherits(e, "torch_error") && any(class(e) %in% bad_kinds)

describe_condition <- function(e)
  sprintf("<%s> %s", paste(setdiff(class(e), "condition"), collapse = "/"), conditionMessage(e))

# `expr` must fail with a classed torch error (of class `kind`, whose message contains the
# fixed string `msg`, when given) and leave the session intact.
expect_bad <- function(expr, kind = NULL, msg = NULL) {
  grad <- autograd_is_enabled()
  err <- tryCatch({
    force(expr)
    NULL
  }, error = function(e) e)
  label <- paste(deparse(substitute(expr), width.cutoff = 80L)[1], collapse = "")
  if (is.null(err)) {
    testthat::fail(sprintf("%s raised no error", label))
    return(invisible(NULL))
  }
  problems <- session_problems(grad)
  if (!is_classed_torch_error(err))
    problems <- c(problems, paste("not a classed torch error:", describe_condition(err)))
  if (!nzchar(conditionMessage(err))) problems <- c(problems, "empty message")
  if (!is.null(kind) && !inherits(err, kind))
    problems <- c(problems, sprintf("expected class %s, got %s", kind, describe_condition(err)))
  if (!is.null(msg) && !grepl(msg, conditionMessage(err), fixed = TRUE))
    problems <- c(problems, sprintf("message does not contain '%s': %s", msg, conditionMessage(err)))
  testthat::expect(length(problems) == 0, paste0(label, ": ", paste(problems, collapse = "; ")))
  autograd_set_grad_mode(grad)
  invisible(err)
}

# Wrong values of every type, for fuzz_args().
bad_values <- function() list(
  chr = "a", lst = list(1), null = NULL, fun = function(x) x, fac = factor("a"),
  na = NA, nan = NaN, inf = Inf, neg = -1, huge = 2^62, cplx = 1i, raw = as.raw(1),
  env = new.env(), df = data.frame(a = 1), mat = matrix(1:4, 2), vec2 = c(1, 2),
  num0 = numeric(0), empty = torch_zeros(0), dead = dead_tensor(),
  int = torch_tensor(1:3), bool = torch_tensor(c(TRUE, FALSE)), t3d = torch_ones(2, 2, 2)
)

# Calls the exported function `fn` with each argument of `args()` (a function returning a
# list of valid arguments) replaced in turn by each of bad_values() (and left out). A call
# may succeed (many functions take any R number, and NaN or Inf are values) but must never
# end otherwise than with a classed torch error, and must leave the session intact; the
# `fail` list names, per argument, the bad values that must give an error. Left-out
# arguments may give R's own "argument is missing" error. Returns the number of calls.
fuzz_args <- function(fn, args, fail = list()) {
  f <- getExportedValue("torchlite", fn)
  # in a scratch folder: a wrong value can be a file name ("a") that gets written
  wd <- tempfile("fuzz")
  dir.create(wd)
  old_wd <- setwd(wd)
  on.exit({
    setwd(old_wd)
    unlink(wd, recursive = TRUE)
  })
  base <- args()
  nms <- names(base)
  if (is.null(nms)) nms <- rep("", length(base))
  problems <- character()
  grad <- autograd_is_enabled()
  threads <- torch_get_num_threads()
  calls <- 0L
  for (i in seq_along(base)) {
    for (b in c(names(bad_values()), "missing")) {
      a <- args()
      if (b == "missing") a <- a[-i] else a[i] <- list(bad_values()[[b]])
      calls <- calls + 1L
      res <- tryCatch(
        suppressWarnings({
          utils::capture.output(do.call(f, a))
          NULL
        }),
        error = function(e) e)
      what <- sprintf("%s(%s = <%s>)", fn, if (nzchar(nms[i])) nms[i] else paste0("#", i), b)
      if (is.null(res)) {
        if (b %in% fail[[nms[i]]]) problems <- c(problems, paste(what, "gave no error"))
      } else if (!is_classed_torch_error(res) &&
                 !(b == "missing" && grepl("is missing, with no default", conditionMessage(res)))) {
        problems <- c(problems, paste(what, "->", describe_condition(res)))
      }
      p <- session_problems(grad)
      if (length(p)) problems <- c(problems, paste(what, "->", p))
      autograd_set_grad_mode(grad)
      if (torch_get_num_threads() != threads) torch_set_num_threads(threads)
    }
  }
  testthat::expect(length(problems) == 0,
                   paste0(fn, ":\n", paste(utils::head(problems, 20), collapse = "\n")))
  invisible(calls)
}

# A predicate (is_*) gives FALSE, without an error, for every wrong value (tensors too,
# unless `tensors` is FALSE).
expect_predicate_false <- function(fn, tensors = TRUE) {
  f <- getExportedValue("torchlite", fn)
  vals <- bad_values()
  if (!tensors) vals <- vals[!vapply(vals, is_torch_tensor, TRUE)]
  res <- vapply(vals, function(v) isFALSE(f(v)), TRUE)
  testthat::expect(all(res), paste(fn, "is not FALSE for", paste(names(res)[!res], collapse = ", ")))
}

# A function of no arguments: an argument is R's "unused argument" error, and afterwards
# the function still works (gives `check(value)` TRUE) and the session is intact.
expect_no_args <- function(fn, check = function(v) TRUE) {
  f <- getExportedValue("torchlite", fn)
  grad <- autograd_is_enabled()
  testthat::expect_error(f("a"), "unused argument")
  testthat::expect_true(check(f()), label = paste0(fn, "() after a wrong call"))
  testthat::expect_identical(session_problems(grad), character())
}
