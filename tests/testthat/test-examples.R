# The seed's printed output of the Rosenbrock lab (R torch, float32), line by line.
rosenbrock_seed_lines <- c(
  "Iteration:  100 ",
  "Value is:  0.3502924 ",
  "Gradient is:  -0.667685 -0.5771312 ",
  "Iteration:  200 ",
  "Value is:  0.07398106 ",
  "Gradient is:  -0.1603189 -0.2532476 ",
  "Iteration:  300 ",
  "Value is:  0.02483024 ",
  "Gradient is:  -0.07679074 -0.1373911 ",
  "Iteration:  400 ",
  "Value is:  0.009619333 ",
  "Gradient is:  -0.04347242 -0.08254051 ",
  "Iteration:  500 ",
  "Value is:  0.003990697 ",
  "Gradient is:  -0.02652063 -0.05206227 ",
  "Iteration:  600 ",
  "Value is:  0.001719962 ",
  "Gradient is:  -0.01683905 -0.03373682 ",
  "Iteration:  700 ",
  "Value is:  0.0007584976 ",
  "Gradient is:  -0.01095017 -0.02221584 ",
  "Iteration:  800 ",
  "Value is:  0.0003393509 ",
  "Gradient is:  -0.007221781 -0.01477957 ",
  "Iteration:  900 ",
  "Value is:  0.0001532408 ",
  "Gradient is:  -0.004811743 -0.009894371 ",
  "Iteration:  1000 ",
  "Value is:  6.962555e-05 ",
  "Gradient is:  -0.003222887 -0.006653666 "
)

test_that("the rosenbrock example is listed", {
  expect_true("rosenbrock" %in% torchlite_example())
})

test_that("torchlite_example('rosenbrock') prints the seed's progress lines and result", {
  out <- capture.output(torchlite_example("rosenbrock"))
  expect_identical(out[1:30], rosenbrock_seed_lines)
  expect_identical(out[31:34], c(
    "torch_tensor",
    " 0.9918",
    " 0.9830",
    "[ CPUFloatType{2} ][ requires_grad = TRUE ]"
  ))
  expect_length(out, 34)
})

test_that("the example script runs without the package attached by the caller", {
  f <- system.file("examples", "rosenbrock.R", package = "torchlite")
  expect_true(file.exists(f))
  env <- new.env()
  out <- capture.output(source(f, local = env))
  expect_identical(out[28:30], rosenbrock_seed_lines[28:30])
  expect_equal(as.numeric(env$x), c(0.9918, 0.9830), tolerance = 1e-4)
  expect_true(env$x$requires_grad)
  expect_null(env$x$grad_fn)
})
