/* Storage and tensors: the objects every other part of the core works on.
 *
 * Ownership: both are reference counted. A function that returns a tensor gives the caller
 * one reference (release it with tl_tensor_release); a function that takes a tensor borrows
 * it unless its comment says it steals the reference. Views share their base's storage and
 * hold a reference to it, never to the base tensor. The version counter lives in the
 * storage, so a tensor and all its views see the same version, as in PyTorch. */
#ifndef TL_TENSOR_H
#define TL_TENSOR_H

#include <stddef.h>
#include <stdint.h>

#include "dtype.h"
#include "error.h"

#define TL_MAX_DIMS 16

typedef struct tl_storage {
  int64_t refcount;
  size_t nbytes;
  uint64_t version; /* bumped by every in-place write */
  int owns_data;    /* 0: data belongs to someone else (a borrowed buffer) */
  void *data;
  void *block;      /* set when the storage shares one allocation with its first tensor */
  int tensor_alive; /* ... and that tensor has not been released yet */
} tl_storage;

/* The autograd metadata of a tensor, kept inside the tensor (tl_tensor.meta) and used once
 * tl_tensor.autograd points at it (the engine sets it up on first use: tl_meta()). */
struct tl_node;
struct tl_hook;
struct tl_autograd_meta {
  struct tl_node *grad_fn;          /* strong */
  int output_nr;
  int retains_grad;
  struct tl_tensor *grad;           /* strong */
  struct tl_node *grad_accumulator; /* weak: AccumulateGrad node of a leaf */
  struct tl_hook *hooks;            /* hooks on a leaf's gradient */
};

typedef struct tl_tensor {
  int64_t refcount;
  tl_storage *storage;
  int64_t offset; /* in elements */
  int64_t numel;
  int32_t ndim;
  tl_dtype dtype;
  int requires_grad;
  /* 1 for a 0-d tensor made from an R scalar (`2 * x`): like PyTorch's wrapped numbers it
   * does not widen the result dtype within its category (a double scalar times a float32
   * tensor stays float32). */
  int wrapped_number;
  struct tl_autograd_meta *autograd; /* NULL, or &meta once autograd needs it */
  /* ndim entries each, allocated with the tensor (right after this struct): a tensor's
   * number of dimensions never changes */
  int64_t *shape;
  int64_t *strides; /* in elements */
  struct tl_autograd_meta meta;
} tl_tensor;

/* Tensors of at most this many elements take the small-tensor paths (elementwise kernels
 * called directly, one-pass gradients, direct fills): below every parallel threshold, so
 * those paths compute exactly what the general ones do on one thread. */
#define TL_SMALL_NUMEL 4096

/* ---- memory accounting: every byte the core allocates goes through these ---- */
void *tl_malloc(size_t n);
void *tl_calloc(size_t n);
void tl_free(void *p);
int64_t tl_mem_bytes(void);   /* bytes currently held by the core */
int64_t tl_mem_objects(void); /* live allocations */
int64_t tl_mem_large_bytes(void); /* the part of tl_mem_bytes in blocks of 128 KB or more */

/* ---- shapes ---- */
/* Validates a shape and computes its element count; errors on negative sizes, too many
 * dimensions and overflow. */
tl_status tl_shape_numel(int ndim, const int64_t *shape, int64_t *numel);
void tl_contiguous_strides(int ndim, const int64_t *shape, int64_t *strides);

/* ---- storage ---- */
tl_storage *tl_storage_new(size_t nbytes, int zero);
tl_storage *tl_storage_borrow(void *data, size_t nbytes); /* does not own data */
void tl_storage_retain(tl_storage *s);
void tl_storage_release(tl_storage *s);

/* ---- tensors ---- */
tl_tensor *tl_tensor_empty(tl_dtype dt, int ndim, const int64_t *shape);
tl_tensor *tl_tensor_zeros(tl_dtype dt, int ndim, const int64_t *shape);
/* A view on `storage` (which gains a reference); NULL strides mean contiguous. */
tl_tensor *tl_tensor_view_of(tl_storage *storage, tl_dtype dt, int ndim, const int64_t *shape,
                             const int64_t *strides, int64_t offset);
/* A tensor over memory the core does not own (valid only while the memory is). */
tl_tensor *tl_tensor_borrow(void *data, tl_dtype dt, int ndim, const int64_t *shape,
                            const int64_t *strides);
/* A 0-d wrapped number of dtype dt holding d (floating dtypes) or i (the others); it may
 * be one handed out before and released since (the caller owns one reference as usual). */
tl_tensor *tl_wrapped_number(tl_dtype dt, double d, int64_t i);
void tl_tensor_retain(tl_tensor *t);
void tl_tensor_release(tl_tensor *t);

static inline void *tl_data(const tl_tensor *t) {
  return (char *)t->storage->data + (size_t)t->offset * tl_dtype_size(t->dtype);
}
int tl_is_contiguous(const tl_tensor *t);
void tl_bump_version(tl_tensor *t);

/* ---- copies and conversions ---- */
/* Writes src into dst, broadcasting src to dst's shape and converting dtypes. */
tl_status tl_copy_into(tl_tensor *dst, const tl_tensor *src);
tl_tensor *tl_clone(const tl_tensor *src);                 /* contiguous copy */
tl_tensor *tl_contiguous(tl_tensor *t);                    /* t itself (retained) if contiguous */
tl_tensor *tl_to_dtype(tl_tensor *t, tl_dtype dt, int copy); /* t itself if same dtype and !copy */
tl_status tl_fill(tl_tensor *t, double value);
/* Reads element i (row-major order) as a double. */
double tl_get_double(const tl_tensor *t, int64_t i);

/* Hook the autograd engine installs to release what a tensor's autograd metadata holds (the
 * metadata itself lives in the tensor). */
extern void (*tl_autograd_meta_free)(struct tl_autograd_meta *);

#endif
