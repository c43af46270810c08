/*
 * torchlite random number generation: bit-compatible re-implementation of
 * libtorch's CPU generator and CPU distribution kernels (see random.h).
 *
 * Floating-point expression contraction (turning a*b+c into one fused
 * multiply-add) must be disabled for this file: every place where libtorch's
 * kernels are fused is written with an explicit fma()/fmaf(), and every other
 * operation has to be rounded separately. ISO C modes (-std=c11) already
 * default to -ffp-contract=off in GCC, but GNU modes (-std=gnu11, what R uses)
 * do not, so force it.
 */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize ("fp-contract=off")
#endif

#include "random.h"

#include <math.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* Generator state                                                           */
/* ------------------------------------------------------------------------ */

#define MT_N 624
#define MT_M 397
#define MT_MATRIX_A 0x9908b0dfu
#define MT_UMASK 0x80000000u
#define MT_LMASK 0x7fffffffu

typedef struct {
  uint64_t seed;        /* value given to manual_seed (full 64 bits) */
  int32_t left;         /* numbers left before the next twist (+1) */
  uint32_t next;        /* index of the next state word */
  uint32_t state[MT_N];
  int has_double_normal; /* cached second Box-Muller sample (double path) */
  double double_normal;
  int has_float_normal;  /* libtorch's float cache: never set by the CPU
                            kernels, kept only for state round trips */
  float float_normal;
} tl_rng_t;

static tl_rng_t g_rng;
static int g_rng_initialised = 0;
static int g_cap = TL_RNG_CAP_AVX2;

static void mt_seed(tl_rng_t *g, uint64_t seed) {
  int j;
  g->seed = seed;
  g->state[0] = (uint32_t)(seed & 0xffffffffu);
  for (j = 1; j < MT_N; j++) {
    uint32_t prev = g->state[j - 1];
    g->state[j] = (uint32_t)(1812433253u * (prev ^ (prev >> 30)) + (uint32_t)j);
  }
  g->left = 1;
  g->next = 0;
  g->has_double_normal = 0;
  g->double_normal = 0.0;
  g->has_float_normal = 0;
  g->float_normal = 0.0f;
}

static tl_rng_t *rng(void) {
  if (!g_rng_initialised) {
    mt_seed(&g_rng, TL_RNG_DEFAULT_SEED);
    g_rng_initialised = 1;
  }
  return &g_rng;
}

static uint32_t mt_twist(uint32_t u, uint32_t v) {
  uint32_t mixed = (u & MT_UMASK) | (v & MT_LMASK);
  return (mixed >> 1) ^ ((v & 1u) ? MT_MATRIX_A : 0u);
}

static void mt_next_state(tl_rng_t *g) {
  uint32_t *s = g->state;
  int k;
  for (k = 0; k < MT_N - MT_M; k++)
    s[k] = s[k + MT_M] ^ mt_twist(s[k], s[k + 1]);
  for (; k < MT_N - 1; k++)
    s[k] = s[k + MT_M - MT_N] ^ mt_twist(s[k], s[k + 1]);
  s[MT_N - 1] = s[MT_M - 1] ^ mt_twist(s[MT_N - 1], s[0]);
  g->left = MT_N;
  g->next = 0;
}

/* CPUGeneratorImpl::random() */
static uint32_t rand32(tl_rng_t *g) {
  uint32_t y;
  if (--g->left == 0) mt_next_state(g);
  y = g->state[g->next++];
  y ^= (y >> 11);
  y ^= (y << 7) & 0x9d2c5680u;
  y ^= (y << 15) & 0xefc60000u;
  y ^= (y >> 18);
  return y;
}

/* CPUGeneratorImpl::random64(): first draw is the high word. */
static uint64_t rand64(tl_rng_t *g) {
  uint64_t hi = rand32(g);
  uint64_t lo = rand32(g);
  return (hi << 32) | lo;
}

/* uniform_real_distribution<float>(0, 1) / <double>(0, 1) */
static float unit_f32(tl_rng_t *g) {
  return (float)(rand32(g) & 0xffffffu) * (1.0f / 16777216.0f);
}
static double unit_f64(tl_rng_t *g) {
  return (double)(rand64(g) & UINT64_C(0x1fffffffffffff)) *
         (1.0 / 9007199254740992.0);
}

