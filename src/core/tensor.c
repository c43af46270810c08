#include "tensor.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "iter.h"

void (*tl_autograd_meta_free)(struct tl_autograd_meta *) = NULL;

/* ---------------------------------------------------------------- memory accounting */

/* Each block carries its size in a 16-byte prefix so that tl_free can count it back. */
#define TL_PREFIX 16
static int64_t mem_bytes = 0, mem_objects = 0;

/* Large blocks are kept for reuse instead of being returned to the system: a loop over big
 * tensors then writes into memory that is already mapped (no page faults), as it does in
 * PyTorch, whose caching allocator frees at once into its own pool. The cache holds a few
 * blocks, at most TL_CACHE_BYTES in all; cached bytes are not counted as held. */
#define TL_CACHE_MIN ((size_t)1 << 20)
#define TL_CACHE_SLOTS 8
#define TL_CACHE_BYTES ((size_t)512 << 20)
static char *cache_block[TL_CACHE_SLOTS];
static size_t cache_size[TL_CACHE_SLOTS];
static size_t cache_total = 0;
static uint64_t cache_stamp[TL_CACHE_SLOTS], cache_clock = 0;

static char *cache_take(size_t n) {
  int best = -1;
  for (int i = 0; i < TL_CACHE_SLOTS; i++) {
    if (!cache_block[i] || cache_size[i] < n || cache_size[i] > n + n / 4) continue;
    if (best < 0 || cache_size[i] < cache_size[best]) best = i;
  }
  if (best < 0) return NULL;
  char *p = cache_block[best];
  cache_block[best] = NULL;
  cache_total -= cache_size[best];
  return p;
}

static int cache_put(char *p, size_t n) {
  if (n < TL_CACHE_MIN || n > TL_CACHE_BYTES) return 0;
  int slot = -1;
  for (int i = 0; i < TL_CACHE_SLOTS && slot < 0; i++)
    if (!cache_block[i]) slot = i;
  while (slot < 0 || cache_total + n > TL_CACHE_BYTES) { /* evict the least recently freed */
    int old = -1;
    for (int i = 0; i < TL_CACHE_SLOTS; i++)
      if (cache_block[i] && (old < 0 || cache_stamp[i] < cache_stamp[old])) old = i;
    if (old < 0) return 0;
    free(cache_block[old]);
    cache_total -= cache_size[old];
    cache_block[old] = NULL;
    slot = old;
  }
  cache_block[slot] = p;
  cache_size[slot] = n;
  cache_stamp[slot] = ++cache_clock;
  cache_total += n;
  return 1;
}

/* Small blocks (tensors, nodes, the data of small tensors) are kept in per-size pools and
 * handed out again last-in first-out: a small op allocates and frees several of them, and R
 * releases them in batches (src/r/r_tensor.c), which glibc's per-thread cache (7 blocks a
 * size) does not absorb. Sizes are rounded up to a multiple of TL_POOL_STEP. A pool is an
 * array of block addresses, not a list threaded through the blocks, so that taking a block
 * does not first read the (usually cold) block itself; the block that comes next is
 * prefetched instead. A pool keeps at most TL_POOL_BYTES of blocks (about what the core
 * allocates between two of the collections it asks for, src/r/r_tensor.c), and at least
 * TL_POOL_MIN blocks; like the large-block cache, pooled blocks are not counted as held.
 * The core allocates from one thread only (no allocation inside parallel regions), so the
 * pools need no lock. Compiled with TL_NO_POOL (make sanitize, make valgrind), nothing is
 * pooled, so that those tools see every misuse. */
#define TL_POOL_STEP 64
#define TL_POOL_CLASSES 32 /* blocks up to 2048 bytes, prefix included */
#define TL_POOL_BYTES ((size_t)32 << 20)
#define TL_POOL_MIN 1024
/* Medium blocks (the data of tensors of a few thousand elements), up to TL_MEDIUM_MAX bytes,
 * are pooled too, in four classes per power of two (at most 25% rounding), all of them
 * together keeping at most TL_MEDIUM_BUDGET bytes: malloc gives such blocks back to the
 * system when a collection frees many at once, and the loop that follows faults them in
 * again page by page. */
