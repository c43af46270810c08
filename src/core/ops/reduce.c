/* Reductions. Two engines:
 *
 *  - the sum engine (sum, mean): libtorch's TensorIterator ordering for reductions (reduced
 *    dimensions innermost, then coalescing) and libtorch's cascade_sum loops for floating
 *    types, so that small sums match PyTorch bit for bit;
 *  - the generic engine (everything else): for a block of up to GB outputs along the
 *    innermost kept dimension, walk the reduced elements and update one accumulator per
 *    output. When the reduced elements are contiguous each output is scanned in turn;
 *    otherwise the block is updated row by row, which is contiguous along the outputs.
 *
 * Parallel work is cut into pieces that depend only on the shapes, never on the number of
 * threads, so every result is the same for any thread count. */
#include "reduce.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../iter.h"
#include "../parallel.h"

#define GRAIN 32768       /* libtorch's at::internal::GRAIN_SIZE */
#define CHUNK (1 << 16)   /* elements per piece of a parallel sum */
#define GB 256            /* outputs per block in the generic engine */

/* ================================================================ dimensions and shapes */

static tl_status dim_error(int64_t d, int ndim) {
  int n = ndim > 0 ? ndim : 1;
  return tl_error(TL_ERR_INDEX,
                  "Dimension out of range (expected to be in range of [%d, %d], but got %lld)",
                  -n, n - 1, (long long)d);
}

static tl_status wrap_dim(int64_t d, int ndim, int64_t *out) {
  int n = ndim > 0 ? ndim : 1;
  if (d < -n || d >= n) return dim_error(d, ndim);
  *out = d < 0 ? d + n : d;
  return TL_OK;
}

/* mask[d] = 1 for each reduced dimension; dims == NULL or ndims == 0: all. */
static tl_status make_mask(const tl_tensor *x, const int64_t *dims, int ndims, uint8_t *mask) {
  memset(mask, 0, TL_MAX_DIMS);
  if (!dims || ndims == 0) {
    for (int d = 0; d < x->ndim; d++) mask[d] = 1;
    return TL_OK;
  }
  uint8_t seen[TL_MAX_DIMS] = {0};
  for (int i = 0; i < ndims; i++) {
    int64_t d;
    if (wrap_dim(dims[i], x->ndim, &d) != TL_OK) return tl_last_status();
    if (seen[d])
      return tl_error(TL_ERR_RUNTIME, "dim %lld appears multiple times in the list of dims",
                      (long long)d);
    seen[d] = 1;
    if (x->ndim > 0) mask[d] = 1;
  }
  return TL_OK;
}

static int out_shape(const tl_tensor *x, const uint8_t *mask, int keepdim, int64_t *shape) {
  int n = 0;
  for (int d = 0; d < x->ndim; d++) {
    if (!mask[d]) shape[n++] = x->shape[d];
    else if (keepdim) shape[n++] = 1;
  }
  return n;
}

static tl_tensor *alloc_out(const tl_tensor *x, const uint8_t *mask, int keepdim, tl_dtype dt) {
  int64_t shape[TL_MAX_DIMS];
  int n = out_shape(x, mask, keepdim, shape);
  return tl_tensor_empty(dt, n, shape);
}

/* Byte strides of output o (shaped by out_shape) over the input's dimensions: 0 along the
 * reduced ones. */
static void out_strides_full(const tl_tensor *x, const uint8_t *mask, int keepdim,
                             const tl_tensor *o, int64_t *st) {
  int64_t es = (int64_t)tl_dtype_size(o->dtype);
  int j = 0;
  for (int d = 0; d < x->ndim; d++) {
    if (mask[d]) {
      st[d] = 0;
      if (keepdim) j++;
    } else {
      st[d] = o->strides[j++] * es;
    }
  }
}

static int64_t reduced_count(const tl_tensor *x, const uint8_t *mask) {
  int64_t n = 1;
  for (int d = 0; d < x->ndim; d++)
    if (mask[d]) n *= x->shape[d];
  return n;
}

static int num_threads(void) {
  int n = tl_get_num_threads();
  return n < 1 ? 1 : n;
}

/* ================================================================ the sum engine */

/* TensorIterator for a reduction with one output (operand 0) and one input (operand 1):
 * dimension 0 is the fastest. */
typedef struct {
  int ndim;
  int64_t shape[TL_MAX_DIMS];
  int64_t st[2][TL_MAX_DIMS]; /* bytes */
  char *ptr[2];
} siter;

/* libtorch's reorder_dimensions() for a reduction: reduced dimensions (output stride 0)
 * first, otherwise ascending strides, output first. */
static int should_swap(const siter *it, int a, int b) {
  for (int op = 0; op < 2; op++) {
    int64_t s0 = it->st[op][a], s1 = it->st[op][b];
    if (op == 0 && (s0 == 0) != (s1 == 0)) return s1 == 0 ? 1 : -1;
    if (s0 == 0 || s1 == 0) continue;
    if (s0 < s1) return -1;
    if (s0 > s1) return 1;
    if (it->shape[a] > it->shape[b]) return 1;
  }
  return 0;
}

static void siter_build(siter *it, const tl_tensor *x, const int64_t *ost, char *out) {
  siter raw;
  int n = 0;
  int64_t es = (int64_t)tl_dtype_size(x->dtype);
  for (int d = x->ndim - 1; d >= 0; d--) { /* libtorch starts from the reversed order */
    if (x->shape[d] == 1) continue;           /* size-1 dimensions coalesce away */
    raw.shape[n] = x->shape[d];
    raw.st[0][n] = ost[d];
    raw.st[1][n] = x->strides[d] * es;
    n++;
  }
  int perm[TL_MAX_DIMS];
  for (int i = 0; i < n; i++) perm[i] = i;
  for (int i = 1; i < n; i++) { /* insertion sort that tolerates ambiguous comparisons */
    int d1 = i;
    for (int d0 = i - 1; d0 >= 0; d0--) {
      int c = should_swap(&raw, perm[d0], perm[d1]);
      if (c > 0) {
        int t = perm[d0];
        perm[d0] = perm[d1];
        perm[d1] = t;
        d1 = d0;
      } else if (c < 0) {
        break;
      }
    }
  }
  /* permute, then coalesce */
  int m = 0;
  for (int i = 0; i < n; i++) {
    int p = perm[i];
    if (m > 0 && it->shape[m - 1] * it->st[0][m - 1] == raw.st[0][p] &&
        it->shape[m - 1] * it->st[1][m - 1] == raw.st[1][p]) {
      it->shape[m - 1] *= raw.shape[p];
      continue;
    }
    it->shape[m] = raw.shape[p];
    it->st[0][m] = raw.st[0][p];
    it->st[1][m] = raw.st[1][p];
    m++;
  }
  it->ndim = m;
  it->ptr[0] = out;
  it->ptr[1] = (char *)tl_data(x);
}

typedef void (*loop2d_fn)(char **data, const int64_t *strides, int64_t size0, int64_t size1);

/* libtorch's serial_for_each over the whole range: 2-d slabs of the two fastest dims. */
static void siter_serial(const siter *it, loop2d_fn fn) {
  int nd = it->ndim;
  int64_t strides[4] = {nd > 0 ? it->st[0][0] : 0, nd > 0 ? it->st[1][0] : 0,
                        nd > 1 ? it->st[0][1] : 0, nd > 1 ? it->st[1][1] : 0};
  int64_t size0 = nd > 0 ? it->shape[0] : 1, size1 = nd > 1 ? it->shape[1] : 1;
  char *ptr[2] = {it->ptr[0], it->ptr[1]};
  if (nd <= 2) {
    fn(ptr, strides, size0, size1);
    return;
  }
  int64_t idx[TL_MAX_DIMS] = {0};
  for (;;) {
    fn(ptr, strides, size0, size1);
    int d = 2;
    for (; d < nd; d++) {
      ptr[0] += it->st[0][d];
      ptr[1] += it->st[1][d];
      if (++idx[d] < it->shape[d]) break;
      ptr[0] -= it->st[0][d] * it->shape[d];
      ptr[1] -= it->st[1][d] * it->shape[d];
      idx[d] = 0;
    }
    if (d == nd) break;
  }
}

static int64_t ceil_log2(int64_t x) {
  if (x <= 2) return 1;
  uint64_t v = (uint64_t)x - 1;
#if defined(__GNUC__)
  return 64 - __builtin_clzll((unsigned long long)v);
#else
  int last = 63;
  while (!(v >> last)) last--;
  return last + 1;
#endif
}

/* The main loop of libtorch's multi_row_sum: accumulate rows of 4 x W values in blocks of
 * level_step rows into acc[0], and carry the partial sums up the levels. Returns the number
 * of rows consumed. Every lane is added on its own, as libtorch's vector lanes are; with
 * SSE2 the level-0 accumulators of the float and double vector cases live in registers. */
#define CARRY_UP(T, W)                                                                      \
  for (int lv = 2; lv < 4; ++lv) {                                                          \
    if ((i & (level_mask << ((lv - 1) * level_power))) != 0) break;                         \
    for (int k = 0; k < 4; ++k)                                                             \
      for (int l = 0; l < W; ++l) {                                                         \
        acc[lv][k][l] += acc[lv - 1][k][l];                                                 \
        acc[lv - 1][k][l] = 0;                                                              \
      }                                                                                     \
  }

#define DEF_HOT_GENERIC(NAME, T, W)                                                         \
  static int64_t NAME(const char *in, int64_t size, int64_t rs, int64_t cs,                 \
                      int64_t level_power, T acc[4][4][W]) {                                \
    const int64_t level_step = (int64_t)1 << level_power, level_mask = level_step - 1;      \
    int64_t i = 0;                                                                          \
    for (; i + level_step <= size;) {                                                       \
      for (int64_t j = 0; j < level_step; ++j, ++i) {                                       \
        const char *base = in + i * rs;                                                     \
        for (int k = 0; k < 4; ++k) {                                                       \
          const T *p = (const T *)(base + k * cs);                                          \
          for (int l = 0; l < W; ++l) acc[0][k][l] += p[l];                                 \
        }                                                                                   \
      }                                                                                     \
      for (int k = 0; k < 4; ++k)                                                           \
        for (int l = 0; l < W; ++l) {                                                       \
          acc[1][k][l] += acc[0][k][l];                                                     \
          acc[0][k][l] = 0;                                                                 \
        }                                                                                   \
      CARRY_UP(T, W)                                                                        \
    }                                                                                       \
    return i;                                                                               \
  }

