/* .Call entry points of the reductions (r_reduce.c) and of the matrix products
 * (r_linalg.c): X(name, number of arguments) */
#define CALLS_REDUCE(X)      \
  X(C_tl_sum, 4)             \
  X(C_tl_mean, 4)            \
  X(C_tl_prod, 4)            \
  X(C_tl_amax, 4)            \
  X(C_tl_max, 4)             \
  X(C_tl_argmax, 4)          \
  X(C_tl_var, 6)             \
  X(C_tl_norm, 5)            \
  X(C_tl_logsumexp, 3)       \
  X(C_tl_all, 4)             \
  X(C_tl_cumsum, 3)          \
  X(C_tl_mm, 2)              \
  X(C_tl_bmm, 2)             \
  X(C_tl_mv, 2)              \
  X(C_tl_dot, 2)             \
  X(C_tl_matmul, 2)          \
  X(C_tl_linear, 3)          \
  X(C_tl_small_gemm, 1)
