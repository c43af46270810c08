/* Nodes of the backward graph, saved tensors, and the autograd metadata of tensors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "derivatives.h"

static int grad_mode = 1;
int tl_grad_enabled(void) { return grad_mode; }
void tl_set_grad_enabled(int on) { grad_mode = on != 0; }

static int anomaly_mode = 0;
void tl_set_anomaly_enabled(int on) { anomaly_mode = on != 0; }
int tl_anomaly_enabled(void) { return anomaly_mode; }

/* ---------------------------------------------------------------- hooks */

static void free_hooks(tl_hook *h) {
  while (h) {
    tl_hook *next = h->next;
    if (h->release) h->release(h->ctx);
    tl_free(h);
    h = next;
  }
}

/* ---------------------------------------------------------------- metadata */

static void remove_from(tl_hook **list, int id);

static void meta_free(struct tl_autograd_meta *m) {
  if (m->retains_grad && m->grad_fn) {
    /* the retain_grad hook points at this tensor weakly: drop it with the tensor */
    for (tl_hook *h = m->grad_fn->pre_hooks; h; h = h->next)
      if (h->retains_grad && h->ctx == m) {
        remove_from(&m->grad_fn->pre_hooks, h->id);
        break;
      }
  }
  tl_node_release(m->grad_fn);
  tl_tensor_release(m->grad);
  free_hooks(m->hooks);
  /* the metadata lives inside its tensor, which frees it */
}

struct tl_autograd_meta *tl_meta(tl_tensor *t) {
  if (t->autograd) return t->autograd;
  struct tl_autograd_meta *m = &t->meta;
  memset(m, 0, sizeof *m);
  tl_autograd_meta_free = meta_free;
  t->autograd = m;
  return m;
}

tl_tensor *tl_grad(const tl_tensor *t) { return t->autograd ? t->autograd->grad : NULL; }

tl_status tl_set_grad(tl_tensor *t, tl_tensor *grad) {
  if (grad) {
    if (grad->dtype != t->dtype)
      return tl_error(TL_ERR_RUNTIME, "assigned grad has data of a different type");
    int same = grad->ndim == t->ndim;
    for (int i = 0; same && i < t->ndim; i++) same = grad->shape[i] == t->shape[i];
    if (!same) return tl_error(TL_ERR_RUNTIME, "assigned grad has data of a different size");
  }
  struct tl_autograd_meta *m = tl_meta(t);
  if (grad) tl_tensor_retain(grad);
  tl_tensor_release(m->grad);
  m->grad = grad;
  return TL_OK;
}

tl_status tl_retain_grad(tl_tensor *t) {
  if (!tl_requires_grad(t))
    return tl_error(TL_ERR_RUNTIME, "can't retain_grad on Tensor that has requires_grad=False");
  if (tl_is_leaf(t)) return TL_OK; /* leaves keep their grad anyway */
  struct tl_autograd_meta *m = t->autograd;
  if (m->retains_grad) return TL_OK;
  tl_hook *h = tl_calloc(sizeof *h);
  if (!h) return tl_error(TL_ERR_ALLOC, "cannot allocate a hook");
  h->retains_grad = 1;
  h->ctx = m; /* weak: meta_free removes the hook */
  if (!tl_register_hook(t, h)) {
    tl_free(h);
    return tl_last_status();
  }
  m->retains_grad = 1;
  return TL_OK;
}

tl_tensor *tl_detach(const tl_tensor *t) {
  return tl_tensor_view_of(t->storage, t->dtype, t->ndim, t->shape, t->strides, t->offset);
}

tl_status tl_detach_(tl_tensor *t) {
  if (t->autograd) {
    tl_node_release(t->autograd->grad_fn);
    t->autograd->grad_fn = NULL;
    t->autograd->output_nr = 0;
  }
  t->requires_grad = 0;
  return TL_OK;
}