/* x * scale + shift, fused or not depending on the emulated kernel build */
static int fused(void) { return g_cap != TL_RNG_CAP_DEFAULT; }
static float affine_f32(float x, float scale, float shift) {
  if (fused()) return fmaf(x, scale, shift);
  return x * scale + shift;
}
static double affine_f64(double x, double scale, double shift) {
  if (fused()) return fma(x, scale, shift);
  return x * scale + shift;
}

/* ------------------------------------------------------------------------ */
/* Seeding and state                                                         */
/* ------------------------------------------------------------------------ */

void tl_rng_manual_seed(uint64_t seed) {
  mt_seed(&g_rng, seed);
  g_rng_initialised = 1;
}

uint64_t tl_rng_initial_seed(void) { return rng()->seed; }

void tl_rng_set_cpu_capability(int cap) {
  if (cap == TL_RNG_CAP_DEFAULT || cap == TL_RNG_CAP_AVX2 ||
      cap == TL_RNG_CAP_AVX512)
    g_cap = cap;
}

int tl_rng_get_cpu_capability(void) { return g_cap; }

/* Byte layout of libtorch's CPUGeneratorImplState (x86-64):
 *   0    uint64 the_initial_seed
 *   8    int32  left
 *   12   int32  seeded
 *   16   uint64 next
 *   24   uint64 state[624]
 *   5016 double normal_x     (unused, 0)
 *   5024 double normal_y     (cached double normal sample)
 *   5032 double normal_rho   (unused, 0)
 *   5040 int32  normal_is_valid (+4 bytes padding)
 *   5048 float  next_float_normal_sample
 *   5052 bool   is_next_float_normal_sample_valid (+3 bytes padding)
 */
#define OFF_SEED 0
#define OFF_LEFT 8
#define OFF_SEEDED 12
#define OFF_NEXT 16
#define OFF_STATE 24
#define OFF_NORMAL_Y 5024
#define OFF_NORMAL_VALID 5040
#define OFF_FLOAT_NORMAL 5048
#define OFF_FLOAT_VALID 5052

size_t tl_rng_state_size(void) { return TL_RNG_STATE_SIZE; }

void tl_rng_get_state(void *buf) {
  unsigned char *b = (unsigned char *)buf;
  tl_rng_t *g = rng();
  int32_t i32;
  uint64_t u64;
  int k;
  memset(b, 0, TL_RNG_STATE_SIZE);
  memcpy(b + OFF_SEED, &g->seed, 8);
  i32 = g->left;
  memcpy(b + OFF_LEFT, &i32, 4);
  i32 = 1;
  memcpy(b + OFF_SEEDED, &i32, 4);
  u64 = g->next;
  memcpy(b + OFF_NEXT, &u64, 8);
  for (k = 0; k < MT_N; k++) {
    u64 = g->state[k];
    memcpy(b + OFF_STATE + 8 * k, &u64, 8);
  }
  if (g->has_double_normal) {
    i32 = 1;
    memcpy(b + OFF_NORMAL_Y, &g->double_normal, 8);
    memcpy(b + OFF_NORMAL_VALID, &i32, 4);
  }
  if (g->has_float_normal) {
    memcpy(b + OFF_FLOAT_NORMAL, &g->float_normal, 4);
    b[OFF_FLOAT_VALID] = 1;
  }
}

void tl_rng_set_state(const void *buf) {
  const unsigned char *b = (const unsigned char *)buf;
  tl_rng_t g;
  int32_t left, seeded, valid;
  uint64_t next, u64;
  int k;
  memcpy(&g.seed, b + OFF_SEED, 8);
  memcpy(&left, b + OFF_LEFT, 4);
  memcpy(&seeded, b + OFF_SEEDED, 4);
  memcpy(&next, b + OFF_NEXT, 8);
  /* same validity check as mt19937::is_valid() */
  if (seeded == 0 || left <= 0 || left > MT_N || (uint32_t)next > MT_N) return;
  g.left = left;
  g.next = (uint32_t)next;
  for (k = 0; k < MT_N; k++) {
    memcpy(&u64, b + OFF_STATE + 8 * k, 8);
    g.state[k] = (uint32_t)u64;
  }
  memcpy(&valid, b + OFF_NORMAL_VALID, 4);
  g.has_double_normal = valid != 0;
  g.double_normal = 0.0;
  if (g.has_double_normal) memcpy(&g.double_normal, b + OFF_NORMAL_Y, 8);
  g.has_float_normal = b[OFF_FLOAT_VALID] != 0;
  g.float_normal = 0.0f;
  if (g.has_float_normal) memcpy(&g.float_normal, b + OFF_FLOAT_NORMAL, 4);
  g_rng = g;
  g_rng_initialised = 1;
}

