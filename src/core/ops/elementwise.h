/* Elementwise operations: arithmetic, comparisons, logic, math functions, clamp, where,
 * masked_fill, and their in-place forms.
 *
 * Every function takes tensors (an R scalar arrives as a 0-d tensor with wrapped_number = 1)
 * and follows PyTorch: operands broadcast against each other, the computation happens in
 * the promoted dtype (tl_result_type), out-of-place forms return a new contiguous tensor (the
 * caller owns one reference) or NULL after tl_error(), and in-place forms (trailing `_`) write
 * into `self` without allocating a result, bump its version and return a status. An in-place
 * form fails, before writing anything, when the result dtype cannot be cast to self's dtype
 * ("result type Float can't be cast to the desired output type Long") or the broadcast shape
 * is not self's shape. */
#ifndef TL_OPS_ELEMENTWISE_H
#define TL_OPS_ELEMENTWISE_H

#include "../tensor.h"

/* ---------------------------------------------------------------- promotion */

/* PyTorch's result_type over n operands: tensors with dimensions decide first, then 0-d
 * tensors, then wrapped numbers, each group only raising the category (bool < integer <
 * floating) of the one before. A floating wrapped number becomes the default float32. */
tl_dtype tl_result_type(int n, const tl_tensor *const *ops);
/* PyTorch's canCast: no floating -> integral, no non-bool -> bool. */
int tl_can_cast(tl_dtype from, tl_dtype to);

/* "avx2" when the float32 exp/log/sin/cos/tanh/sigmoid/sqrt/... kernels use the vectorised,
 * SLEEF-compatible code (bit-identical to libtorch's AVX2 build), else "generic" (C library
 * functions, as libtorch's default build). TORCHLITE_SIMD=generic in the environment forces
 * the latter. */
const char *tl_elementwise_simd(void);
/* 1 when those kernels run with 512-bit vectors (AVX-512 F/DQ/VL/BW present; the same bits,
 * 16 lanes a step), 0 otherwise. TORCHLITE_SIMD=avx2 keeps them at 256 bits. */
int tl_elementwise_wide(void);

/* exp/log of n contiguous floats (out may be in), computed as libtorch's vectorised exp/log
 * (SLEEF's algorithms on AVX2 machines): for kernels elsewhere (softmax, logsumexp, losses)
 * that want the same bits as libtorch's. Single-threaded. */
void tl_exp_f32(float *out, const float *in, int64_t n);
void tl_log_f32(float *out, const float *in, int64_t n);
/* clamp's gradient: out[i] = g[i] where lo <= x[i] <= hi, else +0 (also for a NaN x), over n
 * adjacent elements; an absent bound is passed as an infinity */
void tl_clamp_grad_f32(float *out, const float *x, const float *g, float lo, float hi, int64_t n);
void tl_clamp_grad_f64(double *out, const double *x, const double *g, double lo, double hi,
                       int64_t n);

/* ---------------------------------------------------------------- binary */

typedef enum {
  TL_BIN_ADD,
  TL_BIN_SUB,
  TL_BIN_MUL,
  TL_BIN_DIV,       /* true division: integers give float32 */
  TL_BIN_DIV_TRUNC, /* rounding_mode = "trunc" */
  TL_BIN_DIV_FLOOR, /* rounding_mode = "floor" (floor_divide) */
  TL_BIN_REMAINDER, /* sign of the divisor (Python's %) */
  TL_BIN_FMOD,      /* sign of the dividend (C's fmod) */
  TL_BIN_POW,
  TL_BIN_MAXIMUM,
  TL_BIN_MINIMUM,
  TL_BIN_EQ,
  TL_BIN_NE,
  TL_BIN_LT,
  TL_BIN_LE,
  TL_BIN_GT,
  TL_BIN_GE,
  TL_BIN_LOGICAL_AND,
  TL_BIN_LOGICAL_OR,
  TL_BIN_LOGICAL_XOR,
  TL_BIN_NOPS
} tl_binary_op;

/* The general entry points: `alpha` scales b for ADD/SUB (ignored otherwise). */
tl_tensor *tl_binary(tl_binary_op op, const tl_tensor *a, const tl_tensor *b, double alpha);
tl_status tl_binary_(tl_binary_op op, tl_tensor *self, const tl_tensor *other, double alpha);