#if defined(__SSE2__)
#include <emmintrin.h>
/* a row of W lanes is 2 SSE registers (PER lanes each); 4 rows: 8 accumulators */
#define HOT_SSE(NAME, T, W, VT, LD, ST, ADD, ZERO, PER)                                     \
  static int64_t NAME(const char *in, int64_t size, int64_t rs, int64_t cs,                 \
                      int64_t level_power, T acc[4][4][W]) {                                \
    const int64_t level_step = (int64_t)1 << level_power, level_mask = level_step - 1;      \
    VT a0 = LD(acc[0][0]), b0 = LD(acc[0][0] + PER), a1 = LD(acc[0][1]);                    \
    VT b1 = LD(acc[0][1] + PER), a2 = LD(acc[0][2]), b2 = LD(acc[0][2] + PER);              \
    VT a3 = LD(acc[0][3]), b3 = LD(acc[0][3] + PER);                                        \
    int64_t i = 0;                                                                          \
    for (; i + level_step <= size;) {                                                       \
      for (int64_t j = 0; j < level_step; ++j, ++i) {                                       \
        const T *p0 = (const T *)(in + i * rs);                                             \
        const T *p1 = (const T *)((const char *)p0 + cs);                                   \
        const T *p2 = (const T *)((const char *)p0 + 2 * cs);                               \
        const T *p3 = (const T *)((const char *)p0 + 3 * cs);                               \
        a0 = ADD(a0, LD(p0));                                                               \
        b0 = ADD(b0, LD(p0 + PER));                                                         \
        a1 = ADD(a1, LD(p1));                                                               \
        b1 = ADD(b1, LD(p1 + PER));                                                         \
        a2 = ADD(a2, LD(p2));                                                               \
        b2 = ADD(b2, LD(p2 + PER));                                                         \
        a3 = ADD(a3, LD(p3));                                                               \
        b3 = ADD(b3, LD(p3 + PER));                                                         \
      }                                                                                     \
      ST(acc[1][0], ADD(LD(acc[1][0]), a0));                                                \
      ST(acc[1][0] + PER, ADD(LD(acc[1][0] + PER), b0));                                    \
      ST(acc[1][1], ADD(LD(acc[1][1]), a1));                                                \
      ST(acc[1][1] + PER, ADD(LD(acc[1][1] + PER), b1));                                    \
      ST(acc[1][2], ADD(LD(acc[1][2]), a2));                                                \
      ST(acc[1][2] + PER, ADD(LD(acc[1][2] + PER), b2));                                    \
      ST(acc[1][3], ADD(LD(acc[1][3]), a3));                                                \
      ST(acc[1][3] + PER, ADD(LD(acc[1][3] + PER), b3));                                    \
      a0 = b0 = a1 = b1 = a2 = b2 = a3 = b3 = ZERO();                                       \
      CARRY_UP(T, W)                                                                        \
    }                                                                                       \
    ST(acc[0][0], a0);                                                                      \
    ST(acc[0][0] + PER, b0);                                                                \
    ST(acc[0][1], a1);                                                                      \
    ST(acc[0][1] + PER, b1);                                                                \
    ST(acc[0][2], a2);                                                                      \
    ST(acc[0][2] + PER, b2);                                                                \
    ST(acc[0][3], a3);                                                                      \
    ST(acc[0][3] + PER, b3);                                                                \
    return i;                                                                               \
  }
HOT_SSE(hot_sse_f32, float, 8, __m128, _mm_loadu_ps, _mm_storeu_ps, _mm_add_ps, _mm_setzero_ps, 4)
HOT_SSE(hot_sse_f64, double, 4, __m128d, _mm_loadu_pd, _mm_storeu_pd, _mm_add_pd, _mm_setzero_pd,
        2)
#if defined(__GNUC__) && defined(__x86_64__) && !defined(__AVX__)
/* The same loop with 256-bit registers (one per row: libtorch's AVX2 vectors), chosen at run
 * time on CPUs with AVX: the lanes and their order of additions are unchanged. */
#include <immintrin.h>
#define TL_AVX_TARGET __attribute__((target("avx")))
/* The level-0 accumulators a* and the level-1 ones c* stay in registers (acc[1] is written
 * back only when a carry to level 2 is due, and at the end); every lane still receives its
 * values in the same order. The body is instantiated twice: for the rows of 4 adjacent vectors
 * of a contiguous sum (constant offsets, 4 rows per step: level_step is a multiple of 16) and
 * for any strides (1 row per step). */
#define HOT_AVX_ROW(T, LD, ADD, q)                                                          \
  a0 = ADD(a0, LD((const T *)(q)));                                                         \
  a1 = ADD(a1, LD((const T *)((q) + cs)));                                                  \
  a2 = ADD(a2, LD((const T *)((q) + 2 * cs)));                                              \
  a3 = ADD(a3, LD((const T *)((q) + 3 * cs)));
#define HOT_AVX(NAME, T, W, VT, LD, ST, ADD, ZERO)                                          \
  TL_AVX_TARGET static inline __attribute__((always_inline)) int64_t NAME##_body(           \
    const char *in, int64_t size, const int64_t rs, const int64_t cs, const int unroll,     \
    int64_t level_power, T acc[4][4][W]) {                                                  \
    const int64_t level_step = (int64_t)1 << level_power, level_mask = level_step - 1;      \
    VT a0 = LD(acc[0][0]), a1 = LD(acc[0][1]), a2 = LD(acc[0][2]), a3 = LD(acc[0][3]);      \
    VT c0 = LD(acc[1][0]), c1 = LD(acc[1][1]), c2 = LD(acc[1][2]), c3 = LD(acc[1][3]);      \
    int64_t i = 0;                                                                          \
    const char *p = in;                                                                     \
    for (; i + level_step <= size;) {                                                       \
      if (unroll == 4) {                                                                    \
        for (int64_t j = 0; j < level_step; j += 4, p += 4 * rs) {                          \
          HOT_AVX_ROW(T, LD, ADD, p)                                                        \
          HOT_AVX_ROW(T, LD, ADD, p + rs)                                                   \
          HOT_AVX_ROW(T, LD, ADD, p + 2 * rs)                                               \
          HOT_AVX_ROW(T, LD, ADD, p + 3 * rs)                                               \
        }                                                                                   \
      } else {                                                                              \
        for (int64_t j = 0; j < level_step; j++, p += rs) {                                 \
          HOT_AVX_ROW(T, LD, ADD, p)                                                        \
        }                                                                                   \
      }                                                                                     \
      i += level_step;                                                                      \
      c0 = ADD(c0, a0);                                                                     \
      c1 = ADD(c1, a1);                                                                     \
      c2 = ADD(c2, a2);                                                                     \
      c3 = ADD(c3, a3);                                                                     \
      a0 = a1 = a2 = a3 = ZERO();                                                           \
      if ((i & (level_mask << level_power)) == 0) {                                         \
        ST(acc[1][0], c0);                                                                  \
        ST(acc[1][1], c1);                                                                  \
        ST(acc[1][2], c2);                                                                  \
        ST(acc[1][3], c3);                                                                  \
        CARRY_UP(T, W)                                                                      \
        c0 = LD(acc[1][0]);                                                                 \
        c1 = LD(acc[1][1]);                                                                 \
        c2 = LD(acc[1][2]);                                                                 \
        c3 = LD(acc[1][3]);                                                                 \
      }                                                                                     \
    }                                                                                       \
    ST(acc[1][0], c0);                                                                      \
    ST(acc[1][1], c1);                                                                      \
    ST(acc[1][2], c2);                                                                      \
    ST(acc[1][3], c3);                                                                      \
    ST(acc[0][0], a0);                                                                      \
    ST(acc[0][1], a1);                                                                      \
    ST(acc[0][2], a2);                                                                      \
    ST(acc[0][3], a3);                                                                      \
    return i;                                                                               \
  }                                                                                         \
  TL_AVX_TARGET static int64_t NAME(const char *in, int64_t size, int64_t rs, int64_t cs,   \
                                    int64_t level_power, T acc[4][4][W]) {                  \
    if (cs == (int64_t)sizeof(VT) && rs == 4 * (int64_t)sizeof(VT))                         \
      return NAME##_body(in, size, 4 * (int64_t)sizeof(VT), (int64_t)sizeof(VT), 4,         \
                         level_power, acc);                                                 \
    return NAME##_body(in, size, rs, cs, 1, level_power, acc);                              \
  }
HOT_AVX(hot_avx_f32, float, 8, __m256, _mm256_loadu_ps, _mm256_storeu_ps, _mm256_add_ps,
        _mm256_setzero_ps)
HOT_AVX(hot_avx_f64, double, 4, __m256d, _mm256_loadu_pd, _mm256_storeu_pd, _mm256_add_pd,
        _mm256_setzero_pd)
static int have_avx(void) {
  static int v = -1;
  if (v < 0) v = __builtin_cpu_supports("avx") ? 1 : 0;
  return v;
}
#else
static int have_avx(void) { return 0; }
#define hot_avx_f32 hot_sse_f32
#define hot_avx_f64 hot_sse_f64
#endif
static int64_t hot_v_f32(const char *in, int64_t size, int64_t rs, int64_t cs, int64_t lp,
                         float acc[4][4][8]) {
  if (have_avx()) return hot_avx_f32(in, size, rs, cs, lp, acc);
  return hot_sse_f32(in, size, rs, cs, lp, acc);
}
static int64_t hot_v_f64(const char *in, int64_t size, int64_t rs, int64_t cs, int64_t lp,
                         double acc[4][4][4]) {
  if (have_avx()) return hot_avx_f64(in, size, rs, cs, lp, acc);
  return hot_sse_f64(in, size, rs, cs, lp, acc);
}
#else
DEF_HOT_GENERIC(hot_v_f32, float, 8)
DEF_HOT_GENERIC(hot_v_f64, double, 4)
static int have_avx(void) { return 0; }
#endif
DEF_HOT_GENERIC(hot_s_f32, float, 1)
DEF_HOT_GENERIC(hot_s_f64, double, 1)

