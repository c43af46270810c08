# Every exported function is fed wrong input by at least one of the test-bad-input-*.R
# files: named by fuzz_args(), expect_predicate_false() or expect_no_args(), or called
# directly by expect_bad() / expect_error().

# the function an expectation calls: the head of its expression (the last one of a block,
# inside suppressWarnings())
called_function <- function(e) {
  while (is.call(e)) {
    head <- e[[1]]
    if (identical(head, as.name("{"))) {
      e <- e[[length(e)]]
    } else if (identical(head, as.name("suppressWarnings"))) {
      e <- e[[2]]
    } else {
      return(if (is.name(head)) as.character(head) else NULL)
    }
  }
  NULL
}

# Names given as strings, or as a loop variable over a literal vector of strings (possibly
# named by a top-level assignment of the file), are followed.
covered_functions <- function(files) {
  found <- character()
  strings <- function(e, vars) {
    if (is.character(e)) return(e)
    if (is.name(e)) return(vars[[as.character(e)]])
    if (is.call(e) && identical(e[[1]], as.name("c")))
      return(unlist(lapply(as.list(e)[-1], strings, vars)))
    NULL
  }
  walk <- function(e, vars) {
    if (!is.call(e)) return(vars)
    head <- if (is.name(e[[1]])) as.character(e[[1]]) else ""
    if (head == "<-" && is.name(e[[2]])) {
      v <- strings(e[[3]], vars)
      if (is.character(v)) vars[[as.character(e[[2]])]] <- v
    }
    if (head == "for") {
      vars[[as.character(e[[2]])]] <- strings(e[[3]], vars)
      walk(e[[4]], vars)
      return(vars)
    }
    if (head %in% c("fuzz_args", "expect_predicate_false", "expect_no_args"))
      found <<- c(found, strings(e[[2]], vars))
    if (head %in% c("expect_bad", "expect_error") && length(e) >= 2)
      found <<- c(found, called_function(e[[2]]))
    for (k in seq_along(e)[-1]) {
      a <- e[[k]]
      if (!missing(a) && is.call(a)) vars <- walk(a, vars)
    }
    vars
  }
  for (f in files) {
    vars <- list()
    for (e in parse(f, keep.source = FALSE)) vars <- walk(e, vars)
  }
  unique(found)
}

test_that("every exported function is covered by the bad-input tests", {
  files <- list.files(test_path(), pattern = "^test-bad-input-.*\\.R$", full.names = TRUE)
  expect_gte(length(files), 7)
  covered <- covered_functions(files)
  exports <- sort(getNamespaceExports("torchlite"))
  expect_identical(setdiff(exports, covered), character())
})
