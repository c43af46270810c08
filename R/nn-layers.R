#' @include nn.R nnf.R nn-init.R
NULL

# Layers and loss modules.

#' Linear layer
#'
#' Applies `input %*% t(weight) + bias`. The weight is `(out_features, in_features)` and
#' is initialised as libtorch does: `nn_init_kaiming_uniform_(weight, a = sqrt(5))`, then
#' the bias uniform on `[-1/sqrt(in_features), 1/sqrt(in_features))`, so that after
#' `torch_manual_seed(s)` the parameters equal PyTorch's `torch.nn.Linear` after
#' `torch.manual_seed(s)`.
#'
#' @param in_features,out_features the sizes of each input and output sample.
#' @param bias whether the layer has a bias.
#' @return An `nn_linear` module.
#' @examples
#' torch_manual_seed(1)
#' fc <- nn_linear(3, 2)
#' fc$weight
#' fc(torch_ones(4, 3))
#' @export
nn_linear <- nn_module(
  "nn_linear",
  initialize = function(in_features, out_features, bias = TRUE) {
    self$in_features <- in_features
    self$out_features <- out_features
    self$weight <- nn_parameter(torch_empty(out_features, in_features))
    if (isTRUE(bias)) self$bias <- nn_parameter(torch_empty(out_features))
    else self$bias <- NULL
    self$reset_parameters()
  },
  reset_parameters = function() {
    nn_init_kaiming_uniform_(self$weight, a = sqrt(5))
    if (!is.null(self$bias)) {
      fan_in <- nn_init_calculate_fan_in_and_fan_out(self$weight)[["fan_in"]]
      bound <- if (fan_in > 0) 1 / sqrt(fan_in) else 0
      nn_init_uniform_(self$bias, -bound, bound)
    }
  },
  forward = function(input) nnf_linear(input, self$weight, self$bias)
)

#' Activation modules
#'
#' Modules applying [nnf_relu()], [nnf_sigmoid()], [nnf_tanh()], [nnf_softmax()] (along
#' `dim`) and [nnf_log_softmax()] elementwise; `nn_identity()` returns its input.
#'
#' @param inplace whether `nn_relu()` modifies its input in place.
#' @param dim the dimension along which softmax values sum to one.
#' @param ... ignored (`nn_identity()` accepts any arguments, as PyTorch's).
#' @return A module.
#' @examples
#' x <- torch_tensor(c(-1, 0, 2))
#' nn_relu()(x)
#' nn_sigmoid()(x)
#' nn_tanh()(x)
#' nn_softmax(1)(x)
#' @name nn_relu
NULL

#' @rdname nn_relu
#' @export
nn_relu <- nn_module(
  "nn_relu",
  initialize = function(inplace = FALSE) self$inplace <- inplace,
  forward = function(input) nnf_relu(input, inplace = self$inplace)
)

#' @rdname nn_relu
#' @export
nn_sigmoid <- nn_module(
  "nn_sigmoid",
  initialize = function() {},
  forward = function(input) torch_sigmoid(input)
)

#' @rdname nn_relu
#' @export
nn_tanh <- nn_module(
  "nn_tanh",
  initialize = function() {},
  forward = function(input) torch_tanh(input)
)

#' @rdname nn_relu
#' @export
nn_softmax <- nn_module(
  "nn_softmax",
  initialize = function(dim) self$dim <- dim,
  forward = function(input) nnf_softmax(input, self$dim)
)

#' @rdname nn_relu
#' @export
nn_log_softmax <- nn_module(
  "nn_log_softmax",
  initialize = function(dim) self$dim <- dim,
  forward = function(input) nnf_log_softmax(input, self$dim)
)

#' @rdname nn_relu
#' @export
nn_identity <- nn_module(
  "nn_identity",
  initialize = function(...) {},
  forward = function(input) input
)

#' Dropout layer
#'
#' Applies [nnf_dropout()] while the module is training (`model$train()`, the default) and
#' passes its input through after `model$eval()`.
#'
#' @param p the probability of zeroing an element.
#' @param inplace whether to modify the input in place.
#' @return An `nn_dropout` module.
#' @examples
#' drop <- nn_dropout(p = 0.5)
#' drop(torch_ones(6))
#' drop$eval()
#' drop(torch_ones(6))
#' @export
nn_dropout <- nn_module(
  "nn_dropout",
  initialize = function(p = 0.5, inplace = FALSE) {
    if (!is.numeric(p) || length(p) != 1 || is.na(p) || p < 0 || p > 1)
      signal_torch_error("value_error", paste0(
        "dropout probability has to be between 0 and 1, but got ", format(p)))
    self$p <- p
    self$inplace <- inplace
  },
  forward = function(input) nnf_dropout(input, self$p, self$training, self$inplace)
)

