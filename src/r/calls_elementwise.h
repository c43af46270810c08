/* .Call entry points of the elementwise ops: X(name, number of arguments) */

/* unary ops: M(X, name, TL_UN_ code); each gives C_tl_<name>(x) and C_tl_<name>_(self) */
#define TL_EW_UNARY_OPS(M, X)        \
  M(X, neg, TL_UN_NEG)               \
  M(X, abs, TL_UN_ABS)               \
  M(X, sqrt, TL_UN_SQRT)             \
  M(X, rsqrt, TL_UN_RSQRT)           \
  M(X, exp, TL_UN_EXP)               \
  M(X, exp2, TL_UN_EXP2)             \
  M(X, log, TL_UN_LOG)               \
  M(X, log2, TL_UN_LOG2)             \
  M(X, log10, TL_UN_LOG10)           \
  M(X, log1p, TL_UN_LOG1P)           \
  M(X, expm1, TL_UN_EXPM1)           \
  M(X, sin, TL_UN_SIN)               \
  M(X, cos, TL_UN_COS)               \
  M(X, tan, TL_UN_TAN)               \
  M(X, asin, TL_UN_ASIN)             \
  M(X, acos, TL_UN_ACOS)             \
  M(X, atan, TL_UN_ATAN)             \
  M(X, sinh, TL_UN_SINH)             \
  M(X, cosh, TL_UN_COSH)             \
  M(X, tanh, TL_UN_TANH)             \
  M(X, sigmoid, TL_UN_SIGMOID)       \
  M(X, reciprocal, TL_UN_RECIPROCAL) \
  M(X, relu, TL_UN_RELU)             \
  M(X, sign, TL_UN_SIGN)             \
  M(X, floor, TL_UN_FLOOR)           \
  M(X, ceil, TL_UN_CEIL)             \
  M(X, trunc, TL_UN_TRUNC)           \
  M(X, frac, TL_UN_FRAC)             \
  M(X, square, TL_UN_SQUARE)         \
  M(X, logical_not, TL_UN_LOGICAL_NOT)

#define TL_EW_UNARY_CALLS(X, name, op) X(C_tl_##name, 1) X(C_tl_##name##_, 1)

/* binary ops with a tensor-or-scalar second argument: C_tl_<name>(self, other) and, for the
 * arithmetic ones, C_tl_<name>_(self, other) */
#define TL_EW_BINARY_OPS(M, X)                 \
  M(X, mul, TL_BIN_MUL)                        \
  M(X, remainder, TL_BIN_REMAINDER)            \
  M(X, fmod, TL_BIN_FMOD)                      \
  M(X, floor_divide, TL_BIN_DIV_FLOOR)         \
  M(X, maximum, TL_BIN_MAXIMUM)                \
  M(X, minimum, TL_BIN_MINIMUM)                \
  M(X, eq, TL_BIN_EQ)                          \
  M(X, ne, TL_BIN_NE)                          \
  M(X, lt, TL_BIN_LT)                          \
  M(X, le, TL_BIN_LE)                          \
  M(X, gt, TL_BIN_GT)                          \
  M(X, ge, TL_BIN_GE)                          \
  M(X, logical_and, TL_BIN_LOGICAL_AND)        \
  M(X, logical_or, TL_BIN_LOGICAL_OR)          \
  M(X, logical_xor, TL_BIN_LOGICAL_XOR)

#define TL_EW_BINARY_CALLS(X, name, op) X(C_tl_##name, 2) X(C_tl_##name##_, 2)

#define CALLS_ELEMENTWISE(X)                    \
  X(C_tl_op_add, 2)                             \
  X(C_tl_op_sub, 2)                             \
  X(C_tl_op_mul, 2)                             \
  X(C_tl_op_div, 2)                             \
  X(C_tl_op_pow, 2)                             \
  X(C_tl_op_fmod, 2)                            \
  X(C_tl_op_intdiv, 2)                          \
  X(C_tl_op_eq, 2)                              \
  X(C_tl_op_ne, 2)                              \
  X(C_tl_op_lt, 2)                              \
  X(C_tl_op_le, 2)                              \
  X(C_tl_op_gt, 2)                              \
  X(C_tl_op_ge, 2)                              \
  X(C_tl_op_and, 2)                             \
  X(C_tl_op_or, 2)                              \
  X(C_tl_op_neg, 1)                             \
  X(C_tl_op_pos, 1)                             \
  X(C_tl_add, 3)                                \
  X(C_tl_sub, 3)                                \
  X(C_tl_div, 3)                                \
  X(C_tl_pow, 2)                                \
  X(C_tl_add_, 3)                               \
  X(C_tl_sub_, 3)                               \
  X(C_tl_div_, 3)                               \
  X(C_tl_pow_, 2)                               \
  X(C_tl_round, 2)                              \
  X(C_tl_round_, 2)                             \
  X(C_tl_clamp, 3)                              \
  X(C_tl_clamp_, 3)                             \
  X(C_tl_where, 3)                              \
  X(C_tl_masked_fill, 3)                        \
  X(C_tl_masked_fill_, 3)                       \
  X(C_tl_fill_, 2)                              \
  X(C_tl_zero_, 1)                              \
  X(C_tl_copy_, 2)                              \
  X(C_tl_ew_strided, 4)                         \
  X(C_tl_ew_simd, 0)                            \
  X(C_tl_ew_wide, 0)                            \
  TL_EW_BINARY_OPS(TL_EW_BINARY_CALLS, X)       \
  TL_EW_UNARY_OPS(TL_EW_UNARY_CALLS, X)