#define TL_MEDIUM_MAX ((size_t)128 << 10)
#define TL_MEDIUM_CLASSES 24 /* 2^11 < size <= 2^17 */
#define TL_MEDIUM_BUDGET ((size_t)128 << 20)
typedef struct {
  char **block;
  int n, cap, max;
} pool;
static pool pools[TL_POOL_CLASSES + TL_MEDIUM_CLASSES];
static size_t medium_pooled = 0;

/* bytes of a block of class c, prefix included */
static size_t class_bytes(int c) {
  if (c < TL_POOL_CLASSES) return (size_t)(c + 1) * TL_POOL_STEP;
  int m = c - TL_POOL_CLASSES, k = 11 + m / 4;
  return ((size_t)1 << k) + (size_t)(m % 4 + 1) * ((size_t)1 << (k - 2));
}

/* the size class of a block of n bytes plus the prefix, or -1 if it is not pooled */
static int pool_class(size_t n) {
#ifdef TL_NO_POOL /* sanitizer and valgrind builds: every block goes back to the system */
  (void)n;
  return -1;
#endif
  size_t total = n + TL_PREFIX;
  if (total <= (size_t)TL_POOL_CLASSES * TL_POOL_STEP) return (int)((total - 1) / TL_POOL_STEP);
  if (n > TL_MEDIUM_MAX - TL_PREFIX) return -1;
  int k = 63 - __builtin_clzll((unsigned long long)(total - 1)); /* 2^k < total <= 2^(k+1) */
  size_t base = (size_t)1 << k, q = base >> 2;
  int j = (int)((total - base + q - 1) / q); /* 1..4 */
  return TL_POOL_CLASSES + (k - 11) * 4 + (j - 1);
}

static char *pool_take(int c) {
  pool *p = &pools[c];
  if (p->n == 0) return NULL;
  char *b = p->block[--p->n];
  if (c >= TL_POOL_CLASSES) medium_pooled -= class_bytes(c);
  if (p->n > 0) { /* the next block handed out (whole, up to 8 lines): written right away */
    const char *next = p->block[p->n - 1];
    for (int l = 0; l <= c && l < 8; l++) __builtin_prefetch(next + 64 * l, 1, 3);
  }
  return b;
}

/* keeps b in pool c; 0 if the pool is full (or cannot grow) */
static int pool_put(int c, char *b) {
  pool *p = &pools[c];
  int medium = c >= TL_POOL_CLASSES;
  if (medium && medium_pooled + class_bytes(c) > TL_MEDIUM_BUDGET) return 0;
  if (p->n == p->cap) {
    if (!p->max) {
      size_t m = (medium ? TL_MEDIUM_BUDGET : TL_POOL_BYTES) / class_bytes(c);
      p->max = m < TL_POOL_MIN ? TL_POOL_MIN : (int)m;
    }
    if (p->cap >= p->max) return 0;
    int cap = p->cap ? 2 * p->cap : 256;
    if (cap > p->max) cap = p->max;
    char **nb = realloc(p->block, sizeof(char *) * (size_t)cap);
    if (!nb) return 0;
    p->block = nb;
    p->cap = cap;
  }
  p->block[p->n++] = b;
  if (medium) medium_pooled += class_bytes(c);
  return 1;
}

/* Large blocks ask for transparent huge pages where the system leaves it to the program
 * (THP "madvise" mode, Debian's default): one page fault per 2 MB instead of 512, and fewer
 * TLB misses in memory-bound kernels. */
#define TL_HUGE ((size_t)2 << 20)
static void advise_huge(char *p, size_t n) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  if (!p || n < 2 * TL_HUGE) return;
  uintptr_t a = ((uintptr_t)p + TL_HUGE - 1) & ~(uintptr_t)(TL_HUGE - 1);
  uintptr_t e = ((uintptr_t)p + n) & ~(uintptr_t)(TL_HUGE - 1);
  if (e > a) (void)madvise((void *)a, e - a, MADV_HUGEPAGE);
#else
  (void)p;
  (void)n;
#endif
}

static char *raw_alloc(size_t n, int zero) {
  int c = pool_class(n);
  char *p = NULL;
  if (c >= 0) {
    p = pool_take(c);
    if (p) {
      if (zero) memset(p, 0, n + TL_PREFIX);
      return p;
    }
    size_t full = class_bytes(c);
    return zero ? calloc(1, full) : malloc(full);
  }
  if (n >= TL_CACHE_MIN) p = cache_take(n);
  if (p) {
    if (zero) memset(p, 0, n + TL_PREFIX);
    return p;
  }
  p = zero ? calloc(1, n + TL_PREFIX) : malloc(n + TL_PREFIX);
  advise_huge(p, n + TL_PREFIX);
  return p;
}

