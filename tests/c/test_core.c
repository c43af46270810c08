/* Tests of the plain-C core, without R: tensor lifetime, views, strided iteration,
 * broadcasting, conversions and error paths. Every test must leave the core's byte count
 * where it found it. Build and run: make test-c (or make sanitize). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "dtype.h"
#include "iter.h"
#include "ops/creation.h"
#include "tensor.h"

static int failures = 0, checks = 0;
#define CHECK(cond)                                                        \
  do {                                                                     \
    checks++;                                                              \
    if (!(cond)) {                                                         \
      failures++;                                                          \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                      \
  } while (0)

static void test_lifetime(void) {
  int64_t base = tl_mem_bytes(), objs = tl_mem_objects();
  int64_t shape[2] = {3, 4};
  tl_tensor *t = tl_tensor_zeros(TL_FLOAT32, 2, shape);
  CHECK(t && t->numel == 12 && tl_is_contiguous(t));
  CHECK(t->strides[0] == 4 && t->strides[1] == 1);
  CHECK(tl_mem_bytes() > base + 48);
  /* a view keeps the storage alive after the base is gone */
  int64_t vshape[1] = {3}, vstrides[1] = {4};
  tl_tensor *col = tl_tensor_view_of(t->storage, TL_FLOAT32, 1, vshape, vstrides, 1);
  CHECK(col && col->storage == t->storage && t->storage->refcount == 2);
  CHECK(!tl_is_contiguous(col));
  tl_tensor_release(t);
  CHECK(col->storage->refcount == 1);
  CHECK(tl_fill(col, 2.5) == TL_OK);
  CHECK(col->storage->version == 1);
  float *d = col->storage->data;
  CHECK(d[1] == 2.5f && d[5] == 2.5f && d[9] == 2.5f && d[0] == 0.0f && d[2] == 0.0f);
  tl_tensor_release(col);
  CHECK(tl_mem_bytes() == base && tl_mem_objects() == objs);
}

static void test_copy_and_convert(void) {
  int64_t base = tl_mem_bytes();
  /* a column-major 2x3 source (as R lays out matrices) into a row-major tensor */
  double src_data[6] = {1, 2, 3, 4, 5, 6};
  int64_t shape[2] = {2, 3}, cm[2] = {1, 2};
  tl_tensor *src = tl_tensor_borrow(src_data, TL_FLOAT64, 2, shape, cm);
  tl_tensor *dst = tl_tensor_empty(TL_FLOAT32, 2, shape);
  CHECK(tl_copy_into(dst, src) == TL_OK);
  float *f = tl_data(dst);
  CHECK(f[0] == 1 && f[1] == 3 && f[2] == 5 && f[3] == 2 && f[4] == 4 && f[5] == 6);
  /* conversions to integers: NaN and out of range become the minimum */
  double odd[4] = {NAN, 1e30, -2.7, 3.9};
  int64_t n4 = 4;
  tl_tensor *o = tl_tensor_borrow(odd, TL_FLOAT64, 1, &n4, NULL);
  o->strides[0] = 1;
  tl_tensor *i32 = tl_to_dtype(o, TL_INT32, 0);
  int32_t *iv = tl_data(i32);
  CHECK(iv[0] == INT32_MIN && iv[1] == INT32_MIN && iv[2] == -2 && iv[3] == 3);
  tl_tensor *b = tl_to_dtype(o, TL_BOOL, 0);
  uint8_t *bv = tl_data(b);
  CHECK(bv[0] == 1 && bv[1] == 1 && bv[2] == 1 && bv[3] == 1);
  CHECK(tl_get_double(dst, 4) == 4.0);
  tl_tensor *same = tl_to_dtype(dst, TL_FLOAT32, 0);
  CHECK(same == dst && dst->refcount == 2);
  tl_tensor_release(same);
  tl_tensor_release(src);
  tl_tensor_release(dst);
  tl_tensor_release(o);
  tl_tensor_release(i32);
  tl_tensor_release(b);
  CHECK(tl_mem_bytes() == base);
}