/* ---- libtorch's cascade_sum, for one element type T with V vector lanes.
 * MRS_W: multi_row_sum over 4 rows of W lanes (W = V: a vector, W = 1: a scalar);
 * ROWSUM_W: row_sum, which splits a row into 4 interleaved partial sums. */
#define DEF_MRS(NAME, T, W, HOT)                                                            \
  static void NAME(const char *in, int64_t row_stride, int64_t col_stride, int64_t size,    \
                   T res[4][W]) {                                                           \
    const int64_t lp0 = ceil_log2(size) / 4;                                                \
    const int64_t level_power = lp0 > 4 ? lp0 : 4;                                          \
    T acc[4][4][W];                                                                         \
    for (int a = 0; a < 4; a++)                                                             \
      for (int k = 0; k < 4; k++)                                                           \
        for (int l = 0; l < W; l++) acc[a][k][l] = 0;                                       \
    int64_t i = HOT(in, size, row_stride, col_stride, level_power, acc);                    \
    for (; i < size; ++i) {                                                                 \
      const char *base = in + i * row_stride;                                               \
      for (int k = 0; k < 4; ++k) {                                                         \
        const T *p = (const T *)(base + k * col_stride);                                    \
        for (int l = 0; l < W; ++l) acc[0][k][l] += p[l];                                   \
      }                                                                                     \
    }                                                                                       \
    for (int j = 1; j < 4; ++j)                                                             \
      for (int k = 0; k < 4; ++k)                                                           \
        for (int l = 0; l < W; ++l) acc[0][k][l] += acc[j][k][l];                           \
    for (int k = 0; k < 4; ++k)                                                             \
      for (int l = 0; l < W; ++l) res[k][l] = acc[0][k][l];                                 \
  }

#define DEF_ROWSUM(NAME, MRS, T, W)                                                         \
  static void NAME(const char *in, int64_t in_stride, int64_t size, T out[W]) {             \
    const int64_t size_ilp = size / 4;                                                      \
    T part[4][W];                                                                           \
    MRS(in, in_stride * 4, in_stride, size_ilp, part);                                      \
    for (int64_t i = size_ilp * 4; i < size; ++i) {                                         \
      const T *p = (const T *)(in + i * in_stride);                                         \
      for (int l = 0; l < W; ++l) part[0][l] += p[l];                                       \
    }                                                                                       \
    for (int k = 1; k < 4; ++k)                                                             \
      for (int l = 0; l < W; ++l) part[0][l] += part[k][l];                                 \
    for (int l = 0; l < W; ++l) out[l] = part[0][l];                                        \
  }

#define DEF_CASCADE(SUF, T, V)                                                              \
  DEF_MRS(mrs_v_##SUF, T, V, hot_v_##SUF)                                                   \
  DEF_MRS(mrs_s_##SUF, T, 1, hot_s_##SUF)                                                   \
  DEF_ROWSUM(rowsum_v_##SUF, mrs_v_##SUF, T, V)                                             \
  DEF_ROWSUM(rowsum_s_##SUF, mrs_s_##SUF, T, 1)                                             \
                                                                                            \
  static void inner_vec_##SUF(char **data, int64_t outer_stride, int64_t out_stride,        \
                              int64_t size0, int64_t size1) {                               \
    const int64_t vec_size = size0 / V;                                                     \
    for (int64_t j = 0; j < size1; ++j) {                                                   \
      const char *row_in = data[1] + j * outer_stride;                                      \
      T vacc[V];                                                                            \
      rowsum_v_##SUF(row_in, (int64_t)(V * sizeof(T)), vec_size, vacc);                     \
      T fin = 0;                                                                            \
      for (int64_t k = vec_size * V; k < size0; ++k) fin += ((const T *)row_in)[k];         \
      for (int k = 0; k < V; ++k) fin += vacc[k];                                           \
      *(T *)(data[0] + j * out_stride) += fin;                                              \
    }                                                                                       \
  }                                                                                         \
                                                                                            \
  static void inner_scalar_##SUF(char **data, const int64_t *in_st, int64_t out_stride,     \
                                 int64_t size0, int64_t size1) {                            \
    for (int64_t j = 0; j < size1; ++j) {                                                   \
      T ans;                                                                                \
      rowsum_s_##SUF(data[1] + j * in_st[1], in_st[0], size0, &ans);                        \
      *(T *)(data[0] + j * out_stride) += ans;                                              \
    }                                                                                       \
  }                                                                                         \
                                                                                            \
  static void outer_vec_##SUF(char **data, int64_t inner_stride, int64_t out_stride,        \
                              int64_t size0, int64_t size1) {                               \
    int64_t j = 0;                                                                          \
    for (; j + 4 * V <= size1; j += 4 * V) {                                                \
      T sums[4][V];                                                                         \
      mrs_v_##SUF(data[1] + j * (int64_t)sizeof(T), inner_stride, (int64_t)(V * sizeof(T)), \
                  size0, sums);                                                             \
      for (int i = 0; i < 4; ++i)                                                           \
        for (int k = 0; k < V; ++k)                                                         \
          *(T *)(data[0] + (j + i * V + k) * out_stride) += sums[i][k];                     \
    }                                                                                       \
    for (; j + V <= size1; j += V) {                                                        \
      T sums[V];                                                                            \
      rowsum_v_##SUF(data[1] + j * (int64_t)sizeof(T), inner_stride, size0, sums);          \
      for (int k = 0; k < V; ++k) *(T *)(data[0] + (j + k) * out_stride) += sums[k];        \
    }                                                                                       \
    for (; j < size1; ++j) {                                                                \
      T ans;                                                                                \
      rowsum_s_##SUF(data[1] + j * (int64_t)sizeof(T), inner_stride, size0, &ans);          \
      *(T *)(data[0] + j * out_stride) += ans;                                              \
    }                                                                                       \
  }                                                                                         \
                                                                                            \
  static void outer_scalar_##SUF(char **data, const int64_t *in_st, int64_t out_stride,     \
                                 int64_t size0, int64_t size1) {                            \
    int64_t j = 0;                                                                          \
    for (; j + 3 < size1; j += 4) {                                                         \
      T sums[4][1];                                                                         \
      mrs_s_##SUF(data[1] + j * in_st[1], in_st[0], in_st[1], size0, sums);                 \
      for (int k = 0; k < 4; ++k) *(T *)(data[0] + (j + k) * out_stride) += sums[k][0];     \
    }                                                                                       \
    for (; j < size1; ++j) {                                                                \
      T ans;                                                                                \
      rowsum_s_##SUF(data[1] + j * in_st[1], in_st[0], size0, &ans);                        \
      *(T *)(data[0] + j * out_stride) += ans;                                              \
    }                                                                                       \
  }                                                                                         \
                                                                                            \
  static void cascade_loop_##SUF(char **data, const int64_t *strides, int64_t size0,        \
                                 int64_t size1) {                                           \
    int64_t in_st[2] = {strides[1], strides[3]};                                            \
    int64_t out_st[2] = {strides[0], strides[2]};                                           \
    if (out_st[0] != 0 && out_st[1] == 0) { /* move the reduction to dim 0 */              \
      int64_t t = in_st[0];                                                                 \
      in_st[0] = in_st[1];                                                                  \
      in_st[1] = t;                                                                         \
      t = out_st[0];                                                                        \
      out_st[0] = out_st[1];                                                                \
      out_st[1] = t;                                                                        \
      t = size0;                                                                            \
      size0 = size1;                                                                        \
      size1 = t;                                                                            \
    }                                                                                       \
    if (out_st[0] != 0 && out_st[1] != 0) { /* nothing reduced here: out += in */          \
      for (int64_t j = 0; j < size1; j++)                                                   \
        for (int64_t i = 0; i < size0; i++)                                                 \
          *(T *)(data[0] + j * strides[2] + i * strides[0]) +=                              \
            *(const T *)(data[1] + j * strides[3] + i * strides[1]);                        \
      return;                                                                               \
    }                                                                                       \
    const int64_t out_stride = out_st[1];                                                   \
    if (in_st[0] == (int64_t)sizeof(T) && size0 >= V)                                       \
      inner_vec_##SUF(data, in_st[1], out_stride, size0, size1);                            \
    else if (in_st[1] == (int64_t)sizeof(T) && size1 >= V)                                  \
      outer_vec_##SUF(data, in_st[0], out_stride, size0, size1);                            \
    else if (in_st[0] < in_st[1])                                                           \
      inner_scalar_##SUF(data, in_st, out_stride, size0, size1);                            \
    else                                                                                    \
      outer_scalar_##SUF(data, in_st, out_stride, size0, size1);                            \
  }                                                                                         \
                                                                                            \
  static void combine_##SUF(const void *parts, int64_t n, void *out) {                      \
    T s;                                                                                    \
    rowsum_s_##SUF((const char *)parts, (int64_t)sizeof(T), n, &s);                         \
    *(T *)out += s;                                                                         \
  }

/* Vectorized<float>::size() and Vectorized<double>::size() under libtorch's AVX2 build */
DEF_CASCADE(f32, float, 8)
DEF_CASCADE(f64, double, 4)

/* integer sums are exact in any order (modulo 2^64) */
static void isum_loop(char **data, const int64_t *s, int64_t size0, int64_t size1) {
  for (int64_t j = 0; j < size1; j++) {
    char *o = data[0] + j * s[2];
    const char *in = data[1] + j * s[3];
    if (s[0] == 0) {
      int64_t acc = 0;
      if (s[1] == 8) {
        const int64_t *q = (const int64_t *)in;
        for (int64_t i = 0; i < size0; i++) acc += q[i];
      } else {
        for (int64_t i = 0; i < size0; i++) acc += *(const int64_t *)(in + i * s[1]);
      }
      *(int64_t *)o += acc;
    } else {
      for (int64_t i = 0; i < size0; i++)
        *(int64_t *)(o + i * s[0]) += *(const int64_t *)(in + i * s[1]);
    }
  }
}

