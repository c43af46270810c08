/* Shape operations: see shape.h. */
#include "shape.h"

#include <stdio.h>
#include <string.h>

/* "[2, 4]" */
static const char *fmt_shape(char *buf, size_t cap, int nd, const int64_t *s) {
  size_t len = 0;
  buf[len++] = '[';
  for (int i = 0; i < nd && len + 24 < cap; i++)
    len += (size_t)snprintf(buf + len, cap - len, "%s%lld", i ? ", " : "", (long long)s[i]);
  snprintf(buf + len, cap - len, "]");
  return buf;
}

tl_status tl_wrap_dim(int64_t dim, int ndim, int *out) {
  int n = ndim > 0 ? ndim : 1;
  if (dim < -n || dim >= n)
    return tl_error(TL_ERR_INDEX,
                    "Dimension out of range (expected to be in range of [%d, %d], but got %lld)",
                    -n, n - 1, (long long)dim);
  *out = (int)(dim < 0 ? dim + n : dim);
  return TL_OK;
}

tl_status tl_infer_shape(int ndim, const int64_t *shape, int64_t numel, int64_t *out) {
  char buf[400];
  if (ndim < 0 || ndim > TL_MAX_DIMS)
    return tl_error(TL_ERR_VALUE, "tensors can have at most %d dimensions, got %d", TL_MAX_DIMS,
                    ndim);
  int infer = -1, overflow = 0;
  int64_t prod = 1;
  for (int i = 0; i < ndim; i++) {
    if (shape[i] == -1) {
      if (infer >= 0) return tl_error(TL_ERR_RUNTIME, "only one dimension can be inferred");
      infer = i;
    } else if (shape[i] < 0) {
      return tl_error(TL_ERR_RUNTIME, "invalid shape dimension %lld", (long long)shape[i]);
    } else if (shape[i] != 0 && prod > INT64_MAX / shape[i]) {
      overflow = 1;
    } else {
      prod *= shape[i];
    }
  }
  for (int i = 0; i < ndim; i++)
    if (shape[i] == 0) overflow = 0, prod = 0;
  if (!overflow) {
    if (infer < 0 && prod == numel) {
      memcpy(out, shape, (size_t)ndim * sizeof(int64_t));
      return TL_OK;
    }
    if (infer >= 0 && prod > 0 && numel % prod == 0) {
      memcpy(out, shape, (size_t)ndim * sizeof(int64_t));
      out[infer] = numel / prod;
      return TL_OK;
    }
    if (infer >= 0 && prod == 0 && numel == 0)
      return tl_error(TL_ERR_RUNTIME,
                      "cannot reshape tensor of 0 elements into shape %s because the "
                      "unspecified dimension size -1 can be any value and is ambiguous",
                      fmt_shape(buf, sizeof buf, ndim, shape));
  }
  return tl_error(TL_ERR_RUNTIME, "shape '%s' is invalid for input of size %lld",
                  fmt_shape(buf, sizeof buf, ndim, shape), (long long)numel);
}

/* Strides that let a tensor of (shape, strides) be seen with `nshape`, if any (PyTorch's
 * computeStride): groups of old dims that are contiguous with each other can be re-split
 * freely. Returns 0 when no such strides exist. */
static int view_strides(int od, const int64_t *oshape, const int64_t *ostride, int64_t numel,
                        int nd, const int64_t *nshape, int64_t *nstride) {
  if (od == 0) {
    for (int i = 0; i < nd; i++) nstride[i] = 1;
    return 1;
  }
  if (numel == 0) {
    int same = od == nd;
    for (int i = 0; same && i < nd; i++) same = oshape[i] == nshape[i];
    if (same) {
      memcpy(nstride, ostride, (size_t)nd * sizeof(int64_t));
    } else {
      int64_t s = 1;
      for (int i = nd - 1; i >= 0; i--) {
        nstride[i] = s;
        s *= nshape[i] > 1 ? nshape[i] : 1;
      }
    }
    return 1;
  }
  int vd = nd - 1;
  int64_t base = ostride[od - 1], tnumel = 1, vnumel = 1;
  for (int td = od - 1; td >= 0; td--) {
    tnumel *= oshape[td];
    /* end of a contiguous chunk of old dims */
    if (td == 0 || (oshape[td - 1] != 1 && ostride[td - 1] != tnumel * base)) {
      while (vd >= 0 && (vnumel < tnumel || nshape[vd] == 1)) {
        nstride[vd] = vnumel * base;
        vnumel *= nshape[vd];
        vd--;
      }
      if (vnumel != tnumel) return 0;
      if (td > 0) {
        base = ostride[td - 1];
        tnumel = 1;
        vnumel = 1;
      }
    }
  }
  return vd == -1;
}

