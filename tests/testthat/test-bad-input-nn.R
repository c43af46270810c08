# Wrong inputs to modules, functional layers, initialisers, optimisers, schedulers, datasets
# and data loaders: classed errors and an intact session (helper-bad-input.R). Errors from
# the user's own code (forward, initialize, .getitem, a closure) reach the user unchanged.

not_tensors <- c("chr", "lst", "null", "fun", "fac", "na", "nan", "inf", "neg", "huge", "cplx",
                 "raw", "env", "df", "mat", "vec2", "num0", "dead")
not_strings <- setdiff(names(bad_values()), "chr")
not_sizes <- c("chr", "lst", "null", "fun", "fac", "na", "nan", "inf", "neg", "huge", "cplx",
               "raw", "env", "df", "empty", "dead", "bool", "t3d")
all_bad <- names(bad_values())
tg <- function() torch_tensor(c(0.5, 1.5, 2.5), requires_grad = TRUE)
sgd <- function() optim_sgd(list(tg()), lr = 0.1, momentum = 0.9)

test_that("module constructors and modules check their inputs", {
  fuzz_args("nn_linear", function() list(in_features = 3, out_features = 2, bias = TRUE),
            fail = list(in_features = not_sizes, out_features = not_sizes))
  fuzz_args("nn_dropout", function() list(p = 0.5),
            fail = list(p = setdiff(all_bad, c("empty", "int", "bool", "t3d", "mat", "vec2"))))
  fuzz_args("nn_relu", function() list(inplace = FALSE))
  for (fn in c("nn_softmax", "nn_log_softmax")) fuzz_args(fn, function() list(dim = 1))
  for (fn in c("nn_mse_loss", "nn_l1_loss", "nn_bce_loss", "nn_bce_with_logits_loss",
               "nn_cross_entropy_loss", "nn_nll_loss"))
    fuzz_args(fn, function() list(reduction = "mean"), fail = list(reduction = not_strings))
  fuzz_args("nn_identity", function() list(1))
  fuzz_args("nn_sequential", function() list(nn_linear(3, 2), nn_relu()),
            fail = list(setdiff(all_bad, "missing"), setdiff(all_bad, "missing")))
  fuzz_args("nn_parameter", function() list(x = torch_ones(2), requires_grad = TRUE),
            fail = list(x = c(not_tensors, "int", "bool")))
  fuzz_args("nn_buffer", function() list(x = torch_ones(2)), fail = list(x = not_tensors))
  fuzz_args("nn_module", function() list(classname = "m", initialize = function() {},
                                          forward = function(x) x),
            fail = list(classname = setdiff(all_bad, c("chr", "null"))))
  expect_no_args("nn_sigmoid", is_nn_module)
  expect_no_args("nn_tanh", is_nn_module)
  lin <- nn_linear(3, 2)
  w <- as.numeric(lin$weight)
  expect_bad(lin(torch_ones(2, 4)), "runtime_error", "mat1 and mat2 shapes cannot be multiplied (2x4 and 3x2)")
  expect_bad(lin("a"), "value_error", "expects tensors for input, weight and bias")
  expect_bad(lin(torch_ones(2, 3, dtype = torch_float64())), "runtime_error", "expected scalar type")
  expect_bad(nn_linear(-1, 2), "value_error", "negative dimension")
  expect_bad(nn_linear(3.5, 2), "value_error", "whole numbers")
  expect_bad(nn_linear(2^62, 2^62), "value_error", "overflows")
  expect_bad(lin$weight <- "a", "type_error", "nn_parameter() or NULL expected")
  expect_bad(lin$load_state_dict(list(weight = torch_ones(5))), "value_error", "missing key(s) in state_dict")
  expect_bad(lin$load_state_dict("a"), "type_error", "state_dict must be a named list of tensors")
  expect_bad(lin$to(dtype = "a"), "value_error", "only accepts floating point dtypes")
  expect_bad(lin$parameters <- 1, "runtime_error", "not possible to modify the parameters list")
  expect_bad(nn_sequential(lin, "a"), "value_error", "Expected an nn_module but got an object of class <character>")
  expect_bad(nn_dropout(p = 2), "value_error", "dropout probability has to be between 0 and 1")
  expect_bad(nn_mse_loss(reduction = "x"), "value_error", "x is not a valid value for reduction")
  expect_bad(nn_softmax(dim = 3)(torch_ones(2, 2)), "index_error", "Dimension out of range")
  expect_bad(nn_cross_entropy_loss()(torch_ones(2, 3), torch_tensor(c(1L, 4L))), "index_error",
             "Target 4 is out of bounds (classes are 1 to 3)")
  expect_bad(nn_nll_loss()(torch_ones(2, 3), torch_tensor(c(0L, 1L))), "index_error", "Target 0 is out of bounds")
  expect_bad(nn_bce_loss()(torch_tensor(c(0.5, 1.5)), torch_tensor(c(0, 1))), "runtime_error",
             "all elements of input should be between 0 and 1")
  expect_bad(nn_parameter(torch_tensor(1:3)), "runtime_error", "floating point")
  expect_bad(nn_buffer("a"), "type_error", "`x` must be a tensor")
  expect_bad(nn_module(classname = list("a")), "value_error", "class name must be a single string")
  M <- nn_module("m", initialize = function() stop("init boom"))
  expect_error(M(), "init boom")
  expect_identical(as.numeric(lin$weight), w)
})

