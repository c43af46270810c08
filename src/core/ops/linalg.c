/* Matrix products. Everything funnels into gemm(): C (m x n, row-major, contiguous) =
 * A (m x k) B (k x n), with A and B given as data pointers and element strides. Row-major
 * C = A B is column-major C^T = B^T A^T, which is what the Fortran BLAS is asked for. */
#include "linalg.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../iter.h"
#include "../parallel.h"

/* Fortran BLAS (OpenBLAS or R's reference BLAS). The trailing arguments are the hidden
 * lengths of the character arguments that gfortran passes (size_t); callers that do not
 * expect them ignore them. */
typedef size_t tl_fclen;
extern void dgemm_(const char *transa, const char *transb, const int *m, const int *n,
                   const int *k, const double *alpha, const double *a, const int *lda,
                   const double *b, const int *ldb, const double *beta, double *c,
                   const int *ldc, tl_fclen la, tl_fclen lb);
#ifdef TL_HAVE_OPENBLAS
extern void sgemm_(const char *transa, const char *transb, const int *m, const int *n,
                   const int *k, const float *alpha, const float *a, const int *lda,
                   const float *b, const int *ldb, const float *beta, float *c, const int *ldc,
                   tl_fclen la, tl_fclen lb);
#endif

/* ================================================================ errors */

static tl_tensor *fail_dtype(tl_dtype a, tl_dtype b) {
  tl_error(TL_ERR_RUNTIME, "expected scalar type %s but found %s", tl_dtype_name(a),
           tl_dtype_name(b));
  return NULL;
}

static tl_tensor *fail_bool(const char *what) {
  tl_error(TL_ERR_RUNTIME, "\"%s\" not implemented for 'Bool'", what);
  return NULL;
}

/* ================================================================ gemm */

typedef struct {
  const char *p;
  int64_t rs, cs; /* element strides of rows and columns */
} mat;

/* Can a (rows x cols) row-major-indexed matrix go to BLAS without a copy? 'N': its
 * column-major reading is the transpose (columns contiguous, ld = row stride); 'T': its
 * rows are contiguous in column-major order (ld = column stride). */
static int blas_layout(int64_t rows, int64_t cols, int64_t rs, int64_t cs, char *trans,
                       int64_t *ld) {
  int64_t mc = cols > 1 ? cols : 1, mr = rows > 1 ? rows : 1;
  if ((cols == 1 || cs == 1) && (rows == 1 || rs >= mc)) {
    *trans = 'N';
    *ld = rows == 1 ? mc : rs;
    return 1;
  }
  if ((rows == 1 || rs == 1) && (cols == 1 || cs >= mr)) {
    *trans = 'T';
    *ld = cols == 1 ? mr : cs;
    return 1;
  }
  return 0;
}

/* packs a strided matrix into a contiguous row-major buffer of type dst (float or double) */
static void pack(void *dst, tl_dtype ddt, const mat *m, tl_dtype sdt, int64_t rows,
                 int64_t cols) {
  size_t es = tl_dtype_size(sdt);
  for (int64_t i = 0; i < rows; i++)
    for (int64_t j = 0; j < cols; j++) {
      const char *s = m->p + (size_t)((i * m->rs + j * m->cs) * (int64_t)es);
      double v = sdt == TL_FLOAT32 ? *(const float *)s : *(const double *)s;
      if (ddt == TL_FLOAT32) ((float *)dst)[i * cols + j] = (float)v;
      else ((double *)dst)[i * cols + j] = v;
    }
}

#define INT_GEMM(NAME, T)                                                                   \
  static void NAME(int64_t m, int64_t n, int64_t k, const mat *a, const mat *b, T *c) {     \
    memset(c, 0, (size_t)(m * n) * sizeof(T));                                              \
    const T *A = (const T *)a->p, *B = (const T *)b->p;                                     \
    for (int64_t i = 0; i < m; i++)                                                         \
      for (int64_t p = 0; p < k; p++) {                                                     \
        /* wrap-around arithmetic as the hardware (and libtorch) does */                    \
        uint64_t aip = (uint64_t)A[i * a->rs + p * a->cs];                                  \
        T *ci = c + i * n;                                                                  \
        const T *bp = B + p * b->rs;                                                        \
        for (int64_t j = 0; j < n; j++)                                                     \
          ci[j] = (T)((uint64_t)ci[j] + aip * (uint64_t)bp[j * b->cs]);                     \
      }                                                                                     \
  }
INT_GEMM(gemm_i64, int64_t)
INT_GEMM(gemm_i32, int32_t)

static int fits_int(int64_t v) { return v <= INT_MAX; }

/* One column-major BLAS call C (M x N) = op(A) (M x K) op(B) (K x N), alpha 1, beta 0. */
typedef struct {
  int dbl;          /* dgemm_ (else sgemm_) */
  char ta, tb;      /* 'N' or 'T' */
  int M, N, K;
  const char *a;
  int lda;
  const char *b;
  int ldb;
  char *c;
  int ldc;
  size_t es;        /* element size */
} blas_job;

static void blas_call(const blas_job *j, int M, int N, const char *a, const char *b, char *c) {
  if (j->dbl) {
    double one = 1, zero = 0;
    dgemm_(&j->ta, &j->tb, &M, &N, &j->K, &one, (const double *)a, &j->lda,
           (const double *)b, &j->ldb, &zero, (double *)c, &j->ldc, 1, 1);
  }
#ifdef TL_HAVE_OPENBLAS
  else {
    float one = 1, zero = 0;
    sgemm_(&j->ta, &j->tb, &M, &N, &j->K, &one, (const float *)a, &j->lda, (const float *)b,
           &j->ldb, &zero, (float *)c, &j->ldc, 1, 1);
  }
#endif
}

/* Products with at least this many multiply-adds are split over the threads (OpenBLAS's
 * own threshold for threading a gemm: SMP_THRESHOLD_MIN * GEMM_MULTITHREAD_THRESHOLD). */
#define GEMM_PAR_WORK 262144.0
/* chunk boundaries on multiples of the kernels' unrolling */
#define GEMM_PAR_ALIGN 16
/* Up to 4 blocks per thread, handed out dynamically, at least 512 wide (each block packs the
 * other operand again): a thread that the machine's other load delays holds up one block,
 * not half the product. */
#define GEMM_PAR_PER_THREAD 4
#define GEMM_PAR_MIN_WIDTH 512

/* With OpenBLAS, the product is split into blocks of C's longer side (rows of C for M, its
 * columns for N), shared by the threads of torchlite's OpenMP team, each computed by a
 * single-threaded BLAS call: the team that runs the elementwise kernels also runs the
 * products, and OpenBLAS's own pool is never woken (two pools on few cores spin against each
 * other: mlp_large at 2 threads 1.4 -> 0.65 s). The split depends on the thread count, and
 * OpenBLAS's result for an element depends on the block it is computed in, so products may
 * differ in the last bits between thread counts, as they already did with OpenBLAS's own
 * threading. Without OpenBLAS, R's BLAS gets the whole call. */
