/* Indexing: see index.h.
 *
 * Both directions work in two steps. First the items that need no copy (integers, slices,
 * new axes, scalar booleans, the ellipsis) make a view of x, in which every index tensor
 * still spans the dim(s) it indexes. Then each index tensor becomes a list of element
 * offsets into that view (positions times the dim's stride; for a mask, the offsets of
 * its true elements), and one strided loop over the result reads (gather) or writes
 * (put) x's data at `basic offset + index offset`. */
#include "index.h"

#include <stdio.h>
#include <string.h>

#include "../iter.h"

typedef struct {
  int vdim;  /* first dim of the basic view it indexes */
  int sdim;  /* the matching dim of x, for messages */
  int mask;  /* a bool mask over t->ndim dims (else positions over one dim) */
  const tl_tensor *t;
  int rdim, rndim; /* the dims it occupies in the result */
  tl_tensor *offsets; /* contiguous int64 element offsets, shaped as its result dims */
} adv_item;

typedef struct {
  tl_tensor *view;
  int nadv;
  adv_item adv[TL_MAX_DIMS];
  /* the result: shape, and per result dim the view's stride (0 on index dims) */
  int rnd;
  int64_t rshape[TL_MAX_DIMS];
  int64_t xstride[TL_MAX_DIMS];
  int64_t ostride[TL_MAX_DIMS]; /* element strides of the offset operand over the result */
  tl_tensor *off;               /* the offset operand (NULL: none, all offsets are 0) */
} plan_t;

static const char *fmt_shape(char *buf, size_t cap, int nd, const int64_t *s) {
  size_t len = 0;
  buf[len++] = '[';
  for (int i = 0; i < nd && len + 24 < cap; i++)
    len += (size_t)snprintf(buf + len, cap - len, "%s%lld", i ? ", " : "", (long long)s[i]);
  snprintf(buf + len, cap - len, "]");
  return buf;
}

static void plan_free(plan_t *p) {
  tl_tensor_release(p->view);
  for (int a = 0; a < p->nadv; a++) tl_tensor_release(p->adv[a].offsets);
  tl_tensor_release(p->off);
}

static tl_status out_of_bounds(int64_t pos, int dim, int64_t size) {
  return tl_error(TL_ERR_INDEX, "index %lld is out of bounds for dimension %d with size %lld",
                  (long long)(pos >= 0 ? pos + 1 : pos), dim + 1, (long long)size);
}

static int64_t read_int(const tl_tensor *t) {
  const char *p = (const char *)tl_data(t);
  switch (t->dtype) {
  case TL_BOOL: return *(const uint8_t *)p != 0;
  case TL_INT32: return *(const int32_t *)p;
  case TL_INT64: return *(const int64_t *)p;
  default: return 0;
  }
}

/* ---------------------------------------------------------------- step 1: the view */