static tl_tensor *same_view(const tl_tensor *x) {
  return tl_tensor_view_of(x->storage, x->dtype, x->ndim, x->shape, x->strides, x->offset);
}

tl_tensor *tl_as_strided(const tl_tensor *x, int ndim, const int64_t *shape,
                         const int64_t *strides, int64_t offset) {
  return tl_tensor_view_of(x->storage, x->dtype, ndim, shape, strides, offset);
}

tl_tensor *tl_view(const tl_tensor *x, int ndim, const int64_t *shape) {
  int64_t sh[TL_MAX_DIMS], st[TL_MAX_DIMS];
  if (tl_infer_shape(ndim, shape, x->numel, sh) != TL_OK) return NULL;
  if (!view_strides(x->ndim, x->shape, x->strides, x->numel, ndim, sh, st)) {
    tl_error(TL_ERR_RUNTIME,
             "view size is not compatible with input tensor's size and stride (at least one "
             "dimension spans across two contiguous subspaces). Use .reshape(...) instead.");
    return NULL;
  }
  return tl_tensor_view_of(x->storage, x->dtype, ndim, sh, st, x->offset);
}

tl_tensor *tl_reshape(const tl_tensor *x, int ndim, const int64_t *shape) {
  int64_t sh[TL_MAX_DIMS], st[TL_MAX_DIMS];
  if (tl_infer_shape(ndim, shape, x->numel, sh) != TL_OK) return NULL;
  if (view_strides(x->ndim, x->shape, x->strides, x->numel, ndim, sh, st))
    return tl_tensor_view_of(x->storage, x->dtype, ndim, sh, st, x->offset);
  tl_tensor *c = tl_clone(x);
  if (!c) return NULL;
  tl_contiguous_strides(ndim, sh, st);
  tl_tensor *out = tl_tensor_view_of(c->storage, c->dtype, ndim, sh, st, 0);
  tl_tensor_release(c);
  return out;
}

tl_tensor *tl_flatten(const tl_tensor *x, int start_dim, int end_dim) {
  int s = 0, e = 0;
  if (tl_wrap_dim(start_dim, x->ndim, &s) != TL_OK || tl_wrap_dim(end_dim, x->ndim, &e) != TL_OK)
    return NULL;
  if (x->ndim == 0) {
    int64_t one = 1;
    return tl_reshape(x, 1, &one);
  }
  if (s > e) {
    tl_error(TL_ERR_RUNTIME, "flatten() has invalid args: start_dim cannot come after end_dim");
    return NULL;
  }
  if (s == e) return same_view(x);
  int64_t sh[TL_MAX_DIMS];
  int nd = 0;
  for (int i = 0; i < s; i++) sh[nd++] = x->shape[i];
  int64_t m = 1;
  for (int i = s; i <= e; i++) m *= x->shape[i];
  sh[nd++] = m;
  for (int i = e + 1; i < x->ndim; i++) sh[nd++] = x->shape[i];
  return tl_reshape(x, nd, sh);
}

tl_tensor *tl_squeeze(const tl_tensor *x, int dim, int all) {
  int d = -1;
  if (!all && tl_wrap_dim(dim, x->ndim, &d) != TL_OK) return NULL;
  int64_t sh[TL_MAX_DIMS], st[TL_MAX_DIMS];
  int nd = 0;
  for (int i = 0; i < x->ndim; i++) {
    if (x->shape[i] == 1 && (all || i == d)) continue;
    sh[nd] = x->shape[i];
    st[nd++] = x->strides[i];
  }
  return tl_tensor_view_of(x->storage, x->dtype, nd, sh, st, x->offset);
}

