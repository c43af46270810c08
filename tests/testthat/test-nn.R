# Modules, layers and initialisation. Reference initialisations come from PyTorch 1.13
# (tools/optim-reference.py init): md5 sums of the float32 bytes (row-major) of the
# tensors after torch.manual_seed(), so equal sums mean bit-identical values.

init_ref <- list(
  linear_42 = c(weight = "351a45e10dde8b0b6f00e9187680ffc8", bias = "8f7a5e3e3aff6789a6c0bfb935eb19d0"),
  linear_7 = c(weight = "416a70db54f54d25c3008b3914fa351e", bias = "5de727f046847cb9b53be4729c4cc046"),
  linear_2024 = c(weight = "e973c59e3fd22ef2544e39fd876a4152", bias = "378dc215e08141c8f3096aca4060e360"),
  uniform = "7e25cb80c041ca1f68480406876a9da0",
  uniform_head = c(-0.15095829963684082, 0.18655312061309814, 0.6856614947319031),
  normal = "29f88625aeb7764dbf01520c0379fa0e",
  normal_head = c(-0.25539878010749817, 0.5141358971595764, -0.17657579481601715),
  normal_small = "63f39a4ef84b2f0abefaff75d0ac054f",
  normal_small_head = c(0.36881473660469055, 0.9729645848274231, -0.34977081418037415),
  kaiming_uniform = "c7cd7005c7d56a71f801ca4a66e8eb16",
  kaiming_uniform_head = c(-0.604860782623291, -0.0231750700622797, 0.8370157480239868),
  kaiming_normal = "9ebe4b688ca8413243568872cfe84d09",
  kaiming_normal_head = c(-0.32305672764778137, 0.6503362059593201, -0.22335267066955566),
  xavier_uniform = "50ebac01be6a3e61e30f4a6d24eba275",
  xavier_uniform_head = c(-0.9537168145179749, -0.03654139116406441, 1.3197680711746216),
  xavier_normal = "c44c94665d4cc6930a73be9bae5ccc72",
  xavier_normal_head = c(-0.200351282954216, 0.40332138538360596, -0.13851745426654816),
  uniform_f64 = c(
    -1.0383313457802577, 2.4264618509300186, 1.3577375271692795, 1.3233974606584549,
    0.8849055890444614
  ),
  NULL
)

# md5 of a tensor's float32 values in row-major order (as numpy's tobytes())
md5_f32 <- function(t) {
  a <- as_array(t)
  v <- if (is.null(dim(a))) as.numeric(a) else as.numeric(aperm(a, rev(seq_along(dim(a)))))
  f <- tempfile()
  con <- file(f, "wb")
  writeBin(v, con, size = 4, endian = "little")
  close(con)
  unname(tools::md5sum(f))
}

row_major <- function(t) {
  a <- as_array(t)
  if (is.null(dim(a))) as.numeric(a) else as.numeric(aperm(a, rev(seq_along(dim(a)))))
}

net <- nn_module(
  "net",
  initialize = function(d_in, d_hidden, d_out) {
    self$fc1 <- nn_linear(d_in, d_hidden)
    self$fc2 <- nn_linear(d_hidden, d_out)
  },
  forward = function(x) self$fc2(nnf_relu(self$fc1(x)))
)

# ---------------------------------------------------------------- initialisation

test_that("nn_linear's initialisation equals torch.nn.Linear's bit for bit", {
  for (s in c(42, 7, 2024)) {
    shape <- switch(as.character(s), "42" = c(100, 50), "7" = c(3, 17), "2024" = c(64, 10))
    torch_manual_seed(s)
    l <- nn_linear(shape[1], shape[2])
    ref <- init_ref[[paste0("linear_", s)]]
    expect_equal(l$weight$shape, rev(shape))
    expect_equal(l$bias$shape, shape[2])
    expect_equal(md5_f32(l$weight), ref[["weight"]], info = paste("seed", s))
    expect_equal(md5_f32(l$bias), ref[["bias"]], info = paste("seed", s))
  }
  torch_manual_seed(1)
  l <- nn_linear(3, 2)
  expect_equal(row_major(l$weight), c(0.2974873483, -0.2548298240, -0.1119259819,
                                      0.2709902823, -0.5435388088, 0.3462469280), tolerance = 1e-9)
  expect_true(l$weight$requires_grad)
  expect_true(l$weight$is_leaf)
  expect_null(l$weight$grad_fn)
  expect_null(nn_linear(2, 2, bias = FALSE)$bias)
})