static tl_status build_view(const tl_tensor *x, const tl_index_item *items, int n, plan_t *p) {
  int consumed = 0, nell = 0;
  for (int i = 0; i < n; i++) {
    switch (items[i].kind) {
    case TL_IDX_INT:
    case TL_IDX_SLICE: consumed++; break;
    case TL_IDX_ELLIPSIS: nell++; break;
    case TL_IDX_TENSOR: {
      const tl_tensor *t = items[i].tensor;
      if (t->dtype == TL_BOOL) consumed += t->ndim;
      else if (t->dtype == TL_INT64 || t->dtype == TL_INT32) consumed++;
      else
        return tl_error(TL_ERR_INDEX,
                        "tensors used as indices must be long, int or bool tensors, got %s",
                        tl_dtype_name(t->dtype));
      break;
    }
    default: break;
    }
  }
  if (nell > 1) return tl_error(TL_ERR_INDEX, "an index can only have a single ellipsis (..)");
  if (consumed > x->ndim)
    return tl_error(TL_ERR_INDEX, "too many indices for tensor of dimension %d", x->ndim);

  int64_t sh[TL_MAX_DIMS], st[TL_MAX_DIMS];
  int sd = 0, od = 0;
  int64_t off = x->offset;
#define PUSH(SIZE, STRIDE)                                                                     \
  do {                                                                                         \
    if (od >= TL_MAX_DIMS)                                                                     \
      return tl_error(TL_ERR_INDEX, "indexing gives more than %d dimensions", TL_MAX_DIMS);    \
    sh[od] = (SIZE);                                                                           \
    st[od] = (STRIDE);                                                                         \
    od++;                                                                                      \
  } while (0)

  for (int i = 0; i < n; i++) {
    const tl_index_item *it = &items[i];
    tl_index_kind kind = it->kind;
    int64_t pos = it->start;
    if (kind == TL_IDX_TENSOR && it->tensor->ndim == 0) { /* 0-d tensors act as scalars */
      kind = it->tensor->dtype == TL_BOOL ? TL_IDX_BOOL : TL_IDX_INT;
      pos = read_int(it->tensor);
    }
    switch (kind) {
    case TL_IDX_INT: {
      int64_t size = x->shape[sd];
      if (pos < -size || pos >= size) return out_of_bounds(pos, sd, size);
      if (pos < 0) pos += size;
      off += pos * x->strides[sd];
      sd++;
      break;
    }
    case TL_IDX_SLICE: {
      if (it->step <= 0) return tl_error(TL_ERR_VALUE, "step must be greater than zero");
      int64_t size = x->shape[sd], start = it->start, stop = it->stop;
      if (start < 0) start = start < -size ? 0 : start + size;
      if (start > size) start = size;
      if (stop < 0) stop = stop < -size ? 0 : stop + size;
      if (stop > size) stop = size;
      if (stop < start) stop = start;
      PUSH((stop - start + it->step - 1) / it->step, x->strides[sd] * it->step);
      off += start * x->strides[sd];
      sd++;
      break;
    }
    case TL_IDX_NONE: PUSH(1, sd < x->ndim ? x->shape[sd] * x->strides[sd] : 1); break;
    case TL_IDX_BOOL: PUSH(pos ? 1 : 0, 0); break;
    case TL_IDX_ELLIPSIS:
      for (int k = x->ndim - consumed; k > 0; k--, sd++) PUSH(x->shape[sd], x->strides[sd]);
      break;
    case TL_IDX_TENSOR: {
      const tl_tensor *t = it->tensor;
      adv_item *a = &p->adv[p->nadv++];
      a->vdim = od;
      a->sdim = sd;
      a->t = t;
      a->mask = t->dtype == TL_BOOL;
      a->offsets = NULL;
      int m = a->mask ? t->ndim : 1;
      for (int k = 0; k < m; k++) {
        if (a->mask && t->shape[k] != x->shape[sd]) {
          char b1[400], b2[400];
          return tl_error(TL_ERR_INDEX,
                          "The shape of the mask %s at index %d does not match the shape of the "
                          "indexed tensor %s at index %d",
                          fmt_shape(b1, sizeof b1, t->ndim, t->shape), k + 1,
                          fmt_shape(b2, sizeof b2, x->ndim, x->shape), sd + 1);
        }
        PUSH(x->shape[sd], x->strides[sd]);
        sd++;
      }
      break;
    }
    }
  }
  for (; sd < x->ndim; sd++) PUSH(x->shape[sd], x->strides[sd]);
#undef PUSH
  p->view = tl_tensor_view_of(x->storage, x->dtype, od, sh, st, off);
  return p->view ? TL_OK : tl_last_status();
}

/* ---------------------------------------------------------------- step 2: offsets */

