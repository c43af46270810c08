# Wrong inputs to the shape functions and to indexing ([, [<-, slc()): classed errors and
# an intact session (helper-bad-input.R).

not_operands <- c("chr", "lst", "null", "fun", "fac", "cplx", "raw", "env", "df", "dead")
not_dim <- c("chr", "lst", "null", "fun", "fac", "na", "nan", "inf", "huge", "cplx", "raw",
             "env", "df", "mat", "vec2", "num0", "empty", "dead", "bool", "t3d")
x23 <- function() torch_tensor(matrix(c(1, 2, 3, 4, 5, 6), 2, 3))

test_that("every shape function turns every wrong value into a classed error", {
  fuzz_args("torch_cat", function() list(tensors = list(x23(), x23()), dim = 1),
            fail = list(tensors = setdiff(names(bad_values()), "lst"),
                        dim = setdiff(not_dim, c("null", "fac"))))
  fuzz_args("torch_stack", function() list(tensors = list(x23(), x23()), dim = 1),
            fail = list(tensors = setdiff(names(bad_values()), "lst"),
                        dim = setdiff(not_dim, c("null", "fac"))))
  fuzz_args("torch_chunk", function() list(self = x23(), chunks = 2, dim = 2),
            fail = list(self = not_operands, chunks = c(setdiff(not_dim, "fac"), "neg"),
                        dim = setdiff(not_dim, c("null", "fac"))))
  fuzz_args("torch_split", function() list(self = x23(), split_size = 2, dim = 2),
            fail = list(self = not_operands, split_size = c("chr", "lst", "null", "fun", "na", "nan",
                                                            "inf", "huge", "cplx", "raw", "env",
                                                            "df", "dead", "neg"),
                        dim = setdiff(not_dim, c("null", "fac"))))
  fuzz_args("torch_unbind", function() list(self = x23(), dim = 1),
            fail = list(self = c(not_operands, "na", "nan", "inf", "neg", "huge", "vec2", "num0"),
                        dim = setdiff(not_dim, c("null", "fac"))))
  fuzz_args("torch_flatten", function() list(self = x23(), start_dim = 1, end_dim = 2),
            fail = list(self = not_operands, start_dim = setdiff(not_dim, "fac"),
                        end_dim = setdiff(not_dim, "fac")))
  fuzz_args("torch_narrow", function() list(self = x23(), dim = 2, start = 1, length = 2),
            fail = list(self = c(not_operands, "na", "nan", "inf", "neg", "huge", "vec2", "num0"),
                        dim = setdiff(not_dim, "fac"), start = setdiff(not_dim, "fac"),
                        length = c(setdiff(not_dim, "fac"), "neg")))
  fuzz_args("torch_permute", function() list(self = x23(), dims = c(2, 1)),
            fail = list(self = not_operands, dims = setdiff(not_dim, c("vec2", "fac"))))
  fuzz_args("torch_reshape", function() list(self = x23(), shape = c(3, 2)),
            fail = list(self = not_operands, shape = setdiff(not_dim, c("vec2", "fac"))))
  fuzz_args("torch_squeeze", function() list(self = torch_ones(2, 1), dim = 2),
            fail = list(self = not_operands, dim = setdiff(not_dim, c("null", "fac"))))
  fuzz_args("torch_unsqueeze", function() list(self = x23(), dim = 1),
            fail = list(self = not_operands, dim = setdiff(not_dim, "fac")))
  fuzz_args("torch_transpose", function() list(self = x23(), dim0 = 1, dim1 = 2),
            fail = list(self = c(not_operands, "na", "nan", "inf", "neg", "huge", "vec2", "num0"),
                        dim0 = setdiff(not_dim, "fac"), dim1 = setdiff(not_dim, "fac")))
  fuzz_args("torch_t", function() list(self = x23()), fail = list(self = c(not_operands, "t3d")))
})