test_that("module predicates are FALSE for anything else", {
  for (fn in c("is_nn_module", "is_nn_parameter", "is_nn_buffer", "is_optimizer", "is_dataset",
               "is_dataloader"))
    expect_predicate_false(fn)
})

test_that("functional layers and losses check their inputs", {
  x23 <- function() torch_tensor(matrix(c(1, 2, 3, 4, 5, 6), 2, 3))
  for (fn in c("nnf_relu", "nnf_sigmoid", "nnf_tanh"))
    fuzz_args(fn, function() list(input = torch_tensor(c(-1, 0, 1))),
              fail = list(input = c("chr", "lst", "null", "fun", "fac", "cplx", "raw", "env", "df", "dead")))
  fuzz_args("nnf_linear", function() list(input = x23(), weight = torch_ones(2, 3), bias = torch_ones(2)),
            fail = list(input = c(not_tensors, "empty", "int", "bool", "t3d"),
                        weight = c(not_tensors, "empty", "int", "bool", "t3d"),
                        bias = c(setdiff(not_tensors, "null"), "int", "bool", "t3d")))
  fuzz_args("nnf_dropout", function() list(input = x23(), p = 0.5, training = TRUE),
            fail = list(input = not_tensors,
                        p = setdiff(all_bad, c("empty", "int", "bool", "t3d", "mat", "vec2", "missing"))))
  for (fn in c("nnf_softmax", "nnf_log_softmax"))
    fuzz_args(fn, function() list(input = x23(), dim = 1),
              fail = list(input = c(not_tensors, "empty"),
                          dim = c("chr", "fun", "fac", "na", "nan", "inf", "huge", "cplx", "raw",
                                  "env", "empty", "dead", "bool", "t3d")))
  for (fn in c("nnf_mse_loss", "nnf_l1_loss"))
    fuzz_args(fn, function() list(input = torch_tensor(c(0.5, 1.5)), target = torch_tensor(c(1, 1)),
                                   reduction = "mean"),
              fail = list(input = not_tensors, target = not_tensors, reduction = not_strings))
  for (fn in c("nnf_binary_cross_entropy", "nnf_binary_cross_entropy_with_logits"))
    fuzz_args(fn, function() list(input = torch_tensor(c(0.2, 0.7)), target = torch_tensor(c(0, 1)),
                                   reduction = "mean"),
              fail = list(input = c(not_tensors, "empty", "t3d"), target = c(not_tensors, "empty", "t3d"),
                          reduction = not_strings))
  for (fn in c("nnf_cross_entropy", "nnf_nll_loss"))
    fuzz_args(fn, function() list(input = x23(), target = torch_tensor(c(1L, 3L)), reduction = "mean"),
              fail = list(input = c(not_tensors, "empty", "t3d"),
                          target = c(not_tensors, "empty", "t3d", "bool"),
                          reduction = not_strings))
  expect_bad(nnf_linear(torch_ones(2, 3), torch_ones(2, 4)), "runtime_error", "cannot be multiplied")
  # the bias's dtype is checked after the product (whose memory is released first)
  expect_bad(nnf_linear(torch_ones(2, 3), torch_ones(2, 3), torch_ones(2, dtype = torch_float64())),
             "runtime_error", "expected scalar type Float but found Double")
  expect_bad(nnf_softmax(x23(), 3), "index_error", "Dimension out of range")
  expect_bad(nnf_cross_entropy(x23(), torch_tensor(c(1.5, 2))), "value_error",
             "Expected target of class probabilities to have the shape of input")
  expect_bad(nnf_binary_cross_entropy(torch_tensor(0.5), torch_tensor(c(0, 1))), "value_error",
             "different to the input size")
  expect_bad(suppressWarnings(nnf_mse_loss(torch_ones(2), torch_ones(3))), "value_error", "must match the size")
  expect_bad(nnf_dropout(x23(), p = -0.5), "value_error", "dropout probability has to be between 0 and 1")
})