/* Calls back for each element of t in row-major order with its byte pointer. */
#define WALK(T, BODY)                                                                          \
  do {                                                                                         \
    if ((T)->numel > 0) {                                                                      \
      int64_t idx_[TL_MAX_DIMS] = {0};                                                         \
      size_t es_ = tl_dtype_size((T)->dtype);                                                  \
      const char *el = (const char *)tl_data(T);                                               \
      for (;;) {                                                                               \
        BODY;                                                                                  \
        int d_ = (T)->ndim - 1;                                                                \
        for (; d_ >= 0; d_--) {                                                                \
          el += (T)->strides[d_] * (int64_t)es_;                                               \
          if (++idx_[d_] < (T)->shape[d_]) break;                                              \
          el -= (T)->strides[d_] * (T)->shape[d_] * (int64_t)es_;                              \
          idx_[d_] = 0;                                                                        \
        }                                                                                      \
        if (d_ < 0) break;                                                                     \
        (void)idx_;                                                                            \
      }                                                                                        \
    }                                                                                          \
  } while (0)

static int64_t mask_count(const tl_tensor *m) {
  int64_t cnt = 0;
  WALK(m, cnt += *(const uint8_t *)el != 0);
  return cnt;
}

/* Element offsets (in the view) of one index tensor. */
static tl_status make_offsets(const plan_t *p, adv_item *a, int64_t cnt) {
  const tl_tensor *v = p->view, *t = a->t;
  if (a->mask) {
    a->offsets = tl_tensor_empty(TL_INT64, 1, &cnt);
    if (!a->offsets) return tl_last_status();
    int64_t *o = tl_data(a->offsets), k = 0;
    /* the view offset of the current mask element, kept in step with the walk */
    int64_t vo = 0;
    const int64_t *vs = v->strides + a->vdim;
    if (t->numel > 0) {
      int64_t idx[TL_MAX_DIMS] = {0};
      const uint8_t *el = tl_data(t);
      for (;;) {
        if (*el) o[k++] = vo;
        int d = t->ndim - 1;
        for (; d >= 0; d--) {
          el += t->strides[d];
          vo += vs[d];
          if (++idx[d] < t->shape[d]) break;
          el -= t->strides[d] * t->shape[d];
          vo -= vs[d] * t->shape[d];
          idx[d] = 0;
        }
        if (d < 0) break;
      }
    }
    return TL_OK;
  }
  a->offsets = tl_tensor_empty(TL_INT64, t->ndim, t->shape);
  if (!a->offsets) return tl_last_status();
  int64_t *o = tl_data(a->offsets), k = 0;
  int64_t size = v->shape[a->vdim], stride = v->strides[a->vdim], bad = 0;
  int isbad = 0;
  if (t->dtype == TL_INT64) {
    WALK(t, {
      int64_t q = *(const int64_t *)el;
      if (q < -size || q >= size) { isbad = 1; bad = q; }
      o[k++] = (q < 0 ? q + size : q) * stride;
    });
  } else {
    WALK(t, {
      int64_t q = *(const int32_t *)el;
      if (q < -size || q >= size) { isbad = 1; bad = q; }
      o[k++] = (q < 0 ? q + size : q) * stride;
    });
  }
  if (isbad) return out_of_bounds(bad, a->sdim, size);
  return TL_OK;
}

static void add_i64(char **d, const int64_t *s, int64_t n, void *ctx) {
  (void)ctx;
  char *o = d[0];
  const char *a = d[1];
  for (int64_t k = 0; k < n; k++, o += s[0], a += s[1]) *(int64_t *)o += *(const int64_t *)a;
}