test_that("shape functions name the problem", {
  x <- x23()
  expect_bad(torch_unsqueeze(x, 4), "index_error", "Dimension out of range (expected to be in range of [-3, 3], but got 4)")
  expect_bad(torch_squeeze(x, 3), "index_error", "Dimension out of range")
  expect_bad(torch_squeeze(x, c(1, 2)), "value_error", "single whole number")
  expect_bad(torch_t(torch_ones(2, 2, 2)), "runtime_error", "expects a tensor with <= 2 dimensions")
  expect_bad(torch_permute(x, c(2, 2)), "runtime_error", "duplicate dims are not allowed")
  expect_bad(torch_permute(x, c(2, 1, 3)), "index_error", "Dimension out of range")
  expect_bad(torch_permute(x, 1), "runtime_error", "does not match the length")
  expect_bad(torch_reshape(x, 7), "runtime_error", "shape '[7]' is invalid for input of size 6")
  expect_bad(torch_reshape(x, c(-1, -1)), "runtime_error", "only one dimension can be inferred")
  expect_bad(torch_reshape(x, c(-2, 3)), "runtime_error", "invalid shape dimension -2")
  expect_bad(x$view(c(4, -1)), "runtime_error", "is invalid for input of size 6")
  expect_bad(x$t()$view(6), "runtime_error", "Use .reshape(...) instead")
  expect_bad(x$expand(2), "runtime_error", "must be greater or equal to the number of dimensions")
  expect_bad(x$expand(c(2, 5)), "runtime_error", "must match the existing size")
  expect_bad(torch_flatten(x, 2, 1), "runtime_error", "start_dim cannot come after end_dim")
  expect_bad(torch_narrow(x, 1, 2, 5), "runtime_error", "exceeds dimension size")
  expect_bad(torch_narrow(x, 1, 0, 1), "value_error", "start indexing starts at 1")
  expect_bad(torch_narrow(x, 1, 1, -1), "runtime_error", "length must be non-negative")
  expect_bad(torch_narrow(x, 3, 1, 1), "index_error", "Dimension out of range")
  expect_bad(torch_chunk(x, 0), "runtime_error", "chunk expects `chunks` to be greater than 0")
  expect_bad(torch_chunk(x, 1.5), "value_error", "whole number")
  expect_bad(torch_split(x, 0), "runtime_error", "split_size can only be 0")
  expect_bad(torch_split(x, -1), "runtime_error", "non-negative")
  expect_bad(torch_split(x, c(1, 1), 2), "runtime_error", "to sum exactly to 3")
  expect_bad(torch_unbind(x, 3), "index_error", "Dimension out of range")
  expect_bad(torch_cat(list()), "runtime_error", "expected a non-empty list of Tensors")
  expect_bad(torch_cat(x), "value_error", "tensors must be a list of tensors")
  expect_bad(torch_cat(list(x, "a")), "value_error", "element 2 of tensors is not a tensor")
  expect_bad(torch_cat(list(x, torch_ones(2, 2)), 1), "runtime_error", "Sizes of tensors must match except in dimension")
  expect_bad(torch_cat(list(x, x), 3), "index_error", "Dimension out of range")
  expect_bad(torch_stack(list()), "runtime_error", "stack expects a non-empty TensorList")
  expect_bad(torch_stack(list(x, torch_ones(3, 2))), "runtime_error", "stack expects each tensor to be equal size")
  expect_bad(torch_stack(list(x, 1)), "value_error", "element 2 of tensors is not a tensor")
  expect_bad(torch_stack(list(x, x), 4), "index_error", "Dimension out of range")
  expect_bad(torch_cat(list(torch_ones(1)$expand(2^40), torch_ones(1))), "memory_error")
  expect_bad(torch_stack(list(torch_ones(1)$expand(2^40), torch_ones(1)$expand(2^40))), "memory_error")
  expect_identical(as.numeric(x), c(1, 2, 3, 4, 5, 6))
})

test_that("slc() takes anything and [ checks it", {
  fuzz_args("slc", function() list(start = 1, end = 2, step = 1))
  x <- torch_tensor(1:10)
  expect_bad(x[slc("a", 3)], "index_error", "the start of a slice must be a single number")
  expect_bad(x[slc(NA, 3)], "index_error", "start of a slice")
  expect_bad(x[slc(1, "b")], "index_error", "end of a slice")
  expect_bad(x[slc(1, 3, 0)], "value_error", "step must be greater than zero")
  expect_bad(x[slc(1, 3, -1)], "value_error", "step must be greater than zero")
  expect_bad(x[slc(1, 3, 1.5)], "value_error", "step must be greater than zero")
  expect_identical(as.integer(x[slc(8, Inf)]), 8:10)
})

