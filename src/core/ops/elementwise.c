/* Elementwise kernels and the drivers that promote, broadcast and check around them.
 *
 * A kernel is a tl_loop_fn over (out, in...) for one computation dtype; it has contiguous
 * fast paths (every operand contiguous, or one operand a broadcast scalar) written as plain
 * loops that the compiler vectorises (`omp simd` where OpenMP is on), and a strided fallback.
 * The drivers convert operands whose dtype differs from the computation dtype before the
 * loop (a one-element operand into a local value, a larger one into a temporary copy), so
 * the kernels only ever see one type. Results follow libtorch's CPU kernels expression for
 * expression (x^2 is x*x, sigmoid is 1/(1+exp(-x)) in float, add with alpha is a fused
 * multiply-add, remainder is fmod corrected to the divisor's sign, ...), so float32 results
 * match PyTorch bit for bit where the arithmetic is IEEE (+ - * / sqrt and pow with small
 * integer exponents). For float32 exp, expm1, log, log1p, log2, log10, sin, cos, sinh, cosh,
 * tanh and sigmoid on CPUs with AVX2 and FMA (where libtorch calls SLEEF's AVX2 functions),
 * the kernels below compute SLEEF's algorithms lane by lane in plain C, vectorised by the
 * compiler, and match libtorch bit for bit; elsewhere (and for the other functions: tan,
 * asin, acos, atan, pow with a non-integer exponent) they use the C library's float
 * functions, as libtorch's non-vectorised kernels do (results within 1-2 ulp). */
#include "elementwise.h"

/* No contraction of a*b+c into fused multiply-adds: every rounding below is deliberate
 * (GNU C compiles with -ffp-contract=fast, which would fuse them on FMA targets). And no
 * trapping floating-point math (R never unmasks FP exceptions), so that the compiler may
 * evaluate both sides of a conditional and vectorise the branch-free math kernels. */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off", "no-trapping-math")
#endif

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../iter.h"

#if defined(_OPENMP)
#define TL_SIMD _Pragma("omp simd")
#define TL_SIMD16 _Pragma("omp simd simdlen(16)") /* 16 float lanes: one 512-bit register */
#else
#define TL_SIMD
#define TL_SIMD16
#endif

/* elements per thread below which a loop stays on one thread */
#define GRAIN_CHEAP 32768
#define GRAIN_MATH 4096

typedef uint8_t tl_bool_t;

/* Parameters of a kernel, already converted to the computation type where that matters. */
typedef struct {
  double d0, d1;  /* floating parameters: alpha, exponent, bounds, scale */
  int64_t i0, i1; /* integer parameters */
  int flag;
} ew_ctx;

/* ================================================================ promotion */

#define UNDEF (-1)

static int promote_skip(int a, int b) {
  if (a == UNDEF) return b;
  if (b == UNDEF) return a;
  return (int)tl_promote((tl_dtype)a, (tl_dtype)b);
}

static int is_float_code(int d) { return d != UNDEF && tl_dtype_is_floating((tl_dtype)d); }

/* libtorch's combine_categories: the lower group only counts when it is of a higher
 * category (bool < integral < floating) than the higher group. */
static int combine_categories(int higher, int lower) {
  if (is_float_code(higher)) return higher;
  if (higher == TL_BOOL || is_float_code(lower)) return promote_skip(higher, lower);
  if (higher != UNDEF) return higher;
  return lower;
}

tl_dtype tl_result_type(int n, const tl_tensor *const *ops) {
  if (n == 2 && ops[0] && ops[1]) { /* the common cases, as the rules below decide them */
    const tl_tensor *a = ops[0], *b = ops[1];
    if (!a->wrapped_number && !b->wrapped_number && a->dtype == b->dtype) return a->dtype;
    /* a floating tensor and a wrapped number: the tensor's dtype */
    if (b->wrapped_number && !a->wrapped_number && tl_dtype_is_floating(a->dtype))
      return a->dtype;
    if (a->wrapped_number && !b->wrapped_number && tl_dtype_is_floating(b->dtype))
      return b->dtype;
  }
  int dim = UNDEF, zero = UNDEF, wrapped = UNDEF;
  for (int k = 0; k < n; k++) {
    const tl_tensor *t = ops[k];
    if (!t) continue;
    int cur = (int)t->dtype;
    if (t->wrapped_number && tl_dtype_is_floating(t->dtype)) cur = TL_FLOAT32;
    if (t->ndim > 0) dim = promote_skip(dim, cur);
    else if (t->wrapped_number) wrapped = promote_skip(wrapped, cur);
    else zero = promote_skip(zero, cur);
  }
  int r = combine_categories(dim, combine_categories(zero, wrapped));
  return r == UNDEF ? TL_FLOAT32 : (tl_dtype)r;
}

int tl_can_cast(tl_dtype from, tl_dtype to) {
  if (tl_dtype_is_floating(from) && !tl_dtype_is_floating(to)) return 0;
  if (from != TL_BOOL && to == TL_BOOL) return 0;
  return 1;
}

/* ================================================================ scalar values */

/* Reads element 0 of t and writes it as dtype dt into dst, with the conversions of
 * tl_copy_into (float -> int truncates; NaN and out-of-range give the type's minimum). */
static void scalar_cast(void *dst, tl_dtype dt, const tl_tensor *t) {
  const char *p = (const char *)tl_data(t);
  double v = 0;
  int64_t iv = 0;
  int is_f = 0;
  switch (t->dtype) {
  case TL_BOOL: iv = *(const uint8_t *)p != 0; break;
  case TL_INT32: iv = *(const int32_t *)p; break;
  case TL_INT64: iv = *(const int64_t *)p; break;
  case TL_FLOAT32: v = *(const float *)p; is_f = 1; break;
  case TL_FLOAT64: v = *(const double *)p; is_f = 1; break;
  default: break;
  }
  switch (dt) {
  case TL_BOOL: *(uint8_t *)dst = is_f ? v != 0 : iv != 0; break;
  case TL_INT32:
    if (is_f) *(int32_t *)dst = (v > -2147483649.0 && v < 2147483648.0) ? (int32_t)v : INT32_MIN;
    else *(int32_t *)dst = (int32_t)(uint32_t)(uint64_t)iv;
    break;
  case TL_INT64:
    if (is_f)
      *(int64_t *)dst = (v >= -9223372036854775808.0 && v < 9223372036854775808.0) ? (int64_t)v
                                                                                   : INT64_MIN;
    else *(int64_t *)dst = iv;
    break;
  case TL_FLOAT32:
    if (t->dtype == TL_FLOAT32) *(float *)dst = *(const float *)p;
    else *(float *)dst = is_f ? (float)v : (float)iv;
    break;
  case TL_FLOAT64: *(double *)dst = is_f ? v : (double)iv; break;
  default: break;
  }
}

/* element 0 as a double / int64 (for exponents, alphas and bounds) */
static double scalar_double(const tl_tensor *t) {
  double v;
  scalar_cast(&v, TL_FLOAT64, t);
  return v;
}

static int64_t scalar_int(const tl_tensor *t) {
  int64_t v;
  scalar_cast(&v, TL_INT64, t);
  return v;
}

/* ================================================================ kernel templates */

/* out = f(a, b). The loop is a macro of its own so that hot kernels can be instantiated a
 * second time for AVX2 (BIN_LOOP with the TL_AVX2 attribute, below); same results. */
#define BIN_KERNEL(NAME, T, TO, EXPR)                                                     \
  static inline TO NAME##_op(T a, T b, const ew_ctx *c) {                                 \
    (void)c;                                                                              \
    return (TO)(EXPR);                                                                    \
  }                                                                                       \
  BIN_LOOP(, NAME, NAME, T, TO)
#define BIN_LOOP(ATTR, FN, NAME, T, TO)                                                   \
  ATTR static void FN(char **d, const int64_t *s, int64_t n, void *vc) {                  \
    const ew_ctx c = *(const ew_ctx *)vc;                                                 \
    const int64_t so = (int64_t)sizeof(TO), si = (int64_t)sizeof(T);                      \
    if (s[0] == so) {                                                                     \
      TO *o = (TO *)d[0];                                                                 \
      if (s[1] == si && s[2] == si) {                                                     \
        const T *x = (const T *)d[1], *y = (const T *)d[2];                               \
        TL_SIMD for (int64_t i = 0; i < n; i++) o[i] = NAME##_op(x[i], y[i], &c);         \
        return;                                                                           \
      }                                                                                   \
      if (s[1] == si && s[2] == 0) {                                                      \
        const T *x = (const T *)d[1];                                                     \
        const T y = *(const T *)d[2];                                                     \
        TL_SIMD for (int64_t i = 0; i < n; i++) o[i] = NAME##_op(x[i], y, &c);            \
        return;                                                                           \
      }                                                                                   \
      if (s[1] == 0 && s[2] == si) {                                                      \
        const T x = *(const T *)d[1];                                                     \
        const T *y = (const T *)d[2];                                                     \
        TL_SIMD for (int64_t i = 0; i < n; i++) o[i] = NAME##_op(x, y[i], &c);            \
        return;                                                                           \
      }                                                                                   \
    }                                                                                     \
    char *po = d[0];                                                                      \
    const char *pa = d[1], *pb = d[2];                                                    \
    for (int64_t i = 0; i < n; i++, po += s[0], pa += s[1], pb += s[2])                  \
      *(TO *)po = NAME##_op(*(const T *)pa, *(const T *)pb, &c);                          \
  }

/* out = f(x) (UN_LOOP: as BIN_LOOP) */
#define UN_KERNEL(NAME, T, TO, EXPR)                                                      \
  static inline TO NAME##_op(T x, const ew_ctx *c) {                                      \
    (void)c;                                                                              \
    return (TO)(EXPR);                                                                    \
  }                                                                                       \
  UN_LOOP(, NAME, NAME, T, TO)
#define UN_LOOP(ATTR, FN, NAME, T, TO)                                                    \
  ATTR static void FN(char **d, const int64_t *s, int64_t n, void *vc) {                  \
    const ew_ctx c = *(const ew_ctx *)vc;                                                 \
    if (s[0] == (int64_t)sizeof(TO) && s[1] == (int64_t)sizeof(T)) {                      \
      TO *o = (TO *)d[0];                                                                 \
      const T *x = (const T *)d[1];                                                       \
      TL_SIMD for (int64_t i = 0; i < n; i++) o[i] = NAME##_op(x[i], &c);                 \
      return;                                                                             \
    }                                                                                     \
    char *po = d[0];                                                                      \
    const char *px = d[1];                                                                \
    for (int64_t i = 0; i < n; i++, po += s[0], px += s[1])                               \
      *(TO *)po = NAME##_op(*(const T *)px, &c);                                          \
  }

/* ---------------------------------------------------------------- scalar helpers */

/* integer arithmetic that wraps around like libtorch's (two's complement) */
#define WRAP(T, U, EXPR) ((T)(U)(EXPR))

static inline int32_t powi_i32(int32_t a, int32_t b) {
  if (b < 0) {
    if (a == 1) return 1;
    if (a == -1) return (b % 2) ? -1 : 1;
    return 0;
  }
  uint32_t r = 1, x = (uint32_t)a;
  while (b) {
    if (b & 1) r *= x;
    b /= 2;
    x *= x;
  }
  return (int32_t)r;
}

static inline int64_t powi_i64(int64_t a, int64_t b) {
  if (b < 0) {
    if (a == 1) return 1;
    if (a == -1) return (b % 2) ? -1 : 1;
    return 0;
  }
  uint64_t r = 1, x = (uint64_t)a;
  while (b) {
    if (b & 1) r *= x;
    b /= 2;
    x *= x;
  }
  return (int64_t)r;
}

/* integer division with b != 0 (checked before the loop); b == -1 wraps instead of trapping */
#define IDIV_TRUNC(T, U, a, b) ((b) == -1 ? (T)(U)(0 - (U)(a)) : (T)((a) / (b)))
#define IMOD(a, b) ((b) == -1 ? 0 : (a) % (b))

static inline int64_t ifloordiv64(int64_t a, int64_t b) {
  if (b == -1) return (int64_t)(0 - (uint64_t)a);
  int64_t q = a / b, r = a % b;
  if (r != 0 && ((r < 0) != (b < 0))) q--;
  return q;
}
static inline int32_t ifloordiv32(int32_t a, int32_t b) {
  if (b == -1) return (int32_t)(0 - (uint32_t)a);
  int32_t q = a / b, r = a % b;
  if (r != 0 && ((r < 0) != (b < 0))) q--;
  return q;
}
static inline int64_t iremainder64(int64_t a, int64_t b) {
  int64_t r = IMOD(a, b);
  if (r != 0 && ((r < 0) != (b < 0))) r += b;
  return r;
}
static inline int32_t iremainder32(int32_t a, int32_t b) {
  int32_t r = IMOD(a, b);
  if (r != 0 && ((r < 0) != (b < 0))) r += b;
  return r;
}

/* libtorch's div_floor_floating: Python's floor division */
#define FDIV_FLOOR(T, FMOD, FLOOR, COPYSIGN)                                               \
  static inline T fdiv_floor_##T(T a, T b) {                                              \
    if (b == 0) return a / b;                                                             \
    T mod = FMOD(a, b);                                                                   \
    T div = (a - mod) / b;                                                                \
    if (mod != 0 && ((b < 0) != (mod < 0))) div -= (T)1;                                  \
    T fl;                                                                                 \
    if (div != 0) {                                                                       \
      fl = FLOOR(div);                                                                    \
      if (div - fl > (T)0.5) fl += (T)1;                                                  \
    } else {                                                                              \
      fl = COPYSIGN((T)0, a / b);                                                         \
    }                                                                                     \
    return fl;                                                                            \
  }
FDIV_FLOOR(float, fmodf, floorf, copysignf)
FDIV_FLOOR(double, fmod, floor, copysign)

static inline float fremainder_float(float a, float b) {
  float m = fmodf(a, b);
  if (m != 0 && ((b < 0) != (m < 0))) m += b;
  return m;
}
static inline double fremainder_double(double a, double b) {
  double m = fmod(a, b);
  if (m != 0 && ((b < 0) != (m < 0))) m += b;
  return m;
}

/* ================================================================ binary kernels */

/* names: k_<op>_<type> with types b (bool), i32, i64, f32, f64 */

/* add / sub (alpha == 1 and general alpha; libtorch computes a + alpha*b as fma(b, alpha, a)) */
BIN_KERNEL(k_add_b, tl_bool_t, tl_bool_t, a || b)
BIN_KERNEL(k_add_i32, int32_t, int32_t, WRAP(int32_t, uint32_t, (uint32_t)a + (uint32_t)b))
BIN_KERNEL(k_add_i64, int64_t, int64_t, WRAP(int64_t, uint64_t, (uint64_t)a + (uint64_t)b))
BIN_KERNEL(k_add_f32, float, float, a + b)
BIN_KERNEL(k_add_f64, double, double, a + b)
BIN_KERNEL(k_adda_b, tl_bool_t, tl_bool_t, a || (c->i0 && b))
BIN_KERNEL(k_adda_i32, int32_t, int32_t,
           WRAP(int32_t, uint32_t, (uint32_t)a + (uint32_t)c->i0 * (uint32_t)b))
BIN_KERNEL(k_adda_i64, int64_t, int64_t,
           WRAP(int64_t, uint64_t, (uint64_t)a + (uint64_t)c->i0 * (uint64_t)b))
BIN_KERNEL(k_adda_f32, float, float, fmaf(b, (float)c->d0, a))
BIN_KERNEL(k_adda_f64, double, double, fma(b, c->d0, a))
BIN_KERNEL(k_sub_i32, int32_t, int32_t, WRAP(int32_t, uint32_t, (uint32_t)a - (uint32_t)b))
BIN_KERNEL(k_sub_i64, int64_t, int64_t, WRAP(int64_t, uint64_t, (uint64_t)a - (uint64_t)b))
BIN_KERNEL(k_sub_f32, float, float, a - b)
BIN_KERNEL(k_sub_f64, double, double, a - b)

BIN_KERNEL(k_mul_b, tl_bool_t, tl_bool_t, a && b)
BIN_KERNEL(k_mul_i32, int32_t, int32_t, WRAP(int32_t, uint32_t, (uint32_t)a * (uint32_t)b))
BIN_KERNEL(k_mul_i64, int64_t, int64_t, WRAP(int64_t, uint64_t, (uint64_t)a * (uint64_t)b))
BIN_KERNEL(k_mul_f32, float, float, a * b)
BIN_KERNEL(k_mul_f64, double, double, a * b)