static void combine_i64(const void *parts, int64_t n, void *out) {
  int64_t s = 0;
  for (int64_t i = 0; i < n; i++) s += ((const int64_t *)parts)[i];
  *(int64_t *)out += s;
}

/* Runs a sum (out already zeroed). Small sums go through libtorch's serial order; larger ones
 * are cut along one dimension into pieces fixed by the shape. */
static tl_status sum_run(const siter *it, int64_t numel, loop2d_fn fn,
                         void (*combine)(const void *, int64_t, void *), size_t es) {
  if (numel < GRAIN || it->ndim == 0) {
    siter_serial(it, fn);
    return TL_OK;
  }
  int full = 1;
  for (int d = 0; d < it->ndim; d++)
    if (it->st[0][d] != 0) full = 0;
  /* split the largest dimension (kept dimensions only, unless everything is reduced) */
  int sd = -1;
  for (int d = 0; d < it->ndim; d++) {
    if (!full && it->st[0][d] == 0) continue;
    if (sd < 0 || it->shape[d] >= it->shape[sd]) sd = d;
  }
  int64_t per = numel / it->shape[sd];
  int64_t len = CHUNK / (per > 0 ? per : 1);
  if (len < 1) len = 1;
  int64_t npieces = (it->shape[sd] + len - 1) / len;
  if (npieces <= 1) {
    siter_serial(it, fn);
    return TL_OK;
  }
  char *parts = NULL;
  (void)have_avx(); /* settle the CPU check before the threads start */
  if (full) {
    parts = tl_calloc((size_t)npieces * es);
    if (!parts) return tl_error(TL_ERR_ALLOC, "cannot allocate memory for a sum");
  }
  int nt = num_threads();
  (void)nt;
  /* Each thread takes one contiguous run of pieces, as libtorch splits a reduction (the
   * pieces, and so the result, do not depend on it). Measured on the 40 MB sum_1e7: the same
   * as dealing pieces out one at a time most of the time, and at times 0.22-0.25 ms instead of
   * 0.37 (each thread finds its own half still cached), which dealing never showed. */
#ifdef _OPENMP
#pragma omp parallel for num_threads(nt) schedule(static) if (nt > 1)
#endif
  for (int64_t p = 0; p < npieces; p++) {
    siter sub = *it;
    int64_t b = p * len, l = it->shape[sd] - b < len ? it->shape[sd] - b : len;
    sub.shape[sd] = l;
    sub.ptr[1] += b * it->st[1][sd];
    if (full) sub.ptr[0] = parts + (size_t)p * es;
    else sub.ptr[0] += b * it->st[0][sd];
    siter_serial(&sub, fn);
  }
  if (full) {
    combine(parts, npieces, it->ptr[0]);
    tl_free(parts);
  }
  return TL_OK;
}

/* sum of x (already of the accumulation dtype) into a zeroed output */
static tl_status sum_into(tl_tensor *out, const tl_tensor *x, const uint8_t *mask, int keepdim) {
  if (x->numel == 0) return TL_OK;
  int64_t ost[TL_MAX_DIMS];
  out_strides_full(x, mask, keepdim, out, ost);
  siter it;
  siter_build(&it, x, ost, (char *)tl_data(out));
  switch (x->dtype) {
  case TL_FLOAT32: return sum_run(&it, x->numel, cascade_loop_f32, combine_f32, sizeof(float));
  case TL_FLOAT64: return sum_run(&it, x->numel, cascade_loop_f64, combine_f64, sizeof(double));
  case TL_INT64: return sum_run(&it, x->numel, isum_loop, combine_i64, sizeof(int64_t));
  default: return tl_error(TL_ERR_TYPE, "sum: unsupported dtype %s", tl_dtype_name(x->dtype));
  }
}

/* x converted to dt (a new reference; x itself when it already has that dtype) */
static tl_tensor *as_dtype(const tl_tensor *x, tl_dtype dt) {
  return tl_to_dtype((tl_tensor *)x, dt, 0);
}

tl_tensor *tl_sum(const tl_tensor *x, const int64_t *dims, int ndims, int keepdim, int dtype) {
  uint8_t mask[TL_MAX_DIMS];
  if (make_mask(x, dims, ndims, mask) != TL_OK) return NULL;
  if (dtype >= 0 && !tl_dtype_valid(dtype)) {
    tl_error(TL_ERR_TYPE, "unknown dtype code %d", dtype);
    return NULL;
  }
  tl_dtype odt = dtype >= 0 ? (tl_dtype)dtype
                            : (tl_dtype_is_floating(x->dtype) ? x->dtype : TL_INT64);
  /* integer and bool sums accumulate in int64 */
  tl_dtype adt = tl_dtype_is_floating(odt) ? odt : TL_INT64;
  tl_tensor *xa = as_dtype(x, adt);
  if (!xa) return NULL;
  tl_tensor *out = alloc_out(x, mask, keepdim, adt);
  if (!out) {
    tl_tensor_release(xa);
    return NULL;
  }
  memset(tl_data(out), 0, (size_t)out->numel * tl_dtype_size(adt));
  tl_status st = sum_into(out, xa, mask, keepdim);
  tl_tensor_release(xa);
  if (st != TL_OK) {
    tl_tensor_release(out);
    return NULL;
  }
  if (adt != odt) {
    tl_tensor *o2 = tl_to_dtype(out, odt, 0);
    tl_tensor_release(out);
    out = o2;
  }
  return out;
}

tl_tensor *tl_mean(const tl_tensor *x, const int64_t *dims, int ndims, int keepdim, int dtype) {
  if (dtype >= 0) {
    if (!tl_dtype_valid(dtype)) {
      tl_error(TL_ERR_TYPE, "unknown dtype code %d", dtype);
      return NULL;
    }
    if (!tl_dtype_is_floating((tl_dtype)dtype)) {
      tl_error(TL_ERR_RUNTIME,
               "mean(): could not infer output dtype. Optional dtype must be either a floating "
               "point or complex dtype. Got: %s",
               tl_dtype_name((tl_dtype)dtype));
      return NULL;
    }
  } else if (!tl_dtype_is_floating(x->dtype)) {
    tl_error(TL_ERR_RUNTIME,
             "mean(): could not infer output dtype. Input dtype must be either a floating point "
             "or complex dtype. Got: %s",
             tl_dtype_name(x->dtype));
    return NULL;
  }
  uint8_t mask[TL_MAX_DIMS];
  if (make_mask(x, dims, ndims, mask) != TL_OK) return NULL;
  tl_tensor *out = tl_sum(x, dims, ndims, keepdim, dtype);
  if (!out) return NULL;
  /* libtorch: sum(...).div_(n), a true division in the output's precision */
  int64_t n = reduced_count(x, mask);
  if (out->dtype == TL_FLOAT32) {
    float *o = tl_data(out), dv = (float)n;
    for (int64_t i = 0; i < out->numel; i++) o[i] = o[i] / dv;
  } else {
    double *o = tl_data(out), dv = (double)n;
    for (int64_t i = 0; i < out->numel; i++) o[i] = o[i] / dv;
  }
  return out;
}

/* ================================================================ the generic engine */

enum { OP_OUT = 0, OP_AUX = 1, OP_IN = 2 };

typedef struct {
  int nk; /* kept dims, outermost first */
  int64_t kshape[TL_MAX_DIMS];
  int64_t kst[3][TL_MAX_DIMS]; /* bytes */
  int nr; /* reduced dims, outermost first; the last is the "row" */
  int64_t rshape[TL_MAX_DIMS];
  int64_t rst[TL_MAX_DIMS]; /* bytes (input) */
  int64_t rnumel, onumel;
  char *base[3];
} gplan;

typedef struct {
  double p;        /* norm order */
  double div;      /* variance divisor */
  int take_sqrt;   /* std rather than var */
  int want_values; /* max/min with indices rather than argmax/argmin */
} gctx;

/* kern(plan, ptr[3], strides[3], n, ctx): n <= GB outputs along the innermost kept dim */
typedef void (*gkern)(const gplan *p, char **ptr, const int64_t *st, int64_t n, const gctx *c);

/* outs[0]: output, outs[1]: optional second output or auxiliary input; both shaped by
 * out_shape(x, mask, keepdim). */
static void gplan_build(gplan *p, const tl_tensor *x, const uint8_t *mask, int keepdim,
                        tl_tensor *o0, tl_tensor *o1) {
  int64_t ost0[TL_MAX_DIMS], ost1[TL_MAX_DIMS];
  out_strides_full(x, mask, keepdim, o0, ost0);
  if (o1) out_strides_full(x, mask, keepdim, o1, ost1);
  else memset(ost1, 0, sizeof ost1);
  int64_t es = (int64_t)tl_dtype_size(x->dtype);
  p->nk = 0;
  p->nr = 0;
  p->rnumel = 1;
  p->onumel = 1;
  int64_t rsh[TL_MAX_DIMS], rst[TL_MAX_DIMS];
  int nr = 0;
  for (int d = 0; d < x->ndim; d++) {
    if (mask[d]) p->rnumel *= x->shape[d];
    else p->onumel *= x->shape[d];
    if (x->shape[d] == 1) continue;
    if (mask[d]) {
      rsh[nr] = x->shape[d];
      rst[nr] = x->strides[d] * es;
      nr++;
      continue;
    }
    int k = p->nk;
    int64_t s[3] = {ost0[d], ost1[d], x->strides[d] * es};
    if (k > 0 && p->kst[0][k - 1] == s[0] * x->shape[d] &&
        p->kst[1][k - 1] == s[1] * x->shape[d] && p->kst[2][k - 1] == s[2] * x->shape[d]) {
      p->kshape[k - 1] *= x->shape[d];
      for (int o = 0; o < 3; o++) p->kst[o][k - 1] = s[o];
      continue;
    }
    p->kshape[k] = x->shape[d];
    for (int o = 0; o < 3; o++) p->kst[o][k] = s[o];
    p->nk++;
  }
  /* reduced dims: by decreasing stride (a stable insertion sort keeps ties in order) */
  for (int i = 1; i < nr; i++)
    for (int j = i; j > 0 && llabs(rst[j]) > llabs(rst[j - 1]); j--) {
      int64_t t = rst[j];
      rst[j] = rst[j - 1];
      rst[j - 1] = t;
      t = rsh[j];
      rsh[j] = rsh[j - 1];
      rsh[j - 1] = t;
    }
  for (int i = 0; i < nr; i++) {
    int m = p->nr;
    if (m > 0 && p->rst[m - 1] == rst[i] * rsh[i]) {
      p->rshape[m - 1] *= rsh[i];
      p->rst[m - 1] = rst[i];
      continue;
    }
    p->rshape[m] = rsh[i];
    p->rst[m] = rst[i];
    p->nr++;
  }
  p->base[OP_OUT] = (char *)tl_data(o0);
  p->base[OP_AUX] = o1 ? (char *)tl_data(o1) : NULL;
  p->base[OP_IN] = (char *)tl_data(x);
}