static void test_broadcast(void) {
  int64_t a[2] = {3, 1}, b[2] = {1, 4}, out[TL_MAX_DIMS];
  int n;
  CHECK(tl_broadcast_shapes(2, a, 2, b, &n, out) == TL_OK && n == 2 && out[0] == 3 && out[1] == 4);
  int64_t c[1] = {4}, d[2] = {2, 3};
  CHECK(tl_broadcast_shapes(1, c, 2, d, &n, out) == TL_ERR_VALUE);
  CHECK(strstr(tl_last_message(),
               "The size of tensor a (4) must match the size of tensor b (3) at non-singleton "
               "dimension 1") != NULL);
  tl_clear_error();
  /* broadcast copy of a (3,1) column into (3,4) */
  int64_t base = tl_mem_bytes();
  tl_tensor *col = tl_arange(0, 3, 1, TL_FLOAT64);
  int64_t s31[2] = {3, 1}, st31[2] = {1, 1};
  tl_tensor *col2 = tl_tensor_view_of(col->storage, TL_FLOAT64, 2, s31, st31, 0);
  int64_t s34[2] = {3, 4};
  tl_tensor *m = tl_tensor_empty(TL_FLOAT64, 2, s34);
  CHECK(tl_copy_into(m, col2) == TL_OK);
  double *md = tl_data(m);
  CHECK(md[0] == 0 && md[3] == 0 && md[4] == 1 && md[11] == 2);
  /* cannot broadcast (3,4) into (3,1) */
  CHECK(tl_copy_into(col2, m) == TL_ERR_VALUE);
  tl_clear_error();
  tl_tensor_release(col);
  tl_tensor_release(col2);
  tl_tensor_release(m);
  CHECK(tl_mem_bytes() == base);
}

static void count_loop(char **data, const int64_t *strides, int64_t n, void *ctx) {
  (void)strides;
  (void)data;
  int64_t *c = ctx;
  c[0] += n;
  c[1] += 1;
}

static void test_iter_coalescing(void) {
  int64_t shape[3] = {2, 3, 4};
  tl_tensor *t = tl_tensor_zeros(TL_FLOAT32, 3, shape);
  const tl_tensor *ops[1] = {t};
  tl_iter it;
  CHECK(tl_iter_tensors(&it, 1, ops, 3, shape) == TL_OK);
  CHECK(it.ndim == 1 && it.shape[0] == 24); /* contiguous: one run */
  int64_t c[2] = {0, 0};
  tl_iter_run(&it, count_loop, c);
  CHECK(c[0] == 24 && c[1] == 1);
  /* a transposed view cannot be merged */
  int64_t ts[2] = {4, 6}, tst[2] = {1, 4};
  int64_t s2[2] = {4, 6};
  tl_tensor *tv = tl_tensor_view_of(t->storage, TL_FLOAT32, 2, s2, tst, 0);
  (void)ts;
  const tl_tensor *ops2[1] = {tv};
  CHECK(tl_iter_tensors(&it, 1, ops2, 2, s2) == TL_OK);
  CHECK(it.ndim == 2);
  c[0] = c[1] = 0;
  tl_iter_run(&it, count_loop, c);
  CHECK(c[0] == 24 && c[1] == 4);
  /* zero-size: the loop never runs */
  int64_t z[2] = {0, 5};
  tl_tensor *e = tl_tensor_empty(TL_FLOAT32, 2, z);
  const tl_tensor *ops3[1] = {e};
  CHECK(tl_iter_tensors(&it, 1, ops3, 2, z) == TL_OK);
  c[0] = c[1] = 0;
  tl_iter_run(&it, count_loop, c);
  CHECK(c[0] == 0 && c[1] == 0);
  /* 0-d: one element */
  tl_tensor *s = tl_tensor_zeros(TL_INT64, 0, NULL);
  CHECK(s->numel == 1);
  const tl_tensor *ops4[1] = {s};
  CHECK(tl_iter_tensors(&it, 1, ops4, 0, NULL) == TL_OK);
  c[0] = c[1] = 0;
  tl_iter_run(&it, count_loop, c);
  CHECK(c[0] == 1);
  tl_tensor_release(t);
  tl_tensor_release(tv);
  tl_tensor_release(e);
  tl_tensor_release(s);
}