tl_status tl_set_requires_grad(tl_tensor *t, int flag) {
  if (!tl_is_leaf(t))
    return tl_error(TL_ERR_RUNTIME,
                    "you can only change requires_grad flags of leaf variables.%s",
                    flag ? "" : " If you want to use a computed variable in a subgraph that "
                                "doesn't require differentiation use "
                                "var_no_grad = var.detach().");
  if (flag && !tl_dtype_is_floating(t->dtype))
    return tl_error(TL_ERR_RUNTIME,
                    "Only Tensors of floating point and complex dtype can require gradients");
  t->requires_grad = flag != 0;
  return TL_OK;
}

/* ---------------------------------------------------------------- nodes */

static uint64_t next_seq = 0;

const char *tl_node_name(tl_node *n) {
  if (n->ext_vt && n->ext_vt->name) return n->ext_vt->name(n);
  return n->op->name;
}

void tl_node_retain(tl_node *n) { n->refcount++; }

void tl_node_release_saved(tl_node *n) {
  for (int k = 0; k < n->n_saved; k++) {
    tl_tensor_release(n->saved[k].data);
    n->saved[k].data = NULL;
    tl_node_release(n->saved[k].grad_fn);
    n->saved[k].grad_fn = NULL;
  }
  if (n->n_saved) n->released = 1;
}

/* Releasing a node can release a long chain of nodes behind it: walk it with an explicit
 * stack instead of recursion so that deep graphs cannot overflow the C stack. */
void tl_node_release(tl_node *n) {
  if (!n || --n->refcount > 0) return;
  n->free_link = NULL;
  tl_node *stack = n;
  while (stack) {
    tl_node *d = stack;
    stack = d->free_link;
    tl_node_release_saved(d);
    if (d->leaf) {
      if (d->leaf->autograd) d->leaf->autograd->grad_accumulator = NULL;
      tl_tensor_release(d->leaf);
    }
    free_hooks(d->pre_hooks);
    if (d->ext && d->ext_vt && d->ext_vt->release) d->ext_vt->release(d->ext);
    if (d->aux && d->aux_free) d->aux_free(d->aux);
    tl_free(d->ivec);
    tl_free(d->anomaly_trace);
    for (int k = 0; k < d->n_next; k++) {
      tl_node *c = d->next[k].node;
      if (c && --c->refcount == 0) {
        c->free_link = stack;
        stack = c;
      }
    }
    tl_free(d);
  }
}

int tl_node_n_next(const tl_node *n) { return n->n_next; }
tl_node *tl_node_next(const tl_node *n, int i) {
  return (i >= 0 && i < n->n_next) ? n->next[i].node : NULL;
}

static int64_t add_sat(int64_t a, int64_t b) { return a > INT64_MAX - b ? INT64_MAX : a + b; }

/* A node with room for n_next edges and input descriptions, n_saved saved tensors and
 * `ndims` shape entries (the inputs' dimensions together), all in one zeroed block. */
static tl_node *node_alloc(const tl_op_info *op, int n_next, int n_saved, int ndims) {
  size_t size = sizeof(tl_node) + (size_t)n_next * (sizeof(tl_edge) + sizeof(tl_input_meta)) +
                (size_t)n_saved * sizeof(tl_saved) + sizeof(int64_t) * (size_t)ndims;
  tl_node *n = tl_calloc(size);
  if (!n) {
    tl_error(TL_ERR_ALLOC, "cannot allocate an autograd node");
    return NULL;
  }
  n->refcount = 1;
  n->op = op;
  n->seq = next_seq++;
  n->n_next = n_next;
  n->next = (tl_edge *)(n + 1);
  n->input = (tl_input_meta *)(n->next + n_next);
  n->saved = (tl_saved *)(n->input + n_next);
  n->saved_cap = n_saved;
  n->graph_bytes = (int64_t)size;
  return n;
}

int tl_node_n_outputs(const tl_node *n) {
  if (n->op->n_outputs > 0) return n->op->n_outputs;
  return (int)n->i[3];
}