static void gplan_run(const gplan *p, gkern kern, const gctx *c) {
  if (p->onumel == 0) return;
  int nk = p->nk;
  int64_t n = nk > 0 ? p->kshape[nk - 1] : 1;
  int64_t st[3];
  for (int o = 0; o < 3; o++) st[o] = nk > 0 ? p->kst[o][nk - 1] : 0;
  int64_t nblk = (n + GB - 1) / GB;
  int64_t outer = 1;
  for (int d = 0; d < nk - 1; d++) outer *= p->kshape[d];
  int64_t ntasks = outer * nblk;
  int nt = num_threads();
  int par = nt > 1 && ntasks > 1 && (double)p->onumel * (double)p->rnumel >= GRAIN;
  (void)par;
#ifdef _OPENMP
#pragma omp parallel for num_threads(nt) schedule(dynamic, 4) if (par)
#endif
  for (int64_t t = 0; t < ntasks; t++) {
    int64_t o = t / nblk, b = t % nblk;
    char *ptr[3];
    for (int op = 0; op < 3; op++) ptr[op] = p->base[op];
    for (int d = nk - 2; d >= 0; d--) {
      int64_t i = o % p->kshape[d];
      o /= p->kshape[d];
      for (int op = 0; op < 3; op++) ptr[op] += i * p->kst[op][d];
    }
    for (int op = 0; op < 3; op++) ptr[op] += b * GB * st[op];
    int64_t m = n - b * GB < GB ? n - b * GB : GB;
    kern(p, ptr, st, m, c);
  }
}

/* Walks the rows of the reduced space: for each row, runs BODY with ROFF the byte offset of
 * its first element. */
#define FOR_ROWS(P, ROFF, ...)                                                             \
  do {                                                                                      \
    if ((P)->rnumel > 0) {                                                                  \
      int nr_ = (P)->nr;                                                                    \
      int64_t ROFF = 0;                                                                     \
      if (nr_ <= 1) {                                                                       \
        __VA_ARGS__;                                                                        \
      } else {                                                                              \
        int64_t idx_[TL_MAX_DIMS] = {0};                                                    \
        for (;;) {                                                                          \
          __VA_ARGS__;                                                                      \
          int d_ = nr_ - 2;                                                                 \
          for (; d_ >= 0; d_--) {                                                           \
            ROFF += (P)->rst[d_];                                                           \
            if (++idx_[d_] < (P)->rshape[d_]) break;                                        \
            ROFF -= (P)->rst[d_] * (P)->rshape[d_];                                         \
            idx_[d_] = 0;                                                                   \
          }                                                                                 \
          if (d_ < 0) break;                                                                \
        }                                                                                   \
      }                                                                                     \
    }                                                                                       \
  } while (0)

/* A kernel with one accumulator of type TA per output.
 * INIT(k): initial accumulator; UPD(a, v, k): fold input v into a; COMB(a, b): fold
 * accumulator b into a; FIN(a, k): the output value. PRE runs once per block (to load
 * auxiliary data). Contiguous reductions use NL independent lanes per output (combined in
 * a fixed order) so that the compiler can vectorise them. */
#define NL 8
#define DEF_GKERN(NAME, TI, TA, TO, PRE, INIT, UPD, COMB, FIN)                              \
  static void NAME(const gplan *p, char **ptr, const int64_t *st, int64_t n,                \
                   const gctx *c) {                                                         \
    (void)c;                                                                                \
    TA acc[GB];                                                                             \
    PRE;                                                                                    \
    for (int64_t k = 0; k < n; k++) acc[k] = INIT(k);                                       \
    const int64_t L = p->nr > 0 ? p->rshape[p->nr - 1] : 1;                                 \
    const int64_t rs = p->nr > 0 ? p->rst[p->nr - 1] : 0;                                   \
    const char *in = ptr[OP_IN];                                                            \
    const int64_t sin = st[OP_IN];                                                          \
    if (rs == (int64_t)sizeof(TI) && sin != (int64_t)sizeof(TI)) {                          \
      for (int64_t k = 0; k < n; k++) {                                                     \
        TA lane[NL];                                                                        \
        for (int l = 0; l < NL; l++) lane[l] = INIT(k);                                     \
        const char *bk = in + k * sin;                                                      \
        FOR_ROWS(p, roff, {                                                                 \
          const TI *q = (const TI *)(bk + roff);                                            \
          int64_t r = 0;                                                                    \
          for (; r + NL <= L; r += NL)                                                      \
            for (int l = 0; l < NL; l++) {                                                  \
              TI v = q[r + l];                                                              \
              UPD(lane[l], v, k);                                                           \
            }                                                                               \
          for (; r < L; r++) {                                                              \
            TI v = q[r];                                                                    \
            UPD(lane[0], v, k);                                                             \
          }                                                                                 \
        });                                                                                 \
        for (int l = 1; l < NL; l++) COMB(lane[0], lane[l]);                                \
        acc[k] = lane[0];                                                                   \
      }                                                                                     \
    } else {                                                                                \
      FOR_ROWS(p, roff, {                                                                   \
        for (int64_t r = 0; r < L; r++) {                                                   \
          const char *b = in + roff + r * rs;                                               \
          if (sin == (int64_t)sizeof(TI)) {                                                 \
            const TI *q = (const TI *)b;                                                    \
            for (int64_t k = 0; k < n; k++) {                                               \
              TI v = q[k];                                                                  \
              UPD(acc[k], v, k);                                                            \
            }                                                                               \
          } else {                                                                          \
            for (int64_t k = 0; k < n; k++) {                                               \
              TI v = *(const TI *)(b + k * sin);                                            \
              UPD(acc[k], v, k);                                                            \
            }                                                                               \
          }                                                                                 \
        }                                                                                   \
      });                                                                                   \
    }                                                                                       \
    for (int64_t k = 0; k < n; k++) *(TO *)(ptr[OP_OUT] + k * st[OP_OUT]) = FIN(acc[k], k);  \
  }

#define NOPRE (void)0
#define ID(a, k) (a)

/* ---- prod */
#define K_ONE(k) 1
#define U_MUL(a, v, k) (a) *= (v)
#define C_MUL(a, b) (a) *= (b)
DEF_GKERN(prod_i64, int64_t, int64_t, int64_t, NOPRE, K_ONE, U_MUL, C_MUL, ID)
DEF_GKERN(prod_f32, float, float, float, NOPRE, K_ONE, U_MUL, C_MUL, ID)
DEF_GKERN(prod_f64, double, double, double, NOPRE, K_ONE, U_MUL, C_MUL, ID)

/* ---- amax / amin: NaN propagates */
#define U_FMAX(a, v, k) (a) = ((v) > (a) || (v) != (v)) ? (v) : (a)
#define U_FMIN(a, v, k) (a) = ((v) < (a) || (v) != (v)) ? (v) : (a)
#define U_IMAX(a, v, k) (a) = (v) > (a) ? (v) : (a)
#define U_IMIN(a, v, k) (a) = (v) < (a) ? (v) : (a)
#define C_FMAX(a, b) U_FMAX(a, b, 0)
#define C_FMIN(a, b) U_FMIN(a, b, 0)
#define C_IMAX(a, b) U_IMAX(a, b, 0)
#define C_IMIN(a, b) U_IMIN(a, b, 0)
#define K_NINF(k) (-INFINITY)
#define K_PINF(k) (INFINITY)
#define K_I64MIN(k) INT64_MIN
#define K_I64MAX(k) INT64_MAX
#define K_I32MIN(k) INT32_MIN
#define K_I32MAX(k) INT32_MAX
#define K_ZERO(k) 0
DEF_GKERN(amax_f32, float, float, float, NOPRE, K_NINF, U_FMAX, C_FMAX, ID)
DEF_GKERN(amax_f64, double, double, double, NOPRE, K_NINF, U_FMAX, C_FMAX, ID)
DEF_GKERN(amax_i64, int64_t, int64_t, int64_t, NOPRE, K_I64MIN, U_IMAX, C_IMAX, ID)
DEF_GKERN(amax_i32, int32_t, int32_t, int32_t, NOPRE, K_I32MIN, U_IMAX, C_IMAX, ID)
DEF_GKERN(amax_b, uint8_t, uint8_t, uint8_t, NOPRE, K_ZERO, U_IMAX, C_IMAX, ID)
DEF_GKERN(amin_f32, float, float, float, NOPRE, K_PINF, U_FMIN, C_FMIN, ID)
DEF_GKERN(amin_f64, double, double, double, NOPRE, K_PINF, U_FMIN, C_FMIN, ID)
DEF_GKERN(amin_i64, int64_t, int64_t, int64_t, NOPRE, K_I64MAX, U_IMIN, C_IMIN, ID)
DEF_GKERN(amin_i32, int32_t, int32_t, int32_t, NOPRE, K_I32MAX, U_IMIN, C_IMIN, ID)
DEF_GKERN(amin_b, uint8_t, uint8_t, uint8_t, NOPRE, K_ONE, U_IMIN, C_IMIN, ID)

