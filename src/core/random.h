/*
 * torchlite random number generation.
 *
 * A single global generator that reproduces, bit for bit, libtorch's CPU
 * generator (at::CPUGeneratorImpl: a 32-bit Mersenne Twister plus a cached
 * Box-Muller sample) and the CPU kernels of uniform_/normal_/random_(from, to)
 * as used by torch.rand / torch.randn / torch.randint (PyTorch 1.13 semantics,
 * unchanged in later releases).
 *
 * Plain C11, no R headers. Not thread safe (one global state).
 */
#ifndef TORCHLITE_CORE_RANDOM_H
#define TORCHLITE_CORE_RANDOM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* libtorch's c10::default_rng_seed_val; used if no seed was ever set. */
#define TL_RNG_DEFAULT_SEED UINT64_C(67280421310721)

/* torch.manual_seed(seed): resets the engine and the cached normal sample.
 * Only the low 32 bits feed the Mersenne Twister (as in libtorch); the full
 * 64-bit value is reported back by tl_rng_initial_seed(). */
void     tl_rng_manual_seed(uint64_t seed);
uint64_t tl_rng_initial_seed(void);

/* Fill n contiguous elements (one call == one libtorch kernel invocation on a
 * contiguous tensor of n elements). */
void tl_rng_uniform_f32(float  *out, int64_t n, double from, double to);  /* torch.rand / uniform_ */
void tl_rng_uniform_f64(double *out, int64_t n, double from, double to);
void tl_rng_normal_f32 (float  *out, int64_t n, double mean, double std); /* torch.randn / normal_ */
void tl_rng_normal_f64 (double *out, int64_t n, double mean, double std);

/* Integers uniformly in [low, high) (torch.randint(low, high, size, dtype)).
 * The caller must ensure low < high (libtorch raises an error otherwise);
 * with high <= low nothing is written. */
void tl_rng_randint_i64(int64_t *out, int64_t n, int64_t low, int64_t high);
void tl_rng_randint_i32(int32_t *out, int64_t n, int64_t low, int64_t high);
void tl_rng_randint_f32(float   *out, int64_t n, int64_t low, int64_t high);
void tl_rng_randint_f64(double  *out, int64_t n, int64_t low, int64_t high);

/* Generator state as an opaque blob. The layout is byte-compatible with the
 * uint8 tensor returned by torch.get_rng_state() on x86-64/little-endian
 * (5056 bytes: legacy THGeneratorState + float normal cache). */
#define TL_RNG_STATE_SIZE 5056
size_t tl_rng_state_size(void);
void   tl_rng_get_state(void *buf);
/* Returns nothing; an invalid blob (bad left/next/seeded fields) is ignored. */
void   tl_rng_set_state(const void *buf);

/* Which libtorch CPU kernel flavour to emulate. libtorch compiles its
 * distribution kernels once per CPU capability and picks one at run time; the
 * results differ in the last bits:
 *   TL_RNG_CAP_DEFAULT: generic kernels (no FMA; float randn(n >= 16) uses
 *                       libm logf/cosf/sinf).
 *   TL_RNG_CAP_AVX2:    AVX2+FMA kernels (float randn(n >= 16) uses the
 *                       avx_mathfun log/sincos polynomials; affine transforms
 *                       x*(to-from)+from and z*std+mean are fused).
 *                       This is the default: it is what x86-64 PyTorch uses on
 *                       AVX2 machines (verified against Debian's PyTorch 1.13).
 *   TL_RNG_CAP_AVX512:  AVX512 kernels: fused transforms, but the scalar libm
 *                       float normal path (not verified against a real build).
 * Equals ATEN_CPU_CAPABILITY=default / avx2 / avx512 in PyTorch. */
#define TL_RNG_CAP_DEFAULT 0
#define TL_RNG_CAP_AVX2    1
#define TL_RNG_CAP_AVX512  2
void tl_rng_set_cpu_capability(int cap);
int  tl_rng_get_cpu_capability(void);

#ifdef __cplusplus
}
#endif

#endif /* TORCHLITE_CORE_RANDOM_H */