test_that("nn_init_* functions equal torch.nn.init's bit for bit", {
  cases <- list(
    uniform = list(function(t) nn_init_uniform_(t, -0.3, 0.7), c(6, 7)),
    normal = list(function(t) nn_init_normal_(t, 0, 0.5), c(6, 7)),
    normal_small = list(function(t) nn_init_normal_(t, 0, 0.5), c(3, 4)),
    kaiming_uniform = list(function(t) {
      nn_init_kaiming_uniform_(t, a = 0.1, mode = "fan_out", nonlinearity = "leaky_relu")
    }, c(8, 5)),
    kaiming_normal = list(function(t) nn_init_kaiming_normal_(t, nonlinearity = "relu"), c(8, 5)),
    xavier_uniform = list(function(t) nn_init_xavier_uniform_(t, gain = 2), c(4, 9)),
    xavier_normal = list(function(t) nn_init_xavier_normal_(t), c(4, 9))
  )
  for (nm in names(cases)) {
    torch_manual_seed(11)
    t <- torch_empty(cases[[nm]][[2]])
    out <- cases[[nm]][[1]](t)
    expect_identical(out, t)
    expect_equal(md5_f32(t), init_ref[[nm]], info = nm)
    expect_equal(row_major(t)[1:3], init_ref[[paste0(nm, "_head")]], tolerance = 1e-7, info = nm)
  }
  torch_manual_seed(11)
  t <- torch_empty(5, dtype = torch_float64())
  nn_init_uniform_(t, -2, 3)
  expect_equal(as.numeric(t), init_ref$uniform_f64, tolerance = 1e-15)
  expect_true(t$dtype == torch_float64())
})

test_that("constant initialisation and fans", {
  p <- nn_parameter(torch_empty(2, 3))
  nn_init_constant_(p, 0.25)
  expect_equal(as_array(p), matrix(0.25, 2, 3))
  expect_true(p$requires_grad)
  expect_true(p$is_leaf)
  nn_init_zeros_(p)
  expect_equal(as_array(p), matrix(0, 2, 3))
  nn_init_ones_(p)
  expect_equal(as_array(p), matrix(1, 2, 3))
  expect_equal(nn_init_calculate_fan_in_and_fan_out(torch_empty(4, 3, 5)),
               c(fan_in = 15, fan_out = 20))
  expect_equal(nn_init_calculate_gain("relu"), sqrt(2))
  expect_equal(nn_init_calculate_gain("tanh"), 5 / 3)
  expect_equal(nn_init_calculate_gain("leaky_relu", sqrt(5)), sqrt(1 / 3))
  expect_torch_error(nn_init_kaiming_uniform_(torch_empty(3)), "value_error",
                     "fewer than 2 dimensions")
  expect_torch_error(nn_init_kaiming_normal_(torch_empty(3, 3), mode = "fan_avg"), "value_error",
                     "Mode fan_avg not supported")
  expect_torch_error(nn_init_calculate_gain("swish"), "value_error", "Unsupported nonlinearity swish")
  expect_torch_error(nn_init_uniform_(torch_zeros(2, dtype = torch_int64())), "type_error",
                     "floating point tensor")
  expect_torch_error(nn_init_normal_(matrix(0, 2, 2)), "type_error", "`tensor` must be a tensor")
})

# ---------------------------------------------------------------- modules

test_that("nn_module() makes generators of callable modules with registered parts", {
  expect_s3_class(net, "nn_module_generator")
  expect_equal(names(formals(net)), c("d_in", "d_hidden", "d_out"))
  torch_manual_seed(5)
  m <- net(3, 8, 2)
  expect_true(is_nn_module(m))
  expect_false(is_nn_module(net))
  expect_equal(class(m), c("net", "nn_module"))
  expect_named(m$parameters, c("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"))
  expect_identical(m$named_parameters(), m$parameters)
  expect_length(m$named_parameters(recursive = FALSE), 0)
  expect_named(m$children, c("fc1", "fc2"))
  expect_named(m$modules, c("", "fc1", "fc2"))
  expect_s3_class(m$fc1, "nn_linear")
  x <- torch_randn(4, 3)
  y <- m(x)
  expect_equal(y$shape, c(4, 2))
  manual <- nnf_relu(x$mm(m$fc1$weight$t()) + m$fc1$bias)$mm(m$fc2$weight$t()) + m$fc2$bias
  expect_equal(as_array(y), as_array(manual), tolerance = 1e-6)
  expect_identical(as_array(m$forward(x)), as_array(y))
})