/* ------------------------------------------------------------------------ */
/* Uniform                                                                   */
/* ------------------------------------------------------------------------ */

void tl_rng_uniform_f32(float *out, int64_t n, double from, double to) {
  tl_rng_t *g = rng();
  const float f = (float)from, t = (float)to;
  const float range = t - f;
  int64_t i;
  for (i = 0; i < n; i++) out[i] = affine_f32(unit_f32(g), range, f);
}

void tl_rng_uniform_f64(double *out, int64_t n, double from, double to) {
  tl_rng_t *g = rng();
  const double range = to - from;
  int64_t i;
  for (i = 0; i < n; i++) out[i] = affine_f64(unit_f64(g), range, from);
}

/* ------------------------------------------------------------------------ */
/* Normal                                                                    */
/* ------------------------------------------------------------------------ */

static const double TL_PI = 3.14159265358979323846;

/* at::normal_distribution<double>: Box-Muller with one cached sample. Used
 * for tensors with fewer than 16 elements (any floating dtype). */
static double normal_scalar(tl_rng_t *g, double mean, double std) {
  double z;
  if (g->has_double_normal) {
    z = g->double_normal;
    g->has_double_normal = 0;
  } else {
    const double u1 = unit_f64(g);
    const double u2 = unit_f64(g);
    const double r = sqrt(-2.0 * log(1.0 - u2));
    const double theta = 2.0 * TL_PI * u1;
    g->double_normal = r * sin(theta);
    g->has_double_normal = 1;
    z = r * cos(theta);
  }
  return affine_f64(z, std, mean);
}

/* normal_fill_16<double>: 16 uniforms -> 8 Box-Muller pairs, in place. */
static void normal16_f64(double *d, double mean, double std) {
  int j;
  for (j = 0; j < 8; j++) {
    const double u1 = 1.0 - d[j];
    const double u2 = d[j + 8];
    const double radius = sqrt(-2.0 * log(u1));
    const double theta = 2.0 * TL_PI * u2;
    d[j] = affine_f64(radius * cos(theta), std, mean);
    d[j + 8] = affine_f64(radius * sin(theta), std, mean);
  }
}

/* normal_fill_16<float> (generic / AVX512 builds): libm float functions,
 * theta computed in double and rounded to float. */
static void normal16_f32_scalar(float *d, float mean, float std) {
  int j;
  for (j = 0; j < 8; j++) {
    const float u1 = 1.0f - d[j];
    const float u2 = d[j + 8];
    const float radius = sqrtf(-2.0f * logf(u1));
    const float theta = (float)(2.0 * TL_PI * (double)u2);
    d[j] = affine_f32(radius * cosf(theta), std, mean);
    d[j + 8] = affine_f32(radius * sinf(theta), std, mean);
  }
}

/* --- emulation of normal_fill_16_AVX2 (one SIMD lane at a time) ----------
 * libtorch's AVX2 float path uses the Cephes-derived log256_ps/sincos256_ps
 * of avx_mathfun.h, compiled with -mfma so that GCC fused some of the
 * multiply/add pairs. The exact sequence below (which products are fused,
 * which are rounded) was taken from the compiled kernel and verified against
 * PyTorch on millions of samples. Constants are double literals rounded to
 * float, as in the original. */

static uint32_t f2u(float x) { uint32_t u; memcpy(&u, &x, 4); return u; }
static float u2f(uint32_t u) { float x; memcpy(&x, &u, 4); return x; }

static const float AVX_SQRTHF = (float)0.707106781186547524;
static const float AVX_LOG_P0 = (float)7.0376836292E-2;
static const float AVX_LOG_P1 = (float)-1.1514610310E-1;
static const float AVX_LOG_P2 = (float)1.1676998740E-1;
static const float AVX_LOG_P3 = (float)-1.2420140846E-1;
static const float AVX_LOG_P4 = (float)1.4249322787E-1;
static const float AVX_LOG_P5 = (float)-1.6668057665E-1;
static const float AVX_LOG_P6 = (float)2.0000714765E-1;
static const float AVX_LOG_P7 = (float)-2.4999993993E-1;
static const float AVX_LOG_P8 = (float)3.3333331174E-1;
static const float AVX_LOG_Q1 = (float)-2.12194440e-4;
static const float AVX_LOG_Q2 = (float)0.693359375;
static const float AVX_DP1 = (float)-0.78515625;
static const float AVX_DP2 = (float)-2.4187564849853515625e-4;
static const float AVX_DP3 = (float)-3.77489497744594108e-8;
static const float AVX_SIN_P0 = (float)-1.9515295891E-4;
static const float AVX_SIN_P1 = (float)8.3321608736E-3;
static const float AVX_SIN_P2 = (float)-1.6666654611E-1;
static const float AVX_COS_P0 = (float)2.443315711809948E-005;
static const float AVX_COS_P1 = (float)-1.388731625493765E-003;
static const float AVX_COS_P2 = (float)4.166664568298827E-002;
static const float AVX_FOPI = (float)1.27323954473516;