/* The AccumulateGrad node of a leaf, created on first use and shared afterwards. */
static tl_node *grad_accumulator(tl_tensor *leaf) {
  struct tl_autograd_meta *m = tl_meta(leaf);
  if (m->grad_accumulator) {
    tl_node_retain(m->grad_accumulator);
    return m->grad_accumulator;
  }
  tl_node *n = node_alloc(&tl_op_accumulate_grad, 0, 0, 0);
  if (!n) return NULL;
  n->seq = UINT64_MAX; /* run as soon as ready, as libtorch does */
  tl_tensor_retain(leaf);
  n->leaf = leaf;
  n->graph_bytes = add_sat(n->graph_bytes, (int64_t)leaf->storage->nbytes);
  m->grad_accumulator = n; /* weak */
  return n;
}

/* Where the gradient of t flows: its grad_fn, or its leaf accumulator, or nowhere. */
tl_status tl_gradient_edge(const tl_tensor *t, tl_edge *e) {
  e->node = NULL;
  e->input_nr = 0;
  tl_node *fn = tl_grad_fn(t);
  if (fn) {
    tl_node_retain(fn);
    e->node = fn;
    e->input_nr = t->autograd->output_nr;
  } else if (t->requires_grad) {
    e->node = grad_accumulator((tl_tensor *)t);
    if (!e->node) return TL_ERR_ALLOC;
  }
  return TL_OK;
}

int tl_should_record(int n, const tl_tensor *const *inputs) {
  if (!grad_mode) return 0;
  for (int k = 0; k < n; k++)
    if (inputs[k] && tl_requires_grad(inputs[k])) return 1;
  return 0;
}

tl_node *tl_node_new(const tl_op_info *op, int n_inputs, const tl_tensor *const *inputs) {
  int n_saved = op->n_saved == TL_SAVES_NONE ? 0
                : op->n_saved > 0           ? op->n_saved
                                            : TL_NODE_MAX_SAVED;
  int ndims = 0;
  for (int k = 0; k < n_inputs; k++)
    if (inputs[k]) ndims += inputs[k]->ndim;
  tl_node *n = node_alloc(op, n_inputs, n_saved, ndims);
  if (!n) return NULL;
  int64_t *dims = (int64_t *)(n->saved + n_saved);
  for (int k = 0; k < n_inputs; k++) {
    const tl_tensor *t = inputs[k];
    n->input[k].shape = dims; /* never NULL, even for a missing input */
    if (!t) continue;
    n->input[k].dtype = t->dtype;
    n->input[k].ndim = t->ndim;
    memcpy(dims, t->shape, sizeof(int64_t) * (size_t)t->ndim);
    dims += t->ndim;
    if (tl_gradient_edge(t, &n->next[k]) != TL_OK) {
      tl_node_release(n);
      return NULL;
    }
    if (n->next[k].node) n->graph_bytes = add_sat(n->graph_bytes, n->next[k].node->graph_bytes);
  }
  return n;
}

tl_status tl_node_save(tl_node *n, int slot, const tl_tensor *t, int is_output) {
  if (slot < 0 || slot >= n->saved_cap) /* an op whose n_saved is too small: a bug */
    return tl_error(TL_ERR_RUNTIME, "internal error: %s saves a tensor in slot %d of %d",
                    tl_node_name(n), slot, n->saved_cap);
  tl_saved *s = &n->saved[slot];
  tl_node *fn = tl_grad_fn(t);
  if (!is_output && !fn && t->requires_grad) {
    tl_tensor_retain((tl_tensor *)t); /* a leaf: no cycle, the leaf holds no node */
    s->data = (tl_tensor *)t;
  } else {
    s->data = tl_detach(t);
    if (!s->data) return tl_last_status();
    if (!is_output && fn) {
      tl_node_retain(fn);
      s->grad_fn = fn;
      s->output_nr = t->autograd->output_nr;
    }
  }
  n->graph_bytes = add_sat(n->graph_bytes, (int64_t)t->storage->nbytes);
  s->version = t->storage->version;
  s->is_output = is_output;
  s->defined = 1;
  if (slot >= n->n_saved) n->n_saved = slot + 1;
  return TL_OK;
}