/* ---- all / any */
#define U_ALL(a, v, k) (a) &= (uint8_t)((v) != 0)
#define U_ANY(a, v, k) (a) |= (uint8_t)((v) != 0)
#define C_AND(a, b) (a) &= (b)
#define C_OR(a, b) (a) |= (b)
DEF_GKERN(all_b, uint8_t, uint8_t, uint8_t, NOPRE, K_ONE, U_ALL, C_AND, ID)
DEF_GKERN(all_i32, int32_t, uint8_t, uint8_t, NOPRE, K_ONE, U_ALL, C_AND, ID)
DEF_GKERN(all_i64, int64_t, uint8_t, uint8_t, NOPRE, K_ONE, U_ALL, C_AND, ID)
DEF_GKERN(all_f32, float, uint8_t, uint8_t, NOPRE, K_ONE, U_ALL, C_AND, ID)
DEF_GKERN(all_f64, double, uint8_t, uint8_t, NOPRE, K_ONE, U_ALL, C_AND, ID)
DEF_GKERN(any_b, uint8_t, uint8_t, uint8_t, NOPRE, K_ZERO, U_ANY, C_OR, ID)
DEF_GKERN(any_i32, int32_t, uint8_t, uint8_t, NOPRE, K_ZERO, U_ANY, C_OR, ID)
DEF_GKERN(any_i64, int64_t, uint8_t, uint8_t, NOPRE, K_ZERO, U_ANY, C_OR, ID)
DEF_GKERN(any_f32, float, uint8_t, uint8_t, NOPRE, K_ZERO, U_ANY, C_OR, ID)
DEF_GKERN(any_f64, double, uint8_t, uint8_t, NOPRE, K_ZERO, U_ANY, C_OR, ID)

/* ---- variance: pass 1, sums in double; pass 2, squared deviations from the mean (aux) */
#define U_ADD(a, v, k) (a) += (double)(v)
#define C_ADD(a, b) (a) += (b)
DEF_GKERN(dsum_f32, float, double, double, NOPRE, K_ZERO, U_ADD, C_ADD, ID)
DEF_GKERN(dsum_f64, double, double, double, NOPRE, K_ZERO, U_ADD, C_ADD, ID)
#define PRE_MEAN                                                                            \
  double mu[GB];                                                                            \
  for (int64_t k = 0; k < n; k++) mu[k] = *(const double *)(ptr[OP_AUX] + k * st[OP_AUX])
#define U_SQDEV(a, v, k)                                                                    \
  do {                                                                                      \
    double d_ = (double)(v) - mu[k];                                                        \
    (a) += d_ * d_;                                                                         \
  } while (0)
#define F_VAR(a, k) (c->take_sqrt ? sqrt((a) / c->div) : (a) / c->div)
DEF_GKERN(var_f32, float, double, float, PRE_MEAN, K_ZERO, U_SQDEV, C_ADD, (float)F_VAR)
DEF_GKERN(var_f64, double, double, double, PRE_MEAN, K_ZERO, U_SQDEV, C_ADD, F_VAR)