test_that("initialisers check their inputs", {
  t23 <- function() torch_ones(2, 3)
  not_numbers <- c("chr", "lst", "null", "fun", "fac", "na", "nan", "cplx", "raw", "env", "df",
                   "mat", "vec2", "num0", "empty", "dead", "int", "bool", "t3d")
  bad_tensor <- c(not_tensors, "int", "bool")
  fuzz_args("nn_init_calculate_fan_in_and_fan_out", function() list(tensor = t23()),
            fail = list(tensor = c(not_tensors, "empty")))
  fuzz_args("nn_init_calculate_gain", function() list(nonlinearity = "leaky_relu", param = 0.2),
            fail = list(nonlinearity = not_strings))
  fuzz_args("nn_init_constant_", function() list(tensor = t23(), val = 2),
            fail = list(tensor = not_tensors, val = c("chr", "lst", "null", "fun", "cplx", "raw",
                                                       "env", "df", "dead")))
  for (fn in c("nn_init_ones_", "nn_init_zeros_"))
    fuzz_args(fn, function() list(tensor = t23()), fail = list(tensor = not_tensors))
  fuzz_args("nn_init_uniform_", function() list(tensor = t23(), a = 0, b = 1),
            fail = list(tensor = bad_tensor, a = c(not_numbers, "inf", "huge"), b = not_numbers))
  fuzz_args("nn_init_normal_", function() list(tensor = t23(), mean = 0, std = 1),
            fail = list(tensor = bad_tensor, mean = not_numbers, std = c(not_numbers, "neg")))
  for (fn in c("nn_init_xavier_uniform_", "nn_init_xavier_normal_"))
    fuzz_args(fn, function() list(tensor = t23(), gain = 1),
              fail = list(tensor = c(bad_tensor, "empty"), gain = not_numbers))
  for (fn in c("nn_init_kaiming_uniform_", "nn_init_kaiming_normal_"))
    fuzz_args(fn, function() list(tensor = t23(), a = 0, mode = "fan_in", nonlinearity = "leaky_relu"),
              fail = list(tensor = c(bad_tensor, "empty"), mode = not_strings,
                          nonlinearity = not_strings))
  expect_bad(nn_init_calculate_fan_in_and_fan_out(torch_ones(3)), "value_error", "fewer than 2 dimensions")
  expect_bad(nn_init_calculate_fan_in_and_fan_out("a"), "type_error", "`tensor` must be a tensor")
  expect_bad(nn_init_calculate_gain("nope"), "value_error", "Unsupported nonlinearity nope")
  expect_bad(nn_init_calculate_gain(NULL), "value_error", "nonlinearity must be a single string")
  expect_bad(nn_init_kaiming_normal_(torch_ones(2, 2), mode = "x"), "value_error", "Mode x not supported")
  expect_bad(nn_init_xavier_normal_(torch_ones(2, 2), gain = "a"), "value_error", "`gain` must be a single number")
  expect_bad(nn_init_uniform_(torch_ones(2), 1, 0), "value_error", "expects to return a [from, to) range")
  expect_bad(nn_init_normal_(torch_ones(2), std = -1), "value_error", "normal expects std >= 0.0")
  expect_bad(nn_init_ones_("a"), "type_error", "`tensor` must be a tensor")
  expect_bad(nn_init_constant_(torch_ones(2), "a"), "type_error", "not 'character'")
})

