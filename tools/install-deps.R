# Installs the R packages torchlite's tests, docs and vignettes use, when missing.
need <- c("testthat", "knitr", "rmarkdown", "roxygen2")
miss <- need[!vapply(need, requireNamespace, TRUE, quietly = TRUE)]
if (length(miss)) install.packages(miss, repos = "https://cloud.r-project.org")