static float avx_log(float x) {
  const int invalid = !(x > 0.0f); /* cmp_le_os(x, 0); NaN never occurs here */
  uint32_t bits;
  float e, tmp, z, y;
  if (x < 1.17549435e-38f) x = 1.17549435e-38f; /* max(x, FLT_MIN) */
  bits = f2u(x);
  e = (float)((int32_t)(bits >> 23) - 0x7f) + 1.0f;
  x = u2f((bits & ~0x7f800000u) | f2u(0.5f));
  if (x < AVX_SQRTHF) {
    tmp = x;
    e = e - 1.0f;
  } else {
    tmp = 0.0f;
  }
  x = x - 1.0f;
  x = x + tmp;
  z = x * x;
  y = fmaf(AVX_LOG_P0, x, AVX_LOG_P1);
  y = fmaf(y, x, AVX_LOG_P2);
  y = fmaf(y, x, AVX_LOG_P3);
  y = fmaf(y, x, AVX_LOG_P4);
  y = fmaf(y, x, AVX_LOG_P5);
  y = fmaf(y, x, AVX_LOG_P6);
  y = fmaf(y, x, AVX_LOG_P7);
  y = fmaf(y, x, AVX_LOG_P8);
  y = y * x;
  y = fmaf(y, z, e * AVX_LOG_Q1);
  y = fmaf(-z, 0.5f, y);
  x = x + y;
  x = fmaf(e, AVX_LOG_Q2, x);
  if (invalid) x = u2f(f2u(x) | 0xffffffffu); /* or with all-ones mask: NaN */
  return x;
}

static void avx_sincos(float x, float *s, float *c) {
  uint32_t sign_sin = f2u(x) & 0x80000000u, sign_cos;
  float ax = u2f(f2u(x) & 0x7fffffffu);
  int32_t j = (int32_t)(ax * AVX_FOPI); /* cvttps: truncation */
  float y, z, yc, ys, sel_c, sel_s;
  int poly_mask;
  j = (j + 1) & ~1;
  y = (float)j;
  sign_sin ^= ((uint32_t)j & 4u) << 29;
  poly_mask = ((j & 2) == 0);
  sign_cos = (~(uint32_t)(j - 2) & 4u) << 29;
  /* extended precision modular arithmetic */
  ax = fmaf(y, AVX_DP1, ax);
  ax = fmaf(y, AVX_DP2, ax);
  ax = fmaf(y, AVX_DP3, ax);
  z = ax * ax;
  /* cosine polynomial */
  yc = fmaf(AVX_COS_P0, z, AVX_COS_P1);
  yc = fmaf(yc, z, AVX_COS_P2);
  yc = yc * z;
  yc = fmaf(z, yc, -(z * 0.5f));
  yc = yc + 1.0f;
  /* sine polynomial */
  ys = fmaf(AVX_SIN_P0, z, AVX_SIN_P1);
  ys = fmaf(ys, z, AVX_SIN_P2);
  ys = fmaf(ax, ys * z, ax);
  /* select: masked-out lanes are +0 */
  sel_s = poly_mask ? ys : 0.0f; /* ysin2 */
  sel_c = poly_mask ? 0.0f : yc; /* ysin1 */
  *s = u2f(f2u(sel_c + sel_s) ^ sign_sin);
  *c = u2f(f2u((yc - sel_c) + (ys - sel_s)) ^ sign_cos);
}