/* bytes held in blocks of at least TL_LARGE_BLOCK: the ones a loop cannot leave to R's own
 * collections (they come fresh from the system, page by page; see src/r/r_tensor.c) */
#define TL_LARGE_BLOCK ((size_t)128 << 10)
static int64_t mem_large = 0;

static void *finish_alloc(char *p, size_t n) {
  if (!p) return NULL;
  *(size_t *)p = n;
  mem_bytes += (int64_t)n;
  mem_objects++;
  if (n >= TL_LARGE_BLOCK) mem_large += (int64_t)n;
  return p + TL_PREFIX;
}

void *tl_malloc(size_t n) {
  if (n > SIZE_MAX - TL_PREFIX) return NULL;
  return finish_alloc(raw_alloc(n, 0), n);
}

void *tl_calloc(size_t n) {
  if (n > SIZE_MAX - TL_PREFIX) return NULL;
  return finish_alloc(raw_alloc(n, 1), n);
}

void tl_free(void *q) {
  if (!q) return;
  char *p = (char *)q - TL_PREFIX;
  size_t n = *(size_t *)p;
  mem_bytes -= (int64_t)n;
  mem_objects--;
  if (n >= TL_LARGE_BLOCK) mem_large -= (int64_t)n;
  int c = pool_class(n);
  if (c >= 0) {
    if (!pool_put(c, p)) free(p);
    return;
  }
  if (!cache_put(p, n)) free(p);
}

int64_t tl_mem_bytes(void) { return mem_bytes; }
int64_t tl_mem_large_bytes(void) { return mem_large; }
int64_t tl_mem_objects(void) { return mem_objects; }

/* ---------------------------------------------------------------- shapes */

tl_status tl_shape_numel(int ndim, const int64_t *shape, int64_t *numel) {
  if (ndim >= 0 && ndim <= 2) { /* the common small shapes: sizes below 2^31 cannot overflow */
    int64_t n = 1;
    int i = 0;
    for (; i < ndim; i++) {
      if (shape[i] < 0 || shape[i] > INT32_MAX) break;
      n *= shape[i];
    }
    if (i == ndim) {
      *numel = n;
      return TL_OK;
    }
  }
  if (ndim < 0 || ndim > TL_MAX_DIMS)
    return tl_error(TL_ERR_VALUE, "tensors can have at most %d dimensions, got %d", TL_MAX_DIMS,
                    ndim);
  int64_t n = 1;
  int overflow = 0;
  for (int i = 0; i < ndim; i++) {
    if (shape[i] < 0) {
      char buf[400];
      size_t len = 0;
      for (int j = 0; j < ndim && len < sizeof buf - 24; j++)
        len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%lld", j ? ", " : "",
                                (long long)shape[j]);
      return tl_error(TL_ERR_VALUE, "Trying to create tensor with negative dimension %lld: [%s]",
                      (long long)shape[i], buf);
    }
    if (shape[i] != 0 && n > INT64_MAX / shape[i]) overflow = 1;
    else n *= shape[i];
  }
  /* a zero anywhere makes the product 0 even if a partial product overflowed */
  for (int i = 0; i < ndim; i++)
    if (shape[i] == 0) { *numel = 0; return TL_OK; }
  if (overflow) return tl_error(TL_ERR_VALUE, "the number of elements of the shape overflows");
  *numel = n;
  return TL_OK;
}

void tl_contiguous_strides(int ndim, const int64_t *shape, int64_t *strides) {
  int64_t s = 1;
  for (int i = ndim - 1; i >= 0; i--) {
    strides[i] = s;
    /* only a zero-size tensor can have dims whose product overflows; its strides are moot */
    if (shape[i] > 1 && s <= INT64_MAX / shape[i]) s *= shape[i];
  }
}

/* ---------------------------------------------------------------- storage */

#define TL_ALIGN 64

