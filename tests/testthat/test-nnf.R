# nn functional: values against PyTorch 1.13 in float32 (tools/optim-reference.py nnf),
# gradients with gradcheck() in float64, and bad input.

nnf_ref <- list(
  softmax2 = c(
    0.15808320045471191, 0.02747073955833912, 0.7084797024726868, 0.10596632957458496,
    0.5396134257316589, 0.3272920846939087, 0.01269049197435379, 0.12040403485298157,
    0.03246021270751953, 0.3237641155719757, 0.4829992949962616, 0.16077649593353271
  ),
  softmax1 = c(
    0.07538874447345734, 0.020732887089252472, 0.7482455968856812, 0.17662444710731506,
    0.9184229373931885, 0.8815847635269165, 0.04783373698592186, 0.7162473797798157,
    0.006188285071402788, 0.09768237173557281, 0.20392072200775146, 0.10712813585996628
  ),
  log_softmax2 = c(
    -1.8446338176727295, -3.5946338176727295, -0.34463387727737427, -2.244633913040161,
    -0.6169022917747498, -1.1169023513793945, -4.3669023513793945, -2.1169023513793945,
    -3.4277400970458984, -1.1277401447296143, -0.7277401089668274, -1.82774019241333
  ),
  log_softmax1 = c(
    -2.585097312927246, -3.8760340213775635, -0.2900240421295166, -1.733729600906372,
    -0.08509726077318192, -0.12603411078453064, -3.0400240421295166, -0.33372962474823,
    -5.085097312927246, -2.3260340690612793, -1.5900239944458008, -2.233729600906372
  ),
  softmax_big = c(
    0.06289001554250717, 0.17095278203487396, 0.7661572098731995, 3.783505853677006e-44,
    1.9287498933537385e-22, 1.0
  ),
  log_softmax_big = c(
    -2.7663679122924805, -1.7663679122924805, -0.2663678824901581, -100.0,
    -50.0, 0.0
  ),
  mse_mean = c(
    0.7572916150093079
  ),
  mse_sum = c(
    9.087499618530273
  ),
  mse_none = c(
    0.0625, 5.0625, 0.25, 0.36000001430511475,
    1.0, 0.25, 0.5625, 0.25,
    1.0, 0.03999999538064003, 0.09000000357627869, 0.1600000113248825
  ),
  l1_mean = c(
    0.6875
  ),
  l1_none = c(
    0.25, 2.25, 0.5, 0.6000000238418579,
    1.0, 0.5, 0.75, 0.5,
    1.0, 0.19999998807907104, 0.30000001192092896, 0.4000000059604645
  ),
  ce_mean = c(
    1.196425437927246
  ),
  ce_sum = c(
    3.5892763137817383
  ),
  ce_none = c(
    2.244633913040161, 0.6169022917747498, 0.7277401089668274
  ),
  ce_weight = c(
    1.2827205657958984
  ),
  ce_weight_none = c(
    3.3669509887695312, 0.3084511458873749, 1.4554802179336548
  ),
  ce_ignore = c(
    1.4307681322097778
  ),
  ce_3d = c(
    1.4737966060638428
  ),
  ce_3d_none = c(
    1.8434054851531982, 1.6308715343475342, 2.104130744934082, 0.3167787194252014
  ),
  ce_probs = c(
    1.367559790611267
  ),
  nll_mean = c(
    1.196425437927246
  ),
  nll_weight_sum = c(
    -3.0500001907348633
  ),
  bce_mean = c(
    1.408382534980774
  ),
  bce_none = c(
    0.10536054521799088, 0.2231435328722, 0.5108255743980408, 0.010050326585769653,
    6.907768249511719, 0.6931471824645996
  ),
  bce_weight_sum = c(
    22.233562469482422
  ),
  bce_edge = c(
    100.0, 100.0, 0.0
  ),
  bcel_mean = c(
    6.934568405151367
  ),
  bcel_none = c(
    0.12692804634571075, 0.31326165795326233, 0.4740769863128662, 0.0,
    40.0, 0.6931471824645996
  ),
  bcel_weight_pos = c(
    0.38078415393829346, 0.6265232563018799, 0.7111154794692993, 0.0,
    120.0, 2.079441547393799
  ),
  NULL
)