/* Result shape and the offset operand. */
static tl_status build_offsets(plan_t *p) {
  const tl_tensor *v = p->view;
  int rd = 0, a = 0;
  for (int vd = 0; vd < v->ndim;) {
    if (a < p->nadv && p->adv[a].vdim == vd) {
      adv_item *A = &p->adv[a++];
      const tl_tensor *t = A->t;
      A->rdim = rd;
      int64_t cnt = 0;
      if (A->mask) {
        cnt = mask_count(t);
        A->rndim = 1;
        vd += t->ndim;
      } else {
        A->rndim = t->ndim;
        vd += 1;
      }
      if (rd + A->rndim > TL_MAX_DIMS)
        return tl_error(TL_ERR_INDEX, "indexing gives more than %d dimensions", TL_MAX_DIMS);
      for (int k = 0; k < A->rndim; k++, rd++) {
        p->rshape[rd] = A->mask ? cnt : t->shape[k];
        p->xstride[rd] = 0;
      }
      tl_status st = make_offsets(p, A, cnt);
      if (st != TL_OK) return st;
    } else {
      p->rshape[rd] = v->shape[vd];
      p->xstride[rd] = v->strides[vd];
      rd++;
      vd++;
    }
  }
  p->rnd = rd;
  if (p->nadv == 1) { /* the one offset tensor, broadcast over the other dims */
    adv_item *A = &p->adv[0];
    int64_t cs[TL_MAX_DIMS];
    tl_contiguous_strides(A->rndim, A->offsets->shape, cs);
    for (int k = 0; k < rd; k++) p->ostride[k] = 0;
    for (int k = 0; k < A->rndim; k++) p->ostride[A->rdim + k] = cs[k];
    p->off = A->offsets;
    tl_tensor_retain(p->off);
    return TL_OK;
  }
  /* several: their sum, materialised over the result shape */
  p->off = tl_tensor_zeros(TL_INT64, rd, p->rshape);
  if (!p->off) return tl_last_status();
  tl_contiguous_strides(rd, p->rshape, p->ostride);
  for (int k = 0; k < p->nadv; k++) {
    adv_item *A = &p->adv[k];
    int64_t cs[TL_MAX_DIMS], as[TL_MAX_DIMS];
    tl_contiguous_strides(A->rndim, A->offsets->shape, cs);
    for (int j = 0; j < rd; j++) as[j] = 0;
    for (int j = 0; j < A->rndim; j++) as[A->rdim + j] = cs[j];
    char *data[2] = {tl_data(p->off), tl_data(A->offsets)};
    const int64_t *sp[2] = {p->ostride, as};
    size_t es[2] = {8, 8};
    tl_iter it;
    tl_iter_init(&it, 2, rd, p->rshape, data, sp, es);
    tl_iter_run(&it, add_i64, NULL);
  }
  return TL_OK;
}

static tl_status build_plan(const tl_tensor *x, const tl_index_item *items, int n, plan_t *p) {
  memset(p, 0, sizeof *p);
  tl_status st = build_view(x, items, n, p);
  if (st == TL_OK && p->nadv > 0) st = build_offsets(p);
  if (st != TL_OK) plan_free(p);
  return st;
}

/* ---------------------------------------------------------------- gather */

/* operands: out, x (basic strides), offsets */
static void gather_loop(char **d, const int64_t *s, int64_t n, void *ctx) {
  size_t es = *(const size_t *)ctx;
  char *o = d[0];
  const char *xb = d[1], *of = d[2];
  if (s[2] == 0) { /* the run lies inside one indexed position: a plain strided copy */
    xb += *(const int64_t *)of * (int64_t)es;
    if ((size_t)s[0] == es && (size_t)s[1] == es) {
      memcpy(o, xb, (size_t)n * es);
      return;
    }
    for (int64_t k = 0; k < n; k++, o += s[0], xb += s[1]) memcpy(o, xb, es);
    return;
  }
  switch (es) {
  case 8:
    for (int64_t k = 0; k < n; k++, o += s[0], xb += s[1], of += s[2])
      memcpy(o, xb + *(const int64_t *)of * 8, 8);
    break;
  case 4:
    for (int64_t k = 0; k < n; k++, o += s[0], xb += s[1], of += s[2])
      memcpy(o, xb + *(const int64_t *)of * 4, 4);
    break;
  default:
    for (int64_t k = 0; k < n; k++, o += s[0], xb += s[1], of += s[2])
      memcpy(o, xb + *(const int64_t *)of * (int64_t)es, es);
    break;
  }
}

