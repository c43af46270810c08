# Datasets, collation and data loaders.

collect_batches <- function(dl) {
  it <- dataloader_make_iter(dl)
  out <- list()
  while (!is.null(b <- dataloader_next(it))) out[[length(out) + 1]] <- b
  out
}

test_that("tensor_dataset() slices its tensors along the first dimension", {
  x <- torch_tensor(matrix(1:10, 5, 2, byrow = TRUE))
  y <- torch_tensor(c(0.5, 1.5, 2.5, 3.5, 4.5))
  ds <- tensor_dataset(x = x, y = y)
  expect_true(is_dataset(ds))
  expect_s3_class(ds, "tensor_dataset")
  expect_equal(length(ds), 5L)
  item <- ds[3]
  expect_named(item, c("x", "y"))
  expect_equal(as.integer(item$x), c(5L, 6L))
  expect_equal(item$y$item(), 2.5)
  unnamed <- tensor_dataset(x, y)
  expect_null(names(unnamed[1]))
  expect_output(print(ds), "<tensor_dataset> dataset of 5 samples")
  expect_torch_error(tensor_dataset(x, torch_ones(4)), "value_error", "Size mismatch between tensors")
  expect_torch_error(tensor_dataset(x, 1:5), "type_error", "must be tensors")
  expect_torch_error(tensor_dataset(), "value_error", "at least one tensor")
})

test_that("dataset() makes generators; samples are collated into batches", {
  squares <- dataset(
    "squares",
    initialize = function(n) self$n <- n,
    .getitem = function(i) list(x = torch_tensor(c(i, -i)), y = i^2, k = as.integer(i),
                                odd = i %% 2 == 1, name = paste0("s", i)),
    .length = function() self$n
  )
  expect_s3_class(squares, "dataset_generator")
  ds <- squares(7)
  expect_s3_class(ds, c("squares", "dataset"))
  expect_equal(length(ds), 7L)
  expect_equal(ds[2]$y, 4)
  dl <- dataloader(ds, batch_size = 3)
  expect_equal(length(dl), 3L)
  bs <- collect_batches(dl)
  expect_length(bs, 3)
  b <- bs[[1]]
  expect_named(b, c("x", "y", "k", "odd", "name"))
  expect_equal(b$x$shape, c(3, 2))
  expect_equal(as_array(b$x), cbind(c(1, 2, 3), -c(1, 2, 3)))
  expect_true(b$y$dtype == torch_float32())
  expect_equal(as.numeric(b$y), c(1, 4, 9))
  expect_true(b$k$dtype == torch_long())
  expect_equal(as.logical(b$odd), c(TRUE, FALSE, TRUE))
  expect_equal(b$name, c("s1", "s2", "s3"))
  expect_equal(as.numeric(bs[[3]]$y), 49)
  expect_equal(bs[[3]]$x$shape, c(1, 2))
})

test_that("the default collation stacks tensors and recurses into lists", {
  batch <- list(list(torch_ones(2, 2), list(a = 1L, b = torch_zeros(3))),
                list(torch_zeros(2, 2), list(a = 2L, b = torch_ones(3))))
  out <- utils_data_default_collate(batch)
  expect_equal(out[[1]]$shape, c(2, 2, 2))
  expect_equal(as.integer(out[[2]]$a), c(1L, 2L))
  expect_equal(as_array(out[[2]]$b), rbind(rep(0, 3), rep(1, 3)))
  expect_equal(utils_data_default_collate(list(matrix(1, 2, 2), matrix(2, 2, 2)))$shape, c(2, 2, 2))
  expect_torch_error(utils_data_default_collate(list(mean, mean)), "type_error",
                     "Can't collate data of class: 'function'")
})

