library(testthat)
library(torchlite)

test_check("torchlite")