tl_tensor *tl_index(const tl_tensor *x, const tl_index_item *items, int n) {
  plan_t p;
  if (build_plan(x, items, n, &p) != TL_OK) return NULL;
  if (p.nadv == 0) return p.view; /* the plan's only reference goes to the caller */
  tl_tensor *out = tl_tensor_empty(x->dtype, p.rnd, p.rshape);
  if (out) {
    size_t es = tl_dtype_size(x->dtype);
    int64_t cs[TL_MAX_DIMS];
    tl_contiguous_strides(p.rnd, p.rshape, cs);
    char *data[3] = {tl_data(out), tl_data(p.view), tl_data(p.off)};
    const int64_t *sp[3] = {cs, p.xstride, p.ostride};
    size_t esz[3] = {es, es, 8};
    tl_iter it;
    tl_iter_init(&it, 3, p.rnd, p.rshape, data, sp, esz);
    tl_iter_run(&it, gather_loop, &es);
  }
  plan_free(&p);
  return out;
}

/* ---------------------------------------------------------------- put */

/* operands: x (basic strides), offsets, value */
#define PUT_LOOP(NAME, T, STMT)                                                                \
  static void NAME(char **d, const int64_t *s, int64_t n, void *ctx) {                         \
    (void)ctx;                                                                                 \
    char *xb = d[0];                                                                           \
    const char *of = d[1], *vp = d[2];                                                         \
    for (int64_t k = 0; k < n; k++, xb += s[0], of += s[1], vp += s[2]) {                      \
      T *dst = (T *)(void *)(xb + *(const int64_t *)of * (int64_t)sizeof(T));                  \
      T val;                                                                                   \
      memcpy(&val, vp, sizeof(T));                                                             \
      STMT;                                                                                    \
    }                                                                                          \
  }

PUT_LOOP(put_1, uint8_t, *dst = val)
PUT_LOOP(put_4, uint32_t, memcpy(dst, &val, 4))
PUT_LOOP(put_8, uint64_t, memcpy(dst, &val, 8))
PUT_LOOP(acc_b, uint8_t, *dst = (uint8_t)(*dst || val))
PUT_LOOP(acc_i32, int32_t, *dst = (int32_t)((uint32_t)*dst + (uint32_t)val))
PUT_LOOP(acc_i64, int64_t, *dst = (int64_t)((uint64_t)*dst + (uint64_t)val))
PUT_LOOP(acc_f32, float, *dst += val)
PUT_LOOP(acc_f64, double, *dst += val)

static tl_loop_fn put_fn(tl_dtype dt, int accumulate) {
  if (!accumulate) {
    switch (tl_dtype_size(dt)) {
    case 1: return put_1;
    case 4: return put_4;
    default: return put_8;
    }
  }
  switch (dt) {
  case TL_BOOL: return acc_b;
  case TL_INT32: return acc_i32;
  case TL_INT64: return acc_i64;
  case TL_FLOAT32: return acc_f32;
  default: return acc_f64;
  }
}

/* value strides over the result shape (leading size-1 dims of value may be dropped) */
static tl_status value_strides(const tl_tensor *v, int rnd, const int64_t *rshape,
                               int64_t *vst) {
  int lead = 0;
  while (v->ndim - lead > rnd && v->shape[lead] == 1) lead++;
  int vnd = v->ndim - lead, ok = vnd <= rnd;
  for (int i = 0; ok && i < rnd; i++) {
    int j = i - (rnd - vnd);
    if (j < 0) vst[i] = 0;
    else if (v->shape[lead + j] == rshape[i]) vst[i] = v->strides[lead + j];
    else if (v->shape[lead + j] == 1) vst[i] = 0;
    else ok = 0;
  }
  if (!ok) {
    char b1[400], b2[400];
    return tl_error(TL_ERR_RUNTIME,
                    "shape mismatch: value tensor of shape %s cannot be broadcast to indexing "
                    "result of shape %s",
                    fmt_shape(b1, sizeof b1, v->ndim, v->shape),
                    fmt_shape(b2, sizeof b2, rnd, rshape));
  }
  return TL_OK;
}