test_that("optimisers check parameters and hyper-parameters", {
  not_lr <- c("null", "fun", "na", "nan", "neg", "cplx", "env", "empty", "dead", "int", "bool", "t3d")
  for (fn in c("optim_sgd", "optim_adam", "optim_adamw", "optim_rmsprop", "optim_adagrad", "optim_lbfgs"))
    fuzz_args(fn, function() list(params = list(tg()), lr = 0.1),
              fail = list(params = setdiff(all_bad, c("missing")), lr = not_lr))
  fuzz_args("optimizer", function() list(name = "myopt", step = function() NULL),
            fail = list(name = setdiff(all_bad, c("chr", "null", "missing"))))
  expect_bad(optimizer(name = list("a")), "value_error", "class name must be a single string")
  expect_no_args("optim_required", function(v) inherits(v, "optim_required"))
  expect_bad(optim_sgd(list()), "value_error", "empty parameter list")
  expect_bad(optim_sgd("a", lr = 0.1), "value_error", "params must be a tensor, a list of tensors")
  expect_bad(optim_sgd(list(torch_ones(2)), lr = 0.1), "value_error", "does not require grad")
  expect_bad(optim_sgd(list(tg())), "value_error", "required optimization parameter lr")
  expect_bad(optim_sgd(list(tg()), lr = -1), "value_error", "Invalid learning rate: -1")
  expect_bad(optim_sgd(list(tg()), lr = function() 1), "value_error", "Invalid learning rate")
  expect_bad(optim_sgd(list(tg()), lr = torch_ones(2)), "value_error", "Invalid learning rate")
  expect_bad(optim_adam(list(tg()), betas = c(2, 0.9)), "value_error", "Invalid beta parameter at index 1: 2")
  expect_bad(optim_adam(list(tg()), betas = "a"), "value_error", "betas must be a vector of two numbers")
  expect_bad(optim_rmsprop(list(tg()), alpha = -1), "value_error", "Invalid alpha value: -1")
  expect_bad(optim_lbfgs(list(tg()), line_search_fn = "x"), "value_error", "only 'strong_wolfe'")
  o <- optim_lbfgs(list(tg()))
  expect_bad(o$step(), "value_error", "optim_lbfgs needs a closure")
  expect_error(o$step(function() stop("closure boom")), "closure boom")
  p <- tg()
  o2 <- optim_sgd(list(p), lr = 0.1)
  expect_bad(o2$step("a"), "value_error", "closure must be a function")
  expect_bad(o2$load_state_dict("a"), "value_error", "state_dict must be a list with elements `state` and `param_groups`")
  expect_bad(o2$add_param_group("a"), "value_error", "a parameter group must be a named list")
  # the optimiser still works
  (p * p)$sum()$backward()
  o2$step()
  expect_equal(as.numeric(p), c(0.5, 1.5, 2.5) * 0.8, tolerance = 1e-6)
})

test_that("learning-rate schedulers check the optimizer and their arguments", {
  fuzz_args("lr_step", function() list(optimizer = sgd(), step_size = 2, gamma = 0.5),
            fail = list(optimizer = setdiff(all_bad, "missing")))
  fuzz_args("lr_lambda", function() list(optimizer = sgd(), lr_lambda = function(e) 0.9^e),
            fail = list(optimizer = setdiff(all_bad, "missing"),
                        lr_lambda = setdiff(all_bad, c("fun", "missing"))))
  fuzz_args("lr_multiplicative", function() list(optimizer = sgd(), lr_lambda = function(e) 0.9),
            fail = list(optimizer = setdiff(all_bad, "missing"),
                        lr_lambda = setdiff(all_bad, c("fun", "missing"))))
  fuzz_args("lr_one_cycle", function() list(optimizer = sgd(), max_lr = 1, total_steps = 10),
            fail = list(optimizer = setdiff(all_bad, "missing"),
                        max_lr = setdiff(all_bad, c("inf", "huge", "mat", "missing")),
                        total_steps = setdiff(all_bad, c("inf", "huge", "missing"))))
  fuzz_args("lr_scheduler", function() list(classname = "s", get_lr = function() 1),
            fail = list(classname = setdiff(all_bad, c("chr", "null", "missing"))))
  expect_bad(lr_step("a", 2), "type_error", "is not an optimizer")
  expect_bad(lr_lambda("a", function(e) 1), "type_error", "is not an optimizer")
  expect_bad(lr_lambda(sgd(), "a"), "type_error", "lr_lambda must be a function or a list of functions")
  expect_bad(lr_lambda(sgd(), list(function(e) 1, function(e) 2)), "value_error", "Expected 1 lr_lambdas, but got 2")
  expect_bad(lr_one_cycle(sgd(), max_lr = 1), "value_error", "total_steps OR (epochs AND steps_per_epoch)")
  expect_bad(lr_one_cycle(sgd(), max_lr = "a", total_steps = 2), "value_error", "max_lr must be a positive number")
  expect_bad(lr_one_cycle(sgd(), 1, total_steps = 2, anneal_strategy = "x"), "value_error", "anneal_strategy must by one of")
  expect_bad(lr_scheduler("s", inherit = 1), "value_error", "inherit must be a scheduler generator")
})