tl_tensor *tl_unsqueeze(const tl_tensor *x, int dim) {
  int d = 0;
  if (tl_wrap_dim(dim, x->ndim + 1, &d) != TL_OK) return NULL;
  if (x->ndim + 1 > TL_MAX_DIMS) {
    tl_error(TL_ERR_VALUE, "tensors can have at most %d dimensions", TL_MAX_DIMS);
    return NULL;
  }
  int64_t sh[TL_MAX_DIMS], st[TL_MAX_DIMS];
  int nd = 0;
  for (int i = 0; i <= x->ndim; i++) {
    if (i == d) {
      sh[nd] = 1;
      st[nd++] = d >= x->ndim ? 1 : x->shape[d] * x->strides[d];
    }
    if (i < x->ndim) {
      sh[nd] = x->shape[i];
      st[nd++] = x->strides[i];
    }
  }
  return tl_tensor_view_of(x->storage, x->dtype, nd, sh, st, x->offset);
}

tl_tensor *tl_permute(const tl_tensor *x, const int *dims, int ndims) {
  if (ndims != x->ndim) {
    tl_error(TL_ERR_RUNTIME,
             "permute(sparse_coo): number of dimensions in the tensor input does not match the "
             "length of the desired ordering of dimensions i.e. input.dim() = %d is not equal "
             "to len(dims) = %d",
             x->ndim, ndims);
    return NULL;
  }
  int64_t sh[TL_MAX_DIMS], st[TL_MAX_DIMS];
  int seen[TL_MAX_DIMS] = {0};
  for (int i = 0; i < ndims; i++) {
    int d = 0;
    if (tl_wrap_dim(dims[i], x->ndim, &d) != TL_OK) return NULL;
    if (seen[d]) {
      tl_error(TL_ERR_RUNTIME, "permute(): duplicate dims are not allowed.");
      return NULL;
    }
    seen[d] = 1;
    sh[i] = x->shape[d];
    st[i] = x->strides[d];
  }
  return tl_tensor_view_of(x->storage, x->dtype, ndims, sh, st, x->offset);
}

tl_tensor *tl_transpose(const tl_tensor *x, int dim0, int dim1) {
  int a = 0, b = 0;
  if (tl_wrap_dim(dim0, x->ndim, &a) != TL_OK || tl_wrap_dim(dim1, x->ndim, &b) != TL_OK)
    return NULL;
  tl_tensor *out = same_view(x);
  if (!out || x->ndim == 0 || a == b) return out;
  out->shape[a] = x->shape[b];
  out->shape[b] = x->shape[a];
  out->strides[a] = x->strides[b];
  out->strides[b] = x->strides[a];
  return out;
}

tl_tensor *tl_t(const tl_tensor *x) {
  if (x->ndim > 2) {
    tl_error(TL_ERR_RUNTIME, "t() expects a tensor with <= 2 dimensions, but self is %dD",
             x->ndim);
    return NULL;
  }
  if (x->ndim < 2) return same_view(x);
  return tl_transpose(x, 0, 1);
}

tl_tensor *tl_expand(const tl_tensor *x, int ndim, const int64_t *shape) {
  char b1[400], b2[400];
  if (ndim > TL_MAX_DIMS) {
    tl_error(TL_ERR_VALUE, "tensors can have at most %d dimensions, got %d", TL_MAX_DIMS, ndim);
    return NULL;
  }
  if (ndim < x->ndim) {
    tl_error(TL_ERR_RUNTIME,
             "expand(torch.%sTensor{%s}, size=%s): the number of sizes provided (%d) must be "
             "greater or equal to the number of dimensions in the tensor (%d)",
             tl_dtype_name(x->dtype), fmt_shape(b1, sizeof b1, x->ndim, x->shape),
             fmt_shape(b2, sizeof b2, ndim, shape), ndim, x->ndim);
    return NULL;
  }
  int64_t sh[TL_MAX_DIMS], st[TL_MAX_DIMS];
  for (int i = ndim - 1; i >= 0; i--) {
    int j = i - (ndim - x->ndim);
    int64_t size = j >= 0 ? x->shape[j] : 1;
    int64_t stride = j >= 0 ? x->strides[j] : (i == ndim - 1 ? 1 : sh[i + 1] * st[i + 1]);
    int64_t target = shape[i];
    if (target == -1) {
      if (j < 0) {
        tl_error(TL_ERR_RUNTIME,
                 "The expanded size of the tensor (-1) isn't allowed in a leading, non-existing "
                 "dimension %d",
                 i);
        return NULL;
      }
      target = size;
    }
    if (size != target) {
      if (size != 1) {
        tl_error(TL_ERR_RUNTIME,
                 "The expanded size of the tensor (%lld) must match the existing size (%lld) at "
                 "non-singleton dimension %d.  Target sizes: %s.  Tensor sizes: %s",
                 (long long)target, (long long)size, i, fmt_shape(b1, sizeof b1, ndim, shape),
                 fmt_shape(b2, sizeof b2, x->ndim, x->shape));
        return NULL;
      }
      size = target;
      stride = 0;
    }
    sh[i] = size;
    st[i] = stride;
  }
  return tl_tensor_view_of(x->storage, x->dtype, ndim, sh, st, x->offset);
}