#if defined(TL_HAVE_OPENBLAS) && defined(_OPENMP)
typedef struct {
  const blas_job *j;
  int split_m;     /* blocks of rows of C (else of columns) */
  int64_t d;       /* the length of the side split */
  int64_t nblocks;
} blas_split;

/* block t of a split product */
static void blas_block(void *ctx, int64_t t) {
  const blas_split *sp = ctx;
  const blas_job *j = sp->j;
  int64_t d = sp->d, nc = sp->nblocks;
  int64_t b0 = (d * t / nc) & ~(int64_t)(GEMM_PAR_ALIGN - 1);
  int64_t b1 = t == nc - 1 ? d : (d * (t + 1) / nc) & ~(int64_t)(GEMM_PAR_ALIGN - 1);
  const char *a = j->a, *b = j->b;
  char *c = j->c;
  if (sp->split_m) { /* rows b0..b1 of op(A) and of C */
    a += (size_t)(j->ta == 'N' ? b0 : b0 * j->lda) * j->es;
    c += (size_t)b0 * j->es;
    blas_call(j, (int)(b1 - b0), j->N, a, b, c);
  } else {           /* columns b0..b1 of op(B) and of C */
    b += (size_t)(j->tb == 'N' ? b0 * j->ldb : b0) * j->es;
    c += (size_t)(b0 * j->ldc) * j->es;
    blas_call(j, j->M, (int)(b1 - b0), a, b, c);
  }
}
#endif

static void blas_gemm(const blas_job *j) {
#if defined(TL_HAVE_OPENBLAS) && defined(_OPENMP)
  int split_m = j->M >= j->N;
  int64_t d = split_m ? j->M : j->N;
  int nt = tl_get_num_threads();
  int64_t chunks = (int64_t)nt * GEMM_PAR_PER_THREAD;
  if (chunks > d / GEMM_PAR_MIN_WIDTH) chunks = d / GEMM_PAR_MIN_WIDTH;
  if (chunks < nt) chunks = nt;
  if ((double)j->M * (double)j->N * (double)j->K < GEMM_PAR_WORK) chunks = 1;
  if (chunks > d / GEMM_PAR_ALIGN) chunks = d / GEMM_PAR_ALIGN;
  int saved = tl_blas_serial_begin();
  if (chunks > 1) {
    blas_split sp = {j, split_m, d, chunks};
    tl_parallel_tasks(chunks, nt, blas_block, &sp);
  } else {
    blas_call(j, j->M, j->N, j->a, j->b, j->c);
  }
  tl_blas_serial_end(saved);
#else
  blas_call(j, j->M, j->N, j->a, j->b, j->c);
#endif
}

/* ================================================================ small products
 *
 * On small products (those of a little network: 100 x 3 times 3 x 32 and the like) OpenBLAS
 * spends most of its time packing the operands and zeroing C. Below SMALL_WORK multiply-adds
 * the product is computed here instead, bit for bit as OpenBLAS 0.3.21's Haswell kernels
 * (which its Haswell and Zen cores use) compute it: each element accumulated over k in order
 * with fused multiply-adds from +0, then stored as alpha * acc + C with alpha = 1 and C
 * zeroed for beta = 0, i.e. acc + 0 (a -0 becomes +0). That is OpenBLAS's order only where
 * none of its tiles splits the sum over k (see gemm_small for the shapes), and for k up to
 * its GEMM_Q (it adds partial sums over blocks of k beyond). Other products, and all of
 * them without AVX2 and FMA, with another OpenBLAS core, with TORCHLITE_SIMD=generic or with
 * R's BLAS, go to BLAS as before.
 *
 * The kernel computes O[r, w] = sum_p S[r, p] P[p, w] with the lanes w in vectors: C = A B
 * (lanes along the rows of C) or C^T = B^T A^T (lanes along the columns of C), whichever
 * takes fewer steps; a lane operand whose lanes are not adjacent is gathered, or, where each
 * lane's run over k is adjacent, loaded L elements of k at a time and transposed. */
#if defined(TL_HAVE_OPENBLAS) && (defined(__GNUC__) || defined(__clang__)) && \
  defined(__x86_64__)
#define TL_SMALL_GEMM 1
#include <ctype.h>
#include <immintrin.h>

#include "elementwise.h"

extern char *openblas_get_corename(void);

#define SMALL_WORK 65536.0
#define SMALL_MAX_K 256
#define TL_FMA __attribute__((target("avx2,fma")))
#define SG_INLINE static inline __attribute__((always_inline))

typedef struct {
  int64_t R, W, K;
  const char *S; /* scalar operand: S[r * srs + p * scs] (elements) */
  int64_t srs, scs;
  const char *P; /* lane operand: P[p * pps + w * pls] */
  int64_t pps, pls;
  char *O;       /* output: O[r * ors + w * ocs] */
  int64_t ors, ocs;
} small_job;

/* the vector operations per dtype: f32 8 lanes, f64 4 lanes */
typedef __m256 f32_v;
typedef __m256i f32_gi; /* gather indices */
TL_FMA SG_INLINE f32_v f32_set1(const float *p) { return _mm256_broadcast_ss(p); }
TL_FMA SG_INLINE f32_v f32_zero(void) { return _mm256_setzero_ps(); }
TL_FMA SG_INLINE f32_v f32_fma(f32_v a, f32_v b, f32_v c) { return _mm256_fmadd_ps(a, b, c); }
TL_FMA SG_INLINE f32_v f32_add(f32_v a, f32_v b) { return _mm256_add_ps(a, b); }
TL_FMA SG_INLINE f32_gi f32_gidx(int64_t ls) {
  return _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7),
                            _mm256_set1_epi32((int)ls));
}
TL_FMA SG_INLINE __m256i f32_mask(int64_t nl) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)nl), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
TL_FMA SG_INLINE f32_v f32_load(const float *p, int contig, f32_gi gi) {
  return contig ? _mm256_loadu_ps(p) : _mm256_i32gather_ps(p, gi, 4);
}
TL_FMA SG_INLINE f32_v f32_mload(const float *p, int contig, f32_gi gi, __m256i mk) {
  return contig ? _mm256_maskload_ps(p, mk)
                : _mm256_mask_i32gather_ps(_mm256_setzero_ps(), p, gi, _mm256_castsi256_ps(mk), 4);
}
/* t[i] = lanes 0..7 of element k + i, for lanes whose k run is adjacent (p + lane * ls + i):
 * eight adjacent loads transposed in registers, what eight gathers would give */