/* ---- norms, accumulated in double */
#define U_SQ(a, v, k) (a) += (double)(v) * (double)(v)
#define U_ABS(a, v, k) (a) += fabs((double)(v))
#define U_NZ(a, v, k) (a) += (v) != 0
#define U_POW(a, v, k) (a) += pow(fabs((double)(v)), c->p)
#define U_AMAX(a, v, k) U_FMAX(a, fabs((double)(v)), k)
#define U_AMIN(a, v, k) U_FMIN(a, fabs((double)(v)), k)
#define F_SQRT(a, k) sqrt(a)
#define F_ROOT(a, k) pow((a), 1.0 / c->p)
#define DEF_NORMS(SUF, T)                                                                   \
  DEF_GKERN(norm2_##SUF, T, double, T, NOPRE, K_ZERO, U_SQ, C_ADD, (T)F_SQRT)               \
  DEF_GKERN(norm1_##SUF, T, double, T, NOPRE, K_ZERO, U_ABS, C_ADD, (T)ID)                  \
  DEF_GKERN(norm0_##SUF, T, double, T, NOPRE, K_ZERO, U_NZ, C_ADD, (T)ID)                   \
  DEF_GKERN(normp_##SUF, T, double, T, NOPRE, K_ZERO, U_POW, C_ADD, (T)F_ROOT)              \
  DEF_GKERN(norminf_##SUF, T, double, T, NOPRE, K_ZERO, U_AMAX, C_FMAX, (T)ID)              \
  DEF_GKERN(normninf_##SUF, T, double, T, NOPRE, K_PINF, U_AMIN, C_FMIN, (T)ID)
DEF_NORMS(f32, float)
DEF_NORMS(f64, double)

/* ---- max/min with the index of the first extreme (one reduced dimension at most) */
#define DEF_IKERN(NAME, TI, INITV, BETTER)                                                  \
  static void NAME(const gplan *p, char **ptr, const int64_t *st, int64_t n,                \
                   const gctx *c) {                                                         \
    TI best[GB];                                                                            \
    int64_t bi[GB];                                                                         \
    for (int64_t k = 0; k < n; k++) {                                                       \
      best[k] = INITV;                                                                      \
      bi[k] = 0;                                                                            \
    }                                                                                       \
    const int64_t L = p->nr > 0 ? p->rshape[0] : 1;                                         \
    const int64_t rs = p->nr > 0 ? p->rst[0] : 0;                                           \
    const char *in = ptr[OP_IN];                                                            \
    const int64_t sin = st[OP_IN];                                                          \
    if (rs == (int64_t)sizeof(TI) && sin != (int64_t)sizeof(TI)) {                          \
      for (int64_t k = 0; k < n; k++) { /* NL lanes, then the first of the best */          \
        const TI *q = (const TI *)(in + k * sin);                                           \
        TI lb[NL];                                                                          \
        int64_t li[NL];                                                                     \
        for (int l = 0; l < NL; l++) {                                                      \
          lb[l] = INITV;                                                                    \
          li[l] = l;                                                                        \
        }                                                                                   \
        int64_t r = 0;                                                                      \
        for (; r + NL <= L; r += NL)                                                        \
          for (int l = 0; l < NL; l++) {                                                    \
            TI v = q[r + l];                                                                \
            int w = BETTER(v, lb[l]);                                                       \
            lb[l] = w ? v : lb[l];                                                          \
            li[l] = w ? r + l : li[l];                                                      \
          }                                                                                 \
        for (; r < L; r++)                                                                  \
          if (BETTER(q[r], lb[0])) {                                                        \
            lb[0] = q[r];                                                                   \
            li[0] = r;                                                                      \
          }                                                                                 \
        TI b = lb[0];                                                                       \
        int64_t ib = li[0];                                                                 \
        for (int l = 1; l < NL; l++) {                                                      \
          TI v = lb[l];                                                                     \
          if (BETTER(v, b) || ((v == b || (v != v && b != b)) && li[l] < ib)) {             \
            b = v;                                                                          \
            ib = li[l];                                                                     \
          }                                                                                 \
        }                                                                                   \
        best[k] = b;                                                                        \
        bi[k] = ib;                                                                         \
      }                                                                                     \
    } else {                                                                                \
      for (int64_t r = 0; r < L; r++) {                                                     \
        const char *b = in + r * rs;                                                        \
        for (int64_t k = 0; k < n; k++) {                                                   \
          TI v = *(const TI *)(b + k * sin);                                                \
          if (BETTER(v, best[k])) {                                                         \
            best[k] = v;                                                                    \
            bi[k] = r;                                                                      \
          }                                                                                 \
        }                                                                                   \
      }                                                                                     \
    }                                                                                       \
    if (c->want_values)                                                                     \
      for (int64_t k = 0; k < n; k++) *(TI *)(ptr[OP_OUT] + k * st[OP_OUT]) = best[k];      \
    for (int64_t k = 0; k < n; k++) *(int64_t *)(ptr[OP_AUX] + k * st[OP_AUX]) = bi[k];     \
  }

/* the first NaN wins and stays; otherwise strictly better (so ties keep the first) */
#define B_FMAX(v, b) ((v) > (b) || ((v) != (v) && (b) == (b)))
#define B_FMIN(v, b) ((v) < (b) || ((v) != (v) && (b) == (b)))
#define B_IMAX(v, b) ((v) > (b))
#define B_IMIN(v, b) ((v) < (b))
DEF_IKERN(imax_f32, float, -INFINITY, B_FMAX)
DEF_IKERN(imax_f64, double, -INFINITY, B_FMAX)
DEF_IKERN(imax_i64, int64_t, INT64_MIN, B_IMAX)
DEF_IKERN(imax_i32, int32_t, INT32_MIN, B_IMAX)
DEF_IKERN(imax_b, uint8_t, 0, B_IMAX)
DEF_IKERN(imin_f32, float, INFINITY, B_FMIN)
DEF_IKERN(imin_f64, double, INFINITY, B_FMIN)
DEF_IKERN(imin_i64, int64_t, INT64_MAX, B_IMIN)
DEF_IKERN(imin_i32, int32_t, INT32_MAX, B_IMIN)
DEF_IKERN(imin_b, uint8_t, 1, B_IMIN)

static gkern pick(tl_dtype dt, gkern b, gkern i32, gkern i64, gkern f32, gkern f64) {
  switch (dt) {
  case TL_BOOL: return b;
  case TL_INT32: return i32;
  case TL_INT64: return i64;
  case TL_FLOAT32: return f32;
  case TL_FLOAT64: return f64;
  default: return NULL;
  }
}

/* One output of dtype odt (and an optional aux tensor shaped like it). */
static tl_tensor *reduce_generic(const tl_tensor *x, const uint8_t *mask, int keepdim,
                                 tl_dtype odt, gkern kern, const gctx *c, tl_tensor *aux) {
  tl_tensor *out = alloc_out(x, mask, keepdim, odt);
  if (!out) return NULL;
  gplan p;
  gplan_build(&p, x, mask, keepdim, out, aux);
  gplan_run(&p, kern, c);
  return out;
}

/* ================================================================ prod, amax, all, ... */

static tl_status one_dim_mask(const tl_tensor *x, const int64_t *dim, uint8_t *mask) {
  return make_mask(x, dim, dim ? 1 : 0, mask);
}

tl_tensor *tl_prod(const tl_tensor *x, const int64_t *dim, int keepdim, int dtype) {
  uint8_t mask[TL_MAX_DIMS];
  if (one_dim_mask(x, dim, mask) != TL_OK) return NULL;
  if (dtype >= 0 && !tl_dtype_valid(dtype)) {
    tl_error(TL_ERR_TYPE, "unknown dtype code %d", dtype);
    return NULL;
  }
  tl_dtype odt = dtype >= 0 ? (tl_dtype)dtype
                            : (tl_dtype_is_floating(x->dtype) ? x->dtype : TL_INT64);
  tl_dtype adt = tl_dtype_is_floating(odt) ? odt : TL_INT64;
  tl_tensor *xa = as_dtype(x, adt);
  if (!xa) return NULL;
  gkern k = adt == TL_FLOAT32 ? prod_f32 : adt == TL_FLOAT64 ? prod_f64 : prod_i64;
  tl_tensor *out = reduce_generic(xa, mask, keepdim, adt, k, NULL, NULL);
  tl_tensor_release(xa);
  if (out && adt != odt) {
    tl_tensor *o2 = tl_to_dtype(out, odt, 0);
    tl_tensor_release(out);
    out = o2;
  }
  return out;
}

/* libtorch's zero_numel_check_dims */
static tl_status check_nonempty(const tl_tensor *x, const uint8_t *mask, int all,
                                const char *fn) {
  if (x->numel != 0) return TL_OK;
  if (all || x->ndim == 0)
    return tl_error(TL_ERR_RUNTIME,
                    "%s(): Expected reduction dim to be specified for input.numel() == 0. "
                    "Specify the reduction dim with the 'dim' argument.",
                    fn);
  for (int d = 0; d < x->ndim; d++)
    if (mask[d] && x->shape[d] == 0)
      return tl_error(TL_ERR_INDEX, "%s(): Expected reduction dim %d to have non-zero size.",
                      fn, d);
  return TL_OK;
}

static tl_tensor *amax_amin(const tl_tensor *x, const int64_t *dims, int ndims, int keepdim,
                            int is_max) {
  uint8_t mask[TL_MAX_DIMS];
  if (make_mask(x, dims, ndims, mask) != TL_OK) return NULL;
  if (check_nonempty(x, mask, !dims || ndims == 0, is_max ? "amax" : "amin") != TL_OK)
    return NULL;
  gkern k = is_max ? pick(x->dtype, amax_b, amax_i32, amax_i64, amax_f32, amax_f64)
                   : pick(x->dtype, amin_b, amin_i32, amin_i64, amin_f32, amin_f64);
  return reduce_generic(x, mask, keepdim, x->dtype, k, NULL, NULL);
}

tl_tensor *tl_amax(const tl_tensor *x, const int64_t *dims, int ndims, int keepdim) {
  return amax_amin(x, dims, ndims, keepdim, 1);
}

tl_tensor *tl_amin(const tl_tensor *x, const int64_t *dims, int ndims, int keepdim) {
  return amax_amin(x, dims, ndims, keepdim, 0);
}

static tl_tensor *maxmin_all(const tl_tensor *x, int is_max) {
  if (x->numel == 0) {
    tl_error(TL_ERR_RUNTIME,
             "%s(): Expected reduction dim to be specified for input.numel() == 0. Specify the "
             "reduction dim with the 'dim' argument.",
             is_max ? "max" : "min");
    return NULL;
  }
  return amax_amin(x, NULL, 0, 0, is_max);
}

tl_tensor *tl_max_all(const tl_tensor *x) { return maxmin_all(x, 1); }
tl_tensor *tl_min_all(const tl_tensor *x) { return maxmin_all(x, 0); }

/* values (may be NULL: argmax) and indices along one dimension of x */
static tl_status index_reduce(const tl_tensor *x, int64_t d, int keepdim, int is_max,
                              int want_values, const char *fn, tl_tensor **values,
                              tl_tensor **indices) {
  uint8_t mask[TL_MAX_DIMS];
  if (make_mask(x, &d, 1, mask) != TL_OK) return tl_last_status();
  if (x->numel == 0 && x->ndim > 0) {
    int64_t w;
    wrap_dim(d, x->ndim, &w);
    if (x->shape[w] == 0)
      return tl_error(TL_ERR_INDEX, "%s(): Expected reduction dim %lld to have non-zero size.",
                      fn, (long long)w);
  }
  gkern k = is_max ? pick(x->dtype, imax_b, imax_i32, imax_i64, imax_f32, imax_f64)
                   : pick(x->dtype, imin_b, imin_i32, imin_i64, imin_f32, imin_f64);
  tl_tensor *idx = alloc_out(x, mask, keepdim, TL_INT64);
  if (!idx) return tl_last_status();
  tl_tensor *val = NULL;
  if (want_values) {
    val = alloc_out(x, mask, keepdim, x->dtype);
    if (!val) {
      tl_tensor_release(idx);
      return tl_last_status();
    }
  }
  gplan p;
  gplan_build(&p, x, mask, keepdim, val ? val : idx, idx);
  gctx c = {0, 0, 0, val != NULL};
  gplan_run(&p, k, &c);
  if (values) *values = val;
  *indices = idx;
  return TL_OK;
}

tl_status tl_max_dim(const tl_tensor *x, int64_t dim, int keepdim, tl_tensor **values,
                     tl_tensor **indices) {
  return index_reduce(x, dim, keepdim, 1, 1, "max", values, indices);
}

tl_status tl_min_dim(const tl_tensor *x, int64_t dim, int keepdim, tl_tensor **values,
                     tl_tensor **indices) {
  return index_reduce(x, dim, keepdim, 0, 1, "min", values, indices);
}

static tl_tensor *argmaxmin(const tl_tensor *x, const int64_t *dim, int keepdim, int is_max) {
  const char *fn = is_max ? "argmax" : "argmin";
  if (x->dtype == TL_BOOL) {
    tl_error(TL_ERR_RUNTIME, "\"%s_cpu\" not implemented for 'Bool'", fn);
    return NULL;
  }
  tl_tensor *idx = NULL;
  if (dim) {
    if (index_reduce(x, *dim, keepdim, is_max, 0, fn, NULL, &idx) != TL_OK) return NULL;
    return idx;
  }
  if (x->numel == 0) {
    tl_error(TL_ERR_INDEX, "%s(): Expected reduction dim to be specified for input.numel() == 0.",
             fn);
    return NULL;
  }
  /* the index into the flattened (row-major) tensor */
  tl_tensor *c = tl_contiguous((tl_tensor *)x);
  if (!c) return NULL;
  int64_t n = c->numel, one = 1;
  tl_tensor *flat = tl_tensor_view_of(c->storage, c->dtype, 1, &n, &one, c->offset);
  tl_tensor_release(c);
  if (!flat) return NULL;
  int64_t d0 = 0;
  tl_status st = index_reduce(flat, d0, 0, is_max, 0, fn, NULL, &idx);
  tl_tensor_release(flat);
  if (st != TL_OK) return NULL;
  if (keepdim && x->ndim > 0) { /* all ones, of x's rank */
    int64_t shape[TL_MAX_DIMS], strides[TL_MAX_DIMS];
    for (int i = 0; i < x->ndim; i++) {
      shape[i] = 1;
      strides[i] = 1;
    }
    tl_tensor *v = tl_tensor_view_of(idx->storage, TL_INT64, x->ndim, shape, strides, 0);
    tl_tensor_release(idx);
    idx = v;
  }
  return idx;
}

tl_tensor *tl_argmax(const tl_tensor *x, const int64_t *dim, int keepdim) {
  return argmaxmin(x, dim, keepdim, 1);
}

tl_tensor *tl_argmin(const tl_tensor *x, const int64_t *dim, int keepdim) {
  return argmaxmin(x, dim, keepdim, 0);
}

static tl_tensor *all_any(const tl_tensor *x, const int64_t *dim, int keepdim, int is_all) {
  uint8_t mask[TL_MAX_DIMS];
  if (one_dim_mask(x, dim, mask) != TL_OK) return NULL;
  gkern k = is_all ? pick(x->dtype, all_b, all_i32, all_i64, all_f32, all_f64)
                   : pick(x->dtype, any_b, any_i32, any_i64, any_f32, any_f64);
  return reduce_generic(x, mask, keepdim, TL_BOOL, k, NULL, NULL);
}

tl_tensor *tl_all(const tl_tensor *x, const int64_t *dim, int keepdim) {
  return all_any(x, dim, keepdim, 1);
}

tl_tensor *tl_any(const tl_tensor *x, const int64_t *dim, int keepdim) {
  return all_any(x, dim, keepdim, 0);
}

/* ================================================================ var, std, norm */

static tl_tensor *var_std(const tl_tensor *x, const int64_t *dims, int ndims, double correction,
                          int keepdim, int take_sqrt) {
  if (!tl_dtype_is_floating(x->dtype)) {
    tl_error(TL_ERR_RUNTIME, "std and var only support floating point and complex dtypes");
    return NULL;
  }
  uint8_t mask[TL_MAX_DIMS];
  if (make_mask(x, dims, ndims, mask) != TL_OK) return NULL;
  int64_t n = reduced_count(x, mask);
  int f32 = x->dtype == TL_FLOAT32;
  tl_tensor *mean = reduce_generic(x, mask, keepdim, TL_FLOAT64, f32 ? dsum_f32 : dsum_f64,
                                   NULL, NULL);
  if (!mean) return NULL;
  double *m = tl_data(mean);
  for (int64_t i = 0; i < mean->numel; i++) m[i] /= (double)n;
  gctx c = {0, (double)n - correction, take_sqrt, 0};
  if (c.div < 0) c.div = 0;
  tl_tensor *out = reduce_generic(x, mask, keepdim, x->dtype, f32 ? var_f32 : var_f64, &c, mean);
  tl_tensor_release(mean);
  return out;
}

tl_tensor *tl_var(const tl_tensor *x, const int64_t *dims, int ndims, double correction,
                  int keepdim) {
  return var_std(x, dims, ndims, correction, keepdim, 0);
}

tl_tensor *tl_std(const tl_tensor *x, const int64_t *dims, int ndims, double correction,
                  int keepdim) {
  return var_std(x, dims, ndims, correction, keepdim, 1);
}

tl_tensor *tl_norm(const tl_tensor *x, double p, const int64_t *dims, int ndims, int keepdim,
                   int dtype) {
  if (dtype >= 0) {
    if (!tl_dtype_valid(dtype) || !tl_dtype_is_floating((tl_dtype)dtype)) {
      tl_error(TL_ERR_RUNTIME,
               "norm(): the desired output dtype should be either floating point or complex. "
               "Got %s instead.",
               tl_dtype_valid(dtype) ? tl_dtype_name((tl_dtype)dtype) : "?");
      return NULL;
    }
  } else if (!tl_dtype_is_floating(x->dtype)) {
    tl_error(TL_ERR_RUNTIME,
             "norm(): input dtype should be either floating point or complex. Got %s instead.",
             tl_dtype_name(x->dtype));
    return NULL;
  }
  if (p != p) {
    tl_error(TL_ERR_VALUE, "norm(): the order p must not be NaN");
    return NULL;
  }
  uint8_t mask[TL_MAX_DIMS];
  if (make_mask(x, dims, ndims, mask) != TL_OK) return NULL;
  tl_tensor *xa = as_dtype(x, dtype >= 0 ? (tl_dtype)dtype : x->dtype);
  if (!xa) return NULL;
  int f32 = xa->dtype == TL_FLOAT32;
  gkern k;
  if (p == 2) k = f32 ? norm2_f32 : norm2_f64;
  else if (p == 1) k = f32 ? norm1_f32 : norm1_f64;
  else if (p == 0) k = f32 ? norm0_f32 : norm0_f64;
  else if (p == INFINITY) k = f32 ? norminf_f32 : norminf_f64;
  else if (p == -INFINITY) k = f32 ? normninf_f32 : normninf_f64;
  else k = f32 ? normp_f32 : normp_f64;
  gctx c = {p, 0, 0, 0};
  tl_tensor *out = reduce_generic(xa, mask, keepdim, xa->dtype, k, &c, NULL);
  tl_tensor_release(xa);
  return out;
}

/* ================================================================ logsumexp */

typedef struct {
  int op; /* 0: out = exp(a - b); 1: out = log(a) + b */
} lse_ctx;

#define LSE_LOOP(NAME, T, EXP, LOG)                                                         \
  static void NAME(char **d, const int64_t *s, int64_t n, void *ctx) {                      \
    int op = ((const lse_ctx *)ctx)->op;                                                    \
    char *o = d[0];                                                                         \
    const char *a = d[1], *b = d[2];                                                        \
    for (int64_t i = 0; i < n; i++, o += s[0], a += s[1], b += s[2]) {                      \
      T x = *(const T *)a, y = *(const T *)b;                                               \
      *(T *)o = op == 0 ? EXP(x - y) : LOG(x) + y;                                          \
    }                                                                                       \
  }
LSE_LOOP(lse_f32, float, expf, logf)
LSE_LOOP(lse_f64, double, exp, log)

static tl_status lse_apply(tl_tensor *out, const tl_tensor *a, const tl_tensor *b, int op) {
  const tl_tensor *ops[3] = {out, a, b};
  tl_iter it;
  if (tl_iter_tensors(&it, 3, ops, out->ndim, out->shape) != TL_OK) return tl_last_status();
  lse_ctx c = {op};
  tl_iter_run(&it, out->dtype == TL_FLOAT32 ? lse_f32 : lse_f64, &c);
  return TL_OK;
}

tl_tensor *tl_logsumexp(const tl_tensor *x, const int64_t *dims, int ndims, int keepdim) {
  uint8_t mask[TL_MAX_DIMS];
  if (make_mask(x, dims, ndims, mask) != TL_OK) return NULL;
  tl_tensor *xf = as_dtype(x, tl_dtype_is_floating(x->dtype) ? x->dtype : TL_FLOAT32);
  if (!xf) return NULL;
  tl_tensor *out = NULL, *m = NULL, *e = NULL;
  if (xf->numel == 0) { /* log(sum(exp(x))) of nothing */
    out = alloc_out(xf, mask, keepdim, xf->dtype);
    if (out && tl_fill(out, -INFINITY) != TL_OK) {
      tl_tensor_release(out);
      out = NULL;
    }
    tl_tensor_release(xf);
    return out;
  }
  /* maxes, with +-Inf replaced by 0 so that exp(x - max) stays finite or NaN as libtorch */
  m = amax_amin(xf, dims, ndims, 1, 1);
  if (!m) goto done;
  for (int64_t i = 0; i < m->numel; i++) {
    if (m->dtype == TL_FLOAT32) {
      float *v = (float *)tl_data(m) + i;
      if (isinf(*v)) *v = 0;
    } else {
      double *v = (double *)tl_data(m) + i;
      if (isinf(*v)) *v = 0;
    }
  }
  e = tl_tensor_empty(xf->dtype, xf->ndim, xf->shape);
  if (!e || lse_apply(e, xf, m, 0) != TL_OK) goto done;
  out = tl_sum(e, dims, ndims, keepdim, -1);
  if (!out) goto done;
  { /* out = log(out) + max: m has out's elements in the same order (keepdim or not) */
    tl_tensor *mv = tl_tensor_view_of(m->storage, m->dtype, out->ndim, out->shape, out->strides,
                                      m->offset);
    if (!mv || lse_apply(out, out, mv, 1) != TL_OK) {
      tl_tensor_release(mv);
      tl_tensor_release(out);
      out = NULL;
      goto done;
    }
    tl_tensor_release(mv);
  }
done:
  tl_tensor_release(e);
  tl_tensor_release(m);
  tl_tensor_release(xf);
  return out;
}

/* ================================================================ cumsum */

typedef struct {
  int64_t len, so, si; /* along the scanned dim: length, output and input byte strides */
} cum_ctx;

#define CUM_LOOP(NAME, T, TA)                                                               \
  static void NAME(char **d, const int64_t *s, int64_t n, void *vctx) {                     \
    const cum_ctx *c = vctx;                                                                \
    for (int64_t k0 = 0; k0 < n; k0 += GB) {                                                \
      int64_t m = n - k0 < GB ? n - k0 : GB;                                                \
      TA acc[GB];                                                                           \
      for (int64_t k = 0; k < m; k++) acc[k] = 0;                                           \
      char *o = d[0] + k0 * s[0];                                                           \
      const char *in = d[1] + k0 * s[1];                                                    \
      for (int64_t r = 0; r < c->len; r++, o += c->so, in += c->si) {                       \
        for (int64_t k = 0; k < m; k++) {                                                   \
          acc[k] += (TA) * (const T *)(in + k * s[1]);                                      \
          *(T *)(o + k * s[0]) = (T)acc[k];                                                 \
        }                                                                                   \
      }                                                                                     \
    }                                                                                       \
  }
CUM_LOOP(cum_f32, float, double)
CUM_LOOP(cum_f64, double, double)
CUM_LOOP(cum_i64, int64_t, int64_t)

tl_tensor *tl_cumsum(const tl_tensor *x, int64_t dim, int dtype) {
  int64_t d;
  if (wrap_dim(dim, x->ndim, &d) != TL_OK) return NULL;
  if (dtype >= 0 && !tl_dtype_valid(dtype)) {
    tl_error(TL_ERR_TYPE, "unknown dtype code %d", dtype);
    return NULL;
  }
  tl_dtype odt = dtype >= 0 ? (tl_dtype)dtype
                            : (tl_dtype_is_floating(x->dtype) ? x->dtype : TL_INT64);
  tl_dtype adt = tl_dtype_is_floating(odt) ? odt : TL_INT64;
  tl_tensor *xa = as_dtype(x, adt);
  if (!xa) return NULL;
  tl_tensor *out = tl_tensor_empty(adt, xa->ndim, xa->shape);
  if (!out) {
    tl_tensor_release(xa);
    return NULL;
  }
  if (xa->ndim == 0) {
    tl_copy_into(out, xa);
  } else if (out->numel > 0) {
    /* iterate over every dimension but d; the loop scans along d */
    int64_t shape[TL_MAX_DIMS], so[TL_MAX_DIMS], si[TL_MAX_DIMS];
    for (int i = 0; i < xa->ndim; i++) {
      shape[i] = i == d ? 1 : xa->shape[i];
      so[i] = out->strides[i];
      si[i] = xa->strides[i];
    }
    size_t es = tl_dtype_size(adt);
    cum_ctx c = {xa->shape[d], out->strides[d] * (int64_t)es, xa->strides[d] * (int64_t)es};
    char *data[2] = {(char *)tl_data(out), (char *)tl_data(xa)};
    const int64_t *sp[2] = {so, si};
    size_t esz[2] = {es, es};
    tl_iter it;
    tl_iter_init(&it, 2, xa->ndim, shape, data, sp, esz);
    tl_iter_run(&it, adt == TL_FLOAT32 ? cum_f32 : adt == TL_FLOAT64 ? cum_f64 : cum_i64, &c);
  }
  tl_tensor_release(xa);
  if (adt != odt) {
    tl_tensor *o2 = tl_to_dtype(out, odt, 0);
    tl_tensor_release(out);
    out = o2;
  }
  return out;
}