test_that("parameters of submodules come first, then the module's own (as R torch)", {
  mixed <- nn_module(
    initialize = function() {
      self$scale <- nn_parameter(torch_ones(1))
      self$inner <- nn_linear(2, 2)
      self$steps <- nn_buffer(torch_zeros(1))
      self$tmp <- nn_buffer(torch_zeros(2), persistent = FALSE)
      self$note <- "a plain field"
    },
    forward = function(x) self$inner(x) * self$scale
  )
  m <- mixed()
  expect_named(m$parameters, c("inner.weight", "inner.bias", "scale"))
  expect_named(m$buffers, c("steps", "tmp"))
  expect_named(m$state_dict(), c("scale", "steps", "inner.weight", "inner.bias"))
  expect_equal(m$note, "a plain field")
  expect_true(is_nn_parameter(m$scale))
  expect_true(is_nn_buffer(m$steps))
  expect_false(m$steps$requires_grad)
  # shared layers are listed once
  shared <- nn_linear(2, 2)
  twice <- nn_module(initialize = function() {
    self$a <- shared
    self$b <- shared
  })()
  expect_named(twice$parameters, c("a.weight", "a.bias"))
  expect_length(twice$modules, 2)
})

test_that("printing follows R torch's format", {
  op <- options(width = 80, cli.unicode = FALSE)
  on.exit(options(op))
  m <- net(64, 64, 1)
  out <- capture.output(print(m))
  expect_equal(out, c(
    "An `nn_module` containing 4,225 parameters.",
    "",
    paste0("-- Modules ", strrep("-", 69)),
    "* fc1: <nn_linear> #4,160 parameters",
    "* fc2: <nn_linear> #65 parameters"
  ))
  out <- capture.output(print(nn_linear(10, 1)))
  expect_equal(out, c(
    "An `nn_module` containing 11 parameters.",
    "",
    paste0("-- Parameters ", strrep("-", 66)),
    "* weight: Float [1:1, 1:10]",
    "* bias: Float [1:1]"
  ))
  b <- nn_module(initialize = function() {
    self$w <- nn_parameter(torch_zeros(2, 3, dtype = torch_float64()))
    self$count <- nn_buffer(torch_tensor(0L))
  })()
  out <- capture.output(print(b))
  expect_equal(out[1], "An `nn_module` containing 6 parameters.")
  expect_equal(out[4], "* w: Double [1:2, 1:3]")
  expect_equal(out[7], "* count: Long [1:1]")
  options(cli.unicode = TRUE)
  out <- capture.output(print(nn_sequential(nn_linear(2, 2), nn_relu())))
  expect_equal(out[3], paste0("\u2500\u2500 Modules ", strrep("\u2500", 69)))
  expect_equal(out[4:5], c("\u2022 0: <nn_linear> #6 parameters",
                           "\u2022 1: <nn_relu> #0 parameters"))
  expect_output(print(net), "nn_module_generator: net")
})

test_that("train() and eval() set training recursively", {
  m <- nn_sequential(nn_linear(2, 3), nn_dropout(0.5))
  expect_true(m$training)
  expect_true(m[[2]]$training)
  expect_identical(m$eval(), m)
  expect_false(m$training)
  expect_false(m[[2]]$training)
  x <- torch_ones(4, 2)
  expect_equal(as_array(m(x)), as_array(m[[1]](x)))
  m$train()
  expect_true(m[[2]]$training)
  m$train(FALSE)
  expect_false(m[[1]]$training)
  expect_torch_error(m$training <- "yes", "value_error", "Field `training` must be a logical flag.")
})

test_that("gradients flow through modules and zero_grad() clears them", {
  torch_manual_seed(2)
  m <- net(3, 4, 1)
  x <- torch_randn(5, 3)
  y <- torch_randn(5, 1)
  loss <- nnf_mse_loss(m(x), y)
  loss$backward()
  for (p in m$parameters) {
    expect_false(is.null(p$grad))
    expect_equal(p$grad$shape, p$shape)
  }
  # the gradient of the last layer's bias is the mean residual times 2
  expect_equal(as.numeric(m$fc2$bias$grad), 2 * mean(as.numeric(m(x) - y)), tolerance = 1e-5)
  m$zero_grad()
  for (p in m$parameters) expect_equal(sum(abs(as.numeric(p$grad))), 0)
  m$zero_grad(set_to_none = TRUE)
  expect_null(m$fc1$weight$grad)
})