TL_FMA SG_INLINE void f32_tload(const float *p, int64_t ls, f32_v *t) {
  const f32_v r0 = _mm256_loadu_ps(p), r1 = _mm256_loadu_ps(p + ls),
              r2 = _mm256_loadu_ps(p + 2 * ls), r3 = _mm256_loadu_ps(p + 3 * ls),
              r4 = _mm256_loadu_ps(p + 4 * ls), r5 = _mm256_loadu_ps(p + 5 * ls),
              r6 = _mm256_loadu_ps(p + 6 * ls), r7 = _mm256_loadu_ps(p + 7 * ls);
  const f32_v a0 = _mm256_unpacklo_ps(r0, r1), a1 = _mm256_unpackhi_ps(r0, r1),
              a2 = _mm256_unpacklo_ps(r2, r3), a3 = _mm256_unpackhi_ps(r2, r3),
              a4 = _mm256_unpacklo_ps(r4, r5), a5 = _mm256_unpackhi_ps(r4, r5),
              a6 = _mm256_unpacklo_ps(r6, r7), a7 = _mm256_unpackhi_ps(r6, r7);
  const f32_v b0 = _mm256_shuffle_ps(a0, a2, 0x44), b1 = _mm256_shuffle_ps(a0, a2, 0xEE),
              b2 = _mm256_shuffle_ps(a1, a3, 0x44), b3 = _mm256_shuffle_ps(a1, a3, 0xEE),
              b4 = _mm256_shuffle_ps(a4, a6, 0x44), b5 = _mm256_shuffle_ps(a4, a6, 0xEE),
              b6 = _mm256_shuffle_ps(a5, a7, 0x44), b7 = _mm256_shuffle_ps(a5, a7, 0xEE);
  t[0] = _mm256_permute2f128_ps(b0, b4, 0x20);
  t[1] = _mm256_permute2f128_ps(b1, b5, 0x20);
  t[2] = _mm256_permute2f128_ps(b2, b6, 0x20);
  t[3] = _mm256_permute2f128_ps(b3, b7, 0x20);
  t[4] = _mm256_permute2f128_ps(b0, b4, 0x31);
  t[5] = _mm256_permute2f128_ps(b1, b5, 0x31);
  t[6] = _mm256_permute2f128_ps(b2, b6, 0x31);
  t[7] = _mm256_permute2f128_ps(b3, b7, 0x31);
}
TL_FMA SG_INLINE void f32_store(float *o, f32_v v) { _mm256_storeu_ps(o, v); }
TL_FMA SG_INLINE void f32_mstore(float *o, __m256i mk, f32_v v) { _mm256_maskstore_ps(o, mk, v); }

typedef __m256d f64_v;
typedef __m128i f64_gi;
TL_FMA SG_INLINE f64_v f64_set1(const double *p) { return _mm256_broadcast_sd(p); }
TL_FMA SG_INLINE f64_v f64_zero(void) { return _mm256_setzero_pd(); }
TL_FMA SG_INLINE f64_v f64_fma(f64_v a, f64_v b, f64_v c) { return _mm256_fmadd_pd(a, b, c); }
TL_FMA SG_INLINE f64_v f64_add(f64_v a, f64_v b) { return _mm256_add_pd(a, b); }
TL_FMA SG_INLINE f64_gi f64_gidx(int64_t ls) {
  return _mm_mullo_epi32(_mm_setr_epi32(0, 1, 2, 3), _mm_set1_epi32((int)ls));
}
TL_FMA SG_INLINE __m256i f64_mask(int64_t nl) {
  return _mm256_cmpgt_epi64(_mm256_set1_epi64x(nl), _mm256_setr_epi64x(0, 1, 2, 3));
}
TL_FMA SG_INLINE f64_v f64_load(const double *p, int contig, f64_gi gi) {
  return contig ? _mm256_loadu_pd(p) : _mm256_i32gather_pd(p, gi, 8);
}
TL_FMA SG_INLINE f64_v f64_mload(const double *p, int contig, f64_gi gi, __m256i mk) {
  return contig ? _mm256_maskload_pd(p, mk)
                : _mm256_mask_i32gather_pd(_mm256_setzero_pd(), p, gi, _mm256_castsi256_pd(mk), 8);
}
TL_FMA SG_INLINE void f64_tload(const double *p, int64_t ls, f64_v *t) {
  const f64_v r0 = _mm256_loadu_pd(p), r1 = _mm256_loadu_pd(p + ls),
              r2 = _mm256_loadu_pd(p + 2 * ls), r3 = _mm256_loadu_pd(p + 3 * ls);
  const f64_v a0 = _mm256_unpacklo_pd(r0, r1), a1 = _mm256_unpackhi_pd(r0, r1),
              a2 = _mm256_unpacklo_pd(r2, r3), a3 = _mm256_unpackhi_pd(r2, r3);
  t[0] = _mm256_permute2f128_pd(a0, a2, 0x20);
  t[1] = _mm256_permute2f128_pd(a1, a3, 0x20);
  t[2] = _mm256_permute2f128_pd(a0, a2, 0x31);
  t[3] = _mm256_permute2f128_pd(a1, a3, 0x31);
}
TL_FMA SG_INLINE void f64_store(double *o, f64_v v) { _mm256_storeu_pd(o, v); }
TL_FMA SG_INLINE void f64_mstore(double *o, __m256i mk, f64_v v) { _mm256_maskstore_pd(o, mk, v); }

/* Lanes w .. w + nl of every row: nv = 4 full vectors, or 1 vector of nl <= L lanes; the
 * output's lanes adjacent (direct) or not (through a buffer). The flags are constants in each
 * inlined use, so every combination gets its own loop. */
