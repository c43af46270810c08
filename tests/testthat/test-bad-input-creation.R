# Wrong inputs to the creation functions, dtypes, devices, seeds, threads and the small
# utilities: classed errors that say what to do, and an intact session (helper-bad-input.R).

# (factors are taken as their integer codes by the C layer's number arguments)
not_numbers <- c("chr", "lst", "fun", "cplx", "raw", "env", "df", "dead", "t3d")
not_tensors <- c("chr", "lst", "null", "fun", "fac", "na", "nan", "inf", "neg", "huge", "cplx",
                 "raw", "env", "df", "mat", "vec2", "num0", "dead")
not_dtypes <- c("chr", "lst", "fun", "fac", "na", "nan", "inf", "neg", "huge", "cplx", "raw",
                "env", "df", "mat", "vec2", "num0", "empty", "dead", "int", "bool", "t3d")
not_flags <- c("chr", "lst", "null", "fun", "fac", "na", "nan", "inf", "neg", "huge", "cplx",
               "raw", "env", "df", "mat", "vec2", "num0", "empty", "dead", "int", "bool", "t3d")
not_sizes <- c("chr", "lst", "fun", "fac", "na", "nan", "inf", "neg", "huge", "cplx", "raw",
               "env", "df", "empty", "dead", "int", "bool", "t3d")

test_that("sizes: every wrong value is a classed error", {
  for (fn in c("torch_zeros", "torch_ones", "torch_empty", "torch_rand", "torch_randn")) {
    fuzz_args(fn, function() list(2, 3, dtype = torch_float32(), requires_grad = FALSE),
              fail = list(dtype = not_dtypes, requires_grad = not_flags))
    fuzz_args(fn, function() list(size = c(2, 3)), fail = list(size = not_sizes))
  }
  fuzz_args("torch_full", function() list(size = c(2, 3), fill_value = 1.5, dtype = torch_float32()),
            fail = list(size = not_sizes, fill_value = not_numbers,
                        dtype = not_dtypes))
  fuzz_args("torch_randint", function() list(low = 0, high = 10, size = c(2, 3), dtype = torch_int64()),
            fail = list(low = c(not_numbers, "na", "nan", "inf", "huge"),
                        high = c(not_numbers, "na", "nan", "neg"), size = not_sizes,
                        dtype = not_dtypes))
  for (fn in c("torch_zeros_like", "torch_ones_like", "torch_empty_like", "torch_rand_like",
               "torch_randn_like"))
    fuzz_args(fn, function() list(input = torch_ones(2, 3), dtype = torch_float64()),
              fail = list(input = not_tensors, dtype = not_dtypes))
  fuzz_args("torch_full_like", function() list(input = torch_ones(2, 3), fill_value = 2),
            fail = list(input = not_tensors, fill_value = not_numbers))
  fuzz_args("torch_randint_like", function() list(input = torch_ones(2, 3), low = 0, high = 10),
            fail = list(input = not_tensors))
})

test_that("torch_tensor() rejects what it cannot convert", {
  fuzz_args("torch_tensor", function() list(data = c(1, 2), dtype = torch_float64(), requires_grad = FALSE),
            fail = list(data = c("chr", "lst", "null", "fun", "fac", "cplx", "raw", "env", "df", "dead"),
                        dtype = not_dtypes, requires_grad = not_flags))
  expect_bad(torch_tensor(list(1, 2)), "value_error", "use torch_stack()")
  expect_bad(torch_tensor(NULL), "value_error", "needs data")
  expect_bad(torch_tensor("a"), "value_error", "cannot convert an object of type 'character'")
  expect_bad(torch_tensor(factor(c("a", "b"))), "value_error", "use as.integer() first")
  expect_bad(torch_tensor(1i), "value_error", "type 'complex'")
  expect_bad(torch_tensor(as.raw(1:3)), "value_error", "type 'raw'")
  expect_bad(torch_tensor(function(x) x), "value_error", "type 'closure'")
  expect_bad(torch_tensor(new.env()), "value_error", "type 'environment'")
  expect_bad(torch_tensor(1, dtype = "float"), "value_error", "dtype must be a torch_dtype")
  expect_bad(torch_tensor(1, dtype = 3L), "value_error", "dtype must be a torch_dtype")
  expect_bad(torch_tensor(1:3, requires_grad = TRUE), "runtime_error",
             "Only Tensors of floating point")
  expect_bad(torch_tensor(1, requires_grad = NA), "value_error", "requires_grad must be TRUE or FALSE")
  expect_bad(torch_tensor(1, device = "cuda"), "value_error", "only computes on the CPU")
  expect_bad(torch_tensor(array(1, rep(1, 17))), "value_error", "at most 16 dimensions")
  expect_bad(torch_tensor(dead_tensor()), "runtime_error", "memory is gone")
  # NA, NaN and Inf are values, empty data an empty tensor
  expect_identical(as.numeric(torch_tensor(c(NA, NaN, Inf, -Inf))), c(NaN, NaN, Inf, -Inf))
  expect_identical(torch_tensor(numeric(0))$shape, 0L)
})