tl_storage *tl_storage_new(size_t nbytes, int zero) {
  size_t head = sizeof(tl_storage) + TL_ALIGN;
  if (nbytes > SIZE_MAX - head - TL_PREFIX) {
    tl_error(TL_ERR_ALLOC, "cannot allocate a tensor of %.0f bytes", (double)nbytes);
    return NULL;
  }
  char *block = zero ? tl_calloc(head + nbytes) : tl_malloc(head + nbytes);
  if (!block) {
    tl_error(TL_ERR_ALLOC, "cannot allocate memory for a tensor of %.0f bytes", (double)nbytes);
    return NULL;
  }
  tl_storage *s = (tl_storage *)block;
  uintptr_t d = (uintptr_t)(block + sizeof(tl_storage));
  d = (d + TL_ALIGN - 1) & ~(uintptr_t)(TL_ALIGN - 1);
  s->refcount = 1;
  s->nbytes = nbytes;
  s->version = 0;
  s->owns_data = 1;
  s->data = (void *)d;
  s->block = NULL;
  s->tensor_alive = 0;
  return s;
}

tl_storage *tl_storage_borrow(void *data, size_t nbytes) {
  tl_storage *s = tl_malloc(sizeof(tl_storage));
  if (!s) {
    tl_error(TL_ERR_ALLOC, "cannot allocate memory");
    return NULL;
  }
  s->refcount = 1;
  s->nbytes = nbytes;
  s->version = 0;
  s->owns_data = 0;
  s->data = data;
  s->block = NULL;
  s->tensor_alive = 0;
  return s;
}

void tl_storage_retain(tl_storage *s) { s->refcount++; }

void tl_storage_release(tl_storage *s) {
  if (!s || --s->refcount > 0) return;
  if (!s->block) tl_free(s);
  else if (!s->tensor_alive) tl_free(s->block); /* the tensor went first: free both */
}

/* ---------------------------------------------------------------- tensors */

/* The fields every new tensor starts with; `dims` is where its shape and strides go. */
static void tensor_init(tl_tensor *t, tl_dtype dt, int ndim, const int64_t *shape, int64_t numel,
                        int64_t *dims) {
  t->refcount = 1;
  t->storage = NULL;
  t->offset = 0;
  t->numel = numel;
  t->ndim = ndim;
  t->dtype = dt;
  t->requires_grad = 0;
  t->wrapped_number = 0;
  t->autograd = NULL;
  t->shape = dims;
  t->strides = dims + ndim;
  for (int i = 0; i < ndim; i++) t->shape[i] = shape[i];
}

/* bytes of a tensor struct with room for its shape and strides */
static size_t tensor_bytes(int ndim) {
  return sizeof(tl_tensor) + 2 * sizeof(int64_t) * (size_t)ndim;
}

static tl_tensor *tensor_header(tl_dtype dt, int ndim, const int64_t *shape, int64_t *numel) {
  if (!tl_dtype_valid((int)dt)) {
    tl_error(TL_ERR_TYPE, "unknown dtype code %d", (int)dt);
    return NULL;
  }
  if (tl_shape_numel(ndim, shape, numel) != TL_OK) return NULL;
  tl_tensor *t = tl_malloc(tensor_bytes(ndim));
  if (!t) {
    tl_error(TL_ERR_ALLOC, "cannot allocate memory");
    return NULL;
  }
  tensor_init(t, dt, ndim, shape, *numel, (int64_t *)(t + 1));
  return t;
}

/* A new tensor and its storage in one allocation: [tensor | shape, strides | storage | pad |
 * data]. The block is freed when both the tensor and the storage are done with (views can
 * keep the storage alive after the tensor). */