#define SMALL_KERNEL(PF, T, L)                                                              \
  /* one row's accumulators to the output, stored as alpha * acc + C with C zeroed: acc + 0 \
   * (what makes a sum of -0 a +0, as in OpenBLAS) */                                      \
  TL_FMA SG_INLINE void PF##_put_row(T *o, const int64_t ocs, const int nv, const int64_t nl, \
                                     const int direct, const __m256i mk, PF##_v a0,         \
                                     PF##_v a1, PF##_v a2, PF##_v a3) {                     \
    const int full = nl == L;                                                               \
    const PF##_v z = PF##_zero();                                                           \
    a0 = PF##_add(a0, z);                                                                   \
    if (nv == 4) {                                                                          \
      a1 = PF##_add(a1, z);                                                                 \
      a2 = PF##_add(a2, z);                                                                 \
      a3 = PF##_add(a3, z);                                                                 \
    }                                                                                       \
    if (direct) {                                                                           \
      if (nv == 4) {                                                                        \
        PF##_store(o, a0);                                                                  \
        PF##_store(o + L, a1);                                                              \
        PF##_store(o + 2 * L, a2);                                                          \
        PF##_store(o + 3 * L, a3);                                                          \
      } else if (full) {                                                                    \
        PF##_store(o, a0);                                                                  \
      } else {                                                                              \
        PF##_mstore(o, mk, a0);                                                             \
      }                                                                                     \
    } else {                                                                                \
      T buf[4 * L];                                                                         \
      PF##_store(buf, a0);                                                                  \
      if (nv == 4) {                                                                        \
        PF##_store(buf + L, a1);                                                            \
        PF##_store(buf + 2 * L, a2);                                                        \
        PF##_store(buf + 3 * L, a3);                                                        \
      }                                                                                     \
      const int64_t n = nv == 4 ? 4 * L : nl;                                               \
      for (int64_t l = 0; l < n; l++) o[l * ocs] = buf[l];                                  \
    }                                                                                       \
  }                                                                                         \
  TL_FMA SG_INLINE void PF##_cols(const small_job *j, const int64_t w, const int nv,        \
                                  const int64_t nl, const int contig, const int direct,     \
                                  const PF##_gi gi, const __m256i mk) {                     \
    const int64_t R = j->R, K = j->K, srs = j->srs, scs = j->scs, pps = j->pps;             \
    const int64_t ors = j->ors, ocs = j->ocs, vs = contig ? L : L * j->pls;                 \
    const int full = nl == L;                                                               \
    const T *p0 = (const T *)j->P + w * j->pls, *s0 = (const T *)j->S;                      \
    T *o = (T *)j->O + w * ocs;                                                             \
    int64_t r = 0;                                                                          \
    if (contig) /* two rows a pass share the lane operand's loads */                        \
      for (; r + 2 <= R; r += 2, s0 += 2 * srs, o += 2 * ors) {                             \
        PF##_v a0 = PF##_zero(), a1 = PF##_zero(), a2 = PF##_zero(), a3 = PF##_zero();      \
        PF##_v b0 = PF##_zero(), b1 = PF##_zero(), b2 = PF##_zero(), b3 = PF##_zero();      \
        const T *s = s0, *pp = p0;                                                          \
        for (int64_t q = 0; q < K; q++, s += scs, pp += pps) {                              \
          const PF##_v sv = PF##_set1(s), tv = PF##_set1(s + srs);                          \
          if (nv == 4) {                                                                    \
            const PF##_v v0 = PF##_load(pp, 1, gi), v1 = PF##_load(pp + vs, 1, gi);         \
            a0 = PF##_fma(sv, v0, a0);                                                      \
            b0 = PF##_fma(tv, v0, b0);                                                      \
            a1 = PF##_fma(sv, v1, a1);                                                      \
            b1 = PF##_fma(tv, v1, b1);                                                      \
            const PF##_v v2 = PF##_load(pp + 2 * vs, 1, gi);                                \
            const PF##_v v3 = PF##_load(pp + 3 * vs, 1, gi);                                \
            a2 = PF##_fma(sv, v2, a2);                                                      \
            b2 = PF##_fma(tv, v2, b2);                                                      \
            a3 = PF##_fma(sv, v3, a3);                                                      \
            b3 = PF##_fma(tv, v3, b3);                                                      \
          } else {                                                                          \
            const PF##_v v0 = full ? PF##_load(pp, 1, gi) : PF##_mload(pp, 1, gi, mk);      \
            a0 = PF##_fma(sv, v0, a0);                                                      \
            b0 = PF##_fma(tv, v0, b0);                                                      \
          }                                                                                 \
        }                                                                                   \
        PF##_put_row(o, ocs, nv, nl, direct, mk, a0, a1, a2, a3);                           \
        PF##_put_row(o + ors, ocs, nv, nl, direct, mk, b0, b1, b2, b3);                     \
      }                                                                                     \
    for (; r < R; r++, s0 += srs, o += ors) {                                               \
      PF##_v a0 = PF##_zero(), a1 = PF##_zero(), a2 = PF##_zero(), a3 = PF##_zero();        \
      const T *s = s0, *pp = p0;                                                            \
      int64_t q = 0;                                                                        \
      if (!contig && (nv == 4 || full) && pps == 1) { /* lanes apart, k runs adjacent */    \
        PF##_v t[L];                                                                        \
        for (; q + L <= K; q += L, s += L * scs, pp += L) {                                  \
          PF##_tload(pp, j->pls, t);                                                        \
          for (int i = 0; i < L; i++) a0 = PF##_fma(PF##_set1(s + i * scs), t[i], a0);      \
          if (nv == 4) {                                                                    \
            PF##_tload(pp + vs, j->pls, t);                                                 \
            for (int i = 0; i < L; i++) a1 = PF##_fma(PF##_set1(s + i * scs), t[i], a1);    \
            PF##_tload(pp + 2 * vs, j->pls, t);                                             \
            for (int i = 0; i < L; i++) a2 = PF##_fma(PF##_set1(s + i * scs), t[i], a2);    \
            PF##_tload(pp + 3 * vs, j->pls, t);                                             \
            for (int i = 0; i < L; i++) a3 = PF##_fma(PF##_set1(s + i * scs), t[i], a3);    \
          }                                                                                 \
        }                                                                                   \
      }                                                                                     \
      for (; q < K; q++, s += scs, pp += pps) {                                             \
        const PF##_v sv = PF##_set1(s);                                                     \
        if (nv == 4) {                                                                      \
          a0 = PF##_fma(sv, PF##_load(pp, contig, gi), a0);                                 \
          a1 = PF##_fma(sv, PF##_load(pp + vs, contig, gi), a1);                            \
          a2 = PF##_fma(sv, PF##_load(pp + 2 * vs, contig, gi), a2);                        \
          a3 = PF##_fma(sv, PF##_load(pp + 3 * vs, contig, gi), a3);                        \
        } else if (full) {                                                                  \
          a0 = PF##_fma(sv, PF##_load(pp, contig, gi), a0);                                 \
        } else {                                                                            \
          a0 = PF##_fma(sv, PF##_mload(pp, contig, gi, mk), a0);                            \
        }                                                                                   \
      }                                                                                     \
      PF##_put_row(o, ocs, nv, nl, direct, mk, a0, a1, a2, a3);                             \
    }                                                                                       \
  }                                                                                         \
  TL_FMA SG_INLINE void PF##_all(const small_job *j, const int contig, const int direct) {  \
    const int64_t W = j->W, rem = W % L;                                                    \
    const PF##_gi gi = PF##_gidx(contig ? 0 : j->pls);                                      \
    const __m256i mk = PF##_mask(rem);                                                      \
    int64_t w = 0;                                                                          \
    for (; w + 4 * L <= W; w += 4 * L) PF##_cols(j, w, 4, 4 * L, contig, direct, gi, mk);   \
    for (; w + L <= W; w += L) PF##_cols(j, w, 1, L, contig, direct, gi, mk);               \
    if (w < W) PF##_cols(j, w, 1, rem, contig, direct, gi, mk);                             \
  }                                                                                         \
  TL_FMA static void PF##_small(const small_job *j) {                                       \
    if (j->pls == 1) {                                                                      \
      if (j->ocs == 1) PF##_all(j, 1, 1);                                                   \
      else PF##_all(j, 1, 0);                                                               \
    } else {                                                                                \
      if (j->ocs == 1) PF##_all(j, 0, 1);                                                   \
      else PF##_all(j, 0, 0);                                                               \
    }                                                                                       \
  }
SMALL_KERNEL(f32, float, 8)
SMALL_KERNEL(f64, double, 4)

