# torch_save() / torch_load().

roundtrip <- function(obj) {
  f <- tempfile(fileext = ".pt")
  on.exit(unlink(f))
  expect_identical(torch_save(obj, f), f)
  torch_load(f)
}

expect_same_tensor <- function(a, b) {
  expect_true(is_torch_tensor(b))
  expect_true(a$dtype == b$dtype)
  expect_equal(b$shape, a$shape)
  expect_identical(as_array(b), as_array(a))
  expect_identical(b$requires_grad, a$requires_grad)
}

test_that("tensors of every dtype and shape survive a round trip", {
  tensors <- list(
    torch_tensor(array(seq(0.5, 12, by = 0.5), c(2, 3, 4))),
    torch_tensor(matrix(c(1.1, -2.2, 3.3, 1e-300), 2), dtype = torch_float64()),
    torch_tensor(c(-3L, 0L, 7L)),
    torch_tensor(matrix(1:6, 2), dtype = torch_int32()),
    torch_tensor(c(TRUE, FALSE, TRUE)),
    torch_tensor(2.5)$reshape(integer(0)),
    torch_zeros(0, 3),
    torch_tensor(c(NaN, Inf, -Inf)),
    torch_randn(3, 2, requires_grad = TRUE)
  )
  for (t in tensors) expect_same_tensor(t, roundtrip(t))
  big <- torch_tensor(c(2^40, -2^52 - 1), dtype = torch_int64())
  expect_identical(as.numeric(roundtrip(big)), c(2^40, -2^52 - 1))
  # non-contiguous tensors are saved by value
  tt <- torch_tensor(matrix(1:6, 2), dtype = torch_float32())$t()
  expect_identical(as_array(roundtrip(tt)), t(matrix(as.numeric(1:6), 2)))
  # a loaded tensor is a fresh leaf that keeps requires_grad (as PyTorch's torch.load)
  r <- roundtrip(torch_ones(2, requires_grad = TRUE) * 2)
  expect_true(r$is_leaf)
  expect_true(r$requires_grad)
  expect_null(r$grad_fn)
  expect_equal(as.numeric(r), c(2, 2))
})

test_that("nested lists keep their names, structure and plain R values", {
  obj <- list(a = torch_ones(2), b = list(torch_tensor(1:3), "note", list(x = 3.5, y = NULL)),
              c = c(u = 1, v = 2))
  r <- roundtrip(obj)
  expect_named(r, c("a", "b", "c"))
  expect_same_tensor(obj$a, r$a)
  expect_same_tensor(obj$b[[1]], r$b[[1]])
  expect_equal(r$b[[2]], "note")
  expect_equal(r$b[[3]], list(x = 3.5, y = NULL))
  expect_equal(r$c, c(u = 1, v = 2))
})

test_that("a module's state dict restores the module", {
  torch_manual_seed(4)
  model <- nn_sequential(nn_linear(3, 5), nn_relu(), nn_linear(5, 2))
  sd <- roundtrip(model$state_dict())
  expect_named(sd, names(model$state_dict()))
  expect_true(sd[["0.weight"]]$requires_grad)
  other <- nn_sequential(nn_linear(3, 5), nn_relu(), nn_linear(5, 2))
  other$load_state_dict(sd)
  x <- torch_randn(4, 3)
  expect_identical(as_array(other(x)), as_array(model(x)))
  # parameters stay parameters
  p <- roundtrip(list(w = model$parameters[[1]]))
  expect_true(is_nn_parameter(p$w))
})

test_that("an optimiser's state dict survives a round trip", {
  x <- torch_tensor(c(1, 2), requires_grad = TRUE)
  opt <- optim_adam(x, lr = 0.1)
  (x * x)$sum()$backward()
  opt$step()
  sd <- roundtrip(opt$state_dict())
  expect_equal(sd$state[["1"]]$step, 1)
  expect_identical(as_array(sd$state[["1"]]$exp_avg), as_array(opt$state_dict()$state[["1"]]$exp_avg))
  expect_equal(sd$param_groups[[1]]$betas, c(0.9, 0.999))
})

test_that("files that are not ours are refused with a clear error", {
  f <- tempfile()
  on.exit(unlink(f))
  writeLines("not a torch file", f)
  expect_torch_error(torch_load(f), "value_error", "is not a file written by torchlite's torch_save()")
  saveRDS(list(a = 1), f)
  expect_torch_error(torch_load(f), "value_error", "is not a file written by torchlite's torch_save()")
  saveRDS(list(magic = "torchlite-save", version = 99L, object = 1), f)
  expect_torch_error(torch_load(f), "value_error", "version 99")
  expect_torch_error(torch_load(tempfile()), "value_error", "No such file")
  expect_torch_error(torch_save(torch_ones(1), c("a", "b")), "value_error", "single file name")
  expect_torch_error(torch_save(list(f = mean), f), "type_error", "can't save obj[[1]]")
  expect_torch_error(torch_save(nn_linear(1, 1), f), "type_error", "model$state_dict()")
  expect_torch_error(torch_load(f, device = "cuda"), "value_error", "only computes on the CPU")
})