tl_tensor *tl_narrow(const tl_tensor *x, int dim, int64_t start, int64_t length) {
  if (x->ndim == 0) {
    tl_error(TL_ERR_RUNTIME, "narrow() cannot be applied to a 0-dim tensor.");
    return NULL;
  }
  int d = 0;
  if (tl_wrap_dim(dim, x->ndim, &d) != TL_OK) return NULL;
  if (length < 0) {
    tl_error(TL_ERR_RUNTIME, "narrow(): length must be non-negative.");
    return NULL;
  }
  int64_t size = x->shape[d];
  if (start < -size || start > size) {
    tl_error(TL_ERR_INDEX, "start (%lld) is out of range for a dimension of size %lld",
             (long long)start, (long long)size);
    return NULL;
  }
  if (start < 0) start += size;
  if (start + length > size) {
    tl_error(TL_ERR_RUNTIME, "start (%lld) + length (%lld) exceeds dimension size (%lld).",
             (long long)start, (long long)length, (long long)size);
    return NULL;
  }
  tl_tensor *out = same_view(x);
  if (!out) return NULL;
  out->offset += start * x->strides[d];
  out->shape[d] = length;
  tl_shape_numel(out->ndim, out->shape, &out->numel);
  return out;
}

tl_tensor *tl_slice(const tl_tensor *x, int dim, int64_t start, int64_t stop, int64_t step) {
  if (step <= 0) {
    tl_error(TL_ERR_VALUE, "step must be greater than zero");
    return NULL;
  }
  int d = 0;
  if (x->ndim == 0) {
    tl_error(TL_ERR_INDEX, "slice() cannot be applied to a 0-dim tensor.");
    return NULL;
  }
  if (tl_wrap_dim(dim, x->ndim, &d) != TL_OK) return NULL;
  int64_t size = x->shape[d];
  if (start < 0) start = start < -size ? 0 : start + size;
  if (start > size) start = size;
  if (stop < 0) stop = stop < -size ? 0 : stop + size;
  if (stop > size) stop = size;
  if (stop < start) stop = start;
  tl_tensor *out = same_view(x);
  if (!out) return NULL;
  out->offset += start * x->strides[d];
  out->shape[d] = (stop - start + step - 1) / step;
  out->strides[d] = x->strides[d] * step;
  tl_shape_numel(out->ndim, out->shape, &out->numel);
  return out;
}

tl_tensor *tl_select(const tl_tensor *x, int dim, int64_t index) {
  if (x->ndim == 0) {
    tl_error(TL_ERR_INDEX, "select() cannot be applied to a 0-dim tensor.");
    return NULL;
  }
  int d = 0;
  if (tl_wrap_dim(dim, x->ndim, &d) != TL_OK) return NULL;
  int64_t size = x->shape[d];
  if (index < -size || index >= size) {
    tl_error(TL_ERR_INDEX, "index %lld is out of bounds for dimension %d with size %lld",
             (long long)index, d, (long long)size);
    return NULL;
  }
  if (index < 0) index += size;
  int64_t sh[TL_MAX_DIMS], st[TL_MAX_DIMS];
  int nd = 0;
  for (int i = 0; i < x->ndim; i++) {
    if (i == d) continue;
    sh[nd] = x->shape[i];
    st[nd++] = x->strides[i];
  }
  return tl_tensor_view_of(x->storage, x->dtype, nd, sh, st, x->offset + index * x->strides[d]);
}

/* ---------------------------------------------------------------- several outputs */