/* -1 not yet known; 0 off; 1 on */
static int small_state = -1;

static int small_supported(void) {
  /* AVX2 and FMA, not switched off with TORCHLITE_SIMD=generic: as the elementwise kernels */
  if (strcmp(tl_elementwise_simd(), "avx2") != 0) return 0;
  /* the cores whose gemm kernels accumulate as described above */
  const char *core = openblas_get_corename();
  if (!core) return 0;
  char low[32];
  size_t i = 0;
  for (; core[i] && i < sizeof low - 1; i++) low[i] = (char)tolower((unsigned char)core[i]);
  low[i] = 0;
  return strcmp(low, "haswell") == 0 || strcmp(low, "zen") == 0;
}

int tl_small_gemm(int mode) {
  if (mode == 0) small_state = 0;
  else if (mode > 0 || small_state < 0) small_state = small_supported();
  return small_state;
}

/* vector steps of one orientation: rows x k x ceil(lanes / L), gathers counted thrice */
static double small_cost(int64_t rows, int64_t lanes, int64_t k, int64_t L, int contig,
                         int scatter) {
  double nv = (double)((lanes + L - 1) / L);
  return (double)rows * ((double)k * (nv * (contig ? 1.0 : 3.0) + 1.0) + 4.0 +
                         (scatter ? (double)lanes : 0.0));
}

/* C = A B for float32/float64 by the kernels above; returns 0 when the product is not one
 * for this path (C untouched) */
static int gemm_small(tl_dtype dt, int64_t m, int64_t n, int64_t k, const mat *a,
                      const mat *b, void *c) {
  if (k > SMALL_MAX_K || (double)m * (double)n * (double)k > SMALL_WORK) return 0;
  /* OpenBLAS's call is C^T (n x m) = B^T A^T. From k = 8 on, its Haswell kernels split the
   * sum over k (even and odd k in two accumulators) in some tiles; the shapes where no tile
   * does (checked against OpenBLAS 0.3.21 on all shapes up to 48 x 48 and 30,000 random
   * ones up to 300,000 multiply-adds) are these: */
  if (k >= 8 && !(dt == TL_FLOAT32 ? n < 8 || m < 4 : n < 4 || m % 2 == 0)) return 0;
  if (small_state < 0) tl_small_gemm(-1);
  if (!small_state) return 0;
  /* gather indices must fit in int32 */
  const int64_t lim = INT32_MAX / 8;
  int64_t L = dt == TL_FLOAT32 ? 8 : 4;
  /* C = A B: lanes along n (B's columns), rows m; C^T = B^T A^T: lanes along m */
  int ok1 = n == 1 || b->cs <= lim, ok2 = m == 1 || a->rs <= lim;
  int c1 = n == 1 || b->cs == 1, c2 = m == 1 || a->rs == 1;
  double k1 = ok1 ? small_cost(m, n, k, L, c1, 0) : -1;
  double k2 = ok2 ? small_cost(n, m, k, L, c2, n != 1) : -1;
  if (k1 < 0 && k2 < 0) return 0;
  small_job j;
  j.K = k;
  if (k1 >= 0 && (k2 < 0 || k1 <= k2)) {
    j.R = m; j.W = n;
    j.S = a->p; j.srs = a->rs; j.scs = a->cs;
    j.P = b->p; j.pps = b->rs; j.pls = n == 1 ? 1 : b->cs;
    j.O = c; j.ors = n; j.ocs = 1;
  } else {
    j.R = n; j.W = m;
    j.S = b->p; j.srs = b->cs; j.scs = b->rs;
    j.P = a->p; j.pps = a->cs; j.pls = m == 1 ? 1 : a->rs;
    j.O = c; j.ors = 1; j.ocs = n;
  }
  if (dt == TL_FLOAT32) f32_small(&j);
  else f64_small(&j);
  return 1;
}
#else
int tl_small_gemm(int mode) {
  (void)mode;
  return 0;
}
#endif

/* C = A B for floating dt, C contiguous (m x n). */
static tl_status gemm_float(tl_dtype dt, int64_t m, int64_t n, int64_t k, const mat *a,
                            const mat *b, void *c) {
  size_t es = tl_dtype_size(dt);
  if (m == 0 || n == 0) return TL_OK;
  if (k == 0) {
    memset(c, 0, (size_t)(m * n) * es);
    return TL_OK;
  }
#ifdef TL_SMALL_GEMM
  if (gemm_small(dt, m, n, k, a, b, c)) return TL_OK;
#endif
  if (!fits_int(m) || !fits_int(n) || !fits_int(k) || !fits_int(m * (n > k ? n : k)) ||
      !fits_int(n * k))
    return tl_error(TL_ERR_VALUE, "matrix product too large for BLAS (dimensions %lld, %lld, "
                                  "%lld)", (long long)m, (long long)n, (long long)k);
  char ta = 'N', tb = 'N';
  int64_t lda = 0, ldb = 0;
  void *abuf = NULL, *bbuf = NULL, *cbuf = NULL;
  const void *ap = a->p, *bp = b->p;
  int use_double = 1;
#ifdef TL_HAVE_OPENBLAS
  use_double = dt == TL_FLOAT64;
#endif
  if (use_double && dt == TL_FLOAT32) {
    /* R's reference BLAS has no sgemm: multiply double copies */
    abuf = tl_malloc((size_t)(m * k) * sizeof(double));
    bbuf = tl_malloc((size_t)(k * n) * sizeof(double));
    cbuf = tl_malloc((size_t)(m * n) * sizeof(double));
    if (!abuf || !bbuf || !cbuf) goto oom;
    pack(abuf, TL_FLOAT64, a, dt, m, k);
    pack(bbuf, TL_FLOAT64, b, dt, k, n);
    ap = abuf;
    bp = bbuf;
    lda = k;
    ldb = n;
  } else {
    if (!blas_layout(m, k, a->rs, a->cs, &ta, &lda)) {
      abuf = tl_malloc((size_t)(m * k) * es);
      if (!abuf) goto oom;
      pack(abuf, dt, a, dt, m, k);
      ap = abuf;
      ta = 'N';
      lda = k;
    }
    if (!blas_layout(k, n, b->rs, b->cs, &tb, &ldb)) {
      bbuf = tl_malloc((size_t)(k * n) * es);
      if (!bbuf) goto oom;
      pack(bbuf, dt, b, dt, k, n);
      bp = bbuf;
      tb = 'N';
      ldb = n;
    }
  }
  {
    blas_job j = {use_double, tb, ta, (int)n, (int)m, (int)k, (const char *)bp, (int)ldb,
                  (const char *)ap, (int)lda, cbuf ? (char *)cbuf : (char *)c, (int)n,
                  use_double ? sizeof(double) : sizeof(float)};
    blas_gemm(&j);
    if (cbuf)
      for (int64_t i = 0; i < m * n; i++) ((float *)c)[i] = (float)((double *)cbuf)[i];
  }
  tl_free(abuf);
  tl_free(bbuf);
  tl_free(cbuf);
  return TL_OK;
oom:
  tl_free(abuf);
  tl_free(bbuf);
  tl_free(cbuf);
  return tl_error(TL_ERR_ALLOC, "cannot allocate memory for a matrix product");
}

