#' Run an example script shipped with torchlite
#'
#' Runs one of the scripts in the package's `examples` folder, printing its output.
#' `torchlite_example()` without a name lists them.
#'
#' @param name the example's name, e.g. `"basics"`.
#' @param echo whether to show the code as it runs.
#' @return The names of the examples (invisibly when one was run).
#' @examples
#' torchlite_example()
#' torchlite_example("basics")
#' @export
torchlite_example <- function(name = NULL, echo = FALSE) {
  dir <- system.file("examples", package = "torchlite")
  available <- sub("\\.R$", "", list.files(dir, pattern = "\\.R$"))
  if (is.null(name)) return(available)
  if (!is.character(name) || length(name) != 1 || !name %in% available)
    signal_torch_error("value_error",
                       paste0("unknown example; available: ", paste(available, collapse = ", ")))
  source(file.path(dir, paste0(name, ".R")), echo = echo, local = new.env(),
         max.deparse.length = Inf)
  invisible(available)
}