int64_t tl_split_sizes(int64_t size, int64_t split_size, int64_t max, int64_t *sizes) {
  if (split_size < 0) {
    tl_error(TL_ERR_RUNTIME, "split expects split_size be non-negative, but got split_size=%lld",
             (long long)split_size);
    return -1;
  }
  if (split_size == 0 && size != 0) {
    tl_error(TL_ERR_RUNTIME,
             "split_size can only be 0 if dimension size is 0, but got dimension size of %lld",
             (long long)size);
    return -1;
  }
  int64_t n = split_size == 0 ? 1 : (size + split_size - 1) / split_size;
  if (n < 1) n = 1;
  for (int64_t i = 0; i < n && i < max; i++)
    sizes[i] = i < n - 1 ? split_size : size - split_size * (n - 1);
  return n;
}

int64_t tl_chunk_sizes(int64_t size, int64_t chunks, int64_t max, int64_t *sizes) {
  if (chunks <= 0) {
    tl_error(TL_ERR_RUNTIME, "chunk expects `chunks` to be greater than 0, got: %lld",
             (long long)chunks);
    return -1;
  }
  int64_t split = (size + chunks - 1) / chunks;
  if (split == 0 && size == 0) {
    for (int64_t i = 0; i < chunks && i < max; i++) sizes[i] = 0;
    return chunks;
  }
  return tl_split_sizes(size, split, max, sizes);
}

tl_status tl_split_with_sizes(const tl_tensor *x, int dim, int64_t n, const int64_t *sizes,
                              tl_tensor **out) {
  if (x->ndim == 0) return tl_error(TL_ERR_RUNTIME, "split expects at least a 1-dimensional tensor");
  int d = 0;
  if (tl_wrap_dim(dim, x->ndim, &d) != TL_OK) return tl_last_status();
  int64_t total = 0;
  int negative = 0;
  for (int64_t i = 0; i < n; i++) {
    if (sizes[i] < 0) negative = 1;
    total += sizes[i];
  }
  if (negative || total != x->shape[d]) {
    char buf[400];
    size_t len = 0;
    buf[len++] = '[';
    for (int64_t i = 0; i < n && len + 40 < sizeof buf; i++)
      len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%lld", i ? ", " : "",
                              (long long)sizes[i]);
    snprintf(buf + len, sizeof buf - len, "%s]", len + 40 >= sizeof buf ? ", ..." : "");
    if (negative)
      return tl_error(TL_ERR_RUNTIME,
                      "split_with_sizes expects split_sizes have only non-negative entries, but "
                      "got split_sizes=%s",
                      buf);
    return tl_error(TL_ERR_RUNTIME,
                    "split_with_sizes expects split_sizes to sum exactly to %lld (input tensor's "
                    "size at dimension %d), but got split_sizes=%s",
                    (long long)x->shape[d], d, buf);
  }
  int64_t start = 0;
  for (int64_t i = 0; i < n; i++) {
    out[i] = tl_narrow(x, d, start, sizes[i]);
    if (!out[i]) {
      for (int64_t j = 0; j < i; j++) tl_tensor_release(out[j]);
      return tl_last_status();
    }
    start += sizes[i];
  }
  return TL_OK;
}

tl_status tl_unbind(const tl_tensor *x, int dim, tl_tensor **out) {
  if (x->ndim == 0)
    return tl_error(TL_ERR_INDEX, "Dimension specified as 0 but tensor has no dimensions");
  int d = 0;
  if (tl_wrap_dim(dim, x->ndim, &d) != TL_OK) return tl_last_status();
  for (int64_t i = 0; i < x->shape[d]; i++) {
    out[i] = tl_select(x, d, i);
    if (!out[i]) {
      for (int64_t j = 0; j < i; j++) tl_tensor_release(out[j]);
      return tl_last_status();
    }
  }
  return TL_OK;
}

/* ---------------------------------------------------------------- copies */