static tl_status gemm(tl_dtype dt, int64_t m, int64_t n, int64_t k, const mat *a, const mat *b,
                      void *c) {
  switch (dt) {
  case TL_FLOAT32:
  case TL_FLOAT64: return gemm_float(dt, m, n, k, a, b, c);
  case TL_INT64: gemm_i64(m, n, k, a, b, c); return TL_OK;
  case TL_INT32: gemm_i32(m, n, k, a, b, c); return TL_OK;
  default: return tl_error(TL_ERR_RUNTIME, "\"addmm_impl_cpu_\" not implemented for 'Bool'");
  }
}

static mat mat_of(const tl_tensor *t, int d0, int d1) {
  mat m = {(const char *)tl_data(t), t->strides[d0], t->strides[d1]};
  return m;
}

/* ================================================================ mm, bmm, mv, dot */

static tl_tensor *mm_impl(const tl_tensor *a, int ta, const tl_tensor *b, int tb) {
  if (a->ndim != 2) {
    tl_error(TL_ERR_RUNTIME, "self must be a matrix");
    return NULL;
  }
  if (b->ndim != 2) {
    tl_error(TL_ERR_RUNTIME, "mat2 must be a matrix");
    return NULL;
  }
  int a0 = ta ? 1 : 0, a1 = 1 - a0, b0 = tb ? 1 : 0, b1 = 1 - b0;
  int64_t m = a->shape[a0], k = a->shape[a1], k2 = b->shape[b0], n = b->shape[b1];
  if (k != k2) {
    tl_error(TL_ERR_RUNTIME, "mat1 and mat2 shapes cannot be multiplied (%lldx%lld and %lldx%lld)",
             (long long)m, (long long)k, (long long)k2, (long long)n);
    return NULL;
  }
  if (a->dtype != b->dtype) return fail_dtype(a->dtype, b->dtype);
  if (a->dtype == TL_BOOL) return fail_bool("addmm_impl_cpu_");
  int64_t shape[2] = {m, n};
  tl_tensor *out = tl_tensor_empty(a->dtype, 2, shape);
  if (!out) return NULL;
  mat A = mat_of(a, a0, a1), B = mat_of(b, b0, b1);
  if (gemm(a->dtype, m, n, k, &A, &B, tl_data(out)) != TL_OK) {
    tl_tensor_release(out);
    return NULL;
  }
  return out;
}

tl_tensor *tl_mm(const tl_tensor *a, const tl_tensor *b) { return mm_impl(a, 0, b, 0); }

tl_tensor *tl_mm_t(const tl_tensor *a, int transpose_a, const tl_tensor *b, int transpose_b) {
  return mm_impl(a, transpose_a != 0, b, transpose_b != 0);
}

/* Batched product over `nb` batches: batch i of A starts at element offset aoff[i]. */
static tl_status batched(tl_dtype dt, int64_t nb, int64_t m, int64_t n, int64_t k,
                         const tl_tensor *a, const int64_t *aoff, int64_t ars, int64_t acs,
                         const tl_tensor *b, const int64_t *boff, int64_t brs, int64_t bcs,
                         char *out) {
  size_t es = tl_dtype_size(dt);
  for (int64_t i = 0; i < nb; i++) {
    mat A = {(const char *)tl_data(a) + aoff[i] * (int64_t)es, ars, acs};
    mat B = {(const char *)tl_data(b) + boff[i] * (int64_t)es, brs, bcs};
    tl_status st = gemm(dt, m, n, k, &A, &B, out + (size_t)(i * m * n) * es);
    if (st != TL_OK) return st;
  }
  return TL_OK;
}

tl_tensor *tl_bmm(const tl_tensor *a, const tl_tensor *b) {
  if (a->ndim != 3) {
    tl_error(TL_ERR_RUNTIME, "batch1 must be a 3D tensor");
    return NULL;
  }
  if (b->ndim != 3) {
    tl_error(TL_ERR_RUNTIME, "batch2 must be a 3D tensor");
    return NULL;
  }
  int64_t bs = a->shape[0], m = a->shape[1], k = a->shape[2], n = b->shape[2];
  if (b->shape[0] != bs || b->shape[1] != k) {
    tl_error(TL_ERR_RUNTIME,
             "Expected size for first two dimensions of batch2 tensor to be: [%lld, %lld] but "
             "got: [%lld, %lld].",
             (long long)bs, (long long)k, (long long)b->shape[0], (long long)b->shape[1]);
    return NULL;
  }
  if (a->dtype != b->dtype) return fail_dtype(a->dtype, b->dtype);
  if (a->dtype == TL_BOOL) return fail_bool("bmm");
  int64_t shape[3] = {bs, m, n};
  tl_tensor *out = tl_tensor_empty(a->dtype, 3, shape);
  if (!out) return NULL;
  int64_t *off = tl_malloc(sizeof(int64_t) * (size_t)(2 * (bs > 0 ? bs : 1)));
  if (!off) {
    tl_tensor_release(out);
    tl_error(TL_ERR_ALLOC, "cannot allocate memory");
    return NULL;
  }
  for (int64_t i = 0; i < bs; i++) {
    off[i] = i * a->strides[0];
    off[bs + i] = i * b->strides[0];
  }
  tl_status st = batched(a->dtype, bs, m, n, k, a, off, a->strides[1], a->strides[2], b,
                         off + bs, b->strides[1], b->strides[2], tl_data(out));
  tl_free(off);
  if (st != TL_OK) {
    tl_tensor_release(out);
    return NULL;
  }
  return out;
}

tl_tensor *tl_mv(const tl_tensor *a, const tl_tensor *v) {
  if (a->ndim != 2 || v->ndim != 1) {
    tl_error(TL_ERR_RUNTIME, "vector + matrix @ vector expected, got 1, %d, %d", a->ndim,
             v->ndim);
    return NULL;
  }
  int64_t m = a->shape[0], k = a->shape[1];
  if (v->shape[0] != k) {
    tl_error(TL_ERR_RUNTIME, "size mismatch, got %lld, %lldx%lld,%lld", (long long)m,
             (long long)m, (long long)k, (long long)v->shape[0]);
    return NULL;
  }
  if (a->dtype != v->dtype) return fail_dtype(a->dtype, v->dtype);
  if (a->dtype == TL_BOOL) return fail_bool("addmv_impl_cpu");
  tl_tensor *out = tl_tensor_empty(a->dtype, 1, &m);
  if (!out) return NULL;
  mat A = mat_of(a, 0, 1), B = {(const char *)tl_data(v), v->strides[0], 1};
  if (gemm(a->dtype, m, 1, k, &A, &B, tl_data(out)) != TL_OK) {
    tl_tensor_release(out);
    return NULL;
  }
  return out;
}