test_that("datasets and data loaders check their inputs", {
  ds <- function() tensor_dataset(torch_ones(4, 2))
  fuzz_args("dataset", function() list(name = "d", .getitem = function(i) i, .length = function() 3),
            fail = list(name = setdiff(all_bad, c("chr", "null", "missing"))))
  fuzz_args("tensor_dataset", function() list(torch_ones(4, 2)),
            fail = list(setdiff(all_bad, c("empty", "int", "bool", "t3d", "missing"))))
  fuzz_args("dataloader", function() list(dataset = ds(), batch_size = 2, shuffle = FALSE, drop_last = FALSE),
            fail = list(dataset = all_bad,
                        batch_size = setdiff(all_bad, c("inf", "huge", "missing")),
                        shuffle = setdiff(all_bad, "missing"), drop_last = setdiff(all_bad, "missing")))
  fuzz_args("dataloader_make_iter", function() list(dataloader = dataloader(ds(), batch_size = 2)),
            fail = list(dataloader = all_bad))
  fuzz_args("dataloader_next", function() list(iter = dataloader_make_iter(dataloader(ds(), batch_size = 2))),
            fail = list(iter = all_bad))
  fuzz_args("utils_data_default_collate", function() list(batch = list(torch_ones(2), torch_ones(2))),
            fail = list(batch = c("null", "fun", "env", "num0", "empty", "dead", "int", "bool", "t3d")))
  d <- ds()
  expect_bad(d[5], "index_error", "index 5 is out of bounds for dimension 1 with size 4")
  expect_bad(d[0], "index_error", "1-based")
  expect_bad(d["a"], "index_error", "Unsupported index of type character")
  expect_bad(tensor_dataset(torch_ones(4, 2), torch_ones(3)), "value_error", "Size mismatch between tensors")
  expect_bad(tensor_dataset("a"), "type_error", "must be tensors")
  expect_bad(dataloader(d, batch_size = 0), "value_error", "batch_size should be a positive integer value")
  expect_bad(dataloader(d, shuffle = NA), "value_error", "shuffle must be TRUE or FALSE")
  expect_bad(dataloader(d, num_workers = 2), "value_error", "main process only")
  expect_bad(dataloader(d, collate_fn = 1), "type_error", "collate_fn must be a function")
  expect_bad(dataloader("a"), "type_error", "dataset must be a dataset")
  expect_bad(dataloader_make_iter("a"), "type_error", "needs a dataloader")
  expect_bad(dataloader_next("a"), "type_error", "needs an iterator made by dataloader_make_iter()")
  expect_bad(utils_data_default_collate(list()), "value_error", "non-empty list of samples")
  expect_bad(utils_data_default_collate(list(new.env())), "type_error", "Can't collate data of class")
  D0 <- dataset("d0", initialize = function() {})
  expect_bad(D0()[1], "not_implemented_error", "does not implement .getitem()")
  D2 <- dataset("d2", initialize = function() {}, .length = function() -1)
  expect_bad(length(D2()), "value_error", ".length() of a dataset must return a single non-negative number")
  D3 <- dataset("d3", initialize = function() {}, .getitem = function(i) stop("getitem boom"),
                .length = function() 3)
  expect_error(dataloader_next(dataloader_make_iter(dataloader(D3(), batch_size = 2))), "getitem boom")
  it <- dataloader_make_iter(dataloader(d, batch_size = 4))
  expect_identical(dataloader_next(it)[[1]]$shape, c(4L, 2L))
  expect_null(dataloader_next(it))
  expect_identical(dataloader_next(it, completed = "done"), "done")
})