#' Loss modules
#'
#' Modules computing [nnf_mse_loss()], [nnf_l1_loss()], [nnf_cross_entropy()],
#' [nnf_nll_loss()], [nnf_binary_cross_entropy()] and
#' [nnf_binary_cross_entropy_with_logits()]: `criterion(input, target)`. A class `weight`
#' (and `pos_weight`) is kept as a buffer.
#'
#' @param reduction `"mean"`, `"sum"` or `"none"`.
#' @param weight optional weights (of the classes for cross entropy, of the elements for
#'   binary cross entropy).
#' @param ignore_index a target value that does not count.
#' @param pos_weight optional weights of positive examples.
#' @return A module.
#' @examples
#' criterion <- nn_cross_entropy_loss()
#' criterion(torch_randn(4, 3), torch_tensor(c(1L, 3L, 2L, 1L)))
#' nn_mse_loss()(torch_zeros(3), torch_ones(3))
#' @name nn_mse_loss
NULL

#' @rdname nn_mse_loss
#' @export
nn_mse_loss <- nn_module(
  "nn_mse_loss",
  initialize = function(reduction = "mean") self$reduction <- check_reduction(reduction),
  forward = function(input, target) nnf_mse_loss(input, target, reduction = self$reduction)
)

#' @rdname nn_mse_loss
#' @export
nn_l1_loss <- nn_module(
  "nn_l1_loss",
  initialize = function(reduction = "mean") self$reduction <- check_reduction(reduction),
  forward = function(input, target) nnf_l1_loss(input, target, reduction = self$reduction)
)

#' @rdname nn_mse_loss
#' @export
nn_cross_entropy_loss <- nn_module(
  "nn_cross_entropy_loss",
  initialize = function(weight = NULL, ignore_index = -100, reduction = "mean") {
    self$reduction <- check_reduction(reduction)
    self$ignore_index <- ignore_index
    if (!is.null(weight)) self$weight <- nn_buffer(weight) else self$weight <- NULL
  },
  forward = function(input, target) {
    nnf_cross_entropy(input, target, weight = self$weight, ignore_index = self$ignore_index,
                      reduction = self$reduction)
  }
)

#' @rdname nn_mse_loss
#' @export
nn_nll_loss <- nn_module(
  "nn_nll_loss",
  initialize = function(weight = NULL, ignore_index = -100, reduction = "mean") {
    self$reduction <- check_reduction(reduction)
    self$ignore_index <- ignore_index
    if (!is.null(weight)) self$weight <- nn_buffer(weight) else self$weight <- NULL
  },
  forward = function(input, target) {
    nnf_nll_loss(input, target, weight = self$weight, ignore_index = self$ignore_index,
                 reduction = self$reduction)
  }
)

#' @rdname nn_mse_loss
#' @export
nn_bce_loss <- nn_module(
  "nn_bce_loss",
  initialize = function(weight = NULL, reduction = "mean") {
    self$reduction <- check_reduction(reduction)
    if (!is.null(weight)) self$weight <- nn_buffer(weight) else self$weight <- NULL
  },
  forward = function(input, target) {
    nnf_binary_cross_entropy(input, target, weight = self$weight, reduction = self$reduction)
  }
)

#' @rdname nn_mse_loss
#' @export
nn_bce_with_logits_loss <- nn_module(
  "nn_bce_with_logits_loss",
  initialize = function(weight = NULL, reduction = "mean", pos_weight = NULL) {
    self$reduction <- check_reduction(reduction)
    if (!is.null(weight)) self$weight <- nn_buffer(weight) else self$weight <- NULL
    if (!is.null(pos_weight)) self$pos_weight <- nn_buffer(pos_weight)
    else self$pos_weight <- NULL
  },
  forward = function(input, target) {
    nnf_binary_cross_entropy_with_logits(input, target, weight = self$weight,
                                         reduction = self$reduction,
                                         pos_weight = self$pos_weight)
  }
)