tl_tensor *tl_dot(const tl_tensor *a, const tl_tensor *b) {
  if (a->ndim != 1 || b->ndim != 1) {
    tl_error(TL_ERR_RUNTIME, "1D tensors expected, but got %dD and %dD tensors", a->ndim,
             b->ndim);
    return NULL;
  }
  if (a->dtype != b->dtype) {
    tl_error(TL_ERR_RUNTIME,
             "dot : expected both vectors to have same dtype, but found %s and %s",
             tl_dtype_name(a->dtype), tl_dtype_name(b->dtype));
    return NULL;
  }
  if (a->shape[0] != b->shape[0]) {
    tl_error(TL_ERR_RUNTIME,
             "inconsistent tensor size, expected tensor [%lld] and src [%lld] to have the same "
             "number of elements, but got %lld and %lld elements respectively",
             (long long)a->shape[0], (long long)b->shape[0], (long long)a->shape[0],
             (long long)b->shape[0]);
    return NULL;
  }
  if (a->dtype == TL_BOOL) return fail_bool("dot");
  tl_tensor *out = tl_tensor_empty(a->dtype, 0, NULL);
  if (!out) return NULL;
  int64_t n = a->shape[0], sa = a->strides[0], sb = b->strides[0];
  const void *pa = tl_data(a), *pb = tl_data(b);
  switch (a->dtype) {
  case TL_FLOAT32: {
    const float *x = pa, *y = pb;
    double s = 0;
    for (int64_t i = 0; i < n; i++) s += (double)x[i * sa] * (double)y[i * sb];
    *(float *)tl_data(out) = (float)s;
    break;
  }
  case TL_FLOAT64: {
    const double *x = pa, *y = pb;
    double s[4] = {0, 0, 0, 0};
    int64_t i = 0;
    for (; i + 4 <= n; i += 4)
      for (int l = 0; l < 4; l++) s[l] += x[(i + l) * sa] * y[(i + l) * sb];
    for (; i < n; i++) s[0] += x[i * sa] * y[i * sb];
    *(double *)tl_data(out) = (s[0] + s[1]) + (s[2] + s[3]);
    break;
  }
  case TL_INT64: {
    const int64_t *x = pa, *y = pb;
    uint64_t s = 0;
    for (int64_t i = 0; i < n; i++) s += (uint64_t)x[i * sa] * (uint64_t)y[i * sb];
    *(int64_t *)tl_data(out) = (int64_t)s;
    break;
  }
  default: {
    const int32_t *x = pa, *y = pb;
    uint32_t s = 0;
    for (int64_t i = 0; i < n; i++) s += (uint32_t)x[i * sa] * (uint32_t)y[i * sb];
    *(int32_t *)tl_data(out) = (int32_t)s;
    break;
  }
  }
  return out;
}

/* ================================================================ matmul */

/* a view of t with a new shape; t must be contiguous in the dims being merged/split */
static tl_tensor *reshape_view(const tl_tensor *t, int ndim, const int64_t *shape) {
  int64_t strides[TL_MAX_DIMS];
  tl_contiguous_strides(ndim, shape, strides);
  return tl_tensor_view_of(t->storage, t->dtype, ndim, shape, strides, t->offset);
}

/* t (ndim >= 3) as a matrix (prod(shape[:-1]) x shape[-1]), a view when the leading dims
 * merge into one, else a copy */
static tl_tensor *fold(const tl_tensor *t) {
  int nd = t->ndim;
  int64_t rows = 1, rs = t->shape[nd - 1], expect = -1;
  int ok = 1;
  for (int i = nd - 2; i >= 0; i--) {
    rows *= t->shape[i];
    if (t->shape[i] == 1) continue;
    if (expect < 0) rs = t->strides[i];
    else if (t->strides[i] != expect) ok = 0;
    expect = t->strides[i] * t->shape[i];
  }
  int64_t shape[2] = {rows, t->shape[nd - 1]};
  if (ok) {
    int64_t strides[2] = {rs, t->strides[nd - 1]};
    return tl_tensor_view_of(t->storage, t->dtype, 2, shape, strides, t->offset);
  }
  tl_tensor *c = tl_clone(t);
  if (!c) return NULL;
  tl_tensor *v = reshape_view(c, 2, shape);
  tl_tensor_release(c);
  return v;
}

static int64_t prod(const int64_t *s, int n) {
  int64_t p = 1;
  for (int i = 0; i < n; i++) p *= s[i];
  return p;
}

