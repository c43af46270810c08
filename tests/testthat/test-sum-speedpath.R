# The AVX loop of the cascade sum (src/core/ops/reduce.c, HOT_AVX) has a contiguous path
# (rows of 4 adjacent vectors, 4 rows per step, level-1 accumulators in registers) and a
# strided one. Both must keep libtorch's order of additions: values from PyTorch 1.13
# (torch.set_num_threads(1)) on inputs that are exact in float64, for 1, 2 and 3 threads.
# m has rows of 2^20 + 5 elements: level-2 and level-3 carries of the cascade and a tail.

speed_input <- function(n) {
  i <- seq_len(n)
  ((i * 7919) %% 10007) / 1000 - 5
}
hexes <- function(t) sprintf("%a", as.numeric(as_array(t)))

test_that("cascade sums through the AVX loop equal PyTorch's bit for bit", {
  old <- torch_get_num_threads()
  on.exit(torch_set_num_threads(old))
  ref <- list(
    f32 = list(a = "0x1.76362ap+6", m = c("0x1.8bd6b2p+11", "0x1.894b44p+11", "0x1.89404ep+11")),
    f64 = list(a = "0x1.763645a1cabd4p+6",
               m = c("0x1.8bd6d0e5603e4p+11", "0x1.894b645a1ca8cp+11", "0x1.89406a7ef9d7ep+11")))
  for (nt in 1:3) {
    torch_set_num_threads(nt)
    for (dt in c("f32", "f64")) {
      d <- if (dt == "f32") torch_float32() else torch_float64()
      a <- torch_tensor(speed_input(30001), dtype = d)
      m <- torch_tensor(matrix(speed_input(3 * (2^20 + 5)), nrow = 3, byrow = TRUE), dtype = d)
      expect_identical(hexes(a$sum()), ref[[dt]]$a)
      expect_identical(hexes(m$sum(dim = 2)), ref[[dt]]$m)
      expect_identical(hexes(m$t()$sum(dim = 1)), ref[[dt]]$m)
    }
  }
})