static tl_tensor *tensor_alloc(tl_dtype dt, int ndim, const int64_t *shape, int zero) {
  if (!tl_dtype_valid((int)dt)) {
    tl_error(TL_ERR_TYPE, "unknown dtype code %d", (int)dt);
    return NULL;
  }
  int64_t numel;
  if (tl_shape_numel(ndim, shape, &numel) != TL_OK) return NULL;
  size_t es = tl_dtype_size(dt);
  size_t tbytes = tensor_bytes(ndim);
  /* the data of a tensor of a few elements needs no cache-line alignment, only 16 bytes */
  size_t align = (uint64_t)numel <= 64 / es ? 16 : TL_ALIGN;
  size_t head = tbytes + sizeof(tl_storage) + align;
  if ((uint64_t)numel > (SIZE_MAX - head - TL_PREFIX) / es) {
    tl_error(TL_ERR_ALLOC, "cannot allocate a tensor of %.0f elements", (double)numel);
    return NULL;
  }
  size_t nbytes = (size_t)numel * es;
  char *block = zero ? tl_calloc(head + nbytes) : tl_malloc(head + nbytes);
  if (!block) {
    tl_error(TL_ERR_ALLOC, "cannot allocate memory for a tensor of %.0f bytes", (double)nbytes);
    return NULL;
  }
  tl_tensor *t = (tl_tensor *)block;
  tl_storage *st = (tl_storage *)(block + tbytes);
  uintptr_t d = (uintptr_t)(st + 1);
  d = (d + align - 1) & ~(uintptr_t)(align - 1);
  st->refcount = 1;
  st->nbytes = nbytes;
  st->version = 0;
  st->owns_data = 1;
  st->data = (void *)d;
  st->block = block;
  st->tensor_alive = 1;
  tensor_init(t, dt, ndim, shape, numel, (int64_t *)(t + 1));
  t->storage = st;
  tl_contiguous_strides(ndim, shape, t->strides);
  return t;
}

tl_tensor *tl_tensor_empty(tl_dtype dt, int ndim, const int64_t *shape) {
  return tensor_alloc(dt, ndim, shape, 0);
}

tl_tensor *tl_tensor_zeros(tl_dtype dt, int ndim, const int64_t *shape) {
  return tensor_alloc(dt, ndim, shape, 1);
}

/* 0-d wrapped numbers are mostly temporaries of one op (an R number operand, a constant in
 * a backward formula): the last one made of each dtype is kept and handed out again once
 * nothing else holds it or its storage, instead of a new block every time. The kept one is
 * not counted as held (tl_mem_bytes), like the pools' blocks. */
static tl_tensor *number_cache[TL_NDTYPES];

static int64_t block_bytes(const tl_tensor *t) {
  return *(const int64_t *)((const char *)t - TL_PREFIX);
}

tl_tensor *tl_wrapped_number(tl_dtype dt, double d, int64_t i) {
  tl_tensor *t = number_cache[dt];
  if (t && t->refcount == 1 && t->storage->refcount == 1 && !t->autograd && !t->requires_grad) {
    t->refcount = 2;
    mem_bytes += block_bytes(t);
    mem_objects++;
  } else {
    t = tl_tensor_empty(dt, 0, NULL);
    if (!t) return NULL;
    t->wrapped_number = 1;
    tl_tensor *old = number_cache[dt];
    number_cache[dt] = t;
    t->refcount = 2;
    if (old) {
      if (old->refcount == 1) { /* it was not counted */
        mem_bytes += block_bytes(old);
        mem_objects++;
      }
      tl_tensor_release(old);
    }
  }
  switch (dt) {
  case TL_FLOAT64: *(double *)tl_data(t) = d; break;
  case TL_FLOAT32: *(float *)tl_data(t) = (float)d; break;
  case TL_INT64: *(int64_t *)tl_data(t) = i; break;
  case TL_INT32: *(int32_t *)tl_data(t) = (int32_t)i; break;
  default: *(uint8_t *)tl_data(t) = i != 0; break;
  }
  return t;
}

tl_tensor *tl_tensor_view_of(tl_storage *storage, tl_dtype dt, int ndim, const int64_t *shape,
                             const int64_t *strides, int64_t offset) {
  int64_t numel;
  tl_tensor *t = tensor_header(dt, ndim, shape, &numel);
  if (!t) return NULL;
  if (strides)
    for (int i = 0; i < ndim; i++) t->strides[i] = strides[i];
  else
    tl_contiguous_strides(ndim, shape, t->strides);
  t->offset = offset;
  tl_storage_retain(storage);
  t->storage = storage;
  return t;
}

tl_tensor *tl_tensor_borrow(void *data, tl_dtype dt, int ndim, const int64_t *shape,
                            const int64_t *strides) {
  tl_storage *s = tl_storage_borrow(data, 0);
  if (!s) return NULL;
  tl_tensor *t = tl_tensor_view_of(s, dt, ndim, shape, strides, 0);
  tl_storage_release(s);
  return t;
}

void tl_tensor_retain(tl_tensor *t) { t->refcount++; }