tl_tensor *tl_matmul(const tl_tensor *a, const tl_tensor *b) {
  int da = a->ndim, db = b->ndim;
  if (da == 0 || db == 0) {
    tl_error(TL_ERR_RUNTIME,
             "both arguments to matmul need to be at least 1D, but they are %dD and %dD", da, db);
    return NULL;
  }
  if (da == 1 && db == 1) return tl_dot(a, b);
  if (da == 2 && db == 1) return tl_mv(a, b);
  if (da == 2 && db == 2) return tl_mm(a, b);
  if (da == 1 && db == 2) { /* (1 x k) %*% b, then drop the 1 */
    int64_t shape[2] = {1, a->shape[0]}, strides[2] = {a->shape[0], a->strides[0]};
    tl_tensor *a2 = tl_tensor_view_of(a->storage, a->dtype, 2, shape, strides, a->offset);
    if (!a2) return NULL;
    tl_tensor *r = tl_mm(a2, b);
    tl_tensor_release(a2);
    if (!r) return NULL;
    tl_tensor *v = reshape_view(r, 1, &r->shape[1]);
    tl_tensor_release(r);
    return v;
  }
  if (da >= 3 && db <= 2) { /* fold the batch into the rows of a */
    tl_tensor *af = fold(a);
    if (!af) return NULL;
    tl_tensor *r = db == 1 ? tl_mv(af, b) : tl_mm(af, b);
    tl_tensor_release(af);
    if (!r) return NULL;
    int64_t shape[TL_MAX_DIMS];
    for (int i = 0; i < da - 1; i++) shape[i] = a->shape[i];
    int nd = da - 1;
    if (db == 2) shape[nd++] = b->shape[1];
    tl_tensor *v = reshape_view(r, nd, shape);
    tl_tensor_release(r);
    return v;
  }
  /* batched, with broadcasting of the batch dims */
  int64_t n = da > 1 ? a->shape[da - 2] : 1, m1 = a->shape[da - 1];
  int64_t m2 = db > 1 ? b->shape[db - 2] : b->shape[0], p = db > 1 ? b->shape[db - 1] : 1;
  int nba = da > 2 ? da - 2 : 0, nbb = db > 2 ? db - 2 : 0;
  if (da <= 2 && m1 != m2) { /* libtorch folds b here: report its shapes */
    int64_t rows = prod(b->shape, nbb) * p;
    if (da == 1)
      tl_error(TL_ERR_RUNTIME, "size mismatch, got %lld, %lldx%lld,%lld", (long long)rows,
               (long long)rows, (long long)m2, (long long)m1);
    else
      tl_error(TL_ERR_RUNTIME,
               "mat1 and mat2 shapes cannot be multiplied (%lldx%lld and %lldx%lld)",
               (long long)rows, (long long)m2, (long long)m1, (long long)n);
    return NULL;
  }
  int nbo;
  int64_t bshape[TL_MAX_DIMS];
  if (tl_broadcast_shapes(nba, a->shape, nbb, b->shape, &nbo, bshape) != TL_OK) return NULL;
  int64_t nb = prod(bshape, nbo);
  if (m1 != m2) {
    tl_error(TL_ERR_RUNTIME,
             "Expected size for first two dimensions of batch2 tensor to be: [%lld, %lld] but "
             "got: [%lld, %lld].",
             (long long)nb, (long long)m1, (long long)nb, (long long)m2);
    return NULL;
  }
  if (a->dtype != b->dtype) return fail_dtype(a->dtype, b->dtype);
  if (a->dtype == TL_BOOL) return fail_bool("bmm");
  int64_t oshape[TL_MAX_DIMS];
  int ond = nbo;
  memcpy(oshape, bshape, sizeof(int64_t) * (size_t)nbo);
  if (da > 1) oshape[ond++] = n;
  if (db > 1) oshape[ond++] = p;
  if (ond > TL_MAX_DIMS) {
    tl_error(TL_ERR_VALUE, "tensors can have at most %d dimensions", TL_MAX_DIMS);
    return NULL;
  }
  tl_tensor *out = tl_tensor_empty(a->dtype, ond, oshape);
  if (!out) return NULL;
  int64_t *off = tl_malloc(sizeof(int64_t) * (size_t)(2 * (nb > 0 ? nb : 1)));
  if (!off) {
    tl_tensor_release(out);
    tl_error(TL_ERR_ALLOC, "cannot allocate memory");
    return NULL;
  }
  /* element offsets of each batch in a and b (stride 0 where broadcast) */
  int64_t sa[TL_MAX_DIMS], sb[TL_MAX_DIMS];
  for (int i = 0; i < nbo; i++) {
    int ia = nba - nbo + i, ib = nbb - nbo + i;
    sa[i] = ia >= 0 && a->shape[ia] != 1 ? a->strides[ia] : 0;
    sb[i] = ib >= 0 && b->shape[ib] != 1 ? b->strides[ib] : 0;
  }
  for (int64_t t = 0; t < nb; t++) {
    int64_t r = t, oa = 0, ob = 0;
    for (int i = nbo - 1; i >= 0; i--) {
      int64_t idx = r % bshape[i];
      r /= bshape[i];
      oa += idx * sa[i];
      ob += idx * sb[i];
    }
    off[t] = oa;
    off[nb + t] = ob;
  }
  int64_t ars = da > 1 ? a->strides[da - 2] : 0, acs = a->strides[da - 1];
  int64_t brs = db > 1 ? b->strides[db - 2] : b->strides[0], bcs = db > 1 ? b->strides[db - 1] : 1;
  tl_status st =
    batched(a->dtype, nb, n, p, m1, a, off, ars, acs, b, off + nb, brs, bcs, tl_data(out));
  tl_free(off);
  if (st != TL_OK) {
    tl_tensor_release(out);
    return NULL;
  }
  return out;
}

/* ================================================================ linear */

#define BIAS_LOOP(NAME, T)                                                                  \
  static void NAME(char **d, const int64_t *s, int64_t n, void *ctx) {                      \
    (void)ctx;                                                                              \
    char *o = d[0];                                                                         \
    const char *b = d[1];                                                                   \
    for (int64_t i = 0; i < n; i++, o += s[0], b += s[1]) *(T *)o += *(const T *)b;         \
  }
BIAS_LOOP(bias_f32, float)
BIAS_LOOP(bias_f64, double)
BIAS_LOOP(bias_i64, int64_t)
BIAS_LOOP(bias_i32, int32_t)

static void shape_str(char *buf, size_t len, int nd, const int64_t *s) {
  size_t u = 0;
  u += (size_t)snprintf(buf, len, "[");
  for (int i = 0; i < nd && u < len; i++)
    u += (size_t)snprintf(buf + u, len - u, "%s%lld", i ? ", " : "", (long long)s[i]);
  if (u < len) snprintf(buf + u, len - u, "]");
}

tl_tensor *tl_linear(const tl_tensor *input, const tl_tensor *weight, const tl_tensor *bias) {
  if (weight->ndim > 2) {
    tl_error(TL_ERR_RUNTIME, "t() expects a tensor with <= 2 dimensions, but self is %dD",
             weight->ndim);
    return NULL;
  }
  tl_tensor *wt;
  if (weight->ndim == 2) { /* a transposed view: BLAS gets a transpose flag, no copy */
    int64_t shape[2] = {weight->shape[1], weight->shape[0]};
    int64_t strides[2] = {weight->strides[1], weight->strides[0]};
    wt = tl_tensor_view_of(weight->storage, weight->dtype, 2, shape, strides, weight->offset);
  } else {
    wt = tl_tensor_view_of(weight->storage, weight->dtype, weight->ndim, weight->shape,
                           weight->strides, weight->offset);
  }
  if (!wt) return NULL;
  tl_tensor *out = tl_matmul(input, wt);
  tl_tensor_release(wt);
  if (!out || !bias) return out;
  if (bias->dtype != out->dtype) {
    tl_dtype odt = out->dtype; /* read before the release frees out */
    tl_tensor_release(out);
    return fail_dtype(odt, bias->dtype);
  }
  if (out->dtype == TL_BOOL) {
    tl_tensor_release(out);
    return fail_bool("add");
  }
  int64_t bst[TL_MAX_DIMS];
  if (tl_broadcast_strides(bias, out->ndim, out->shape, bst) != TL_OK) {
    char t1[200], t2[200], msg[600];
    shape_str(t1, sizeof t1, out->ndim, out->shape);
    shape_str(t2, sizeof t2, bias->ndim, bias->shape);
    snprintf(msg, sizeof msg, "%s.  Target sizes: %s.  Tensor sizes: %s", tl_last_message(), t1,
             t2);
    tl_error(TL_ERR_RUNTIME, "%s", msg);
    tl_tensor_release(out);
    return NULL;
  }
  const tl_tensor *ops[2] = {out, bias};
  tl_iter it;
  if (tl_iter_tensors(&it, 2, ops, out->ndim, out->shape) != TL_OK) {
    tl_tensor_release(out);
    return NULL;
  }
  switch (out->dtype) {
  case TL_FLOAT32: tl_iter_run(&it, bias_f32, NULL); break;
  case TL_FLOAT64: tl_iter_run(&it, bias_f64, NULL); break;
  case TL_INT64: tl_iter_run(&it, bias_i64, NULL); break;
  default: tl_iter_run(&it, bias_i32, NULL); break;
  }
  return out;
}