typedef enum { TL_ROUND_NONE = 0, TL_ROUND_TRUNC = 1, TL_ROUND_FLOOR = 2 } tl_rounding_mode;

/* a + alpha * b (alpha must be whole for integer results) */
tl_tensor *tl_add(const tl_tensor *a, const tl_tensor *b, double alpha);
tl_tensor *tl_sub(const tl_tensor *a, const tl_tensor *b, double alpha);
tl_tensor *tl_mul(const tl_tensor *a, const tl_tensor *b);
tl_tensor *tl_div(const tl_tensor *a, const tl_tensor *b, tl_rounding_mode mode);
/* A wrapped-number exponent takes libtorch's scalar path (x^2 is x*x, x^0.5 is sqrt(x), ...);
 * a tensor exponent the elementwise pow. */
tl_tensor *tl_pow(const tl_tensor *a, const tl_tensor *b);
tl_tensor *tl_remainder(const tl_tensor *a, const tl_tensor *b);
tl_tensor *tl_fmod(const tl_tensor *a, const tl_tensor *b);
tl_tensor *tl_maximum(const tl_tensor *a, const tl_tensor *b);
tl_tensor *tl_minimum(const tl_tensor *a, const tl_tensor *b);
tl_tensor *tl_eq(const tl_tensor *a, const tl_tensor *b);
tl_tensor *tl_ne(const tl_tensor *a, const tl_tensor *b);
tl_tensor *tl_lt(const tl_tensor *a, const tl_tensor *b);
tl_tensor *tl_le(const tl_tensor *a, const tl_tensor *b);
tl_tensor *tl_gt(const tl_tensor *a, const tl_tensor *b);
tl_tensor *tl_ge(const tl_tensor *a, const tl_tensor *b);
tl_tensor *tl_logical_and(const tl_tensor *a, const tl_tensor *b);
tl_tensor *tl_logical_or(const tl_tensor *a, const tl_tensor *b);
tl_tensor *tl_logical_xor(const tl_tensor *a, const tl_tensor *b);

tl_status tl_add_(tl_tensor *self, const tl_tensor *other, double alpha);
tl_status tl_sub_(tl_tensor *self, const tl_tensor *other, double alpha);
tl_status tl_mul_(tl_tensor *self, const tl_tensor *other);
tl_status tl_div_(tl_tensor *self, const tl_tensor *other, tl_rounding_mode mode);
tl_status tl_pow_(tl_tensor *self, const tl_tensor *other);
tl_status tl_remainder_(tl_tensor *self, const tl_tensor *other);
tl_status tl_fmod_(tl_tensor *self, const tl_tensor *other);

/* Backward kernels of sigmoid and tanh from the forward result y (libtorch's
 * sigmoid_backward / tanh_backward): grad * (1 - y) * y and grad * (1 - y * y) in one pass,
 * evaluated as (grad * (1 - y)) * y and grad * (1 - (y * y)) in the promoted floating dtype,
 * so that the values are bitwise those of the same formula composed of tl_sub and tl_mul
 * when grad and y have one dtype. grad and y broadcast; a new tensor (or NULL after
 * tl_error()). */
tl_tensor *tl_sigmoid_backward(const tl_tensor *grad, const tl_tensor *y);
tl_tensor *tl_tanh_backward(const tl_tensor *grad, const tl_tensor *y);

/* ---------------------------------------------------------------- unary */

typedef enum {
  TL_UN_NEG,
  TL_UN_ABS,
  TL_UN_SQRT,
  TL_UN_RSQRT,
  TL_UN_EXP,
  TL_UN_EXP2,
  TL_UN_LOG,
  TL_UN_LOG2,
  TL_UN_LOG10,
  TL_UN_LOG1P,
  TL_UN_EXPM1,
  TL_UN_SIN,
  TL_UN_COS,
  TL_UN_TAN,
  TL_UN_ASIN,
  TL_UN_ACOS,
  TL_UN_ATAN,
  TL_UN_SINH,
  TL_UN_COSH,
  TL_UN_TANH,
  TL_UN_SIGMOID,
  TL_UN_RECIPROCAL,
  TL_UN_RELU,
  TL_UN_SIGN,
  TL_UN_FLOOR,
  TL_UN_CEIL,
  TL_UN_ROUND, /* half to even */
  TL_UN_TRUNC,
  TL_UN_FRAC,
  TL_UN_SQUARE, /* pow(x, 2): bool gives int64 */
  TL_UN_LOGICAL_NOT,
  TL_UN_NOPS
} tl_unary_op;