test_that("sizes that cannot be allocated are memory errors, not aborts", {
  # the byte count overflows, or exceeds what the address space can give
  expect_bad(torch_zeros(2^62), "memory_error", "cannot allocate")
  expect_bad(torch_ones(2^61), "memory_error", "cannot allocate")
  expect_bad(torch_zeros(c(2^31, 2^31)), "memory_error", "cannot allocate")
  expect_bad(torch_empty(2^62, dtype = torch_float64()), "memory_error")
  expect_bad(torch_randn(2^62), "memory_error")
  expect_bad(torch_rand(2^62), "memory_error")
  expect_bad(torch_full(2^62, 1), "memory_error")
  expect_bad(torch_randint(0, 2, 2^62), "memory_error")
  # bigger than this machine's memory: calloc/malloc fail even with overcommit
  expect_bad(torch_zeros(2^50), "memory_error", "cannot allocate memory for a tensor of")
  expect_bad(torch_ones(2^48), "memory_error")
  expect_bad(torch_zeros(2^31, 2^31, 4), "value_error", "overflows")
  expect_bad(torch_eye(2^32, 2^32), "value_error", "overflows")
  expect_bad(torch_zeros(9.3e18), "value_error", "too large")
  expect_bad(torch_zeros(-1), "value_error", "negative dimension -1")
  expect_bad(torch_zeros(rep(1, 17)), "value_error", "at most 16 dimensions")
  expect_bad(torch_zeros(1.5), "value_error", "whole numbers")
  expect_bad(torch_zeros(2, "a"), "value_error", "sizes must be given as numbers")
  expect_bad(torch_ones(2, 3, size = 3), "value_error", "single size argument")
  # after all that, the core still allocates
  expect_identical(as.numeric(torch_ones(3)), c(1, 1, 1))
})

