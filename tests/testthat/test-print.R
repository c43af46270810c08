# Reference outputs in ref/print-reference.txt were produced by libtorch's own
# printer (tools/print-reference.cpp, `std::cout << tensor`), with R torch's
# line truncation (cpp_torch_tensor_print) applied for the case's `n`.

read_print_reference <- function(path) {
  raw <- readLines(path, warn = FALSE)
  starts <- which(startsWith(raw, "#case "))
  ends <- which(raw == "#end")
  stopifnot(length(starts) == length(ends))
  field <- function(lines, key) {
    hit <- lines[startsWith(lines, paste0("#", key))]
    trimws(substring(hit[1L], nchar(key) + 2L))
  }
  parse_values <- function(txt, type) {
    tokens <- if (nzchar(txt)) strsplit(txt, " ", fixed = TRUE)[[1L]] else character(0)
    out <- suppressWarnings(as.numeric(tokens))
    out[tokens == "NaN"] <- NaN
    out[tokens == "-NaN"] <- -NaN # sign bit set: printf prints "-nan"
    switch(type,
      Int = suppressWarnings(as.integer(out)), # INT_MIN is NA_integer_ in R
      Bool = as.logical(out),
      out
    )
  }
  lapply(seq_along(starts), function(i) {
    block <- raw[starts[i]:ends[i]]
    header <- block[startsWith(block, "#")]
    type <- field(header, "type")
    shape_txt <- field(header, "shape")
    list(
      name = substring(block[1L], 7L),
      type = type,
      shape = if (nzchar(shape_txt)) as.integer(strsplit(shape_txt, " ")[[1L]]) else integer(0),
      n = as.integer(field(header, "n")),
      values = parse_values(field(header, "values"), type),
      expected = block[!startsWith(block, "#")]
    )
  })
}

reference_cases <- read_print_reference(test_path("ref", "print-reference.txt"))

test_that("the reference file has enough cases", {
  expect_gte(length(reference_cases), 45)
  types <- vapply(reference_cases, function(x) x$type, "")
  expect_setequal(unique(types), c("Float", "Double", "Long", "Int", "Bool"))
})

for (case in reference_cases) {
  local({
    case <- case
    test_that(paste("tl_format_lines matches libtorch:", case$name), {
      got <- tl_format_lines(case$values, case$shape, case$type, n = case$n)
      expect_identical(got, case$expected)
    })
  })
}

test_that("default n is 30 and n <= 1 disables truncation", {
  long <- as.double(1:40)
  lines <- tl_format_lines(long, 40L, "Long")
  expect_length(lines, 32)
  expect_identical(lines[31], "... [the output was truncated (use n=-1 to disable)]")
  expect_identical(lines[32], "[ CPULongType{40} ]")
  expect_length(tl_format_lines(long, 40L, "Long", n = 0), 41)
  expect_length(tl_format_lines(long, 40L, "Long", n = 1), 41)
  expect_length(tl_format_lines(long, 40L, "Long", n = -1), 41)
})

test_that("NA inputs map as R torch maps them", {
  # logical NA becomes TRUE, integer NA is int32 INT_MIN, double NA is nan
  expect_identical(
    tl_format_lines(c(TRUE, NA, FALSE), 3L, "Bool"),
    c(" 1", " 1", " 0", "[ CPUBoolType{3} ]")
  )
  expect_identical(
    tl_format_lines(c(1L, NA), 2L, "Int"),
    c(" 1", "-2.14748e+09", "[ CPUIntType{2} ]") # see case int_1d_int_min
  )
  expect_identical(
    tl_format_lines(c(NA, 1.5), 2L, "Double"),
    c("    nan", " 1.5000", "[ CPUDoubleType{2} ]")
  )
})

# End-to-end tests through the package's tensors (need the compiled core).

test_that("print.torch_tensor prints a float vector", {
  x <- torch_tensor(c(1, 2.5))
  expect_identical(
    capture.output(print(x)),
    c("torch_tensor", " 1.0000", " 2.5000", "[ CPUFloatType{2} ]")
  )
  capture.output(res <- withVisible(print(x)))
  expect_false(res$visible)
  expect_identical(res$value, x)
})

test_that("print.torch_tensor prints a matrix with R's x[i, j] layout", {
  x <- torch_tensor(matrix(c(1, 2, 3, 4), nrow = 2))
  expect_identical(
    capture.output(print(x)),
    c("torch_tensor", " 1  3", " 2  4", "[ CPUFloatType{2,2} ]")
  )
  y <- torch_tensor(matrix(0.25, 2, 2))
  expect_output(
    print(y),
    "torch_tensor\n 0.2500  0.2500\n 0.2500  0.2500\n[ CPUFloatType{2,2} ]",
    fixed = TRUE
  )
})

test_that("print.torch_tensor handles each dtype", {
  expect_identical(
    capture.output(print(torch_tensor(c(0.1, -2), dtype = torch_float64()))),
    c("torch_tensor", " 0.1000", "-2.0000", "[ CPUDoubleType{2} ]")
  )
  expect_identical(
    capture.output(print(torch_tensor(c(3, -20, 100), dtype = torch_int64()))),
    c("torch_tensor", "   3", " -20", " 100", "[ CPULongType{3} ]")
  )
  expect_identical(
    capture.output(print(torch_tensor(c(7L, 8L), dtype = torch_int32()))),
    c("torch_tensor", " 7", " 8", "[ CPUIntType{2} ]")
  )
  expect_identical(
    capture.output(print(torch_tensor(c(TRUE, FALSE)))),
    c("torch_tensor", " 1", " 0", "[ CPUBoolType{2} ]")
  )
})

test_that("print.torch_tensor adds the requires_grad note", {
  x <- torch_tensor(c(0.9918, 0.9830), requires_grad = TRUE)
  expect_identical(
    capture.output(print(x)),
    c("torch_tensor", " 0.9918", " 0.9830",
      "[ CPUFloatType{2} ][ requires_grad = TRUE ]")
  )
})

test_that("print.torch_tensor truncates with n", {
  x <- torch_tensor(1:40, dtype = torch_int64())
  out <- capture.output(print(x, n = 3))
  expect_identical(out, c(
    "torch_tensor", "  1", "  2", "  3",
    "... [the output was truncated (use n=-1 to disable)]",
    "[ CPULongType{40} ]"
  ))
  expect_length(capture.output(print(x)), 33)
  expect_length(capture.output(print(x, n = -1)), 42)
})