tl_tensor *tl_unary(tl_unary_op op, const tl_tensor *x);
tl_status tl_unary_(tl_unary_op op, tl_tensor *self);
/* libtorch's name of the op ("exp", "sigmoid", ...) */
const char *tl_unary_name(tl_unary_op op);

tl_tensor *tl_neg(const tl_tensor *x);
tl_tensor *tl_abs(const tl_tensor *x);
tl_tensor *tl_sqrt(const tl_tensor *x);
tl_tensor *tl_rsqrt(const tl_tensor *x);
tl_tensor *tl_exp(const tl_tensor *x);
tl_tensor *tl_exp2(const tl_tensor *x);
tl_tensor *tl_log(const tl_tensor *x);
tl_tensor *tl_log2(const tl_tensor *x);
tl_tensor *tl_log10(const tl_tensor *x);
tl_tensor *tl_log1p(const tl_tensor *x);
tl_tensor *tl_expm1(const tl_tensor *x);
tl_tensor *tl_sin(const tl_tensor *x);
tl_tensor *tl_cos(const tl_tensor *x);
tl_tensor *tl_tan(const tl_tensor *x);
tl_tensor *tl_asin(const tl_tensor *x);
tl_tensor *tl_acos(const tl_tensor *x);
tl_tensor *tl_atan(const tl_tensor *x);
tl_tensor *tl_sinh(const tl_tensor *x);
tl_tensor *tl_cosh(const tl_tensor *x);
tl_tensor *tl_tanh(const tl_tensor *x);
tl_tensor *tl_sigmoid(const tl_tensor *x);
tl_tensor *tl_reciprocal(const tl_tensor *x);
tl_tensor *tl_relu(const tl_tensor *x);
tl_tensor *tl_sign(const tl_tensor *x);
tl_tensor *tl_floor(const tl_tensor *x);
tl_tensor *tl_ceil(const tl_tensor *x);
tl_tensor *tl_trunc(const tl_tensor *x);
tl_tensor *tl_frac(const tl_tensor *x);
tl_tensor *tl_square(const tl_tensor *x);
tl_tensor *tl_logical_not(const tl_tensor *x);
/* round(x * 10^decimals) / 10^decimals, half to even (decimals = 0: plain rounding) */
tl_tensor *tl_round(const tl_tensor *x, int64_t decimals);
tl_status tl_round_(tl_tensor *self, int64_t decimals);

/* ---------------------------------------------------------------- clamp, where, fills */

/* Either bound may be NULL (not both). Wrapped-number bounds behave as libtorch's Scalar
 * bounds (a NaN bound is ignored); tensor bounds broadcast and a NaN bound gives NaN. */
tl_tensor *tl_clamp(const tl_tensor *x, const tl_tensor *min, const tl_tensor *max);
tl_status tl_clamp_(tl_tensor *self, const tl_tensor *min, const tl_tensor *max);
/* condition (bool) ? a : b, all three broadcast; dtype tl_result_type(a, b) */
tl_tensor *tl_where(const tl_tensor *condition, const tl_tensor *a, const tl_tensor *b);
/* value: a tensor with one element and no dimensions (an R scalar), cast to self's dtype */
tl_tensor *tl_masked_fill(const tl_tensor *self, const tl_tensor *mask, const tl_tensor *value);
tl_status tl_masked_fill_(tl_tensor *self, const tl_tensor *mask, const tl_tensor *value);
/* fill_(value) with a 0-d value tensor; zero_(); copy_(src) broadcasting src to self */
tl_status tl_fill_(tl_tensor *self, const tl_tensor *value);
tl_status tl_zero_(tl_tensor *self);
tl_status tl_copy_(tl_tensor *self, const tl_tensor *src);

#endif