tl_tensor *tl_node_unpack(tl_node *n, int slot) {
  if (slot < 0 || slot >= n->saved_cap) {
    tl_error(TL_ERR_RUNTIME, "internal error: %s reads saved slot %d of %d", tl_node_name(n),
             slot, n->saved_cap);
    return NULL;
  }
  tl_saved *s = &n->saved[slot];
  if (!s->data) {
    tl_error(TL_ERR_RUNTIME,
             "Trying to backward through the graph a second time (or directly access saved "
             "tensors after they have already been freed). Saved intermediate values of the "
             "graph are freed when you call $backward() or autograd_grad(). Specify "
             "retain_graph=TRUE if you need to backward through the graph a second time or "
             "if you need to access saved tensors after calling backward.");
    return NULL;
  }
  if (s->data->storage->version != s->version) {
    char shape[200];
    size_t len = 0;
    for (int i = 0; i < s->data->ndim && len < sizeof shape - 24; i++)
      len += (size_t)snprintf(shape + len, sizeof shape - len, "%s%lld", i ? ", " : "",
                              (long long)s->data->shape[i]);
    shape[len] = '\0';
    tl_error(TL_ERR_RUNTIME,
             "one of the variables needed for gradient computation has been modified by an "
             "inplace operation: [CPU%sType [%s]]%s, is at version %llu; expected version %llu "
             "instead. Hint: enable anomaly detection to find the operation that failed to "
             "compute its gradient, with with_detect_anomaly().",
             tl_dtype_name(s->data->dtype), shape,
             s->is_output ? ", which is output 0 of the operation" : "",
             (unsigned long long)s->data->storage->version, (unsigned long long)s->version);
    return NULL;
  }
  if (s->data->requires_grad || !grad_mode) { /* a saved leaf, or history not needed */
    tl_tensor_retain(s->data);
    return s->data;
  }
  tl_tensor *out = tl_detach(s->data);
  if (!out) return NULL;
  tl_node *fn = s->is_output ? n : s->grad_fn;
  if (fn) {
    /* for higher-order gradients the tensor carries its history again */
    struct tl_autograd_meta *m = tl_meta(out);
    tl_node_retain(fn);
    m->grad_fn = fn;
    m->output_nr = s->is_output ? 0 : s->output_nr;
  }
  return out;
}

void tl_set_history(tl_tensor *out, tl_node *n, int output_nr) {
  struct tl_autograd_meta *m = tl_meta(out);
  tl_node_retain(n);
  tl_node_release(m->grad_fn);
  m->grad_fn = n;
  m->output_nr = output_nr;
}

/* ---------------------------------------------------------------- hooks */

int tl_register_hook(tl_tensor *t, tl_hook *h) {
  static int next_id = 1;
  if (!tl_requires_grad(t)) {
    tl_error(TL_ERR_RUNTIME, "cannot register a hook on a tensor that doesn't require gradient");
    return 0;
  }
  h->id = next_id++;
  h->next = NULL;
  tl_hook **list;
  if (tl_is_leaf(t)) {
    list = &tl_meta(t)->hooks;
  } else {
    h->output_nr = t->autograd->output_nr;
    list = &t->autograd->grad_fn->pre_hooks;
  }
  while (*list) list = &(*list)->next;
  *list = h;
  return h->id;
}

static void remove_from(tl_hook **list, int id) {
  for (tl_hook **p = list; *p; p = &(*p)->next) {
    if ((*p)->id == id) {
      tl_hook *dead = *p;
      *p = dead->next;
      dead->next = NULL;
      free_hooks(dead);
      return;
    }
  }
}

void tl_remove_hook(tl_tensor *t, int id) {
  if (!t->autograd) return;
  remove_from(&t->autograd->hooks, id);
  if (t->autograd->grad_fn) remove_from(&t->autograd->grad_fn->pre_hooks, id);
}

void tl_node_set_trace(tl_node *n, const char *trace) {
  size_t len = strlen(trace) + 1;
  char *copy = tl_malloc(len);
  if (!copy) return;
  memcpy(copy, trace, len);
  tl_free(n->anomaly_trace);
  n->anomaly_trace = copy;
}