test_that("dataloader batches, drops the last batch, uses .getbatch and custom collate_fn", {
  ds <- tensor_dataset(torch_arange(1, 10), torch_arange(1, 10) * 10)
  bs <- collect_batches(dataloader(ds, batch_size = 4))
  expect_equal(lapply(bs, function(b) as.numeric(b[[1]])), list(1:4, 5:8, 9:10))
  expect_equal(as.numeric(bs[[2]][[2]]), c(50, 60, 70, 80))
  dl <- dataloader(ds, batch_size = 4, drop_last = TRUE)
  expect_equal(length(dl), 2L)
  expect_length(collect_batches(dl), 2)
  expect_equal(length(dataloader(ds)), 10L)
  expect_equal(collect_batches(dataloader(ds))[[3]][[1]]$shape, 1)
  # .getbatch() batches go through a user's collate_fn
  dl <- dataloader(ds, batch_size = 5, collate_fn = function(b) as.numeric(b[[1]]$sum()))
  expect_equal(unlist(collect_batches(dl)), c(15, 40))
  ds2 <- dataset(initialize = function() {}, .getitem = function(i) i, .length = function() 3)()
  expect_equal(collect_batches(dataloader(ds2, batch_size = 2, collate_fn = function(s) unlist(s))),
               list(1:2, 3L))
  # an exhausted iterator keeps returning `completed`
  it <- dataloader_make_iter(dataloader(ds, batch_size = 10))
  expect_false(is.null(dataloader_next(it)))
  expect_null(dataloader_next(it))
  expect_equal(dataloader_next(it, completed = "done"), "done")
  expect_output(print(it), "at batch 1 of 1")
})

test_that("shuffling visits every sample once per pass, reproducibly after torch_manual_seed()", {
  ds <- tensor_dataset(torch_arange(1, 20))
  dl <- dataloader(ds, batch_size = 6, shuffle = TRUE)
  order_of <- function() unlist(lapply(collect_batches(dl), function(b) as.numeric(b[[1]])))
  torch_manual_seed(10)
  o1 <- order_of()
  o2 <- order_of()
  expect_equal(sort(o1), 1:20)
  expect_equal(sort(o2), 1:20)
  expect_false(identical(o1, o2))
  expect_false(identical(o1, as.numeric(1:20)))
  torch_manual_seed(10)
  expect_identical(order_of(), o1)
})

test_that("coro::loop() iterates over a dataloader", {
  skip_if_not_installed("coro")
  ds <- tensor_dataset(torch_arange(1, 5))
  seen <- list()
  coro::loop(for (b in dataloader(ds, batch_size = 2)) seen[[length(seen) + 1]] <- as.numeric(b[[1]]))
  expect_equal(seen, list(c(1, 2), c(3, 4), 5))
  it <- coro::as_iterator(dataloader(ds, batch_size = 5))
  expect_equal(as.numeric(it()[[1]]), 1:5)
  expect_true(coro::is_exhausted(it()))
})

test_that("a training loop over a dataloader reduces the loss", {
  torch_manual_seed(1)
  X <- torch_randn(64, 2)
  y <- X$mm(torch_tensor(matrix(c(2, -1), 2))) + 0.5
  dl <- dataloader(tensor_dataset(X, y), batch_size = 16, shuffle = TRUE)
  model <- nn_linear(2, 1)
  opt <- optim_sgd(model$parameters, lr = 0.1)
  epoch_loss <- numeric()
  for (epoch in 1:15) {
    it <- dataloader_make_iter(dl)
    total <- 0
    while (!is.null(b <- dataloader_next(it))) {
      opt$zero_grad()
      loss <- nnf_mse_loss(model(b[[1]]), b[[2]])
      loss$backward()
      opt$step()
      total <- total + loss$item()
    }
    epoch_loss[epoch] <- total / length(dl)
  }
  expect_lt(epoch_loss[15], epoch_loss[1] / 100)
  expect_equal(as.numeric(model$weight), c(2, -1), tolerance = 1e-2)
})

test_that("datasets and dataloaders reject bad input", {
  empty <- dataset(initialize = function() {}, .getitem = function(i) i, .length = function() 0)()
  expect_torch_error(dataloader(empty), "value_error", "the dataset is empty")
  ds <- tensor_dataset(torch_ones(3))
  expect_torch_error(dataloader(ds, batch_size = 0), "value_error",
                     "batch_size should be a positive integer value, but got batch_size=0")
  expect_torch_error(dataloader(ds, batch_size = 1.5), "value_error", "batch_size should be a positive integer")
  expect_torch_error(dataloader(list(1, 2)), "type_error", "dataset must be a dataset")
  expect_torch_error(dataloader(ds, num_workers = 2), "value_error", "num_workers = 0")
  expect_torch_error(dataloader_next(list()), "type_error", "dataloader_make_iter()")
  expect_torch_error(dataloader_make_iter(ds), "type_error", "needs a dataloader")
  nolen <- dataset(initialize = function() {}, .getitem = function(i) i)()
  expect_torch_error(length(nolen), "not_implemented_error", ".length()")
  expect_torch_error(dataset(inherit = 1), "value_error", "inherit must be a dataset generator")
})