test_that("every argument of the optimisers, schedulers, losses and loaders", {
  sgd_m <- function() optim_sgd(list(tg()), lr = 0.1, momentum = 0.9)
  all_args <- list(
    optim_sgd = function() list(params = list(tg()), lr = 0.1, momentum = 0.9, dampening = 0,
                                weight_decay = 0, nesterov = TRUE),
    optim_adam = function() list(params = list(tg()), lr = 0.1, betas = c(0.9, 0.999), eps = 1e-8,
                                 weight_decay = 0, amsgrad = FALSE),
    optim_adamw = function() list(params = list(tg()), lr = 0.1, betas = c(0.9, 0.999), eps = 1e-8,
                                  weight_decay = 0.01, amsgrad = TRUE),
    optim_rmsprop = function() list(params = list(tg()), lr = 0.1, alpha = 0.99, eps = 1e-8,
                                    weight_decay = 0, momentum = 0.1, centered = TRUE),
    optim_adagrad = function() list(params = list(tg()), lr = 0.1, lr_decay = 0, weight_decay = 0,
                                    initial_accumulator_value = 0, eps = 1e-10),
    optim_lbfgs = function() list(params = list(tg()), lr = 1, max_iter = 20, max_eval = NULL,
                                  tolerance_grad = 1e-7, tolerance_change = 1e-9,
                                  history_size = 100, line_search_fn = NULL),
    lr_one_cycle = function() list(optimizer = sgd_m(), max_lr = 1, total_steps = 10, epochs = NULL,
                                   steps_per_epoch = NULL, pct_start = 0.3, anneal_strategy = "cos",
                                   cycle_momentum = TRUE, base_momentum = 0.85, max_momentum = 0.95,
                                   div_factor = 25, final_div_factor = 1e4),
    lr_step = function() list(optimizer = sgd_m(), step_size = 2, gamma = 0.5, last_epoch = -1),
    dataloader = function() list(dataset = tensor_dataset(torch_ones(4, 2)), batch_size = 2,
                                 shuffle = FALSE, sampler = NULL, batch_sampler = NULL,
                                 num_workers = 0, collate_fn = NULL, pin_memory = FALSE,
                                 drop_last = FALSE),
    nn_bce_with_logits_loss = function() list(weight = NULL, reduction = "mean", pos_weight = NULL),
    nnf_cross_entropy = function() list(input = torch_ones(2, 3), target = torch_tensor(c(1L, 2L)),
                                        weight = NULL, ignore_index = -100, reduction = "mean"),
    nnf_nll_loss = function() list(input = torch_ones(2, 3), target = torch_tensor(c(1L, 2L)),
                                   weight = torch_ones(3), ignore_index = -100, reduction = "sum"),
    nnf_binary_cross_entropy_with_logits = function() list(input = torch_ones(2), target = torch_ones(2),
                                                          weight = torch_ones(2), reduction = "mean",
                                                          pos_weight = torch_ones(2)),
    nnf_binary_cross_entropy = function() list(input = torch_tensor(c(0.2, 0.7)), target = torch_ones(2),
                                               weight = torch_ones(2), reduction = "mean"),
    nnf_log_softmax = function() list(input = torch_ones(2, 3), dim = 1, dtype = torch_float64()),
    nnf_softmax = function() list(input = torch_ones(2, 3), dim = 1, dtype = torch_float64())
  )
  for (fn in names(all_args)) fuzz_args(fn, all_args[[fn]])
  expect_bad(optim_sgd(list(tg()), lr = 0.1, momentum = 0.9, dampening = c(0, 1), nesterov = TRUE), "value_error",
             "Nesterov momentum requires a momentum and zero dampening")
  expect_bad(optim_lbfgs(list(tg()), max_iter = "a"), "value_error", "max_iter must be a single non-negative number")
  expect_bad(lr_step(sgd_m(), step_size = c(1, 2)), "value_error", "step_size must be a positive whole number")
  expect_bad(lr_step(sgd_m(), 2, last_epoch = NA), "value_error", "last_epoch must be -1")
  expect_bad(nnf_nll_loss(torch_ones(2, 3), torch_tensor(c(1L, 2L)), ignore_index = "a"), "value_error",
             "ignore_index must be a single whole number")
  expect_bad(nnf_binary_cross_entropy_with_logits(torch_ones(2), torch_ones(2), pos_weight = "a"),
             "type_error", "`pos_weight` must be a tensor")
})