void tl_tensor_release(tl_tensor *t) {
  if (!t) return;
  if (--t->refcount > 0) {
    if (t->refcount == 1 && t->wrapped_number && t == number_cache[t->dtype]) {
      mem_bytes -= block_bytes(t);
      mem_objects--;
    }
    return;
  }
  if (t->autograd && tl_autograd_meta_free) tl_autograd_meta_free(t->autograd);
  tl_storage *s = t->storage;
  if (s->block == (void *)t) {
    /* the storage lives in this tensor's block: the last of the two frees it */
    s->tensor_alive = 0;
    if (--s->refcount == 0) tl_free(s->block);
    return;
  }
  tl_storage_release(s);
  tl_free(t);
}

int tl_is_contiguous(const tl_tensor *t) {
  int64_t expected = 1;
  for (int i = t->ndim - 1; i >= 0; i--) {
    if (t->shape[i] == 1) continue;
    if (t->shape[i] == 0) return 1;
    if (t->strides[i] != expected) return 0;
    expected *= t->shape[i];
  }
  return 1;
}

void tl_bump_version(tl_tensor *t) { t->storage->version++; }

/* ---------------------------------------------------------------- conversions */

/* Float to integer casts that are defined for every input (C leaves NaN and out-of-range
 * values undefined): such values become the type's minimum, which is what x86 hardware and
 * therefore libtorch produce. */
static inline int64_t f2i64(double v) {
  return (v >= -9223372036854775808.0 && v < 9223372036854775808.0) ? (int64_t)v : INT64_MIN;
}
static inline int32_t f2i32(double v) {
  return (v > -2147483649.0 && v < 2147483648.0) ? (int32_t)v : INT32_MIN;
}

#define CONV_LOOP(NAME, DT, ST, EXPR)                                                    \
  static void NAME(char **d, const int64_t *s, int64_t n, void *ctx) {                   \
    (void)ctx;                                                                           \
    char *o = d[0], *i = d[1];                                                           \
    for (int64_t k = 0; k < n; k++, o += s[0], i += s[1]) {                              \
      ST x = *(const ST *)i;                                                             \
      *(DT *)o = (EXPR);                                                                 \
    }                                                                                    \
  }

/* destination, source */
CONV_LOOP(cv_b_b, uint8_t, uint8_t, x != 0)
CONV_LOOP(cv_b_i32, uint8_t, int32_t, x != 0)
CONV_LOOP(cv_b_i64, uint8_t, int64_t, x != 0)
CONV_LOOP(cv_b_f32, uint8_t, float, x != 0)
CONV_LOOP(cv_b_f64, uint8_t, double, x != 0)
CONV_LOOP(cv_i32_b, int32_t, uint8_t, (int32_t)x)
CONV_LOOP(cv_i32_i32, int32_t, int32_t, x)
CONV_LOOP(cv_i32_i64, int32_t, int64_t, (int32_t)(uint32_t)(uint64_t)x)
CONV_LOOP(cv_i32_f32, int32_t, float, f2i32(x))
CONV_LOOP(cv_i32_f64, int32_t, double, f2i32(x))
CONV_LOOP(cv_i64_b, int64_t, uint8_t, (int64_t)x)
CONV_LOOP(cv_i64_i32, int64_t, int32_t, (int64_t)x)
CONV_LOOP(cv_i64_i64, int64_t, int64_t, x)
CONV_LOOP(cv_i64_f32, int64_t, float, f2i64(x))
CONV_LOOP(cv_i64_f64, int64_t, double, f2i64(x))
CONV_LOOP(cv_f32_b, float, uint8_t, (float)x)
CONV_LOOP(cv_f32_i32, float, int32_t, (float)x)
CONV_LOOP(cv_f32_i64, float, int64_t, (float)x)
CONV_LOOP(cv_f32_f32, float, float, x)
CONV_LOOP(cv_f32_f64, float, double, (float)x)
CONV_LOOP(cv_f64_b, double, uint8_t, (double)x)
CONV_LOOP(cv_f64_i32, double, int32_t, (double)x)
CONV_LOOP(cv_f64_i64, double, int64_t, (double)x)
CONV_LOOP(cv_f64_f32, double, float, (double)x)
CONV_LOOP(cv_f64_f64, double, double, x)