test_that("ranges, eye and random generators check their arguments", {
  fuzz_args("torch_arange", function() list(start = 1, end = 5, step = 1, dtype = torch_float32()),
            fail = list(start = c(not_numbers, "na", "nan", "inf", "huge"),
                        end = c(not_numbers, "na", "nan", "inf", "neg", "huge"),
                        step = c(not_numbers, "na", "nan", "inf", "neg"),
                        dtype = not_dtypes))
  fuzz_args("torch_linspace", function() list(start = 0, end = 1, steps = 5, dtype = torch_float32()),
            fail = list(start = not_numbers, end = not_numbers,
                        steps = c(not_numbers, "na", "nan", "inf", "neg", "huge"),
                        dtype = not_dtypes))
  fuzz_args("torch_eye", function() list(n = 3, m = 2, dtype = torch_float32()),
            fail = list(n = c(not_numbers, "na", "nan", "inf", "neg", "huge"),
                        m = c(not_numbers, "na", "nan", "inf", "neg", "huge"),
                        dtype = not_dtypes))
  fuzz_args("torch_manual_seed", function() list(seed = 1),
            fail = list(seed = c(not_numbers, "na", "nan", "inf", "neg")))
  expect_bad(torch_arange(0, 1, 0), "value_error", "step must be nonzero")
  expect_bad(torch_arange(0, Inf), "value_error", "unsupported range")
  expect_bad(torch_arange(NaN, 1), "value_error", "unsupported range")
  expect_bad(torch_arange(1, 0), "value_error", "inconsistent with step sign")
  expect_bad(torch_arange(0, 1e19), "value_error")
  expect_bad(torch_arange(1, 5, dtype = "double"), "value_error", "dtype must be a torch_dtype")
  expect_bad(torch_linspace(0, 1, -1), "value_error", "number of steps")
  expect_bad(torch_linspace(0, 1, 2.5), "value_error", "number of steps")
  expect_bad(torch_eye(-1), "value_error", "non-negative whole numbers")
  expect_bad(torch_randint(5, 1, 2), "value_error", "expects 'from' to be less than 'to'")
  expect_bad(torch_randint_like(torch_ones(2), 3, 1), "value_error", "expects 'from'")
  expect_bad(torch_rand(2, dtype = torch_int64()), "type_error", "not implemented for 'Long'")
  expect_bad(torch_randn(2, dtype = torch_bool()), "type_error", "not implemented for 'Bool'")
  expect_bad(torch_full(2, 1, dtype = torch_int64(), requires_grad = TRUE), "runtime_error")
  expect_bad(torch_manual_seed(-1), "value_error", "non-negative whole number")
  expect_bad(torch_manual_seed("a"), "value_error", "seed must be a single number")
  expect_bad(torch_zeros_like(1), "value_error", "input must be a torch_tensor")
  expect_bad(torch_zeros_like(dead_tensor()), "runtime_error", "memory is gone")
  # the generator is still usable and reproducible afterwards
  torch_manual_seed(7)
  a <- as.numeric(torch_randn(3))
  torch_manual_seed(7)
  expect_identical(as.numeric(torch_randn(3)), a)
})

test_that("dtypes, devices, threads and examples check their arguments", {
  fuzz_args("torch_device", function() list(type = "cpu"),
            fail = list(type = setdiff(names(bad_values()), "chr")))
  fuzz_args("torch_set_num_threads", function() list(num_threads = 1),
            fail = list(num_threads = c(not_numbers, "na", "nan", "inf", "neg", "huge")))
  fuzz_args("torchlite_example", function() list(name = NULL),
            fail = list(name = setdiff(names(bad_values()), "null")))
  expect_bad(torch_device("cuda"), "value_error", "device 'cuda' is not available")
  expect_bad(torch_device(function() "cpu"), "value_error", "only computes on the CPU")
  expect_bad(torch_set_num_threads(0), "value_error", "between 1 and 1024")
  expect_bad(torch_set_num_threads(1e6), "value_error", "between 1 and 1024")
  expect_bad(torch_set_num_threads(NA), "value_error", "between 1 and 1024")
  expect_bad(torchlite_example("nope"), "value_error", "available: ")
  is_dtype <- function(v) inherits(v, "torch_dtype")
  for (fn in c("torch_float32", "torch_float", "torch_float64", "torch_double", "torch_int64",
               "torch_long", "torch_int32", "torch_int", "torch_bool"))
    expect_no_args(fn, is_dtype)
  expect_no_args("torch_get_num_threads", function(v) is.integer(v) && v >= 1)
  expect_no_args("torchlite_backend", function(v) is.list(v) && !is.null(v$blas))
  expect_no_args("torchlite_memory", function(v) is.numeric(v) && v[["bytes"]] >= 0)
})

test_that("every argument of torch_tensor(), torch_randint() and torchlite_example()", {
  fuzz_args("torch_tensor", function() list(data = 1, dtype = NULL, device = NULL, requires_grad = FALSE,
                                             pin_memory = FALSE))
  fuzz_args("torch_randint", function() list(low = 0, high = 3, size = 2, generator = NULL, dtype = NULL,
                                              layout = NULL, device = "cpu", requires_grad = FALSE,
                                              memory_format = NULL))
  fuzz_args("torchlite_example", function() list(name = NULL, echo = FALSE))
})