test_that("state_dict() and load_state_dict() copy values and check names and shapes", {
  torch_manual_seed(1)
  a <- net(3, 4, 2)
  b <- net(3, 4, 2)
  sd <- a$state_dict()
  expect_named(sd, c("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"))
  expect_null(sd[[1]]$grad_fn)
  expect_identical(b$load_state_dict(sd), b)
  for (nm in names(sd)) expect_equal(as_array(b$state_dict()[[nm]]), as_array(sd[[nm]]))
  # values are copied: changing a does not change b
  with_no_grad(a$fc1$bias$add_(1))
  expect_false(isTRUE(all.equal(as_array(a$fc1$bias), as_array(b$fc1$bias))))
  expect_true(b$fc1$weight$requires_grad)

  missing_sd <- sd[-2]
  expect_torch_error(b$load_state_dict(missing_sd), "value_error",
                     "missing key(s) in state_dict: \"fc1.bias\"")
  extra <- c(sd, list(extra = torch_ones(1)))
  expect_torch_error(b$load_state_dict(extra), "value_error",
                     "unexpected key(s) in state_dict: \"extra\"")
  expect_silent(b$load_state_dict(extra, strict = FALSE))
  wrong <- sd
  wrong[["fc2.weight"]] <- torch_zeros(3, 4)
  expect_torch_error(b$load_state_dict(wrong), "value_error",
                     "size mismatch for fc2.weight: copying a param with shape {3,4} from checkpoint, the shape in current model is {2,4}.")
  notensor <- sd
  notensor[["fc1.bias"]] <- c(1, 2, 3, 4)
  expect_torch_error(b$load_state_dict(notensor), "type_error", "is not a tensor")
  expect_torch_error(b$load_state_dict(list(1, 2)), "type_error", "named list of tensors")
})

test_that("$to(dtype =) converts floating parameters and buffers, keeping them parameters", {
  m <- nn_module(initialize = function() {
    self$fc <- nn_linear(2, 2)
    self$count <- nn_buffer(torch_tensor(3L))
    self$scale <- nn_buffer(torch_tensor(0.5))
  })()
  m$fc$weight$sum()$backward()
  m$to(dtype = torch_float64())
  expect_true(m$fc$weight$dtype == torch_float64())
  expect_true(m$parameters[[1]]$dtype == torch_float64())
  expect_true(m$fc$weight$requires_grad)
  expect_true(is_nn_parameter(m$fc$weight))
  expect_true(m$fc$weight$grad$dtype == torch_float64())
  expect_true(m$count$dtype == torch_int64())
  expect_true(m$scale$dtype == torch_float64())
  expect_true(m$fc(torch_ones(1, 2, dtype = torch_float64()))$dtype == torch_float64())
  opt <- optim_sgd(m$parameters, lr = 0.1)
  expect_length(opt$param_groups[[1]]$params, 2)
  expect_torch_error(m$to(dtype = torch_int64()), "value_error", "only accepts floating point dtypes")
})

test_that("modules inherit from other modules and call super", {
  scaled_linear <- nn_module(
    "scaled_linear",
    inherit = nn_linear,
    initialize = function(in_features, out_features, scale = 2) {
      super$initialize(in_features, out_features)
      self$scale <- scale
    },
    forward = function(input) super$forward(input) * self$scale
  )
  m <- scaled_linear(3, 2)
  expect_equal(class(m), c("scaled_linear", "nn_linear", "nn_module"))
  x <- torch_ones(1, 3)
  expect_equal(as_array(m(x)), 2 * as_array(nnf_linear(x, m$weight, m$bias)), tolerance = 1e-6)
  expect_named(m$parameters, c("weight", "bias"))
})

test_that("apply() visits every module (custom initialisation)", {
  m <- net(2, 3, 1)
  visited <- character()
  m$apply(function(mod) {
    visited <<- c(visited, class(mod)[1])
    if (inherits(mod, "nn_linear")) nn_init_zeros_(mod$bias)
  })
  expect_equal(visited, c("nn_linear", "nn_linear", "net"))
  expect_equal(as.numeric(m$fc1$bias), c(0, 0, 0))
})

test_that("nn_sequential chains modules", {
  torch_manual_seed(3)
  s <- nn_sequential(nn_linear(3, 4), nn_relu(), nn_linear(4, 2), nn_softmax(2))
  expect_length(s, 4)
  expect_named(s$children, c("0", "1", "2", "3"))
  expect_named(s$parameters, c("0.weight", "0.bias", "2.weight", "2.bias"))
  expect_s3_class(s[[3]], "nn_linear")
  x <- torch_randn(5, 3)
  manual <- nnf_softmax(s[[3]](nnf_relu(s[[1]](x))), 2)
  expect_equal(as_array(s(x)), as_array(manual))
  expect_torch_error(s[[5]], "index_error", "out of range")
})