test_that("indexing: out-of-range, wrong types and wrong shapes are classed errors", {
  x <- torch_tensor(matrix(1:12, 3, 4) + 0.5)
  expect_bad(x[4, 1], "index_error", "index 4 is out of bounds for dimension 1 with size 3")
  expect_bad(x[-4, 1], "index_error", "index -4 is out of bounds")
  expect_bad(x[1, 5], "index_error", "dimension 2 with size 4")
  expect_bad(x[0, 1], "index_error", "Indexing in R is 1-based and found a 0.")
  expect_bad(x[1, 1, 1], "index_error", "too many indices for tensor of dimension 2")
  expect_bad(x[NA, 1], "index_error", "NA is not a valid index")
  expect_bad(x[NaN, 1], "index_error", "NA is not a valid index")
  expect_bad(x[Inf, 1], "index_error", "out of bounds")
  expect_bad(x[2^62, 1], "index_error", "out of bounds")
  expect_bad(x[-2^62, 1], "index_error", "out of bounds")
  expect_bad(x[c(1, 4), 1], "index_error", "index 4 is out of bounds")
  expect_bad(x["a", 1], "index_error", "Unsupported index of type character")
  expect_bad(x[list(1), 1], "index_error", "Unsupported index of type list")
  expect_bad(x[function() 1, 1], "index_error", "Unsupported index of type closure")
  expect_bad(x[1i, 1], "index_error", "Unsupported index of type complex")
  expect_bad(x[factor("a"), 1], "index_error", "factors are not supported as indices")
  expect_bad(x[c(TRUE, FALSE), 1], "index_error", "The shape of the mask [2] at index 1 does not match")
  expect_bad(x[torch_tensor(c(1L, 5L)), 1], "index_error", "index 5 is out of bounds")
  expect_bad(x[torch_tensor(1.5), 1], "index_error", "Only long and boolean tensors are supported as indices")
  expect_bad(x[torch_ones(3, 3) > 0], "index_error", "does not match the shape of the indexed tensor")
  expect_bad(x[dead_tensor(), 1], "runtime_error", "memory is gone")
  expect_bad(x[.., .., 1], "index_error", "a single ellipsis")
  expect_bad(x[1, drop = NA], "value_error", "drop must be TRUE or FALSE")
  # assignment
  expect_bad(x[4, 1] <- 1, "index_error", "index 4 is out of bounds")
  expect_bad(x[1:2, 1:2] <- torch_ones(3), "runtime_error", "shape mismatch: value tensor of shape [3] cannot be broadcast")
  expect_bad(x[1, 1] <- c(1, 2), "runtime_error", "shape mismatch")
  expect_bad(x[x > 2] <- c(1, 2), "runtime_error", "shape mismatch")
  expect_bad(x[1, 1] <- "a", "value_error", "got an object of type 'character'")
  expect_bad(x[1, 1] <- NULL, "value_error", "got an object of type 'NULL'")
  expect_bad(x[1, 1] <- list(1), "value_error", "type 'list'")
  expect_bad(x[1, 1] <- function() 1, "value_error", "type 'closure'")
  expect_bad(x[1, 1] <- 1i, "value_error", "type 'complex'")
  expect_bad(x[1, 1] <- dead_tensor(), "runtime_error", "memory is gone")
  expect_bad(x[torch_tensor(c(TRUE, FALSE, TRUE, TRUE))] <- 0, "index_error", "The shape of the mask [4]")
  expect_identical(as.numeric(x), as.numeric(matrix(1:12, 3, 4) + 0.5))
  # empty selections are not errors
  expect_identical(x[slc(2, 1), ]$shape, c(0L, 4L))
  expect_identical(x[c(FALSE, FALSE, FALSE), ]$shape, c(0L, 4L))
})