tl_tensor *tl_cat(const tl_tensor *const *xs, int n, int dim) {
  if (n <= 0) {
    tl_error(TL_ERR_RUNTIME, "torch.cat(): expected a non-empty list of Tensors");
    return NULL;
  }
  const tl_tensor *ref = NULL;
  tl_dtype dt = xs[0]->dtype;
  for (int i = 0; i < n; i++) {
    if (xs[i]->ndim == 0) {
      tl_error(TL_ERR_RUNTIME, "zero-dimensional tensor (at position %d) cannot be concatenated",
               i);
      return NULL;
    }
    dt = tl_promote(dt, xs[i]->dtype);
    /* legacy rule kept by PyTorch: 1-d empty tensors are skipped */
    if (!ref && !(xs[i]->ndim == 1 && xs[i]->numel == 0)) ref = xs[i];
  }
  if (!ref) {
    int64_t zero = 0;
    return tl_tensor_empty(dt, 1, &zero);
  }
  int d = 0;
  if (tl_wrap_dim(dim, ref->ndim, &d) != TL_OK) return NULL;
  int64_t total = 0;
  for (int i = 0; i < n; i++) {
    const tl_tensor *t = xs[i];
    if (t->ndim == 1 && t->numel == 0) continue;
    if (t->ndim != ref->ndim) {
      tl_error(TL_ERR_RUNTIME, "Tensors must have same number of dimensions: got %d and %d",
               ref->ndim, t->ndim);
      return NULL;
    }
    for (int k = 0; k < ref->ndim; k++) {
      if (k != d && t->shape[k] != ref->shape[k]) {
        tl_error(TL_ERR_RUNTIME,
                 "Sizes of tensors must match except in dimension %d. Expected size %lld but got "
                 "size %lld for tensor number %d in the list.",
                 d, (long long)ref->shape[k], (long long)t->shape[k], i);
        return NULL;
      }
    }
    total += t->shape[d];
  }
  int64_t sh[TL_MAX_DIMS];
  memcpy(sh, ref->shape, (size_t)ref->ndim * sizeof(int64_t));
  sh[d] = total;
  tl_tensor *out = tl_tensor_empty(dt, ref->ndim, sh);
  if (!out) return NULL;
  int64_t start = 0;
  for (int i = 0; i < n; i++) {
    const tl_tensor *t = xs[i];
    if (t->ndim == 1 && t->numel == 0) continue;
    tl_tensor *part = tl_narrow(out, d, start, t->shape[d]);
    if (!part || tl_copy_into(part, t) != TL_OK) {
      tl_tensor_release(part);
      tl_tensor_release(out);
      return NULL;
    }
    tl_tensor_release(part);
    start += t->shape[d];
  }
  return out;
}

tl_tensor *tl_stack(const tl_tensor *const *xs, int n, int dim) {
  char b1[400], b2[400];
  if (n <= 0) {
    tl_error(TL_ERR_RUNTIME, "stack expects a non-empty TensorList");
    return NULL;
  }
  const tl_tensor *ref = xs[0];
  tl_dtype dt = ref->dtype;
  for (int i = 1; i < n; i++) {
    int same = xs[i]->ndim == ref->ndim;
    for (int k = 0; same && k < ref->ndim; k++) same = xs[i]->shape[k] == ref->shape[k];
    if (!same) {
      tl_error(TL_ERR_RUNTIME,
               "stack expects each tensor to be equal size, but got %s at entry 0 and %s at "
               "entry %d",
               fmt_shape(b1, sizeof b1, ref->ndim, ref->shape),
               fmt_shape(b2, sizeof b2, xs[i]->ndim, xs[i]->shape), i);
      return NULL;
    }
    dt = tl_promote(dt, xs[i]->dtype);
  }
  int d = 0;
  if (tl_wrap_dim(dim, ref->ndim + 1, &d) != TL_OK) return NULL;
  if (ref->ndim + 1 > TL_MAX_DIMS) {
    tl_error(TL_ERR_VALUE, "tensors can have at most %d dimensions", TL_MAX_DIMS);
    return NULL;
  }
  int64_t sh[TL_MAX_DIMS];
  int nd = 0;
  for (int k = 0; k <= ref->ndim; k++) {
    if (k == d) sh[nd++] = n;
    if (k < ref->ndim) sh[nd++] = ref->shape[k];
  }
  tl_tensor *out = tl_tensor_empty(dt, nd, sh);
  if (!out) return NULL;
  for (int i = 0; i < n; i++) {
    tl_tensor *part = tl_select(out, d, i);
    if (!part || tl_copy_into(part, xs[i]) != TL_OK) {
      tl_tensor_release(part);
      tl_tensor_release(out);
      return NULL;
    }
    tl_tensor_release(part);
  }
  return out;
}