static void test_errors(void) {
  int64_t base = tl_mem_bytes();
  int64_t neg[2] = {2, -1};
  CHECK(tl_tensor_empty(TL_FLOAT32, 2, neg) == NULL && tl_last_status() == TL_ERR_VALUE);
  CHECK(strcmp(tl_last_message(), "Trying to create tensor with negative dimension -1: [2, -1]") == 0);
  int64_t huge[2] = {INT64_C(1) << 40, INT64_C(1) << 40};
  CHECK(tl_tensor_empty(TL_FLOAT32, 2, huge) == NULL && tl_last_status() == TL_ERR_VALUE);
  int64_t big[1] = {INT64_C(1) << 62};
  CHECK(tl_tensor_empty(TL_FLOAT64, 1, big) == NULL && tl_last_status() == TL_ERR_ALLOC);
  CHECK(tl_tensor_empty((tl_dtype)9, 0, NULL) == NULL && tl_last_status() == TL_ERR_TYPE);
  int64_t zero_and_huge[3] = {0, INT64_C(1) << 40, INT64_C(1) << 40};
  tl_tensor *e = tl_tensor_empty(TL_FLOAT32, 3, zero_and_huge);
  CHECK(e && e->numel == 0);
  tl_tensor_release(e);
  CHECK(tl_arange(0, 1, 0, TL_FLOAT32) == NULL);
  CHECK(tl_linspace(0, 1, -1, TL_FLOAT32) == NULL);
  CHECK(tl_eye(-1, 2, TL_FLOAT32) == NULL);
  tl_clear_error();
  CHECK(tl_mem_bytes() == base);
}

static void test_creation(void) {
  tl_tensor *a = tl_arange(0, 1.0 + 1e-7, 0.25, TL_FLOAT32);
  CHECK(a && a->numel == 5 && ((float *)tl_data(a))[4] == 1.0f);
  tl_tensor *l = tl_linspace(0, 1, 7, TL_FLOAT32);
  float *lv = tl_data(l);
  CHECK(lv[0] == 0.0f && lv[6] == 1.0f && lv[3] == 0.5f);
  tl_tensor *i = tl_eye(2, 3, TL_INT64);
  int64_t *iv = tl_data(i);
  CHECK(iv[0] == 1 && iv[1] == 0 && iv[4] == 1 && iv[5] == 0);
  tl_tensor_release(a);
  tl_tensor_release(l);
  tl_tensor_release(i);
}

/* freed large blocks are kept for reuse; when the cache is full the least recently freed
 * block goes, so a loop over tensors of a new size keeps its blocks after a loop over
 * smaller ones filled the cache (it used to evict the largest: the new size's) */
static void test_block_cache(void) {
  enum { OLD = 12 };
  void *old[OLD];
  for (int i = 0; i < OLD; i++) old[i] = tl_malloc((size_t)2 << 20);
  for (int i = 0; i < OLD; i++) tl_free(old[i]); /* fills the cache with 2 MB blocks */
  void *a = tl_malloc((size_t)40 << 20), *b = tl_malloc((size_t)40 << 20);
  CHECK(a && b);
  tl_free(a);
  tl_free(b);
  void *c = tl_malloc((size_t)40 << 20), *d = tl_malloc((size_t)40 << 20);
  CHECK((c == a && d == b) || (c == b && d == a)); /* both came back from the cache */
  tl_free(c);
  tl_free(d);
  void *e = tl_malloc((size_t)2 << 20); /* a block of the old size still fits */
  CHECK(e != NULL);
  tl_free(e);
}

int main(void) {
  test_lifetime();
  test_block_cache();
  test_copy_and_convert();
  test_broadcast();
  test_iter_coalescing();
  test_errors();
  test_creation();
  CHECK(tl_mem_bytes() == 0 && tl_mem_objects() == 0);
  printf("core: %d checks, %d failed\n", checks, failures);
  return failures != 0;
}