test_that("activation, dropout and loss modules compute their nnf functions", {
  x <- torch_tensor(c(-2, -0.5, 0, 1.5))
  expect_equal(as.numeric(nn_relu()(x)), c(0, 0, 0, 1.5))
  expect_equal(as.numeric(nn_sigmoid()(x)), 1 / (1 + exp(-c(-2, -0.5, 0, 1.5))), tolerance = 1e-6)
  expect_equal(as.numeric(nn_tanh()(x)), tanh(c(-2, -0.5, 0, 1.5)), tolerance = 1e-6)
  expect_equal(as.numeric(nn_softmax(1)(x)), as.numeric(nnf_softmax(x, 1)))
  expect_equal(as.numeric(nn_log_softmax(1)(x)), as.numeric(nnf_log_softmax(x, 1)))
  expect_equal(as.numeric(nn_identity()(x)), as.numeric(x))
  d <- nn_dropout(p = 0.5)
  torch_manual_seed(1)
  out <- as.numeric(d(torch_ones(1000)))
  expect_true(all(out %in% c(0, 2)))
  d$eval()
  expect_equal(as.numeric(d(torch_ones(3))), c(1, 1, 1))
  expect_torch_error(nn_dropout(p = 2), "value_error", "dropout probability has to be between 0 and 1")

  input <- torch_randn(4, 3)
  target <- torch_tensor(c(1L, 3L, 2L, 3L))
  w <- torch_tensor(c(1, 2, 0.5))
  expect_equal(nn_cross_entropy_loss()(input, target)$item(), nnf_cross_entropy(input, target)$item())
  ce <- nn_cross_entropy_loss(weight = w, reduction = "sum")
  expect_named(ce$buffers, "weight")
  expect_equal(ce(input, target)$item(),
               nnf_cross_entropy(input, target, weight = w, reduction = "sum")$item())
  expect_equal(nn_nll_loss()(input, target)$item(), nnf_nll_loss(input, target)$item())
  y <- torch_randn(4, 3)
  expect_equal(nn_mse_loss()(input, y)$item(), nnf_mse_loss(input, y)$item())
  expect_equal(as_array(nn_l1_loss(reduction = "none")(input, y)),
               as_array(nnf_l1_loss(input, y, reduction = "none")))
  p <- torch_sigmoid(input)
  t01 <- torch_tensor(matrix(c(1, 0, 1, 0, 0, 1, 1, 1, 0, 0, 0, 1), 4))
  expect_equal(nn_bce_loss()(p, t01)$item(), nnf_binary_cross_entropy(p, t01)$item())
  pw <- torch_tensor(c(1, 2, 3))
  expect_equal(nn_bce_with_logits_loss(pos_weight = pw)(input, t01)$item(),
               nnf_binary_cross_entropy_with_logits(input, t01, pos_weight = pw)$item())
  expect_torch_error(nn_mse_loss(reduction = "all"), "value_error", "all is not a valid value for reduction")
})

test_that("modules reject bad assignments and arguments", {
  m <- nn_linear(2, 2)
  expect_torch_error(m$weight <- torch_zeros(2, 2), "type_error",
                     "cannot assign an object of class <torch_tensor> as parameter 'weight'")
  m$weight <- nn_parameter(torch_zeros(2, 2))
  expect_equal(as_array(m$weight), matrix(0, 2, 2))
  m$bias <- NULL
  expect_null(m$bias)
  expect_named(m$parameters, "weight")
  holder <- nn_module(initialize = function() self$inner <- nn_linear(1, 1))()
  expect_torch_error(holder$inner <- 3, "type_error", "as child module or buffer 'inner'")
  expect_torch_error(holder$add_module("g", nn_linear), "value_error", "must be initialized")
  expect_torch_error(holder$add_module("g", 1), "value_error", "Expected an nn_module")
  expect_torch_error(holder$register_parameter("p", 1), "type_error", "as parameter 'p'")
  holder$register_parameter("frozen", torch_zeros(2))
  expect_true(is_nn_parameter(holder$frozen))
  expect_false(holder$frozen$requires_grad)
  expect_named(holder$parameters, c("inner.weight", "inner.bias", "frozen"))
  holder$register_buffer("count", torch_zeros(1))
  holder$count <- holder$count + 1
  expect_equal(holder$state_dict()$count$item(), 1)
  expect_torch_error(nn_parameter(1), "type_error", "`x` must be a tensor.")
  expect_torch_error(nn_module(inherit = 1), "value_error", "inherit must be a module generator")
  expect_torch_error(nn_module()()(1), "not_implemented_error", "Forward method is not implemented")
  p <- holder$parameters
  expect_torch_error(holder$parameters <- list(), "runtime_error",
                     "not possible to modify the parameters list")
})