/* One element of a floating vector set or accumulated from a 0-d value of its dtype (x[k]
 * <- v; the gradient of x[k]): what the general path below computes, without its plan.
 * Returns 0 when it does not apply (an out-of-range k included: the plan reports it). */
static int put_element(tl_tensor *x, const tl_index_item *items, int n, const tl_tensor *value,
                       int accumulate) {
  if (n != 1 || items[0].kind != TL_IDX_INT || x->ndim != 1 || value->ndim != 0 ||
      value->dtype != x->dtype || value->storage == x->storage ||
      !tl_dtype_is_floating(x->dtype))
    return 0;
  int64_t k = items[0].start, size = x->shape[0];
  if (k < -size || k >= size) return 0;
  if (k < 0) k += size;
  k *= x->strides[0];
  if (x->dtype == TL_FLOAT32) {
    float *p = (float *)tl_data(x) + k, v = *(const float *)tl_data(value);
    *p = accumulate ? *p + v : v;
  } else {
    double *p = (double *)tl_data(x) + k, v = *(const double *)tl_data(value);
    *p = accumulate ? *p + v : v;
  }
  tl_bump_version(x);
  return 1;
}

tl_status tl_index_put_(tl_tensor *x, const tl_index_item *items, int n, const tl_tensor *value,
                        int accumulate) {
  if (put_element(x, items, n, value, accumulate)) return TL_OK;
  plan_t p;
  tl_status st = build_plan(x, items, n, &p);
  if (st != TL_OK) return st;
  if (p.nadv == 0) { /* the result is the view itself */
    p.rnd = p.view->ndim;
    memcpy(p.rshape, p.view->shape, (size_t)p.rnd * sizeof(int64_t));
    memcpy(p.xstride, p.view->strides, (size_t)p.rnd * sizeof(int64_t));
  }
  /* the value in x's dtype, and never sharing memory with x */
  const tl_tensor *v = value;
  tl_tensor *owned = NULL;
  if (value->dtype != x->dtype || value->storage == x->storage) {
    owned = tl_tensor_empty(x->dtype, value->ndim, value->shape);
    if (!owned || tl_copy_into(owned, value) != TL_OK) {
      st = tl_last_status();
      goto done;
    }
    v = owned;
  }
  int64_t vst[TL_MAX_DIMS];
  st = value_strides(v, p.rnd, p.rshape, vst);
  if (st != TL_OK) goto done;
  if (p.nadv == 0 && !accumulate) {
    /* plain copy into the view: the copy kernel has the contiguous fast paths */
    tl_tensor *src = tl_tensor_view_of(v->storage, v->dtype, p.rnd, p.rshape, vst, v->offset);
    if (!src) {
      st = tl_last_status();
      goto done;
    }
    st = tl_copy_into(p.view, src);
    tl_tensor_release(src);
  } else {
    static const int64_t zero_off = 0;
    int64_t zs[TL_MAX_DIMS] = {0};
    char *data[3] = {tl_data(p.view), p.off ? tl_data(p.off) : (char *)(void *)&zero_off,
                     tl_data(v)};
    const int64_t *sp[3] = {p.xstride, p.off ? p.ostride : zs, vst};
    size_t es = tl_dtype_size(x->dtype);
    size_t esz[3] = {es, 8, es};
    tl_iter it;
    tl_iter_init(&it, 3, p.rnd, p.rshape, data, sp, esz);
    tl_iter_run(&it, put_fn(x->dtype, accumulate), NULL);
  }
  if (st == TL_OK) tl_bump_version(x);
done:
  tl_tensor_release(owned);
  plan_free(&p);
  return st;
}