BIN_KERNEL(k_div_f32, float, float, a / b)
BIN_KERNEL(k_div_f64, double, double, a / b)

/* A row y of k elements against each of `rows` contiguous rows of x (a bias added to a
 * matrix): the op of the kernel above, element by element as it computes it, in one call
 * instead of one per row (binary_rows). */
typedef void (*rows_fn)(char *o, const char *x, const char *y, int64_t rows, int64_t k,
                        const ew_ctx *c);
#define ROWS_LOOP(ATTR, FN, NAME, T)                                                      \
  ATTR static void FN(char *po, const char *px, const char *py, int64_t rows, int64_t k,   \
                      const ew_ctx *vc) {                                                 \
    const ew_ctx c = *vc;                                                                 \
    T *o = (T *)po;                                                                       \
    const T *x = (const T *)px, *y = (const T *)py;                                       \
    for (int64_t r = 0; r < rows; r++, o += k, x += k)                                    \
      TL_SIMD for (int64_t i = 0; i < k; i++) o[i] = NAME##_op(x[i], y[i], &c);           \
  }
#define ROWS_ARITH(ATTR, SUF)                                                             \
  ROWS_LOOP(ATTR, k_add_f32_rows##SUF, k_add_f32, float)                                  \
  ROWS_LOOP(ATTR, k_add_f64_rows##SUF, k_add_f64, double)                                 \
  ROWS_LOOP(ATTR, k_sub_f32_rows##SUF, k_sub_f32, float)                                  \
  ROWS_LOOP(ATTR, k_sub_f64_rows##SUF, k_sub_f64, double)                                 \
  ROWS_LOOP(ATTR, k_mul_f32_rows##SUF, k_mul_f32, float)                                  \
  ROWS_LOOP(ATTR, k_mul_f64_rows##SUF, k_mul_f64, double)                                 \
  ROWS_LOOP(ATTR, k_div_f32_rows##SUF, k_div_f32, float)                                  \
  ROWS_LOOP(ATTR, k_div_f64_rows##SUF, k_div_f64, double)
ROWS_ARITH(, )
BIN_KERNEL(k_divt_i32, int32_t, int32_t, IDIV_TRUNC(int32_t, uint32_t, a, b))
BIN_KERNEL(k_divt_i64, int64_t, int64_t, IDIV_TRUNC(int64_t, uint64_t, a, b))
BIN_KERNEL(k_divt_f32, float, float, truncf(a / b))
BIN_KERNEL(k_divt_f64, double, double, trunc(a / b))
BIN_KERNEL(k_divf_i32, int32_t, int32_t, ifloordiv32(a, b))
BIN_KERNEL(k_divf_i64, int64_t, int64_t, ifloordiv64(a, b))
BIN_KERNEL(k_divf_f32, float, float, fdiv_floor_float(a, b))
BIN_KERNEL(k_divf_f64, double, double, fdiv_floor_double(a, b))

BIN_KERNEL(k_rem_i32, int32_t, int32_t, iremainder32(a, b))
BIN_KERNEL(k_rem_i64, int64_t, int64_t, iremainder64(a, b))
BIN_KERNEL(k_rem_f32, float, float, fremainder_float(a, b))
BIN_KERNEL(k_rem_f64, double, double, fremainder_double(a, b))
BIN_KERNEL(k_fmod_i32, int32_t, int32_t, IMOD(a, b))
BIN_KERNEL(k_fmod_i64, int64_t, int64_t, IMOD(a, b))
BIN_KERNEL(k_fmod_f32, float, float, fmodf(a, b))
BIN_KERNEL(k_fmod_f64, double, double, fmod(a, b))

BIN_KERNEL(k_pow_i32, int32_t, int32_t, powi_i32(a, b))
BIN_KERNEL(k_pow_i64, int64_t, int64_t, powi_i64(a, b))
BIN_KERNEL(k_pow_f32, float, float, powf(a, b))
BIN_KERNEL(k_pow_f64, double, double, pow(a, b))

/* maximum/minimum: std::max/std::min, NaN propagating for floating types */
BIN_KERNEL(k_max_b, tl_bool_t, tl_bool_t, a < b ? b : a)
BIN_KERNEL(k_max_i32, int32_t, int32_t, a < b ? b : a)
BIN_KERNEL(k_max_i64, int64_t, int64_t, a < b ? b : a)
BIN_KERNEL(k_max_f32, float, float, a != a ? a : (b != b ? b : (a < b ? b : a)))
BIN_KERNEL(k_max_f64, double, double, a != a ? a : (b != b ? b : (a < b ? b : a)))
BIN_KERNEL(k_min_b, tl_bool_t, tl_bool_t, b < a ? b : a)
BIN_KERNEL(k_min_i32, int32_t, int32_t, b < a ? b : a)
BIN_KERNEL(k_min_i64, int64_t, int64_t, b < a ? b : a)
BIN_KERNEL(k_min_f32, float, float, a != a ? a : (b != b ? b : (b < a ? b : a)))
BIN_KERNEL(k_min_f64, double, double, a != a ? a : (b != b ? b : (b < a ? b : a)))

#define CMP_KERNELS(OP, EXPR)                                                             \
  BIN_KERNEL(k_##OP##_b, tl_bool_t, tl_bool_t, EXPR)                                      \
  BIN_KERNEL(k_##OP##_i32, int32_t, tl_bool_t, EXPR)                                      \
  BIN_KERNEL(k_##OP##_i64, int64_t, tl_bool_t, EXPR)                                      \
  BIN_KERNEL(k_##OP##_f32, float, tl_bool_t, EXPR)                                        \
  BIN_KERNEL(k_##OP##_f64, double, tl_bool_t, EXPR)
CMP_KERNELS(eq, a == b)
CMP_KERNELS(ne, a != b)
CMP_KERNELS(lt, a < b)
CMP_KERNELS(le, a <= b)
CMP_KERNELS(gt, a > b)
CMP_KERNELS(ge, a >= b)
CMP_KERNELS(land, (a != 0) && (b != 0))
CMP_KERNELS(lor, (a != 0) || (b != 0))
CMP_KERNELS(lxor, (a != 0) != (b != 0))

/* libtorch's sigmoid_backward and tanh_backward from the forward result (a = grad, b = y),
 * in the order of the composed ops (g * (1 - y)) * y and g * (1 - y * y) */
BIN_KERNEL(k_sigb_f32, float, float, (a * (1 - b)) * b)
BIN_KERNEL(k_sigb_f64, double, double, (a * (1 - b)) * b)
BIN_KERNEL(k_tanhb_f32, float, float, a * (1 - b * b))
BIN_KERNEL(k_tanhb_f64, double, double, a * (1 - b * b))

/* internal kernel ids (ADD and SUB split by alpha) */
enum {
  KB_ADD, KB_ADDA, KB_SUB, KB_MUL, KB_DIV, KB_DIVT, KB_DIVF, KB_REM, KB_FMOD, KB_POW,
  KB_MAX, KB_MIN, KB_EQ, KB_NE, KB_LT, KB_LE, KB_GT, KB_GE, KB_LAND, KB_LOR, KB_LXOR,
  KB_SIGB, KB_TANHB, KB_N
};

#define ROW5(P) {k_##P##_b, k_##P##_i32, k_##P##_i64, k_##P##_f32, k_##P##_f64}
#define ROW4(P) {NULL, k_##P##_i32, k_##P##_i64, k_##P##_f32, k_##P##_f64}
#define ROWF(P) {NULL, NULL, NULL, k_##P##_f32, k_##P##_f64}

static const tl_loop_fn bin_table[KB_N][TL_NDTYPES] = {
  ROW5(add), ROW5(adda), ROW4(sub), ROW5(mul), ROWF(div), ROW4(divt), ROW4(divf),
  ROW4(rem), ROW4(fmod), ROW4(pow), ROW5(max), ROW5(min), ROW5(eq), ROW5(ne),
  ROW5(lt), ROW5(le), ROW5(gt), ROW5(ge), ROW5(land), ROW5(lor), ROW5(lxor),
  ROWF(sigb), ROWF(tanhb),
};

/* libtorch's kernel names, for "not implemented for 'Bool'" */
static const char *bin_names[TL_BIN_NOPS] = {
  "add", "sub", "mul", "div", "div_trunc", "div_floor", "remainder", "fmod", "pow",
  "maximum", "minimum", "eq", "ne", "lt", "le", "gt", "ge", "logical_and", "logical_or",
  "logical_xor",
};

/* ================================================================ SLEEF-compatible float32 math
 *
 * libtorch's AVX2 build evaluates exp/log/sin/cos/tanh of float32 tensors with SLEEF
 * (Sleef_expf8_u10 etc., Boost Software License; algorithms by Naoki Shibata). The functions
 * below are those algorithms for one lane, with every fused multiply-add and every rounding
 * where SLEEF's AVX2+FMA code has it; checked against libsleef's AVX2 functions on all 2^32
 * inputs (sin/cos: all inputs with |x| < 125, SLEEF's fast range). Pairs (x, y) are
 * unevaluated sums x + y ("double-float"). */

typedef struct {
  float x, y;
} df2;

/* forced inlining: the vector kernels only vectorise with the whole function body inline */
#if defined(__GNUC__) || defined(__clang__)
#define SL_INLINE static inline __attribute__((always_inline))
#else
#define SL_INLINE static inline
#endif

SL_INLINE uint32_t f2u_(float f) {
  uint32_t u;
  memcpy(&u, &f, 4);
  return u;
}
SL_INLINE float u2f_(uint32_t u) {
  float f;
  memcpy(&f, &u, 4);
  return f;
}
#define MLA(x, y, z) fmaf((x), (y), (z))
SL_INLINE int32_t rint_i(float x) {
  float r = nearbyintf(x);
  return (r >= -2147483648.0f && r < 2147483648.0f) ? (int32_t)r : INT32_MIN;
}
SL_INLINE float pow2i(int32_t q) {
  return u2f_(((uint32_t)q + 0x7fu) << 23);
}
SL_INLINE float ldexp2k(float d, int32_t e) {
  return d * pow2i(e >> 1) * pow2i(e - (e >> 1));
}
SL_INLINE df2 mk(float x, float y) {
  df2 r = {x, y};
  return r;
}
SL_INLINE df2 dfadd_ff(float x, float y) {
  float rx = x + y;
  return mk(rx, (x - rx) + y);
}
SL_INLINE df2 dfadd2_ff(float x, float y) {
  float rx = x + y, v = rx - x;
  return mk(rx, (x - (rx - v)) + (y - v));
}
SL_INLINE df2 dfadd_d2f(df2 x, float y) {
  float rx = x.x + y;
  return mk(rx, ((x.x - rx) + y) + x.y);
}
SL_INLINE df2 dfadd2_d2f(df2 x, float y) {
  float rx = x.x + y, v = rx - x.x;
  float ry = (x.x - (rx - v)) + (y - v);
  return mk(rx, ry + x.y);
}
SL_INLINE df2 dfadd_fd2(float x, df2 y) {
  float rx = x + y.x;
  return mk(rx, ((x - rx) + y.x) + y.y);
}
SL_INLINE df2 dfadd_d2d2(df2 x, df2 y) {
  float rx = x.x + y.x;
  return mk(rx, (((x.x - rx) + y.x) + x.y) + y.y);
}
SL_INLINE df2 dfadd2_d2d2(df2 x, df2 y) {
  float rx = x.x + y.x, v = rx - x.x;
  float ry = (x.x - (rx - v)) + (y.x - v);
  return mk(rx, ry + (x.y + y.y));
}
SL_INLINE df2 dfmul_d2f(df2 x, float y) {
  float rx = x.x * y;
  return mk(rx, fmaf(x.y, y, fmaf(x.x, y, -rx)));
}
SL_INLINE df2 dfmul_d2d2(df2 x, df2 y) {
  float rx = x.x * y.x;
  return mk(rx, fmaf(x.x, y.y, fmaf(x.y, y.x, fmaf(x.x, y.x, -rx))));
}
SL_INLINE float dfmul_f_d2d2(df2 x, df2 y) {
  return fmaf(x.x, y.x, fmaf(x.y, y.x, x.x * y.y));
}
SL_INLINE df2 dfsqu(df2 x) {
  float rx = x.x * x.x;
  return mk(rx, fmaf(x.x + x.x, x.y, fmaf(x.x, x.x, -rx)));
}
SL_INLINE df2 dfdiv(df2 n, df2 d) {
  float t = 1.0f / d.x, qx = n.x * t;
  float u = fmaf(t, n.x, -qx);
  float qy = fmaf(-d.y, t, fmaf(-d.x, t, 1.0f));
  qy = fmaf(qx, qy, fmaf(n.y, t, u));
  return mk(qx, qy);
}
SL_INLINE df2 dfrec_d2(df2 d) {
  float qx = 1.0f / d.x;
  return mk(qx, qx * fmaf(-d.y, qx, fmaf(-d.x, qx, 1.0f)));
}

/* exp (SLEEF xexpf, Sleef_expf8_u10) */
SL_INLINE float sl_expf(float d) {
  int32_t q = rint_i(d * 1.442695040888963407359924681001892137426645954152985934135449406931f);
  float qf = (float)q;
  float s = MLA(qf, -0.693145751953125f, d);
  s = MLA(qf, -1.428606765330187045e-06f, s);
  float u = 0.000198527617612853646278381f;
  u = MLA(u, s, 0.00139304355252534151077271f);
  u = MLA(u, s, 0.00833336077630519866943359f);
  u = MLA(u, s, 0.0416664853692054748535156f);
  u = MLA(u, s, 0.166666671633720397949219f);
  u = MLA(u, s, 0.5f);
  u = 1.0f + MLA(s * s, u, s);
  u = ldexp2k(u, q);
  u = d < -104.0f ? 0.0f : u;
  u = 100.0f < d ? INFINITY : u;
  return u;
}

/* log (SLEEF xlogf_u1, Sleef_logf8_u10) */
SL_INLINE float sl_logf(float d) {
  int o = d < 1.17549435082228750797e-38f;
  d = o ? d * (4294967296.0f * 4294967296.0f) : d;
  int32_t e = (int32_t)((f2u_(d * (1.0f / 0.75f)) >> 23) & 0xff) - 0x7f;
  float m = u2f_(f2u_(d) + ((uint32_t)(-e) << 23));
  e = o ? e - 64 : e;
  df2 s = dfmul_d2f(mk(0.69314718246459960938f, -1.904654323148236017e-09f), (float)e);
  df2 x = dfdiv(dfadd2_ff(-1.0f, m), dfadd2_ff(1.0f, m));
  float x2 = x.x * x.x;
  float t = 0.3027294874f;
  t = MLA(t, x2, 0.3996108174f);
  t = MLA(t, x2, 0.6666694880f);
  s = dfadd_d2d2(s, mk(x.x * 2.0f, x.y * 2.0f));
  s = dfadd_d2f(s, (x2 * x.x) * t);
  float r = s.x + s.y;
  r = (d == INFINITY) ? INFINITY : r;
  r = (d < 0 || d != d) ? u2f_(0x7fc00000u) : r;
  r = (d == 0) ? -INFINITY : r;
  return r;
}

/* sin and cos (SLEEF xsinf_u1/xcosf_u1, Sleef_sinf8_u10/cosf8_u10) for |d| < 125 */
SL_INLINE float sl_sinf(float d) {
  float u = nearbyintf(d * (float)0.318309886183790671537767526745028724);
  int32_t q = rint_i(u);
  float v = MLA(u, -3.1414794921875f, d);
  df2 s = dfadd2_ff(v, u * -0.00011315941810607910156f);
  s = dfadd_d2f(s, u * -1.9841872589410058936e-09f);
  df2 t = s;
  s = dfsqu(s);
  u = 2.6083159809786593541503e-06f;
  u = MLA(u, s.x, -0.0001981069071916863322258f);
  u = MLA(u, s.x, 0.00833307858556509017944336f);
  df2 x = dfadd_fd2(1.0f, dfmul_d2d2(dfadd_ff(-0.166666597127914428710938f, u * s.x), s));
  u = dfmul_f_d2d2(t, x);
  u = u2f_(f2u_(u) ^ ((q & 1) ? 0x80000000u : 0u));
  u = (f2u_(d) == 0x80000000u) ? d : u;
  return u;
}

SL_INLINE float sl_cosf(float d) {
  float dq =
      MLA(nearbyintf(MLA(d, (float)0.318309886183790671537767526745028724, -0.5f)), 2.0f, 1.0f);
  int32_t q = rint_i(dq);
  df2 s = dfadd2_ff(d, dq * (-3.1414794921875f * 0.5f));
  s = dfadd2_d2f(s, dq * (-0.00011315941810607910156f * 0.5f));
  s = dfadd2_d2f(s, dq * (-1.9841872589410058936e-09f * 0.5f));
  df2 t = s;
  s = dfsqu(s);
  float u = 2.6083159809786593541503e-06f;
  u = MLA(u, s.x, -0.0001981069071916863322258f);
  u = MLA(u, s.x, 0.00833307858556509017944336f);
  df2 x = dfadd_fd2(1.0f, dfmul_d2d2(dfadd_ff(-0.166666597127914428710938f, u * s.x), s));
  u = dfmul_f_d2d2(t, x);
  u = u2f_(f2u_(u) ^ ((q & 2) == 0 ? 0x80000000u : 0u));
  return u;
}

/* exp of a double-float, as a double-float (SLEEF expk2f) */
SL_INLINE df2 expk2f(df2 d) {
  float u = (d.x + d.y) * 1.442695040888963407359924681001892137426645954152985934135449406931f;
  int32_t q = rint_i(u);
  df2 s = dfadd2_d2f(d, (float)q * -0.693145751953125f);
  s = dfadd2_d2f(s, (float)q * -1.428606765330187045e-06f);
  u = +0.1980960224e-3f;
  u = MLA(u, s.x, +0.1394256484e-2f);
  u = MLA(u, s.x, +0.8333456703e-2f);
  u = MLA(u, s.x, +0.4166637361e-1f);
  df2 t = dfadd2_d2f(dfmul_d2f(s, u), +0.166666659414234244790680580464e+0f);
  t = dfadd2_d2f(dfmul_d2d2(s, t), 0.5f);
  t = dfadd2_d2d2(s, dfmul_d2d2(dfsqu(s), t));
  t = dfadd_fd2(1.0f, t);
  t.x = ldexp2k(t.x, q);
  t.y = ldexp2k(t.y, q);
  t.x = d.x < -104.0f ? 0.0f : t.x;
  t.y = d.x < -104.0f ? 0.0f : t.y;
  return t;
}

/* tanh (SLEEF xtanhf, Sleef_tanhf8_u10) */
SL_INLINE float sl_tanhf(float x) {
  float y = fabsf(x);
  df2 d = expk2f(mk(y, 0.0f));
  df2 e = dfrec_d2(d);
  d = dfdiv(dfadd_d2d2(d, mk(-e.x, -e.y)), dfadd_d2d2(d, e));
  y = d.x + d.y;
  y = (fabsf(x) > 8.664339742f || y != y) ? 1.0f : y;
  y = u2f_(f2u_(y) ^ (f2u_(x) & 0x80000000u));
  y = (x != x) ? u2f_(0xffffffffu) : y;
  return y;
}


SL_INLINE df2 dfadd2_fd2(float x, df2 y) {
  float rx = x + y.x, v = rx - x;
  float ry = ((x - (rx - v)) + (y.x - v)) + y.y;
  return mk(rx, ry);
}
SL_INLINE df2 dfsub_d2d2(df2 x, df2 y) {
  float rx = x.x - y.x;
  float ry = x.x - rx;
  ry = ry - y.x;
  ry = ry + x.y;
  ry = ry - y.y;
  return mk(rx, ry);
}

/* expm1 (SLEEF xexpm1f, Sleef_expm1f8_u10) */
SL_INLINE float sl_expm1f(float a) {
  df2 d = dfadd2_d2f(expk2f(mk(a, 0.0f)), -1.0f);
  float x = d.x + d.y;
  x = a > 88.72283172607421875f ? INFINITY : x;
  x = a < -16.635532333438687426013570f ? -1.0f : x;
  x = (f2u_(a) == 0x80000000u) ? -0.0f : x;
  return x;
}

/* log10 (SLEEF xlog10f, Sleef_log10f8_u10) */
SL_INLINE float sl_log10f(float d) {
  int o = d < 1.17549435082228750797e-38f;
  d = o ? d * (4294967296.0f * 4294967296.0f) : d;
  int32_t e = (int32_t)((f2u_(d * (float)(1.0 / 0.75)) >> 23) & 0xff) - 0x7f;
  float m = u2f_(f2u_(d) + ((uint32_t)(-e) << 23));
  e = o ? e - 64 : e;
  df2 x = dfdiv(dfadd2_ff(-1.0f, m), dfadd2_ff(1.0f, m));
  float x2 = x.x * x.x;
  float t = 0.1314289868f;
  t = MLA(t, x2, 0.1735493541f);
  t = MLA(t, x2, 0.2895309627f);
  df2 s = dfmul_d2f(mk(0.30103001f, -1.432098889e-08f), (float)e);
  s = dfadd_d2d2(s, dfmul_d2d2(x, mk(0.868588984f, -2.170757285e-08f)));
  s = dfadd_d2f(s, (x2 * x.x) * t);
  float r = s.x + s.y;
  r = (d == INFINITY) ? INFINITY : r;
  r = (d < 0 || d != d) ? u2f_(0x7fc00000u) : r;
  r = (d == 0) ? -INFINITY : r;
  return r;
}

/* log2 (SLEEF xlog2f, Sleef_log2f8_u10) */
SL_INLINE float sl_log2f(float d) {
  int o = d < 1.17549435082228750797e-38f;
  d = o ? d * (4294967296.0f * 4294967296.0f) : d;
  int32_t e = (int32_t)((f2u_(d * (float)(1.0 / 0.75)) >> 23) & 0xff) - 0x7f;
  float m = u2f_(f2u_(d) + ((uint32_t)(-e) << 23));
  e = o ? e - 64 : e;
  df2 x = dfdiv(dfadd2_ff(-1.0f, m), dfadd2_ff(1.0f, m));
  float x2 = x.x * x.x;
  float t = 0.4374550283f;
  t = MLA(t, x2, 0.5764790177f);
  t = MLA(t, x2, 0.9618012905120f);
  df2 s = dfadd2_fd2((float)e, dfmul_d2d2(x, mk(2.8853900432586669922f, 3.2734474483568488616e-08f)));
  s = dfadd2_d2f(s, (x2 * x.x) * t);
  float r = s.x + s.y;
  r = (d == INFINITY) ? INFINITY : r;
  r = (d < 0 || d != d) ? u2f_(0x7fc00000u) : r;
  r = (d == 0) ? -INFINITY : r;
  return r;
}

/* log1p (SLEEF xlog1pf, Sleef_log1pf8_u10) */
SL_INLINE float sl_log1pf(float d) {
  float dp1 = d + 1.0f;
  int o = dp1 < 1.17549435082228750797e-38f;
  dp1 = o ? dp1 * (4294967296.0f * 4294967296.0f) : dp1;
  int32_t e = (int32_t)((f2u_(dp1 * (1.0f / 0.75f)) >> 23) & 0xff) - 0x7f;
  float t = u2f_(f2u_(1.0f) + ((uint32_t)(-e) << 23));
  float m = MLA(d, t, t - 1.0f);
  e = o ? e - 64 : e;
  df2 s = dfmul_d2f(mk(0.69314718246459960938f, -1.904654323148236017e-09f), (float)e);
  df2 x = dfdiv(mk(m, 0.0f), dfadd_ff(2.0f, m));
  float x2 = x.x * x.x;
  t = 0.3027294874f;
  t = MLA(t, x2, 0.3996108174f);
  t = MLA(t, x2, 0.6666694880f);
  s = dfadd_d2d2(s, mk(x.x * 2.0f, x.y * 2.0f));
  s = dfadd_d2f(s, (x2 * x.x) * t);
  float r = s.x + s.y;
  r = d > 1e+38f ? INFINITY : r;
  r = (-1.0f > d) ? u2f_(0xffffffffu) : r;
  r = d == -1.0f ? -INFINITY : r;
  r = (f2u_(d) == 0x80000000u) ? -0.0f : r;
  return r;
}

/* sinh and cosh (SLEEF xsinhf/xcoshf, Sleef_sinhf8_u10/coshf8_u10) */
SL_INLINE float sl_sinhf(float x) {
  float y = fabsf(x);
  df2 d = expk2f(mk(y, 0.0f));
  d = dfsub_d2d2(d, dfrec_d2(d));
  y = (d.x + d.y) * 0.5f;
  y = (fabsf(x) > 89.0f || y != y) ? INFINITY : y;
  y = u2f_(f2u_(y) ^ (f2u_(x) & 0x80000000u));
  y = (x != x) ? u2f_(0xffffffffu) : y;
  return y;
}

SL_INLINE float sl_coshf(float x) {
  float y = fabsf(x);
  df2 d = expk2f(mk(y, 0.0f));
  d = dfadd_d2d2(d, dfrec_d2(d));
  y = (d.x + d.y) * 0.5f;
  y = (fabsf(x) > 89.0f || y != y) ? INFINITY : y;
  y = (x != x) ? u2f_(0xffffffffu) : y;
  return y;
}

/* ================================================================ unary kernels */

#define FLOAT_KERNELS(OP, EF, ED)                                                         \
  UN_KERNEL(k_##OP##_f32, float, float, EF)                                               \
  UN_KERNEL(k_##OP##_f64, double, double, ED)

UN_KERNEL(k_neg_i32, int32_t, int32_t, WRAP(int32_t, uint32_t, 0 - (uint32_t)x))
UN_KERNEL(k_neg_i64, int64_t, int64_t, WRAP(int64_t, uint64_t, 0 - (uint64_t)x))
FLOAT_KERNELS(neg, -x, -x)
UN_KERNEL(k_abs_i32, int32_t, int32_t, x < 0 ? WRAP(int32_t, uint32_t, 0 - (uint32_t)x) : x)
UN_KERNEL(k_abs_i64, int64_t, int64_t, x < 0 ? WRAP(int64_t, uint64_t, 0 - (uint64_t)x) : x)
FLOAT_KERNELS(abs, fabsf(x), fabs(x))
FLOAT_KERNELS(sqrt, sqrtf(x), sqrt(x))
FLOAT_KERNELS(rsqrt, 1.0f / sqrtf(x), 1.0 / sqrt(x))
FLOAT_KERNELS(exp, expf(x), exp(x))
FLOAT_KERNELS(exp2, exp2f(x), exp2(x))
FLOAT_KERNELS(log, logf(x), log(x))
FLOAT_KERNELS(log2, log2f(x), log2(x))
FLOAT_KERNELS(log10, log10f(x), log10(x))
FLOAT_KERNELS(log1p, log1pf(x), log1p(x))
FLOAT_KERNELS(expm1, expm1f(x), expm1(x))
FLOAT_KERNELS(sin, sinf(x), sin(x))
FLOAT_KERNELS(cos, cosf(x), cos(x))
FLOAT_KERNELS(tan, tanf(x), tan(x))
FLOAT_KERNELS(asin, asinf(x), asin(x))
FLOAT_KERNELS(acos, acosf(x), acos(x))
FLOAT_KERNELS(atan, atanf(x), atan(x))
FLOAT_KERNELS(sinh, sinhf(x), sinh(x))
FLOAT_KERNELS(cosh, coshf(x), cosh(x))
FLOAT_KERNELS(tanh, tanhf(x), tanh(x))
FLOAT_KERNELS(sigmoid, 1.0f / (1.0f + expf(-x)), 1.0 / (1.0 + exp(-x)))
FLOAT_KERNELS(recip, 1.0f / x, 1.0 / x)
UN_KERNEL(k_relu_i32, int32_t, int32_t, x < 0 ? 0 : x)
UN_KERNEL(k_relu_i64, int64_t, int64_t, x < 0 ? 0 : x)
FLOAT_KERNELS(relu, x < 0 ? 0.0f : x, x < 0 ? 0.0 : x)
UN_KERNEL(k_sign_b, tl_bool_t, tl_bool_t, x)
UN_KERNEL(k_sign_i32, int32_t, int32_t, (0 < x) - (x < 0))
UN_KERNEL(k_sign_i64, int64_t, int64_t, (0 < x) - (x < 0))
FLOAT_KERNELS(sign, (float)((0 < x) - (x < 0)), (double)((0 < x) - (x < 0)))
FLOAT_KERNELS(floor, floorf(x), floor(x))
FLOAT_KERNELS(ceil, ceilf(x), ceil(x))
FLOAT_KERNELS(round, nearbyintf(x), nearbyint(x))
FLOAT_KERNELS(trunc, truncf(x), trunc(x))
FLOAT_KERNELS(frac, x - truncf(x), x - trunc(x))
UN_KERNEL(k_lnot_b, tl_bool_t, tl_bool_t, x == 0)
UN_KERNEL(k_lnot_i32, int32_t, tl_bool_t, x == 0)
UN_KERNEL(k_lnot_i64, int64_t, tl_bool_t, x == 0)
UN_KERNEL(k_lnot_f32, float, tl_bool_t, x == 0)
UN_KERNEL(k_lnot_f64, double, tl_bool_t, x == 0)

/* pow with a scalar exponent: libtorch's special cases, then pow in double for float32 */
FLOAT_KERNELS(sq, x * x, x * x)
FLOAT_KERNELS(cube, x * x * x, x * x * x)
FLOAT_KERNELS(invsq, 1.0f / (x * x), 1.0 / (x * x))
FLOAT_KERNELS(powd, (float)pow((double)x, c->d0), pow(x, c->d0))
UN_KERNEL(k_powi_i32, int32_t, int32_t, powi_i32(x, (int32_t)c->i0))
UN_KERNEL(k_powi_i64, int64_t, int64_t, powi_i64(x, c->i0))
/* round with decimals: nearbyint(x * 10^d) / 10^d, or for d < 0 nearbyint(x / 10^-d) * 10^-d */
FLOAT_KERNELS(roundd,
              c->flag ? nearbyintf(x / (float)c->d0) * (float)c->d0
                      : nearbyintf(x * (float)c->d0) / (float)c->d0,
              c->flag ? nearbyint(x / c->d0) * c->d0 : nearbyint(x * c->d0) / c->d0)
/* clamp with scalar bounds (std::min(std::max(x, lo), hi): a NaN bound is ignored) */
#define CLAMP_S(T, LO, HI) ((HI) < ((x < (LO)) ? (LO) : x) ? (HI) : ((x < (LO)) ? (LO) : x))
UN_KERNEL(k_clamps_i32, int32_t, int32_t, CLAMP_S(int32_t, (int32_t)c->i0, (int32_t)c->i1))
UN_KERNEL(k_clamps_i64, int64_t, int64_t, CLAMP_S(int64_t, c->i0, c->i1))
FLOAT_KERNELS(clamps, CLAMP_S(float, (float)c->d0, (float)c->d1), CLAMP_S(double, c->d0, c->d1))

/* how a unary op treats dtypes */
enum {
  UK_FLOAT,    /* floating function: bool/integer inputs compute in float32 */
  UK_SAME,     /* keeps the dtype; no bool */
  UK_SAME_B,   /* keeps the dtype; bool allowed */
  UK_ROUNDING, /* floor/ceil/round/trunc: identity on integers, no bool */
  UK_FLOATONLY,/* frac: floating inputs only */
  UK_SQUARE,   /* pow(x, 2) */
  UK_BOOLOUT   /* logical_not */
};

typedef struct {
  const char *name;
  int kind;
  tl_loop_fn k[TL_NDTYPES];
} un_info;

#define UF(NAME, P) {NAME, UK_FLOAT, {NULL, NULL, NULL, k_##P##_f32, k_##P##_f64}}

static const un_info un_table[TL_UN_NOPS] = {
  /* NEG */ {"neg", UK_SAME, {NULL, k_neg_i32, k_neg_i64, k_neg_f32, k_neg_f64}},
  /* ABS */ {"abs", UK_SAME, {NULL, k_abs_i32, k_abs_i64, k_abs_f32, k_abs_f64}},
  UF("sqrt", sqrt), UF("rsqrt", rsqrt), UF("exp", exp), UF("exp2", exp2), UF("log", log),
  UF("log2", log2), UF("log10", log10), UF("log1p", log1p), UF("expm1", expm1),
  UF("sin", sin), UF("cos", cos), UF("tan", tan), UF("asin", asin), UF("acos", acos),
  UF("atan", atan), UF("sinh", sinh), UF("cosh", cosh), UF("tanh", tanh),
  UF("sigmoid", sigmoid), UF("reciprocal", recip),
  /* RELU */ {"relu", UK_SAME, {NULL, k_relu_i32, k_relu_i64, k_relu_f32, k_relu_f64}},
  /* SIGN */ {"sign", UK_SAME_B, {k_sign_b, k_sign_i32, k_sign_i64, k_sign_f32, k_sign_f64}},
  /* FLOOR */ {"floor", UK_ROUNDING, {NULL, NULL, NULL, k_floor_f32, k_floor_f64}},
  /* CEIL */ {"ceil", UK_ROUNDING, {NULL, NULL, NULL, k_ceil_f32, k_ceil_f64}},
  /* ROUND */ {"round", UK_ROUNDING, {NULL, NULL, NULL, k_round_f32, k_round_f64}},
  /* TRUNC */ {"trunc", UK_ROUNDING, {NULL, NULL, NULL, k_trunc_f32, k_trunc_f64}},
  /* FRAC */ {"frac", UK_FLOATONLY, {NULL, NULL, NULL, k_frac_f32, k_frac_f64}},
  /* SQUARE */ {"square", UK_SQUARE, {NULL, k_powi_i32, k_powi_i64, k_sq_f32, k_sq_f64}},
  /* LOGICAL_NOT */
  {"logical_not", UK_BOOLOUT, {k_lnot_b, k_lnot_i32, k_lnot_i64, k_lnot_f32, k_lnot_f64}},
};

const char *tl_unary_name(tl_unary_op op) {
  return (op >= 0 && op < TL_UN_NOPS) ? un_table[op].name : "unknown";
}

/* ---------------------------------------------------------------- AVX2 + FMA variants */

#if (defined(__GNUC__) || defined(__clang__)) && defined(__x86_64__)
#define TL_HAVE_AVX2_KERNELS 1
#define TL_AVX2 __attribute__((target("avx2,fma")))
#include <immintrin.h>

/* AVX2 and FMA present, and not switched off with TORCHLITE_SIMD=generic */
static int cpu_has_avx2_fma(void) {
  static int cached = -1;
  if (cached < 0) {
    const char *env = getenv("TORCHLITE_SIMD");
    __builtin_cpu_init();
    cached = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
             !(env && strcmp(env, "generic") == 0);
  }
  return cached;
}

/* all elements through the SLEEF-compatible function (libtorch's vml kernels) */
#define SL_KERNEL(NAME, F) SL_KERNEL_AT(TL_AVX2, TL_SIMD, NAME, F)
#define SL_KERNEL_AT(ATTR, SIMD, NAME, F)                                                 \
  ATTR static void NAME(char **d, const int64_t *s, int64_t n, void *vc) {                \
    (void)vc;                                                                             \
    if (s[0] == 4 && s[1] == 4) {                                                         \
      float *o = (float *)d[0];                                                           \
      const float *x = (const float *)d[1];                                               \
      SIMD for (int64_t i = 0; i < n; i++) o[i] = F(x[i]);                                \
      return;                                                                             \
    }                                                                                     \
    char *po = d[0];                                                                      \
    const char *px = d[1];                                                                \
    for (int64_t i = 0; i < n; i++, po += s[0], px += s[1]) *(float *)po = F(*(const float *)px); \
  }
SL_KERNEL(k_exp_f32_avx2, sl_expf)
SL_KERNEL(k_log_f32_avx2, sl_logf)
SL_KERNEL(k_tanh_f32_avx2, sl_tanhf)
SL_KERNEL(k_expm1_f32_avx2, sl_expm1f)
SL_KERNEL(k_log1p_f32_avx2, sl_log1pf)
SL_KERNEL(k_log2_f32_avx2, sl_log2f)
SL_KERNEL(k_log10_f32_avx2, sl_log10f)

/* sin/cos: SLEEF's fast path for |x| < 125; a block holding a larger (or non-finite) value
 * goes through the C library for those elements (SLEEF would use its slow reduction). */
SL_INLINE float sl_sinf_any(float x) { return fabsf(x) < 125.0f ? sl_sinf(x) : sinf(x); }
SL_INLINE float sl_cosf_any(float x) { return fabsf(x) < 125.0f ? sl_cosf(x) : cosf(x); }

#define SL_TRIG_KERNEL(NAME, F, FANY) SL_TRIG_KERNEL_AT(TL_AVX2, TL_SIMD, NAME, F, FANY)
#define SL_TRIG_KERNEL_AT(ATTR, SIMD, NAME, F, FANY)                                      \
  ATTR static void NAME(char **d, const int64_t *s, int64_t n, void *vc) {                \
    (void)vc;                                                                             \
    if (s[0] == 4 && s[1] == 4) {                                                         \
      float *o = (float *)d[0];                                                           \
      const float *x = (const float *)d[1];                                               \
      for (int64_t b = 0; b < n; b += 64) {                                               \
        int64_t e = b + 64 < n ? b + 64 : n;                                              \
        int big = 0;                                                                      \
        SIMD for (int64_t i = b; i < e; i++) big |= !(fabsf(x[i]) < 125.0f);              \
        if (!big) {                                                                       \
          SIMD for (int64_t i = b; i < e; i++) o[i] = F(x[i]);                            \
        } else {                                                                          \
          for (int64_t i = b; i < e; i++) o[i] = FANY(x[i]);                              \
        }                                                                                 \
      }                                                                                   \
      return;                                                                             \
    }                                                                                     \
    char *po = d[0];                                                                      \
    const char *px = d[1];                                                                \
    for (int64_t i = 0; i < n; i++, po += s[0], px += s[1])                               \
      *(float *)po = FANY(*(const float *)px);                                            \
  }
SL_TRIG_KERNEL(k_sin_f32_avx2, sl_sinf, sl_sinf_any)
SL_TRIG_KERNEL(k_cos_f32_avx2, sl_cosf, sl_cosf_any)

/* sigmoid, sinh and cosh are libtorch cpu_kernel_vec kernels: contiguous runs go through
 * the vector code (SLEEF) 16 elements at a time, the remainder and strided data through the
 * scalar code (sigmoid: 1 / (1 + expf(-x)); sinh/cosh: the C library). */
#define VEC16_KERNEL(NAME, VEXPR, SCALAR_KERNEL)                                          \
  VEC16_KERNEL_AT(TL_AVX2, TL_SIMD, NAME, VEXPR, SCALAR_KERNEL)
#define VEC16_KERNEL_AT(ATTR, SIMD, NAME, VEXPR, SCALAR_KERNEL)                           \
  ATTR static void NAME(char **d, const int64_t *s, int64_t n, void *vc) {                \
    if (s[0] == 4 && s[1] == 4) {                                                         \
      float *o = (float *)d[0];                                                           \
      const float *x = (const float *)d[1];                                               \
      int64_t nv = n - n % 16;                                                            \
      SIMD for (int64_t i = 0; i < nv; i++) {                                             \
        float v = x[i];                                                                   \
        o[i] = VEXPR;                                                                     \
      }                                                                                   \
      char *dd[2] = {(char *)(o + nv), (char *)(x + nv)};                                 \
      SCALAR_KERNEL(dd, s, n - nv, vc);                                                   \
      return;                                                                             \
    }                                                                                     \
    SCALAR_KERNEL(d, s, n, vc);                                                           \
  }
VEC16_KERNEL(k_sigmoid_f32_avx2, 1.0f / (sl_expf(0.0f - v) + 1.0f), k_sigmoid_f32)
VEC16_KERNEL(k_sinh_f32_avx2, sl_sinhf(v), k_sinh_f32)
VEC16_KERNEL(k_cosh_f32_avx2, sl_coshf(v), k_cosh_f32)

#define TL_AVX512 __attribute__((target("avx512f,avx512dq,avx512vl,avx512bw,fma")))
/* The same kernels with 512-bit vectors where the CPU has them: every lane does the same
 * operations in the same order (the functions above, vectorised by the compiler), so the
 * results are the same bits, twice as many a step. */
SL_KERNEL_AT(TL_AVX512, TL_SIMD16, k_exp_f32_avx512, sl_expf)
SL_KERNEL_AT(TL_AVX512, TL_SIMD16, k_log_f32_avx512, sl_logf)
SL_KERNEL_AT(TL_AVX512, TL_SIMD16, k_tanh_f32_avx512, sl_tanhf)
SL_KERNEL_AT(TL_AVX512, TL_SIMD16, k_expm1_f32_avx512, sl_expm1f)
SL_KERNEL_AT(TL_AVX512, TL_SIMD16, k_log1p_f32_avx512, sl_log1pf)
SL_KERNEL_AT(TL_AVX512, TL_SIMD16, k_log2_f32_avx512, sl_log2f)
SL_KERNEL_AT(TL_AVX512, TL_SIMD16, k_log10_f32_avx512, sl_log10f)
SL_TRIG_KERNEL_AT(TL_AVX512, TL_SIMD16, k_sin_f32_avx512, sl_sinf, sl_sinf_any)
SL_TRIG_KERNEL_AT(TL_AVX512, TL_SIMD16, k_cos_f32_avx512, sl_cosf, sl_cosf_any)
VEC16_KERNEL_AT(TL_AVX512, TL_SIMD16, k_sigmoid_f32_avx512, 1.0f / (sl_expf(0.0f - v) + 1.0f),
                k_sigmoid_f32)
VEC16_KERNEL_AT(TL_AVX512, TL_SIMD16, k_sinh_f32_avx512, sl_sinhf(v), k_sinh_f32)
VEC16_KERNEL_AT(TL_AVX512, TL_SIMD16, k_cosh_f32_avx512, sl_coshf(v), k_cosh_f32)
/* AVX-512 (F, DQ, VL, BW) present, and not switched off with TORCHLITE_SIMD=avx2 (or
 * generic) */
static int cpu_has_avx512(void) {
  static int cached = -1;
  if (cached < 0) {
    const char *env = getenv("TORCHLITE_SIMD");
    cached = cpu_has_avx2_fma() && __builtin_cpu_supports("avx512f") &&
             __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") &&
             __builtin_cpu_supports("avx512bw") && !(env && strcmp(env, "avx2") == 0);
  }
  return cached;
}

/* sqrt and 1/sqrt: C's sqrtf must set errno for negative inputs, which keeps compilers from
 * vectorising it; the vector instruction gives the same IEEE results. */
#define SQRT_KERNEL(NAME, VEXPR, SEXPR)                                                   \
  TL_AVX2 static void NAME(char **d, const int64_t *s, int64_t n, void *vc) {             \
    if (s[0] == 4 && s[1] == 4) {                                                         \
      float *o = (float *)d[0];                                                           \
      const float *x = (const float *)d[1];                                               \
      const __m256 one = _mm256_set1_ps(1.0f);                                            \
      int64_t i = 0;                                                                      \
      (void)one;                                                                          \
      for (; i + 8 <= n; i += 8) {                                                        \
        __m256 v = _mm256_loadu_ps(x + i);                                                \
        _mm256_storeu_ps(o + i, VEXPR);                                                   \
      }                                                                                   \
      for (; i < n; i++) {                                                                \
        float v = x[i];                                                                   \
        o[i] = SEXPR;                                                                     \
      }                                                                                   \
      return;                                                                             \
    }                                                                                     \
    char *po = d[0];                                                                      \
    const char *px = d[1];                                                                \
    (void)vc;                                                                             \
    for (int64_t i = 0; i < n; i++, po += s[0], px += s[1]) {                             \
      float v = *(const float *)px;                                                       \
      *(float *)po = SEXPR;                                                               \
    }                                                                                     \
  }
SQRT_KERNEL(k_sqrt_f32_avx2, _mm256_sqrt_ps(v), sqrtf(v))
SQRT_KERNEL(k_rsqrt_f32_avx2, _mm256_div_ps(one, _mm256_sqrt_ps(v)), 1.0f / sqrtf(v))

/* Cheap exact kernels (the compiler's 128-bit loops otherwise) with 256-bit vectors: the
 * same loops and expressions, so the same results. */
#define BIN_AVX2(NAME, T, TO) BIN_LOOP(TL_AVX2, NAME##_avx2, NAME, T, TO)
#define CMP_AVX2(OP)                                                                      \
  BIN_AVX2(k_##OP##_f32, float, tl_bool_t)                                                \
  BIN_AVX2(k_##OP##_f64, double, tl_bool_t)
BIN_AVX2(k_add_f32, float, float)
BIN_AVX2(k_add_f64, double, double)
BIN_AVX2(k_sub_f32, float, float)
BIN_AVX2(k_sub_f64, double, double)
BIN_AVX2(k_mul_f32, float, float)
BIN_AVX2(k_mul_f64, double, double)
BIN_AVX2(k_div_f32, float, float)
BIN_AVX2(k_div_f64, double, double)
/* (a * (1 - b)) * b has no product feeding a sum, so nothing for FMA contraction to fuse
 * (tanh's a * (1 - b * b) has: it stays with the generic loop, as libtorch rounds twice) */
BIN_AVX2(k_sigb_f32, float, float)
BIN_AVX2(k_sigb_f64, double, double)
CMP_AVX2(eq)
CMP_AVX2(ne)
CMP_AVX2(lt)
CMP_AVX2(le)
CMP_AVX2(gt)
CMP_AVX2(ge)
UN_LOOP(TL_AVX2, k_clamps_f32_avx2, k_clamps_f32, float, float)
UN_LOOP(TL_AVX2, k_clamps_f64_avx2, k_clamps_f64, double, double)
ROWS_ARITH(TL_AVX2, _avx2)

/* the AVX-512 or AVX2 kernel to use instead of table kernel fn, if any */
#define WIDE(F)                                                                           \
  if (fn == F##_f32) return wide ? F##_f32_avx512 : F##_f32_avx2;
static tl_loop_fn simd_variant(tl_loop_fn fn) {
  if (!cpu_has_avx2_fma()) return fn;
  const int wide = cpu_has_avx512();
  WIDE(k_exp)
  WIDE(k_log)
  WIDE(k_sin)
  WIDE(k_cos)
  WIDE(k_tanh)
  WIDE(k_sigmoid)
  WIDE(k_expm1)
  WIDE(k_log1p)
  WIDE(k_log2)
  WIDE(k_log10)
  WIDE(k_sinh)
  WIDE(k_cosh)
  if (fn == k_sqrt_f32) return k_sqrt_f32_avx2;
  if (fn == k_rsqrt_f32) return k_rsqrt_f32_avx2;
  if (fn == k_clamps_f32) return k_clamps_f32_avx2;
  if (fn == k_clamps_f64) return k_clamps_f64_avx2;
  return fn;
}
#undef WIDE
/* the binary kernel for (kernel id, dtype): the AVX2 one where there is one */
#define AVX2_ROWF(P) {NULL, NULL, NULL, k_##P##_f32_avx2, k_##P##_f64_avx2}
static const tl_loop_fn bin_table_avx2[KB_N][TL_NDTYPES] = {
  [KB_ADD] = AVX2_ROWF(add), [KB_SUB] = AVX2_ROWF(sub), [KB_MUL] = AVX2_ROWF(mul),
  [KB_DIV] = AVX2_ROWF(div), [KB_SIGB] = AVX2_ROWF(sigb),
  [KB_EQ] = AVX2_ROWF(eq),   [KB_NE] = AVX2_ROWF(ne),   [KB_LT] = AVX2_ROWF(lt),
  [KB_LE] = AVX2_ROWF(le),   [KB_GT] = AVX2_ROWF(gt),   [KB_GE] = AVX2_ROWF(ge),
};
static tl_loop_fn bin_kernel(int kid, tl_dtype dt) {
  if (cpu_has_avx2_fma() && bin_table_avx2[kid][dt]) return bin_table_avx2[kid][dt];
  return bin_table[kid][dt];
}
#define ROWS_ROW_AVX2(SUF) {NULL, NULL, NULL, SUF##_f32_rows_avx2, SUF##_f64_rows_avx2}
static const rows_fn rows_table_avx2[KB_N][TL_NDTYPES] = {
  [KB_ADD] = ROWS_ROW_AVX2(k_add), [KB_SUB] = ROWS_ROW_AVX2(k_sub),
  [KB_MUL] = ROWS_ROW_AVX2(k_mul), [KB_DIV] = ROWS_ROW_AVX2(k_div),
};
#else
static tl_loop_fn simd_variant(tl_loop_fn fn) { return fn; }
static tl_loop_fn bin_kernel(int kid, tl_dtype dt) { return bin_table[kid][dt]; }
#endif

/* the rows kernel for (kernel id, dtype), or NULL */
#define ROWS_ROW(SUF) {NULL, NULL, NULL, SUF##_f32_rows, SUF##_f64_rows}
static const rows_fn rows_table[KB_N][TL_NDTYPES] = {
  [KB_ADD] = ROWS_ROW(k_add), [KB_SUB] = ROWS_ROW(k_sub),
  [KB_MUL] = ROWS_ROW(k_mul), [KB_DIV] = ROWS_ROW(k_div),
};
static rows_fn rows_kernel(int kid, tl_dtype dt) {
#ifdef TL_HAVE_AVX2_KERNELS
  if (cpu_has_avx2_fma()) return rows_table_avx2[kid][dt];
#endif
  return rows_table[kid][dt];
}

/* clamp's gradient in one pass (the general way is a comparison into a mask, then where) */
#define CLAMP_GRAD_SCALAR(T)                                                              \
  for (; i < n; i++) out[i] = (x[i] >= lo && x[i] <= hi) ? g[i] : (T)0;
#ifdef TL_HAVE_AVX2_KERNELS
/* ordered comparisons (false for NaN); the mask keeps g's bits or gives +0 */
#define CLAMP_GRAD_AVX2(SUF, T, VT, L, SET1, LOAD, STORE, CMP, AND)                        \
  TL_AVX2 static void clamp_grad_##SUF##_avx2(T *out, const T *x, const T *g, T lo, T hi,    \
                                              int64_t n) {                                   \
    const VT vl = SET1(lo), vh = SET1(hi);                                                  \
    int64_t i = 0;                                                                          \
    for (; i + L <= n; i += L) {                                                            \
      const VT v = LOAD(x + i);                                                             \
      const VT m = AND(CMP(v, vl, _CMP_GE_OQ), CMP(v, vh, _CMP_LE_OQ));                     \
      STORE(out + i, AND(m, LOAD(g + i)));                                                  \
    }                                                                                       \
    CLAMP_GRAD_SCALAR(T)                                                                    \
  }
CLAMP_GRAD_AVX2(f32, float, __m256, 8, _mm256_set1_ps, _mm256_loadu_ps, _mm256_storeu_ps,
                _mm256_cmp_ps, _mm256_and_ps)
CLAMP_GRAD_AVX2(f64, double, __m256d, 4, _mm256_set1_pd, _mm256_loadu_pd, _mm256_storeu_pd,
                _mm256_cmp_pd, _mm256_and_pd)
#define CLAMP_GRAD_PICK(SUF)                                                                \
  if (cpu_has_avx2_fma()) {                                                                 \
    clamp_grad_##SUF##_avx2(out, x, g, lo, hi, n);                                          \
    return;                                                                                 \
  }
#else
#define CLAMP_GRAD_PICK(SUF)
#endif

void tl_clamp_grad_f32(float *out, const float *x, const float *g, float lo, float hi, int64_t n) {
  CLAMP_GRAD_PICK(f32)
  int64_t i = 0;
  CLAMP_GRAD_SCALAR(float)
}

void tl_clamp_grad_f64(double *out, const double *x, const double *g, double lo, double hi,
                       int64_t n) {
  CLAMP_GRAD_PICK(f64)
  int64_t i = 0;
  CLAMP_GRAD_SCALAR(double)
}

/* raw float32 arrays through the exp/log kernels */
static void apply_f32(tl_loop_fn fn, float *out, const float *in, int64_t n) {
  char *d[2] = {(char *)out, (char *)in};
  int64_t s[2] = {4, 4};
  ew_ctx ctx;
  memset(&ctx, 0, sizeof ctx);
  if (n > 0) fn(d, s, n, &ctx);
}

void tl_exp_f32(float *out, const float *in, int64_t n) {
  apply_f32(simd_variant(k_exp_f32), out, in, n);
}

void tl_log_f32(float *out, const float *in, int64_t n) {
  apply_f32(simd_variant(k_log_f32), out, in, n);
}

const char *tl_elementwise_simd(void) {
#ifdef TL_HAVE_AVX2_KERNELS
  if (cpu_has_avx2_fma()) return "avx2";
#endif
  return "generic";
}

int tl_elementwise_wide(void) {
#ifdef TL_HAVE_AVX2_KERNELS
  return cpu_has_avx512();
#else
  return 0;
#endif
}

/* ================================================================ ternary kernels */

/* out = cond ? a : b, moved as bit patterns of the element size; the contiguous loops select
 * with a mask (all ones where cond) so that they vectorise (WHERE_LOOP: as BIN_LOOP) */
#define WHERE_SEL(T, m, a, b) ((((T)0 - (T)((m) != 0)) & (a)) | (~((T)0 - (T)((m) != 0)) & (b)))
#define WHERE_KERNEL(NAME, T) WHERE_LOOP(, NAME, T)
#define WHERE_LOOP(ATTR, NAME, T)                                                         \
  ATTR static void NAME(char **d, const int64_t *s, int64_t n, void *vc) {                \
    (void)vc;                                                                             \
    const int64_t e = (int64_t)sizeof(T);                                                 \
    if (s[0] == e && s[1] == 1 && (s[2] == e || s[2] == 0) && (s[3] == e || s[3] == 0)) { \
      T *o = (T *)d[0];                                                                   \
      const tl_bool_t *m = (const tl_bool_t *)d[1];                                       \
      const T *x = (const T *)d[2], *y = (const T *)d[3];                                 \
      if (s[2] && s[3]) {                                                                 \
        TL_SIMD for (int64_t i = 0; i < n; i++) o[i] = WHERE_SEL(T, m[i], x[i], y[i]);    \
      } else if (s[2]) { /* a scalar other (where(mask, grad, 0) in backward formulas) */ \
        const T yv = *y;                                                                  \
        TL_SIMD for (int64_t i = 0; i < n; i++) o[i] = WHERE_SEL(T, m[i], x[i], yv);      \
      } else if (s[3]) {                                                                  \
        const T xv = *x;                                                                  \
        TL_SIMD for (int64_t i = 0; i < n; i++) o[i] = WHERE_SEL(T, m[i], xv, y[i]);      \
      } else {                                                                            \
        const T xv = *x, yv = *y;                                                         \
        TL_SIMD for (int64_t i = 0; i < n; i++) o[i] = WHERE_SEL(T, m[i], xv, yv);        \
      }                                                                                   \
      return;                                                                             \
    }                                                                                     \
    char *po = d[0];                                                                      \
    const char *pm = d[1], *pa = d[2], *pb = d[3];                                        \
    for (int64_t i = 0; i < n; i++, po += s[0], pm += s[1], pa += s[2], pb += s[3])       \
      *(T *)po = *(const tl_bool_t *)pm ? *(const T *)pa : *(const T *)pb;                \
  }
WHERE_KERNEL(k_where_1, uint8_t)
WHERE_KERNEL(k_where_4, uint32_t)
WHERE_KERNEL(k_where_8, uint64_t)
#ifdef TL_HAVE_AVX2_KERNELS
WHERE_LOOP(TL_AVX2, k_where_1_avx2, uint8_t)
/* 4- and 8-byte elements by hand: the compiler widens the byte mask poorly. Each vector of
 * 8 (4) elements takes one widening load of the mask, a compare and a blend, which moves
 * bits as they are; a broadcast operand is a register. Tails and strided runs: k_where_4/8. */
#define WHERE_AVX2(NAME, T, L, VT, WIDEN, MLOAD, CMPEQ, CAST, SET1, LOADU, STOREU, BLENDV)    \
  TL_AVX2 static inline __attribute__((always_inline)) int64_t NAME##_run(                \
    T *o, const tl_bool_t *m, const T *x, const T *y, int64_t n, const int xs,            \
    const int ys) {                                                                       \
    const __m256i zero = _mm256_setzero_si256();                                          \
    const VT xb = CAST(SET1(*x)), yb = CAST(SET1(*y));                                    \
    int64_t i = 0;                                                                        \
    for (; i + L <= n; i += L) {                                                          \
      const VT f = CAST(CMPEQ(WIDEN(MLOAD(m + i)), zero)); /* all ones where false */     \
      const VT a = xs ? LOADU((const void *)(x + i)) : xb;                                \
      const VT b = ys ? LOADU((const void *)(y + i)) : yb;                                \
      STOREU((void *)(o + i), BLENDV(a, b, f));                                           \
    }                                                                                     \
    return i;                                                                             \
  }                                                                                       \
  TL_AVX2 static void NAME##_avx2(char **d, const int64_t *s, int64_t n, void *vc) {      \
    const int64_t e = (int64_t)sizeof(T);                                                 \
    if (s[0] == e && s[1] == 1 && (s[2] == e || s[2] == 0) && (s[3] == e || s[3] == 0)) { \
      T *o = (T *)d[0];                                                                   \
      const tl_bool_t *m = (const tl_bool_t *)d[1];                                       \
      const T *x = (const T *)d[2], *y = (const T *)d[3];                                 \
      const int xs = s[2] != 0, ys = s[3] != 0;                                           \
      int64_t i = xs ? (ys ? NAME##_run(o, m, x, y, n, 1, 1) : NAME##_run(o, m, x, y, n, 1, 0)) \
                     : (ys ? NAME##_run(o, m, x, y, n, 0, 1) : NAME##_run(o, m, x, y, n, 0, 0)); \
      if (i < n) {                                                                        \
        char *dd[4] = {(char *)(o + i), (char *)(m + i), (char *)(xs ? x + i : x),        \
                       (char *)(ys ? y + i : y)};                                         \
        NAME(dd, s, n - i, vc);                                                           \
      }                                                                                   \
      return;                                                                             \
    }                                                                                     \
    NAME(d, s, n, vc);                                                                    \
  }
static inline __m128i where_mload8(const tl_bool_t *p) {
  return _mm_loadl_epi64((const __m128i *)(const void *)p);
}
static inline __m128i where_mload4(const tl_bool_t *p) {
  int32_t v;
  memcpy(&v, p, 4);
  return _mm_cvtsi32_si128(v);
}
#define W_SET1_32(v) _mm256_set1_epi32((int)(v))
#define W_SET1_64(v) _mm256_set1_epi64x((long long)(v))
WHERE_AVX2(k_where_4, uint32_t, 8, __m256, _mm256_cvtepu8_epi32, where_mload8, _mm256_cmpeq_epi32,
           _mm256_castsi256_ps, W_SET1_32, _mm256_loadu_ps, _mm256_storeu_ps, _mm256_blendv_ps)
WHERE_AVX2(k_where_8, uint64_t, 4, __m256d, _mm256_cvtepu8_epi64, where_mload4, _mm256_cmpeq_epi64,
           _mm256_castsi256_pd, W_SET1_64, _mm256_loadu_pd, _mm256_storeu_pd, _mm256_blendv_pd)
static tl_loop_fn where_kernel(size_t es) {
  int v = cpu_has_avx2_fma();
  return es == 1 ? (v ? k_where_1_avx2 : k_where_1)
                 : es == 4 ? (v ? k_where_4_avx2 : k_where_4) : (v ? k_where_8_avx2 : k_where_8);
}
#else
static tl_loop_fn where_kernel(size_t es) {
  return es == 1 ? k_where_1 : es == 4 ? k_where_4 : k_where_8;
}
#endif

/* clamp with tensor bounds: NaN in a bound gives NaN */
#define CLAMPT_KERNEL(NAME, T, NANCHK)                                                    \
  static inline T NAME##_op(T x, T lo, T hi) {                                            \
    if (NANCHK && (lo != lo || hi != hi)) return lo != lo ? lo : hi;                      \
    T v = x < lo ? lo : x;                                                                \
    return hi < v ? hi : v;                                                               \
  }                                                                                       \
  static void NAME(char **d, const int64_t *s, int64_t n, void *vc) {                     \
    (void)vc;                                                                             \
    const int64_t e = (int64_t)sizeof(T);                                                 \
    if (s[0] == e && s[1] == e && s[2] == 0 && s[3] == 0) {                               \
      T *o = (T *)d[0];                                                                   \
      const T *x = (const T *)d[1];                                                       \
      const T lo = *(const T *)d[2], hi = *(const T *)d[3];                               \
      TL_SIMD for (int64_t i = 0; i < n; i++) o[i] = NAME##_op(x[i], lo, hi);             \
      return;                                                                             \
    }                                                                                     \
    char *po = d[0];                                                                      \
    const char *px = d[1], *pl = d[2], *ph = d[3];                                        \
    for (int64_t i = 0; i < n; i++, po += s[0], px += s[1], pl += s[2], ph += s[3])       \
      *(T *)po = NAME##_op(*(const T *)px, *(const T *)pl, *(const T *)ph);               \
  }
CLAMPT_KERNEL(k_clampt_i32, int32_t, 0)
CLAMPT_KERNEL(k_clampt_i64, int64_t, 0)
CLAMPT_KERNEL(k_clampt_f32, float, 1)
CLAMPT_KERNEL(k_clampt_f64, double, 1)

/* self[i] = value where mask[i] (in place; the value's bit pattern sits in ctx->i0) */
#define MFILL_KERNEL(NAME, T)                                                             \
  static void NAME(char **d, const int64_t *s, int64_t n, void *vc) {                     \
    const ew_ctx *c = (const ew_ctx *)vc;                                                 \
    T v;                                                                                  \
    memcpy(&v, &c->i0, sizeof(T));                                                        \
    const int64_t e = (int64_t)sizeof(T);                                                 \
    if (s[0] == e && s[1] == 1) {                                                         \
      T *o = (T *)d[0];                                                                   \
      const tl_bool_t *m = (const tl_bool_t *)d[1];                                       \
      TL_SIMD for (int64_t i = 0; i < n; i++) o[i] = m[i] ? v : o[i];                     \
      return;                                                                             \
    }                                                                                     \
    char *po = d[0];                                                                      \
    const char *pm = d[1];                                                                \
    for (int64_t i = 0; i < n; i++, po += s[0], pm += s[1])                               \
      if (*(const tl_bool_t *)pm) *(T *)po = v;                                           \
  }
MFILL_KERNEL(k_mfill_1, uint8_t)
MFILL_KERNEL(k_mfill_4, uint32_t)
MFILL_KERNEL(k_mfill_8, uint64_t)

/* any zero among the elements of an integer or bool divisor */
typedef struct {
  int found;
  size_t esize;
} zero_ctx;

static void k_anyzero(char **d, const int64_t *s, int64_t n, void *vc) {
  zero_ctx *z = (zero_ctx *)vc;
  const char *p = d[0];
  for (int64_t i = 0; i < n && !z->found; i++, p += s[0]) {
    uint64_t v = 0;
    memcpy(&v, p, z->esize);
    if (v == 0) z->found = 1;
  }
}

/* ================================================================ helpers */

static void format_shape(char *buf, size_t size, int ndim, const int64_t *shape) {
  size_t len = 0;
  buf[0] = '\0';
  for (int i = 0; i < ndim && len + 24 < size; i++)
    len += (size_t)snprintf(buf + len, size - len, "%s%lld", i ? ", " : "",
                            (long long)shape[i]);
}

static int same_shape(int na, const int64_t *a, int nb, const int64_t *b) {
  if (na != nb) return 0;
  for (int i = 0; i < na; i++)
    if (a[i] != b[i]) return 0;
  return 1;
}

static tl_status shape_mismatch(const tl_tensor *self, int nd, const int64_t *shape) {
  char s1[256], s2[256];
  format_shape(s1, sizeof s1, self->ndim, self->shape);
  format_shape(s2, sizeof s2, nd, shape);
  return tl_error(TL_ERR_RUNTIME, "output with shape [%s] doesn't match the broadcast shape [%s]",
                  s1, s2);
}

static tl_status cast_error(tl_dtype result, tl_dtype out) {
  return tl_error(TL_ERR_RUNTIME, "result type %s can't be cast to the desired output type %s",
                  tl_dtype_name(result), tl_dtype_name(out));
}

/* Dense and non-overlapping: some permutation of the dims is contiguous (libtorch's
 * is_non_overlapping_and_dense). */
static int dense_nonoverlapping(const tl_tensor *t) {
  int idx[TL_MAX_DIMS], n = 0;
  for (int i = 0; i < t->ndim; i++) {
    if (t->shape[i] == 0) return 1;
    if (t->shape[i] != 1) idx[n++] = i;
  }
  /* insertion sort by stride */
  for (int i = 1; i < n; i++) {
    int v = idx[i], j = i - 1;
    while (j >= 0 && t->strides[idx[j]] > t->strides[v]) {
      idx[j + 1] = idx[j];
      j--;
    }
    idx[j + 1] = v;
  }
  int64_t expect = 1;
  for (int i = 0; i < n; i++) {
    if (t->strides[idx[i]] != expect) return 0;
    expect *= t->shape[idx[i]];
  }
  return 1;
}

/* A new tensor of the given shape for a result computed from `like`: when `like` has that
 * shape and is a dense permutation of a contiguous tensor (a transpose, a permute), the
 * result gets its strides, as libtorch's elementwise results do; otherwise it is contiguous.
 * Iterating both in memory order then makes one contiguous run. */
static tl_tensor *empty_like_layout(tl_dtype dt, const tl_tensor *like, int nd,
                                    const int64_t *shape) {
  tl_tensor *out = tl_tensor_empty(dt, nd, shape);
  if (!out || !like || out->numel == 0) return out;
  if (!same_shape(like->ndim, like->shape, nd, shape) || tl_is_contiguous(like) ||
      !dense_nonoverlapping(like))
    return out;
  for (int i = 0; i < nd; i++) out->strides[i] = like->strides[i];
  return out;
}

/* the operand whose layout a result of this shape follows: the first with the full shape */
static const tl_tensor *layout_source(const tl_tensor *a, const tl_tensor *b, int nd,
                                      const int64_t *shape) {
  if (a && same_shape(a->ndim, a->shape, nd, shape)) return a;
  if (b && same_shape(b->ndim, b->shape, nd, shape)) return b;
  return NULL;
}

/* The written-to tensor must not have several elements at one address (an expanded view). */
static tl_status check_internal_overlap(const tl_tensor *self) {
  if (dense_nonoverlapping(self)) return TL_OK;
  for (int i = 0; i < self->ndim; i++)
    if (self->strides[i] == 0 && self->shape[i] > 1)
      return tl_error(TL_ERR_RUNTIME,
                      "unsupported operation: more than one element of the written-to tensor "
                      "refers to a single memory location. Please clone() the tensor before "
                      "performing the operation.");
  return TL_OK;
}

/* libtorch's get_overlap_status between the output and an input: partial overlap (same
 * memory range with other strides, or intersecting ranges) is refused. */
static tl_status check_partial_overlap(const tl_tensor *self, const tl_tensor *in) {
  if (!in || in == self || in->storage != self->storage) return TL_OK;
  if (self->numel == 0 || in->numel == 0) return TL_OK;
  if (!dense_nonoverlapping(self) || !dense_nonoverlapping(in)) return TL_OK;
  const char *a0 = (const char *)tl_data(self);
  const char *a1 = a0 + (size_t)self->numel * tl_dtype_size(self->dtype);
  const char *b0 = (const char *)tl_data(in);
  const char *b1 = b0 + (size_t)in->numel * tl_dtype_size(in->dtype);
  int partial = 0;
  if (a0 == b0 && a1 == b1) {
    partial = !same_shape(self->ndim, self->strides, in->ndim, in->strides);
    if (!partial && self->dtype != in->dtype) partial = 1;
  } else if (a0 < b1 && b0 < a1) {
    partial = 1;
  }
  if (partial)
    return tl_error(TL_ERR_RUNTIME,
                    "unsupported operation: some elements of the input tensor and the "
                    "written-to tensor refer to a single memory location. Please clone() the "
                    "tensor before performing the operation.");
  return TL_OK;
}

/* An input operand ready for the loop: its data in the computation dtype with strides over
 * the iteration shape. A one-element operand of another dtype is converted into `buf`; a
 * larger one into a temporary contiguous copy (`tmp`, released by op_release). */
typedef struct {
  char *data;
  int64_t strides[TL_MAX_DIMS];
  size_t esize;
  tl_tensor *tmp;
  union {
    double d;
    int64_t i;
    float f;
    int32_t i32;
    uint8_t b;
  } buf;
} ew_operand;

static tl_status op_prepare(ew_operand *op, const tl_tensor *t, tl_dtype dt, int nd,
                            const int64_t *shape) {
  op->tmp = NULL;
  op->esize = tl_dtype_size(dt);
  if (t->dtype != dt && t->numel == 1) {
    scalar_cast(&op->buf, dt, t);
    op->data = (char *)&op->buf;
    /* still check that it broadcasts (it always does: one element) */
    for (int i = 0; i < nd; i++) op->strides[i] = 0;
    return TL_OK;
  }
  const tl_tensor *src = t;
  if (t->dtype != dt) {
    op->tmp = tl_to_dtype((tl_tensor *)t, dt, 1);
    if (!op->tmp) return tl_last_status();
    src = op->tmp;
  }
  tl_status st = tl_broadcast_strides(src, nd, shape, op->strides);
  if (st != TL_OK) {
    tl_tensor_release(op->tmp);
    op->tmp = NULL;
    return st;
  }
  op->data = (char *)tl_data(src);
  return TL_OK;
}

static void op_release(ew_operand *op) {
  tl_tensor_release(op->tmp);
  op->tmp = NULL;
}

/* Runs fn over (out, ins...) with the given operands (out first). The dimensions are visited
 * in the output's memory order (outermost = largest stride first), so that a transposed or
 * permuted output and its inputs of the same layout coalesce into one contiguous run, as in
 * libtorch's TensorIterator. */
static void run_loop(tl_tensor *out, ew_operand *ins, int nin, int nd, const int64_t *shape,
                     tl_loop_fn fn, void *ctx, int64_t grain) {
  if (out->numel == 1) { /* one element (the small-tensor loops): no iteration to set up */
    char *d1[TL_ITER_MAX_OPS];
    int64_t z[TL_ITER_MAX_OPS] = {0};
    d1[0] = (char *)tl_data(out);
    for (int k = 0; k < nin; k++) d1[k + 1] = ins[k].data;
    fn(d1, z, 1, ctx);
    return;
  }
  char *data[TL_ITER_MAX_OPS];
  const int64_t *sp[TL_ITER_MAX_OPS];
  size_t es[TL_ITER_MAX_OPS];
  int64_t pst[TL_ITER_MAX_OPS][TL_MAX_DIMS], pshape[TL_MAX_DIMS];
  int perm[TL_MAX_DIMS];
  /* stable sort of the dims by the output's strides, largest first */
  for (int i = 0; i < nd; i++) {
    int v = i, j = i - 1;
    while (j >= 0 && out->strides[perm[j]] < out->strides[v]) {
      perm[j + 1] = perm[j];
      j--;
    }
    perm[j + 1] = v;
  }
  for (int i = 0; i < nd; i++) {
    pshape[i] = shape[perm[i]];
    pst[0][i] = out->strides[perm[i]];
    for (int k = 0; k < nin; k++) pst[k + 1][i] = ins[k].strides[perm[i]];
  }
  data[0] = (char *)tl_data(out);
  es[0] = tl_dtype_size(out->dtype);
  for (int k = 0; k < nin; k++) {
    data[k + 1] = ins[k].data;
    es[k + 1] = ins[k].esize;
  }
  for (int k = 0; k <= nin; k++) sp[k] = pst[k];
  tl_iter it;
  tl_iter_init(&it, nin + 1, nd, pshape, data, sp, es);
  tl_iter_run_parallel(&it, fn, ctx, grain);
}

/* The tensor the kernel writes: self when its dtype is the kernel's output dtype, else a
 * temporary to be copied into self (after the in-place checks passed). */
static tl_tensor *inplace_target(tl_tensor *self, tl_dtype kernel_out, int nd,
                                 const int64_t *shape) {
  if (self->dtype == kernel_out) {
    tl_tensor_retain(self);
    return self;
  }
  return empty_like_layout(kernel_out, self, nd, shape);
}

static tl_status inplace_finish(tl_tensor *self, tl_tensor *target) {
  tl_status st = TL_OK;
  if (target != self) st = tl_copy_into(self, target);
  tl_tensor_release(target);
  if (st == TL_OK) tl_bump_version(self);
  return st;
}

/* Integer divisor containing a zero? */
static int has_zero(const tl_tensor *t) {
  tl_iter it;
  const tl_tensor *ops[1] = {t};
  if (tl_iter_tensors(&it, 1, ops, t->ndim, t->shape) != TL_OK) return 0;
  zero_ctx z = {0, tl_dtype_size(t->dtype)};
  tl_iter_run(&it, k_anyzero, &z);
  return z.found;
}

/* ================================================================ binary driver */

static tl_status binary_plan(tl_binary_op op, const tl_tensor *a, const tl_tensor *b,
                             double alpha, int *kid, tl_dtype *comp, tl_dtype *kout,
                             ew_ctx *ctx) {
  memset(ctx, 0, sizeof *ctx);
  if (op < 0 || op >= TL_BIN_NOPS) return tl_error(TL_ERR_VALUE, "unknown binary operation");
  const tl_tensor *ops[2] = {a, b};
  tl_dtype common = tl_result_type(2, ops);
  tl_dtype c = common;
  int k;
  switch (op) {
  case TL_BIN_ADD:
  case TL_BIN_SUB:
    if (op == TL_BIN_SUB && a->dtype == TL_BOOL && b->dtype == TL_BOOL)
      return tl_error(TL_ERR_RUNTIME,
                      "Subtraction, the `-` operator, with two bool tensors is not supported. "
                      "Use the `^` or `logical_xor()` operator instead.");
    if (!tl_dtype_is_floating(c) && alpha != floor(alpha))
      return tl_error(TL_ERR_RUNTIME, "For integral input tensors, argument alpha must not be "
                                      "a floating point number.");
    if (alpha == 1) {
      k = op == TL_BIN_ADD ? KB_ADD : KB_SUB;
    } else {
      double al = op == TL_BIN_SUB ? -alpha : alpha;
      k = KB_ADDA;
      if (c == TL_FLOAT32) ctx->d0 = (double)(float)al;
      else ctx->d0 = al;
      ctx->i0 = (al >= -9.2e18 && al <= 9.2e18) ? (int64_t)al : 0;
      if (c == TL_BOOL) ctx->i0 = al != 0;
    }
    break;
  case TL_BIN_MUL: k = KB_MUL; break;
  case TL_BIN_DIV:
    k = KB_DIV;
    if (!tl_dtype_is_floating(c)) c = TL_FLOAT32;
    break;
  case TL_BIN_DIV_TRUNC: k = KB_DIVT; break;
  case TL_BIN_DIV_FLOOR: k = KB_DIVF; break;
  case TL_BIN_REMAINDER: k = KB_REM; break;
  case TL_BIN_FMOD: k = KB_FMOD; break;
  case TL_BIN_POW: k = KB_POW; break;
  case TL_BIN_MAXIMUM: k = KB_MAX; break;
  case TL_BIN_MINIMUM: k = KB_MIN; break;
  case TL_BIN_EQ: k = KB_EQ; break;
  case TL_BIN_NE: k = KB_NE; break;
  case TL_BIN_LT: k = KB_LT; break;
  case TL_BIN_LE: k = KB_LE; break;
  case TL_BIN_GT: k = KB_GT; break;
  case TL_BIN_GE: k = KB_GE; break;
  case TL_BIN_LOGICAL_AND: k = KB_LAND; break;
  case TL_BIN_LOGICAL_OR: k = KB_LOR; break;
  default: k = KB_LXOR; break;
  }
  if (!bin_table[k][c])
    return tl_error(TL_ERR_TYPE, "\"%s_cpu\" not implemented for '%s'", bin_names[op],
                    tl_dtype_name(c));
  *kid = k;
  *comp = c;
  *kout = k >= KB_EQ && k <= KB_LXOR ? TL_BOOL : c;
  return TL_OK;
}

/* forward declaration: pow with a wrapped-number exponent */
static tl_tensor *pow_scalar(const tl_tensor *a, const tl_tensor *b, tl_tensor *self,
                             tl_status *status);

#define SMALL_NUMEL TL_SMALL_NUMEL /* < GRAIN_MATH, GRAIN_CHEAP: never split across threads */

/* A row (b: its last dim that of a, the others 1) added to, subtracted from, ... each row of
 * a contiguous a (a bias): for + - * / of floating tensors a rows kernel (all rows in one
 * call), else the kernel once per row, as the general driver's two-dimensional iteration
 * calls it; either way the same op on the same pairs of elements. Returns 0 when it does not
 * apply. */
static int binary_rows(int kid, tl_dtype comp, tl_dtype kout, ew_ctx *ctx, const tl_tensor *a,
                       const tl_tensor *b, tl_tensor **out) {
  if (a->ndim < 2 || b->ndim < 1 || b->ndim > a->ndim || a->dtype != comp || b->dtype != comp)
    return 0;
  int64_t k = a->shape[a->ndim - 1];
  if (k < 2 || b->shape[b->ndim - 1] != k || b->numel != k || a->numel > SMALL_NUMEL)
    return 0;
  if (!tl_is_contiguous(a) || !tl_is_contiguous(b)) return 0;
  tl_tensor *r = tl_tensor_empty(kout, a->ndim, a->shape);
  if (!r) {
    *out = NULL;
    return 1;
  }
  size_t es = tl_dtype_size(comp), eso = tl_dtype_size(kout);
  char *po = tl_data(r), *pa = tl_data(a), *pb = tl_data(b);
  rows_fn rf = rows_kernel(kid, comp);
  if (rf) {
    rf(po, pa, pb, a->numel / k, k, ctx);
    *out = r;
    return 1;
  }
  int64_t strides[3] = {(int64_t)eso, (int64_t)es, (int64_t)es};
  tl_loop_fn fn = bin_kernel(kid, comp);
  for (int64_t row = 0, rows = a->numel / k; row < rows; row++) {
    char *data[3] = {po + (size_t)(row * k) * eso, pa + (size_t)(row * k) * es, pb};
    fn(data, strides, k, ctx);
  }
  *out = r;
  return 1;
}

/* The small-tensor path of an out-of-place binary op (the loops of teaching and statistics):
 * both operands contiguous, of equal shapes or one of them a single element (or a row over
 * a matrix's rows, binary_rows), each either of the computation dtype or a single element
 * (converted as op_prepare does), and few enough elements that the generic driver would run
 * them on one thread in one call. The result is that of binary_exec (contiguous, like its
 * layout source; the same kernel over the same run), without the broadcasting and iteration
 * set-up. Returns 0 when it does not apply. */
static int binary_small(int kid, tl_dtype comp, tl_dtype kout, ew_ctx *ctx, const tl_tensor *a,
                        const tl_tensor *b, tl_tensor **out) {
  const tl_tensor *full;
  if (same_shape(a->ndim, a->shape, b->ndim, b->shape) || (b->numel == 1 && b->ndim <= a->ndim))
    full = a;
  else if (a->numel == 1 && a->ndim <= b->ndim)
    full = b;
  else
    return binary_rows(kid, comp, kout, ctx, a, b, out);
  int64_t n = full->numel;
  if (n == 0 || n > SMALL_NUMEL) return 0;
  if ((a->dtype != comp && a->numel != 1) || (b->dtype != comp && b->numel != 1)) return 0;
  if ((a->numel != 1 && !tl_is_contiguous(a)) || (b->numel != 1 && !tl_is_contiguous(b)))
    return 0;
  tl_tensor *r = tl_tensor_empty(kout, full->ndim, full->shape);
  if (!r) {
    *out = NULL;
    return 1;
  }
  ew_operand ca, cb; /* only their one-element buffers are used */
  size_t es = tl_dtype_size(comp);
  char *data[3];
  int64_t strides[3];
  data[0] = (char *)tl_data(r);
  strides[0] = (int64_t)tl_dtype_size(kout);
  if (a->dtype == comp) data[1] = (char *)tl_data(a);
  else scalar_cast(&ca.buf, comp, a), data[1] = (char *)&ca.buf;
  if (b->dtype == comp) data[2] = (char *)tl_data(b);
  else scalar_cast(&cb.buf, comp, b), data[2] = (char *)&cb.buf;
  strides[1] = a->numel == 1 ? 0 : (int64_t)es;
  strides[2] = b->numel == 1 ? 0 : (int64_t)es;
  if (n == 1) strides[0] = strides[1] = strides[2] = 0; /* as run_loop calls it */
  bin_kernel(kid, comp)(data, strides, n, ctx);
  *out = r;
  return 1;
}

/* The in-place form (self op= b, self being the first operand): self contiguous and of the
 * kernel's dtypes, b as in binary_small and in other memory; what the general driver's
 * checks would accept, with the same kernel call. Returns 0 when it does not apply. */
static int binary_small_(int kid, tl_dtype comp, tl_dtype kout, ew_ctx *ctx, tl_tensor *self,
                         const tl_tensor *b) {
  int64_t n = self->numel;
  if (n == 0 || n > SMALL_NUMEL || self->dtype != comp || kout != comp) return 0;
  if (!same_shape(self->ndim, self->shape, b->ndim, b->shape) &&
      !(b->numel == 1 && b->ndim <= self->ndim))
    return 0;
  if (b->storage == self->storage || (b->dtype != comp && b->numel != 1)) return 0;
  if (!tl_is_contiguous(self) || (b->numel != 1 && !tl_is_contiguous(b))) return 0;
  ew_operand cb; /* only its one-element buffer is used */
  char *data[3];
  int64_t strides[3] = {0, 0, 0};
  data[0] = data[1] = (char *)tl_data(self);
  if (b->dtype == comp) data[2] = (char *)tl_data(b);
  else scalar_cast(&cb.buf, comp, b), data[2] = (char *)&cb.buf;
  if (n > 1) {
    strides[0] = strides[1] = (int64_t)tl_dtype_size(comp);
    strides[2] = b->numel == 1 ? 0 : strides[0];
  }
  bin_kernel(kid, comp)(data, strides, n, ctx);
  tl_bump_version(self);
  return 1;
}

/* Runs kernel kid over a and b broadcast to `shape`, converted to comp: into self (already
 * checked) or into a new tensor laid out like the first full-shape operand. */
static tl_tensor *binary_exec(int kid, tl_dtype comp, tl_dtype kout, ew_ctx *ctx,
                              const tl_tensor *a, const tl_tensor *b, int nd,
                              const int64_t *shape, tl_tensor *self, tl_status *status) {
  ew_operand ins[2];
  tl_status st = op_prepare(&ins[0], a, comp, nd, shape);
  if (st == TL_OK) {
    st = op_prepare(&ins[1], b, comp, nd, shape);
    if (st != TL_OK) op_release(&ins[0]);
  }
  if (st != TL_OK) {
    *status = st;
    return NULL;
  }
  tl_tensor *out = self ? inplace_target(self, kout, nd, shape)
                        : empty_like_layout(kout, layout_source(a, b, nd, shape), nd, shape);
  if (!out) {
    op_release(&ins[0]);
    op_release(&ins[1]);
    *status = tl_last_status();
    return NULL;
  }
  run_loop(out, ins, 2, nd, shape, bin_kernel(kid, comp), ctx,
           kid == KB_POW || kid == KB_REM || kid == KB_FMOD ? GRAIN_MATH : GRAIN_CHEAP);
  op_release(&ins[0]);
  op_release(&ins[1]);
  if (self) {
    *status = inplace_finish(self, out);
    return NULL;
  }
  return out;
}

/* out-of-place (self == NULL) or in-place into self */
static tl_tensor *binary_run(tl_binary_op op, const tl_tensor *a, const tl_tensor *b,
                             double alpha, tl_tensor *self, tl_status *status) {
  *status = TL_OK;
  if (op == TL_BIN_POW && b->wrapped_number && b->ndim == 0 && !a->wrapped_number)
    return pow_scalar(a, b, self, status);
  int kid = 0;
  tl_dtype comp = TL_FLOAT32, kout = TL_FLOAT32;
  ew_ctx ctx;
  tl_status st = binary_plan(op, a, b, alpha, &kid, &comp, &kout, &ctx);
  /* (the integer divisions check their divisor below) */
  if (st == TL_OK && kid != KB_DIVT && kid != KB_DIVF && kid != KB_REM && kid != KB_FMOD) {
    if (!self) {
      tl_tensor *out;
      if (binary_small(kid, comp, kout, &ctx, a, b, &out)) {
        if (!out) *status = tl_last_status();
        return out;
      }
    } else if (a == self && binary_small_(kid, comp, kout, &ctx, self, b)) {
      return NULL;
    }
  }
  int nd;
  int64_t shape[TL_MAX_DIMS];
  if (st == TL_OK) st = tl_broadcast_shapes(a->ndim, a->shape, b->ndim, b->shape, &nd, shape);
  if (st != TL_OK) {
    *status = st;
    return NULL;
  }
  if (self) {
    if (!same_shape(self->ndim, self->shape, nd, shape)) st = shape_mismatch(self, nd, shape);
    else if (!tl_can_cast(kout, self->dtype)) st = cast_error(kout, self->dtype);
    else st = check_internal_overlap(self);
    if (st == TL_OK) st = check_partial_overlap(self, b);
    if (st != TL_OK) {
      *status = st;
      return NULL;
    }
  }
  if ((kid == KB_DIVT || kid == KB_DIVF || kid == KB_REM || kid == KB_FMOD) &&
      !tl_dtype_is_floating(comp) && has_zero(b)) {
    *status = tl_error(TL_ERR_RUNTIME, "ZeroDivisionError");
    return NULL;
  }
  return binary_exec(kid, comp, kout, &ctx, a, b, nd, shape, self, status);
}

tl_tensor *tl_binary(tl_binary_op op, const tl_tensor *a, const tl_tensor *b, double alpha) {
  tl_status st;
  return binary_run(op, a, b, alpha, NULL, &st);
}

tl_status tl_binary_(tl_binary_op op, tl_tensor *self, const tl_tensor *other, double alpha) {
  tl_status st;
  binary_run(op, self, other, alpha, self, &st);
  return st;
}

/* grad and the forward result y broadcast, in their promoted (floating) dtype */
static tl_tensor *activation_backward(int kid, const char *name, const tl_tensor *grad,
                                      const tl_tensor *y) {
  const tl_tensor *ops[2] = {grad, y};
  tl_dtype comp = tl_result_type(2, ops);
  if (!bin_table[kid][comp]) {
    tl_error(TL_ERR_TYPE, "\"%s_cpu\" not implemented for '%s'", name, tl_dtype_name(comp));
    return NULL;
  }
  int nd;
  int64_t shape[TL_MAX_DIMS];
  if (tl_broadcast_shapes(grad->ndim, grad->shape, y->ndim, y->shape, &nd, shape) != TL_OK)
    return NULL;
  ew_ctx ctx = {0};
  tl_status st;
  return binary_exec(kid, comp, comp, &ctx, grad, y, nd, shape, NULL, &st);
}

tl_tensor *tl_sigmoid_backward(const tl_tensor *grad, const tl_tensor *y) {
  return activation_backward(KB_SIGB, "sigmoid_backward", grad, y);
}
tl_tensor *tl_tanh_backward(const tl_tensor *grad, const tl_tensor *y) {
  return activation_backward(KB_TANHB, "tanh_backward", grad, y);
}

tl_tensor *tl_add(const tl_tensor *a, const tl_tensor *b, double alpha) {
  return tl_binary(TL_BIN_ADD, a, b, alpha);
}
tl_tensor *tl_sub(const tl_tensor *a, const tl_tensor *b, double alpha) {
  return tl_binary(TL_BIN_SUB, a, b, alpha);
}
tl_tensor *tl_mul(const tl_tensor *a, const tl_tensor *b) {
  return tl_binary(TL_BIN_MUL, a, b, 1);
}
static tl_binary_op div_op(tl_rounding_mode mode) {
  return mode == TL_ROUND_TRUNC ? TL_BIN_DIV_TRUNC
         : mode == TL_ROUND_FLOOR ? TL_BIN_DIV_FLOOR
                                  : TL_BIN_DIV;
}
tl_tensor *tl_div(const tl_tensor *a, const tl_tensor *b, tl_rounding_mode mode) {
  return tl_binary(div_op(mode), a, b, 1);
}
tl_tensor *tl_pow(const tl_tensor *a, const tl_tensor *b) {
  return tl_binary(TL_BIN_POW, a, b, 1);
}
tl_tensor *tl_remainder(const tl_tensor *a, const tl_tensor *b) {
  return tl_binary(TL_BIN_REMAINDER, a, b, 1);
}
tl_tensor *tl_fmod(const tl_tensor *a, const tl_tensor *b) {
  return tl_binary(TL_BIN_FMOD, a, b, 1);
}
tl_tensor *tl_maximum(const tl_tensor *a, const tl_tensor *b) {
  return tl_binary(TL_BIN_MAXIMUM, a, b, 1);
}
tl_tensor *tl_minimum(const tl_tensor *a, const tl_tensor *b) {
  return tl_binary(TL_BIN_MINIMUM, a, b, 1);
}
tl_tensor *tl_eq(const tl_tensor *a, const tl_tensor *b) { return tl_binary(TL_BIN_EQ, a, b, 1); }
tl_tensor *tl_ne(const tl_tensor *a, const tl_tensor *b) { return tl_binary(TL_BIN_NE, a, b, 1); }
tl_tensor *tl_lt(const tl_tensor *a, const tl_tensor *b) { return tl_binary(TL_BIN_LT, a, b, 1); }
tl_tensor *tl_le(const tl_tensor *a, const tl_tensor *b) { return tl_binary(TL_BIN_LE, a, b, 1); }
tl_tensor *tl_gt(const tl_tensor *a, const tl_tensor *b) { return tl_binary(TL_BIN_GT, a, b, 1); }
tl_tensor *tl_ge(const tl_tensor *a, const tl_tensor *b) { return tl_binary(TL_BIN_GE, a, b, 1); }
tl_tensor *tl_logical_and(const tl_tensor *a, const tl_tensor *b) {
  return tl_binary(TL_BIN_LOGICAL_AND, a, b, 1);
}
tl_tensor *tl_logical_or(const tl_tensor *a, const tl_tensor *b) {
  return tl_binary(TL_BIN_LOGICAL_OR, a, b, 1);
}
tl_tensor *tl_logical_xor(const tl_tensor *a, const tl_tensor *b) {
  return tl_binary(TL_BIN_LOGICAL_XOR, a, b, 1);
}

tl_status tl_add_(tl_tensor *self, const tl_tensor *other, double alpha) {
  return tl_binary_(TL_BIN_ADD, self, other, alpha);
}
tl_status tl_sub_(tl_tensor *self, const tl_tensor *other, double alpha) {
  return tl_binary_(TL_BIN_SUB, self, other, alpha);
}
tl_status tl_mul_(tl_tensor *self, const tl_tensor *other) {
  return tl_binary_(TL_BIN_MUL, self, other, 1);
}
tl_status tl_div_(tl_tensor *self, const tl_tensor *other, tl_rounding_mode mode) {
  return tl_binary_(div_op(mode), self, other, 1);
}
tl_status tl_pow_(tl_tensor *self, const tl_tensor *other) {
  return tl_binary_(TL_BIN_POW, self, other, 1);
}
tl_status tl_remainder_(tl_tensor *self, const tl_tensor *other) {
  return tl_binary_(TL_BIN_REMAINDER, self, other, 1);
}
tl_status tl_fmod_(tl_tensor *self, const tl_tensor *other) {
  return tl_binary_(TL_BIN_FMOD, self, other, 1);
}

/* ================================================================ unary driver */

/* Runs a unary kernel computing in `comp` and producing `kout`, out of place (self NULL)
 * or into self. */
static tl_tensor *unary_run(const tl_tensor *x, tl_loop_fn fn, ew_ctx *ctx, tl_dtype comp,
                            tl_dtype kout, int64_t grain, tl_tensor *self, tl_status *status) {
  *status = TL_OK;
  tl_status st;
  if (self) {
    if (!tl_can_cast(kout, self->dtype)) st = cast_error(kout, self->dtype);
    else st = check_internal_overlap(self);
    if (st != TL_OK) {
      *status = st;
      return NULL;
    }
  }
  const int nd = x->ndim;
  const int64_t *shape = x->shape;
  if (!self && x->dtype == comp && x->numel > 0 && x->numel <= SMALL_NUMEL &&
      tl_is_contiguous(x)) { /* small and contiguous: as binary_small */
    tl_tensor *r = tl_tensor_empty(kout, nd, shape);
    if (!r) {
      *status = tl_last_status();
      return NULL;
    }
    char *data[2] = {(char *)tl_data(r), (char *)tl_data(x)};
    int64_t strides[2] = {0, 0};
    if (x->numel > 1) {
      strides[0] = (int64_t)tl_dtype_size(kout);
      strides[1] = (int64_t)tl_dtype_size(comp);
    }
    fn(data, strides, x->numel, ctx);
    return r;
  }
  ew_operand in;
  tl_tensor *out = NULL;
  if (!self && x->dtype != comp && kout == comp) {
    /* convert into the result and apply the kernel there */
    out = empty_like_layout(comp, x, nd, shape);
    if (out && tl_copy_into(out, x) != TL_OK) {
      tl_tensor_release(out);
      out = NULL;
    }
    if (!out) {
      *status = tl_last_status();
      return NULL;
    }
    (void)op_prepare(&in, out, comp, nd, shape); /* same dtype: cannot fail */
    run_loop(out, &in, 1, nd, shape, fn, ctx, grain);
    return out;
  }
  st = op_prepare(&in, x, comp, nd, shape);
  if (st != TL_OK) {
    *status = st;
    return NULL;
  }
  out = self ? inplace_target(self, kout, nd, shape) : empty_like_layout(kout, x, nd, shape);
  if (!out) {
    op_release(&in);
    *status = tl_last_status();
    return NULL;
  }
  run_loop(out, &in, 1, nd, shape, fn, ctx, grain);
  op_release(&in);
  if (self) {
    *status = inplace_finish(self, out);
    return NULL;
  }
  return out;
}

/* the identity of floor/ceil/round/trunc on integers */
static tl_tensor *identity_run(const tl_tensor *x, tl_tensor *self, tl_status *status) {
  *status = TL_OK;
  if (self) {
    tl_bump_version(self);
    return NULL;
  }
  tl_tensor *out = tl_clone(x);
  if (!out) *status = tl_last_status();
  return out;
}

static tl_tensor *unary_dispatch(tl_unary_op op, const tl_tensor *x, tl_tensor *self,
                                 tl_status *status) {
  if (op < 0 || op >= TL_UN_NOPS) {
    *status = tl_error(TL_ERR_VALUE, "unknown unary operation");
    return NULL;
  }
  const un_info *u = &un_table[op];
  tl_dtype dt = x->dtype, comp = dt, kout;
  ew_ctx ctx;
  memset(&ctx, 0, sizeof ctx);
  switch (u->kind) {
  case UK_FLOAT:
    if (!tl_dtype_is_floating(dt)) comp = TL_FLOAT32;
    break;
  case UK_SAME:
    if (dt == TL_BOOL) {
      if (op == TL_UN_NEG)
        *status = tl_error(TL_ERR_RUNTIME,
                           "Negation, the `-` operator, on a bool tensor is not supported. If "
                           "you are trying to invert a mask, use the `~` or `logical_not()` "
                           "operator instead.");
      else if (op == TL_UN_RELU)
        *status = tl_error(TL_ERR_RUNTIME, "Boolean inputs not supported for relu");
      else
        *status = tl_error(TL_ERR_TYPE, "\"%s_cpu\" not implemented for 'Bool'", u->name);
      return NULL;
    }
    break;
  case UK_SAME_B: break;
  case UK_ROUNDING:
    if (dt == TL_BOOL) {
      *status = tl_error(TL_ERR_TYPE, "\"%s_cpu\" not implemented for 'Bool'", u->name);
      return NULL;
    }
    if (!tl_dtype_is_floating(dt)) return identity_run(x, self, status);
    break;
  case UK_FLOATONLY:
    if (!tl_dtype_is_floating(dt)) {
      *status = tl_error(TL_ERR_TYPE, "\"%s_cpu\" not implemented for '%s'", u->name,
                         tl_dtype_name(dt));
      return NULL;
    }
    break;
  case UK_SQUARE:
    if (dt == TL_BOOL) comp = TL_INT64;
    ctx.i0 = 2;
    break;
  default: break;
  }
  kout = u->kind == UK_BOOLOUT ? TL_BOOL : comp;
  int64_t grain = u->kind == UK_FLOAT ? GRAIN_MATH : GRAIN_CHEAP;
  return unary_run(x, simd_variant(u->k[comp]), &ctx, comp, kout, grain, self, status);
}

tl_tensor *tl_unary(tl_unary_op op, const tl_tensor *x) {
  tl_status st;
  return unary_dispatch(op, x, NULL, &st);
}

tl_status tl_unary_(tl_unary_op op, tl_tensor *self) {
  tl_status st;
  unary_dispatch(op, self, self, &st);
  return st;
}

#define NAMED_UNARY(name, OP) \
  tl_tensor *tl_##name(const tl_tensor *x) { return tl_unary(OP, x); }
NAMED_UNARY(neg, TL_UN_NEG)
NAMED_UNARY(abs, TL_UN_ABS)
NAMED_UNARY(sqrt, TL_UN_SQRT)
NAMED_UNARY(rsqrt, TL_UN_RSQRT)
NAMED_UNARY(exp, TL_UN_EXP)
NAMED_UNARY(exp2, TL_UN_EXP2)
NAMED_UNARY(log, TL_UN_LOG)
NAMED_UNARY(log2, TL_UN_LOG2)
NAMED_UNARY(log10, TL_UN_LOG10)
NAMED_UNARY(log1p, TL_UN_LOG1P)
NAMED_UNARY(expm1, TL_UN_EXPM1)
NAMED_UNARY(sin, TL_UN_SIN)
NAMED_UNARY(cos, TL_UN_COS)
NAMED_UNARY(tan, TL_UN_TAN)
NAMED_UNARY(asin, TL_UN_ASIN)
NAMED_UNARY(acos, TL_UN_ACOS)
NAMED_UNARY(atan, TL_UN_ATAN)
NAMED_UNARY(sinh, TL_UN_SINH)
NAMED_UNARY(cosh, TL_UN_COSH)
NAMED_UNARY(tanh, TL_UN_TANH)
NAMED_UNARY(sigmoid, TL_UN_SIGMOID)
NAMED_UNARY(reciprocal, TL_UN_RECIPROCAL)
NAMED_UNARY(relu, TL_UN_RELU)
NAMED_UNARY(sign, TL_UN_SIGN)
NAMED_UNARY(floor, TL_UN_FLOOR)
NAMED_UNARY(ceil, TL_UN_CEIL)
NAMED_UNARY(trunc, TL_UN_TRUNC)
NAMED_UNARY(frac, TL_UN_FRAC)
NAMED_UNARY(square, TL_UN_SQUARE)
NAMED_UNARY(logical_not, TL_UN_LOGICAL_NOT)

/* ---------------------------------------------------------------- round with decimals */

static tl_tensor *round_run(const tl_tensor *x, int64_t decimals, tl_tensor *self,
                            tl_status *status) {
  if (decimals == 0) return unary_dispatch(TL_UN_ROUND, x, self, status);
  if (x->dtype == TL_BOOL) {
    *status = tl_error(TL_ERR_TYPE, "\"round_cpu\" not implemented for 'Bool'");
    return NULL;
  }
  if (!tl_dtype_is_floating(x->dtype)) return identity_run(x, self, status);
  ew_ctx ctx;
  memset(&ctx, 0, sizeof ctx);
  int64_t d = decimals;
  ctx.flag = d < 0;
  if (d < 0) d = -d;
  ctx.d0 = pow(10.0, (double)d);
  if (x->dtype == TL_FLOAT32) ctx.d0 = (double)(float)ctx.d0;
  tl_loop_fn fn = x->dtype == TL_FLOAT32 ? k_roundd_f32 : k_roundd_f64;
  return unary_run(x, fn, &ctx, x->dtype, x->dtype, GRAIN_CHEAP, self, status);
}

tl_tensor *tl_round(const tl_tensor *x, int64_t decimals) {
  tl_status st;
  return round_run(x, decimals, NULL, &st);
}

tl_status tl_round_(tl_tensor *self, int64_t decimals) {
  tl_status st;
  round_run(self, decimals, self, &st);
  return st;
}

/* ---------------------------------------------------------------- pow with a scalar */

static tl_tensor *pow_scalar(const tl_tensor *a, const tl_tensor *b, tl_tensor *self,
                             tl_status *status) {
  const tl_tensor *ops[2] = {a, b};
  tl_dtype comp = tl_result_type(2, ops);
  ew_ctx ctx;
  memset(&ctx, 0, sizeof ctx);
  tl_loop_fn fn;
  int64_t grain = GRAIN_CHEAP;
  if (comp == TL_BOOL) {
    *status = tl_error(TL_ERR_TYPE, "\"pow\" not implemented for 'Bool'");
    return NULL;
  }
  if (tl_dtype_is_floating(comp)) {
    double e = scalar_double(b);
    int f = comp == TL_FLOAT32;
    if (e == 0.5) fn = f ? k_sqrt_f32 : k_sqrt_f64;
    else if (e == -0.5) fn = f ? k_rsqrt_f32 : k_rsqrt_f64;
    else if (e == -1) fn = f ? k_recip_f32 : k_recip_f64;
    else if (e == 2) fn = f ? k_sq_f32 : k_sq_f64;
    else if (e == 3) fn = f ? k_cube_f32 : k_cube_f64;
    else if (e == -2) fn = f ? k_invsq_f32 : k_invsq_f64;
    else {
      fn = f ? k_powd_f32 : k_powd_f64;
      ctx.d0 = e;
      grain = GRAIN_MATH;
    }
  } else {
    int64_t e = scalar_int(b);
    if (e < 0) {
      *status = tl_error(TL_ERR_RUNTIME, "Integers to negative integer powers are not allowed.");
      return NULL;
    }
    ctx.i0 = e;
    fn = comp == TL_INT32 ? k_powi_i32 : k_powi_i64;
  }
  if (self && !same_shape(self->ndim, self->shape, a->ndim, a->shape)) {
    *status = shape_mismatch(self, a->ndim, a->shape);
    return NULL;
  }
  return unary_run(a, simd_variant(fn), &ctx, comp, comp, grain, self, status);
}

/* ================================================================ clamp */

static tl_tensor *clamp_run(const tl_tensor *x, const tl_tensor *lo, const tl_tensor *hi,
                            tl_tensor *self, tl_status *status) {
  *status = TL_OK;
  if (!lo && !hi) {
    *status = tl_error(TL_ERR_VALUE, "At least one of 'min' or 'max' must not be None");
    return NULL;
  }
  const tl_tensor *ops[3] = {x, lo, hi};
  tl_dtype comp = tl_result_type(3, ops);
  if (comp == TL_BOOL) {
    *status = tl_error(TL_ERR_TYPE, "\"clamp_cpu\" not implemented for 'Bool'");
    return NULL;
  }
  int scalar_bounds = (!lo || (lo->wrapped_number && lo->ndim == 0)) &&
                      (!hi || (hi->wrapped_number && hi->ndim == 0));
  ew_ctx ctx;
  memset(&ctx, 0, sizeof ctx);
  if (scalar_bounds) {
    /* bounds as values of the computation type; an absent bound is the type's extreme */
    if (tl_dtype_is_floating(comp)) {
      double l = -INFINITY, h = INFINITY;
      if (comp == TL_FLOAT32) {
        float v;
        if (lo) { scalar_cast(&v, comp, lo); l = v; }
        if (hi) { scalar_cast(&v, comp, hi); h = v; }
      } else {
        if (lo) scalar_cast(&l, comp, lo);
        if (hi) scalar_cast(&h, comp, hi);
      }
      ctx.d0 = l;
      ctx.d1 = h;
    } else if (comp == TL_INT32) {
      int32_t l = INT32_MIN, h = INT32_MAX;
      if (lo) scalar_cast(&l, comp, lo);
      if (hi) scalar_cast(&h, comp, hi);
      ctx.i0 = l;
      ctx.i1 = h;
    } else {
      int64_t l = INT64_MIN, h = INT64_MAX;
      if (lo) scalar_cast(&l, comp, lo);
      if (hi) scalar_cast(&h, comp, hi);
      ctx.i0 = l;
      ctx.i1 = h;
    }
    tl_loop_fn fn = comp == TL_INT32   ? k_clamps_i32
                    : comp == TL_INT64 ? k_clamps_i64
                    : comp == TL_FLOAT32 ? k_clamps_f32
                                         : k_clamps_f64;
    return unary_run(x, simd_variant(fn), &ctx, comp, comp, GRAIN_CHEAP, self, status);
  }
  /* tensor bounds: broadcast all three */
  int nd = x->ndim;
  int64_t shape[TL_MAX_DIMS];
  for (int i = 0; i < nd; i++) shape[i] = x->shape[i];
  tl_status st = TL_OK;
  if (lo) st = tl_broadcast_shapes(nd, shape, lo->ndim, lo->shape, &nd, shape);
  if (st == TL_OK && hi) st = tl_broadcast_shapes(nd, shape, hi->ndim, hi->shape, &nd, shape);
  if (st == TL_OK && self) {
    if (!same_shape(self->ndim, self->shape, nd, shape)) st = shape_mismatch(self, nd, shape);
    else if (!tl_can_cast(comp, self->dtype)) st = cast_error(comp, self->dtype);
    else st = check_internal_overlap(self);
    if (st == TL_OK) st = check_partial_overlap(self, lo);
    if (st == TL_OK) st = check_partial_overlap(self, hi);
  }
  if (st != TL_OK) {
    *status = st;
    return NULL;
  }
  ew_operand ins[3];
  int nprep = 0;
  const tl_tensor *src[3] = {x, lo, hi};
  for (int k = 0; k < 3 && st == TL_OK; k++) {
    if (src[k]) {
      st = op_prepare(&ins[k], src[k], comp, nd, shape);
    } else {
      /* absent bound: the extreme of the type, broadcast */
      ins[k].tmp = NULL;
      ins[k].esize = tl_dtype_size(comp);
      for (int i = 0; i < nd; i++) ins[k].strides[i] = 0;
      int low = k == 1;
      switch (comp) {
      case TL_INT32: ins[k].buf.i32 = low ? INT32_MIN : INT32_MAX; break;
      case TL_INT64: ins[k].buf.i = low ? INT64_MIN : INT64_MAX; break;
      case TL_FLOAT32: ins[k].buf.f = low ? -INFINITY : INFINITY; break;
      default: ins[k].buf.d = low ? -INFINITY : INFINITY; break;
      }
      ins[k].data = (char *)&ins[k].buf;
    }
    if (st == TL_OK) nprep++;
  }
  tl_tensor *out = NULL;
  if (st == TL_OK) {
    out = self ? inplace_target(self, comp, nd, shape) : empty_like_layout(comp, x, nd, shape);
    if (!out) st = tl_last_status();
  }
  if (st != TL_OK) {
    for (int k = 0; k < nprep; k++) op_release(&ins[k]);
    *status = st;
    return NULL;
  }
  tl_loop_fn fn = comp == TL_INT32   ? k_clampt_i32
                  : comp == TL_INT64 ? k_clampt_i64
                  : comp == TL_FLOAT32 ? k_clampt_f32
                                       : k_clampt_f64;
  run_loop(out, ins, 3, nd, shape, fn, NULL, GRAIN_CHEAP);
  for (int k = 0; k < 3; k++) op_release(&ins[k]);
  if (self) {
    *status = inplace_finish(self, out);
    return NULL;
  }
  return out;
}

tl_tensor *tl_clamp(const tl_tensor *x, const tl_tensor *min, const tl_tensor *max) {
  tl_status st;
  return clamp_run(x, min, max, NULL, &st);
}

tl_status tl_clamp_(tl_tensor *self, const tl_tensor *min, const tl_tensor *max) {
  tl_status st;
  clamp_run(self, min, max, self, &st);
  return st;
}

/* ================================================================ where */

tl_tensor *tl_where(const tl_tensor *condition, const tl_tensor *a, const tl_tensor *b) {
  if (condition->dtype != TL_BOOL) {
    tl_error(TL_ERR_RUNTIME,
             "where expected condition to be a boolean tensor, but got a tensor with dtype %s",
             tl_dtype_name(condition->dtype));
    return NULL;
  }
  const tl_tensor *ops[2] = {a, b};
  tl_dtype comp = tl_result_type(2, ops);
  int nd;
  int64_t shape[TL_MAX_DIMS];
  if (tl_broadcast_shapes(condition->ndim, condition->shape, a->ndim, a->shape, &nd, shape) !=
          TL_OK ||
      tl_broadcast_shapes(nd, shape, b->ndim, b->shape, &nd, shape) != TL_OK)
    return NULL;
  ew_operand ins[3];
  if (op_prepare(&ins[0], condition, TL_BOOL, nd, shape) != TL_OK) return NULL;
  if (op_prepare(&ins[1], a, comp, nd, shape) != TL_OK) {
    op_release(&ins[0]);
    return NULL;
  }
  if (op_prepare(&ins[2], b, comp, nd, shape) != TL_OK) {
    op_release(&ins[0]);
    op_release(&ins[1]);
    return NULL;
  }
  const tl_tensor *like = layout_source(condition, a, nd, shape);
  if (!like) like = layout_source(b, NULL, nd, shape);
  tl_tensor *out = empty_like_layout(comp, like, nd, shape);
  if (out) {
    size_t es = tl_dtype_size(comp);
    tl_loop_fn fn = where_kernel(es);
    run_loop(out, ins, 3, nd, shape, fn, NULL, GRAIN_CHEAP);
  }
  for (int k = 0; k < 3; k++) op_release(&ins[k]);
  return out;
}

/* ================================================================ fills */

static tl_status mask_check(const tl_tensor *mask, const tl_tensor *value) {
  if (mask->dtype != TL_BOOL)
    return tl_error(TL_ERR_RUNTIME,
                    "masked_fill_ only supports boolean masks, but got mask with dtype %s",
                    tl_dtype_name(mask->dtype));
  if (value->ndim != 0)
    return tl_error(TL_ERR_RUNTIME,
                    "masked_fill_ only supports a 0-dimensional value tensor, but got tensor "
                    "with %d dimension(s).",
                    value->ndim);
  return TL_OK;
}

/* fills the elements of t (whose shape is the iteration shape) where mask is true */
static tl_status mask_fill_into(tl_tensor *t, const tl_tensor *mask, const tl_tensor *value) {
  ew_operand m;
  tl_status st = op_prepare(&m, mask, TL_BOOL, t->ndim, t->shape);
  if (st != TL_OK) return st;
  ew_ctx ctx;
  memset(&ctx, 0, sizeof ctx);
  scalar_cast(&ctx.i0, t->dtype, value);
  size_t es = tl_dtype_size(t->dtype);
  tl_loop_fn fn = es == 1 ? k_mfill_1 : es == 4 ? k_mfill_4 : k_mfill_8;
  run_loop(t, &m, 1, t->ndim, t->shape, fn, &ctx, GRAIN_CHEAP);
  op_release(&m);
  return TL_OK;
}

tl_status tl_masked_fill_(tl_tensor *self, const tl_tensor *mask, const tl_tensor *value) {
  tl_status st = mask_check(mask, value);
  if (st != TL_OK) return st;
  int nd;
  int64_t shape[TL_MAX_DIMS];
  st = tl_broadcast_shapes(self->ndim, self->shape, mask->ndim, mask->shape, &nd, shape);
  if (st != TL_OK) return st;
  if (!same_shape(self->ndim, self->shape, nd, shape)) return shape_mismatch(self, nd, shape);
  st = check_internal_overlap(self);
  if (st == TL_OK) st = check_partial_overlap(self, mask);
  if (st == TL_OK) st = mask_fill_into(self, mask, value);
  if (st == TL_OK) tl_bump_version(self);
  return st;
}

tl_tensor *tl_masked_fill(const tl_tensor *self, const tl_tensor *mask, const tl_tensor *value) {
  if (mask_check(mask, value) != TL_OK) return NULL;
  int nd;
  int64_t shape[TL_MAX_DIMS];
  if (tl_broadcast_shapes(self->ndim, self->shape, mask->ndim, mask->shape, &nd, shape) != TL_OK)
    return NULL;
  tl_tensor *out = tl_tensor_empty(self->dtype, nd, shape); /* contiguous, as libtorch's */
  if (!out) return NULL;
  if (tl_copy_into(out, self) != TL_OK || mask_fill_into(out, mask, value) != TL_OK) {
    tl_tensor_release(out);
    return NULL;
  }
  return out;
}

tl_status tl_fill_(tl_tensor *self, const tl_tensor *value) {
  if (value->ndim != 0)
    return tl_error(TL_ERR_RUNTIME,
                    "fill_ only supports 0-dimension value tensor but got tensor with %d "
                    "dimensions.",
                    value->ndim);
  tl_status st = tl_copy_into(self, value);
  if (st == TL_OK) tl_bump_version(self);
  return st;
}

tl_status tl_zero_(tl_tensor *self) {
  if (tl_is_contiguous(self)) {
    if (self->numel > 0) memset(tl_data(self), 0, (size_t)self->numel * tl_dtype_size(self->dtype));
    tl_bump_version(self);
    return TL_OK;
  }
  return tl_fill(self, 0.0);
}

tl_status tl_copy_(tl_tensor *self, const tl_tensor *src) {
  int nd;
  int64_t shape[TL_MAX_DIMS];
  tl_status st = tl_broadcast_shapes(self->ndim, self->shape, src->ndim, src->shape, &nd, shape);
  if (st != TL_OK) return st;
  if (!same_shape(self->ndim, self->shape, nd, shape)) return shape_mismatch(self, nd, shape);
  st = check_internal_overlap(self);
  if (st != TL_OK) return st;
  if (src == self) {
    tl_bump_version(self);
    return TL_OK;
  }
  /* overlapping memory: copy through a temporary */
  tl_tensor *tmp = NULL;
  if (src->storage == self->storage && src->numel > 0 && self->numel > 0) {
    tmp = tl_clone(src);
    if (!tmp) return tl_last_status();
    src = tmp;
  }
  st = tl_copy_into(self, src);
  tl_tensor_release(tmp);
  if (st == TL_OK) tl_bump_version(self);
  return st;
}