# float32 results within 1e-6 relative of PyTorch's (denormals and zeros: absolutely)
expect_f32 <- function(got, ref) {
  got <- as.numeric(got)
  expect_equal(length(got), length(ref))
  err <- abs(got - ref) - (1e-6 * abs(ref) + 1e-37)
  expect_true(all(err <= 0), info = paste("worst:", got[which.max(err)], "vs", ref[which.max(err)]))
}

rowm <- function(v, nrow) matrix(v, nrow = nrow, byrow = TRUE)
x <- torch_tensor(rowm(c(0.5, -1.25, 2.0, 0.1, 3.0, 2.5, -0.75, 1.5, -2.0, 0.3, 0.7, -0.4), 3))
big <- torch_tensor(rowm(c(1000, 1001, 1002.5, -50, 0, 50), 2))
tgt <- torch_tensor(rowm(c(0.25, 1, 1.5, -0.5, 2, 2, 0, 1, -1, 0.5, 1, 0), 3))
cls <- torch_tensor(c(4L, 1L, 3L))
w <- torch_tensor(c(0.5, 1, 2, 1.5))
x3 <- torch_tensor(array(c(0.2, 0.5, 1.0, -1.0, -0.3, 0.0, -0.1, 0.5, 0.4, 2.0, 0.8, 0.1),
                         dim = c(2, 3, 2)))
cls3 <- torch_tensor(matrix(c(3L, 2L, 1L, 2L), 2))
probs <- torch_tensor(c(0.9, 0.2, 0.6, 0.01, 0.999, 0.5))
ybin <- torch_tensor(c(1, 0, 1, 0, 0, 1))
logits <- torch_tensor(c(2, -1, 0.5, -30, 40, 0))
wbin <- torch_tensor(c(1, 2, 0.5, 1, 3, 1))

# row-major values of a tensor (as PyTorch prints them)
rm_values <- function(t) {
  a <- as_array(t)
  if (is.null(dim(a))) return(as.numeric(a))
  as.numeric(aperm(a, rev(seq_along(dim(a)))))
}

test_that("softmax and log_softmax match PyTorch, also for large inputs", {
  expect_f32(rm_values(nnf_softmax(x, dim = 2)), nnf_ref$softmax2)
  expect_f32(rm_values(nnf_softmax(x, dim = -1)), nnf_ref$softmax2)
  expect_f32(rm_values(nnf_softmax(x, dim = 1)), nnf_ref$softmax1)
  expect_f32(rm_values(nnf_log_softmax(x, dim = 2)), nnf_ref$log_softmax2)
  expect_f32(rm_values(nnf_log_softmax(x, dim = 1)), nnf_ref$log_softmax1)
  expect_f32(rm_values(nnf_softmax(big, dim = 2)), nnf_ref$softmax_big)
  expect_f32(rm_values(nnf_log_softmax(big, dim = 2)), nnf_ref$log_softmax_big)
  expect_true(nnf_softmax(x, 2)$dtype == torch_float32())
  expect_true(nnf_softmax(x, 2, dtype = torch_float64())$dtype == torch_float64())
  expect_equal(as.numeric(nnf_softmax(x, 2)$sum(dim = 2)), c(1, 1, 1), tolerance = 1e-6)
  expect_equal(nnf_softmax(x, 2)$shape, c(3, 4))
  expect_warning(s <- nnf_softmax(x), "Implicit dimension choice")
  expect_f32(rm_values(s), nnf_ref$softmax2)
})

test_that("regression losses match PyTorch", {
  expect_f32(nnf_mse_loss(x, tgt), nnf_ref$mse_mean)
  expect_f32(nnf_mse_loss(x, tgt, reduction = "sum"), nnf_ref$mse_sum)
  expect_f32(rm_values(nnf_mse_loss(x, tgt, reduction = "none")), nnf_ref$mse_none)
  expect_f32(nnf_l1_loss(x, tgt), nnf_ref$l1_mean)
  expect_f32(rm_values(nnf_l1_loss(x, tgt, reduction = "none")), nnf_ref$l1_none)
  expect_equal(nnf_mse_loss(x, tgt)$shape, integer(0))
  expect_warning(nnf_mse_loss(x, torch_zeros(4)), "different to the input size")
})