static void normal16_f32_avx2(float *d, float mean, float std) {
  const float two_pi = (float)(2.0f * TL_PI);
  int j;
  float n1[8], n2[8];
  for (j = 0; j < 8; j++) {
    const float u1 = 1.0f - d[j];
    const float u2 = d[j + 8];
    const float radius = sqrtf(-2.0f * avx_log(u1));
    const float theta = two_pi * u2;
    float s, c;
    avx_sincos(theta, &s, &c);
    n1[j] = fmaf(radius * c, std, mean);
    n2[j] = fmaf(radius * s, std, mean);
  }
  for (j = 0; j < 8; j++) {
    d[j] = n1[j];
    d[j + 8] = n2[j];
  }
}

/* normal_fill: n >= 16. All n uniforms are drawn first, transformed in blocks
 * of 16; if n is not a multiple of 16, the last 16 elements are redrawn and
 * transformed again (overlapping the previous block). */
static void normal_fill_f32(tl_rng_t *g, float *d, int64_t n, float mean,
                            float std) {
  void (*block)(float *, float, float) =
      g_cap == TL_RNG_CAP_AVX2 ? normal16_f32_avx2 : normal16_f32_scalar;
  int64_t i;
  for (i = 0; i < n; i++) d[i] = unit_f32(g);
  for (i = 0; i + 16 <= n; i += 16) block(d + i, mean, std);
  if (n % 16 != 0) {
    float *tail = d + n - 16;
    for (i = 0; i < 16; i++) tail[i] = unit_f32(g);
    block(tail, mean, std);
  }
}

static void normal_fill_f64(tl_rng_t *g, double *d, int64_t n, double mean,
                            double std) {
  int64_t i;
  for (i = 0; i < n; i++) d[i] = unit_f64(g);
  for (i = 0; i + 16 <= n; i += 16) normal16_f64(d + i, mean, std);
  if (n % 16 != 0) {
    double *tail = d + n - 16;
    for (i = 0; i < 16; i++) tail[i] = unit_f64(g);
    normal16_f64(tail, mean, std);
  }
}

void tl_rng_normal_f32(float *out, int64_t n, double mean, double std) {
  tl_rng_t *g = rng();
  int64_t i;
  if (n >= 16) {
    normal_fill_f32(g, out, n, (float)mean, (float)std);
  } else {
    for (i = 0; i < n; i++) out[i] = (float)normal_scalar(g, mean, std);
  }
}

void tl_rng_normal_f64(double *out, int64_t n, double mean, double std) {
  tl_rng_t *g = rng();
  int64_t i;
  if (n >= 16) {
    normal_fill_f64(g, out, n, mean, std);
  } else {
    for (i = 0; i < n; i++) out[i] = normal_scalar(g, mean, std);
  }
}

/* ------------------------------------------------------------------------ */
/* Integers: uniform_int_from_to_distribution                                */
/* ------------------------------------------------------------------------ */

/* 64-bit draws are used only for 64-bit-capable dtypes and range >= 2^32. */
static int64_t randint_one(tl_rng_t *g, uint64_t range, int64_t low,
                           int wide_ok) {
  uint64_t v = (wide_ok && range >= (UINT64_C(1) << 32)) ? rand64(g)
                                                         : (uint64_t)rand32(g);
  return (int64_t)(v % range + (uint64_t)low);
}

void tl_rng_randint_i64(int64_t *out, int64_t n, int64_t low, int64_t high) {
  tl_rng_t *g = rng();
  const uint64_t range = (uint64_t)high - (uint64_t)low;
  int64_t i;
  if (high <= low) return;
  for (i = 0; i < n; i++) out[i] = randint_one(g, range, low, 1);
}

void tl_rng_randint_i32(int32_t *out, int64_t n, int64_t low, int64_t high) {
  tl_rng_t *g = rng();
  const uint64_t range = (uint64_t)high - (uint64_t)low;
  int64_t i;
  if (high <= low) return;
  for (i = 0; i < n; i++) out[i] = (int32_t)randint_one(g, range, low, 0);
}

void tl_rng_randint_f32(float *out, int64_t n, int64_t low, int64_t high) {
  tl_rng_t *g = rng();
  const uint64_t range = (uint64_t)high - (uint64_t)low;
  int64_t i;
  if (high <= low) return;
  for (i = 0; i < n; i++) out[i] = (float)randint_one(g, range, low, 1);
}

void tl_rng_randint_f64(double *out, int64_t n, int64_t low, int64_t high) {
  tl_rng_t *g = rng();
  const uint64_t range = (uint64_t)high - (uint64_t)low;
  int64_t i;
  if (high <= low) return;
  for (i = 0; i < n; i++) out[i] = (double)randint_one(g, range, low, 1);
}