static const tl_loop_fn conv_table[TL_NDTYPES][TL_NDTYPES] = {
  /* dst bool */ {cv_b_b, cv_b_i32, cv_b_i64, cv_b_f32, cv_b_f64},
  /* dst i32  */ {cv_i32_b, cv_i32_i32, cv_i32_i64, cv_i32_f32, cv_i32_f64},
  /* dst i64  */ {cv_i64_b, cv_i64_i32, cv_i64_i64, cv_i64_f32, cv_i64_f64},
  /* dst f32  */ {cv_f32_b, cv_f32_i32, cv_f32_i64, cv_f32_f32, cv_f32_f64},
  /* dst f64  */ {cv_f64_b, cv_f64_i32, cv_f64_i64, cv_f64_f32, cv_f64_f64},
};

static void copy_same(char **d, const int64_t *s, int64_t n, void *ctx) {
  size_t es = *(const size_t *)ctx;
  if ((size_t)s[0] == es && (size_t)s[1] == es) {
    memmove(d[0], d[1], (size_t)n * es);
    return;
  }
  char *o = d[0], *i = d[1];
  for (int64_t k = 0; k < n; k++, o += s[0], i += s[1]) memcpy(o, i, es);
}

tl_status tl_copy_into(tl_tensor *dst, const tl_tensor *src) {
  const tl_tensor *ops[2] = {dst, src};
  tl_iter it;
  tl_status st = tl_iter_tensors(&it, 2, ops, dst->ndim, dst->shape);
  if (st != TL_OK) return st;
  if (dst->dtype == src->dtype) {
    size_t es = tl_dtype_size(dst->dtype);
    tl_iter_run(&it, copy_same, &es);
  } else {
    tl_iter_run(&it, conv_table[dst->dtype][src->dtype], NULL);
  }
  return TL_OK;
}

tl_tensor *tl_clone(const tl_tensor *src) {
  tl_tensor *out = tl_tensor_empty(src->dtype, src->ndim, src->shape);
  if (!out) return NULL;
  if (tl_copy_into(out, src) != TL_OK) {
    tl_tensor_release(out);
    return NULL;
  }
  return out;
}

tl_tensor *tl_contiguous(tl_tensor *t) {
  if (tl_is_contiguous(t)) {
    tl_tensor_retain(t);
    return t;
  }
  return tl_clone(t);
}

tl_tensor *tl_to_dtype(tl_tensor *t, tl_dtype dt, int copy) {
  if (t->dtype == dt && !copy) {
    tl_tensor_retain(t);
    return t;
  }
  tl_tensor *out = tl_tensor_empty(dt, t->ndim, t->shape);
  if (!out) return NULL;
  if (tl_copy_into(out, t) != TL_OK) {
    tl_tensor_release(out);
    return NULL;
  }
  return out;
}

tl_status tl_fill(tl_tensor *t, double value) {
  if ((t->dtype == TL_FLOAT32 || t->dtype == TL_FLOAT64) && t->numel <= TL_SMALL_NUMEL &&
      tl_is_contiguous(t)) { /* small floating tensors: as tl_copy_into converts a double */
    if (t->dtype == TL_FLOAT32) {
      float *p = tl_data(t), v = (float)value;
      for (int64_t i = 0; i < t->numel; i++) p[i] = v;
    } else {
      double *p = tl_data(t);
      for (int64_t i = 0; i < t->numel; i++) p[i] = value;
    }
    tl_bump_version(t);
    return TL_OK;
  }
  /* one element of the right dtype, broadcast over t */
  double v = value;
  tl_tensor *src = tl_tensor_borrow(&v, TL_FLOAT64, 0, NULL, NULL);
  if (!src) return tl_last_status();
  tl_status st = tl_copy_into(t, src);
  tl_tensor_release(src);
  if (st == TL_OK) tl_bump_version(t);
  return st;
}

double tl_get_double(const tl_tensor *t, int64_t i) {
  int64_t off = t->offset;
  for (int d = t->ndim - 1; d >= 0; d--) {
    int64_t n = t->shape[d];
    off += (i % n) * t->strides[d];
    i /= n;
  }
  const char *p = (const char *)t->storage->data + (size_t)off * tl_dtype_size(t->dtype);
  switch (t->dtype) {
  case TL_BOOL: return *(const uint8_t *)p;
  case TL_INT32: return *(const int32_t *)p;
  case TL_INT64: return (double)*(const int64_t *)p;
  case TL_FLOAT32: return *(const float *)p;
  case TL_FLOAT64: return *(const double *)p;
  default: return NAN;
  }
}