test_that("cross entropy and nll loss match PyTorch (1-based classes)", {
  expect_f32(nnf_cross_entropy(x, cls), nnf_ref$ce_mean)
  expect_f32(nnf_cross_entropy(x, cls, reduction = "sum"), nnf_ref$ce_sum)
  expect_f32(nnf_cross_entropy(x, cls, reduction = "none"), nnf_ref$ce_none)
  expect_f32(nnf_cross_entropy(x, cls, weight = w), nnf_ref$ce_weight)
  expect_f32(nnf_cross_entropy(x, cls, weight = w, reduction = "none"), nnf_ref$ce_weight_none)
  expect_f32(nnf_cross_entropy(x, torch_tensor(c(4L, 1L, 2L)), ignore_index = 2), nnf_ref$ce_ignore)
  expect_f32(nnf_cross_entropy(x3, cls3), nnf_ref$ce_3d)
  expect_f32(rm_values(nnf_cross_entropy(x3, cls3, reduction = "none")), nnf_ref$ce_3d_none)
  expect_equal(nnf_cross_entropy(x3, cls3, reduction = "none")$shape, c(2, 2))
  expect_f32(nnf_cross_entropy(x, nnf_softmax(tgt, 2)), nnf_ref$ce_probs)
  expect_f32(nnf_nll_loss(nnf_log_softmax(x, 2), cls), nnf_ref$nll_mean)
  expect_f32(nnf_nll_loss(x, cls, weight = w, reduction = "sum"), nnf_ref$nll_weight_sum)
  # one sample given as a vector of C scores
  expect_f32(nnf_cross_entropy(x[1, ], torch_tensor(4L)$squeeze()), nnf_ref$ce_none[1])
  # int32 class indices work too
  expect_f32(nnf_cross_entropy(x, cls$to(dtype = torch_int32())), nnf_ref$ce_mean)
})

test_that("binary cross entropy matches PyTorch", {
  expect_f32(nnf_binary_cross_entropy(probs, ybin), nnf_ref$bce_mean)
  expect_f32(nnf_binary_cross_entropy(probs, ybin, reduction = "none"), nnf_ref$bce_none)
  expect_f32(nnf_binary_cross_entropy(probs, ybin, weight = wbin, reduction = "sum"),
             nnf_ref$bce_weight_sum)
  expect_f32(nnf_binary_cross_entropy(torch_tensor(c(0, 1, 0)), torch_tensor(c(1, 0, 0)),
                                      reduction = "none"), nnf_ref$bce_edge)
  expect_f32(nnf_binary_cross_entropy_with_logits(logits, ybin), nnf_ref$bcel_mean)
  expect_f32(nnf_binary_cross_entropy_with_logits(logits, ybin, reduction = "none"),
             nnf_ref$bcel_none)
  expect_f32(nnf_binary_cross_entropy_with_logits(logits, ybin, weight = wbin,
                                                  pos_weight = torch_tensor(3),
                                                  reduction = "none"),
             nnf_ref$bcel_weight_pos)
})

test_that("gradients of the nn functions pass gradcheck in float64", {
  dbl <- function(t, rg = TRUE) t$to(dtype = torch_float64())$detach()$requires_grad_(rg)
  xd <- dbl(x)
  td <- dbl(tgt, FALSE)
  wd <- dbl(w, FALSE)
  expect_true(gradcheck(function(a) nnf_softmax(a, 2), xd))
  expect_true(gradcheck(function(a) nnf_softmax(a, 1), xd))
  expect_true(gradcheck(function(a) nnf_log_softmax(a, 2), xd))
  expect_true(gradcheck(function(a) nnf_tanh(a), xd))
  expect_true(gradcheck(function(a, b) nnf_mse_loss(a, b), list(xd, dbl(tgt))))
  expect_true(gradcheck(function(a) nnf_mse_loss(a, td, reduction = "none"), xd))
  expect_true(gradcheck(function(a) nnf_l1_loss(a, td, reduction = "sum"), xd))
  expect_true(gradcheck(function(a) nnf_cross_entropy(a, cls), xd))
  expect_true(gradcheck(function(a) nnf_cross_entropy(a, cls, weight = wd, reduction = "none"), xd))
  expect_true(gradcheck(function(a) nnf_cross_entropy(a, cls3), dbl(x3)))
  expect_true(gradcheck(function(a) nnf_cross_entropy(a, nnf_softmax(td, 2)), xd))
  expect_true(gradcheck(function(a) nnf_nll_loss(a, cls, weight = wd), xd))
  pd <- dbl(probs)
  expect_true(gradcheck(function(a) nnf_binary_cross_entropy(a, dbl(ybin, FALSE), weight = dbl(wbin, FALSE)), pd))
  expect_true(gradcheck(function(a) nnf_binary_cross_entropy_with_logits(a, dbl(ybin, FALSE)), dbl(logits)))
  expect_true(gradcheck(function(a, b) {
    nnf_binary_cross_entropy_with_logits(a, b, pos_weight = torch_tensor(3, dtype = torch_float64()),
                                         reduction = "sum")
  }, list(dbl(torch_tensor(c(2, -1, 0.5, -3))), dbl(torch_tensor(c(1, 0, 0.3, 0.9))))))
})

test_that("the gradient of cross entropy is softmax minus one-hot", {
  a <- x$detach()$requires_grad_(TRUE)
  nnf_cross_entropy(a, cls, reduction = "sum")$backward()
  onehot <- matrix(0, 3, 4)
  onehot[cbind(1:3, c(4, 1, 3))] <- 1
  expect_equal(as_array(a$grad), as_array(nnf_softmax(x, 2)) - onehot, tolerance = 1e-6)
})

test_that("dropout zeroes with probability p and rescales the rest", {
  torch_manual_seed(1)
  y <- nnf_dropout(torch_ones(10000), p = 0.3)
  v <- as.numeric(y)
  expect_true(all(v == 0 | abs(v - 1 / 0.7) < 1e-6))
  expect_equal(mean(v == 0), 0.3, tolerance = 0.05)
  expect_equal(as.numeric(nnf_dropout(torch_ones(3), 0.5, training = FALSE)), c(1, 1, 1))
  expect_equal(as.numeric(nnf_dropout(torch_ones(3), 0)), c(1, 1, 1))
  expect_equal(as.numeric(nnf_dropout(torch_ones(3), 1)), c(0, 0, 0))
  z <- torch_ones(5)
  nnf_dropout(z, 1, inplace = TRUE)
  expect_equal(as.numeric(z), rep(0, 5))
  a <- torch_ones(6, requires_grad = TRUE)
  torch_manual_seed(2)
  out <- nnf_dropout(a, 0.5)
  out$sum()$backward()
  expect_equal(as.numeric(a$grad), as.numeric(out$detach()))
  expect_true(nnf_dropout(torch_ones(4, dtype = torch_float64()), 0.5)$dtype == torch_float64())
})

test_that("nn functions reject bad input with classed errors", {
  expect_torch_error(nnf_mse_loss(x, tgt, reduction = "avg"), "value_error",
                     "avg is not a valid value for reduction")
  expect_torch_error(nnf_mse_loss(as_array(x), tgt), "type_error", "`input` must be a tensor")
  expect_torch_error(nnf_cross_entropy(x, torch_tensor(c(4L, 0L, 3L))), "index_error",
                     "Target 0 is out of bounds")
  expect_torch_error(nnf_cross_entropy(x, torch_tensor(c(5L, 1L, 3L))), "index_error",
                     "Target 5 is out of bounds")
  expect_torch_error(nnf_cross_entropy(x, torch_tensor(c(1, 2, 3))), "value_error",
                     "class probabilities")
  expect_torch_error(nnf_nll_loss(x, torch_tensor(c(1, 2, 3))), "type_error",
                     "expected scalar type Long but found Float")
  expect_torch_error(nnf_cross_entropy(x, torch_tensor(c(1L, 2L))), "value_error",
                     "Expected target of shape {3}")
  expect_torch_error(nnf_cross_entropy(x, cls, weight = torch_ones(3)), "value_error",
                     "weight tensor should be defined either for all 4 classes")
  expect_torch_error(nnf_binary_cross_entropy(torch_tensor(c(0.5, 1.5)), torch_tensor(c(1, 0))),
                     "runtime_error", "all elements of input should be between 0 and 1")
  expect_torch_error(nnf_binary_cross_entropy(probs, torch_zeros(3)), "value_error",
                     "that is different to the input size")
  expect_torch_error(nnf_binary_cross_entropy_with_logits(logits, torch_zeros(2)), "value_error",
                     "must be the same as input size")
  expect_torch_error(nnf_dropout(x, p = 1.5), "value_error",
                     "dropout probability has to be between 0 and 1, but got 1.5")
  expect_torch_error(nnf_softmax(x, dim = 3), "index_error", "Dimension out of range")
  expect_torch_error(nnf_softmax(x, dim = 0), "index_error", "Indexing starts at 1")
})
