/* The backward engine: finds the nodes reachable from the roots, counts how many gradients
 * each must wait for, then runs them newest first as their inputs complete (a ready queue
 * ordered by creation, as libtorch's, so gradients are summed in libtorch's order). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "derivatives.h"

/* ---------------------------------------------------------------- per-pass node table */

typedef struct {
  tl_node *node;
  int deps;   /* gradients still to arrive */
  int needed; /* leads to a gradient that was asked for */
  int target; /* an `inputs` entry's gradient edge ends here */
  tl_tensor *buf[TL_NODE_MAX_OUTPUTS];
} slot;

/* Open addressing on node pointers. The slot array of the last pass is kept for the next one
 * (cleared as it is released), so a small backward allocates nothing here. */
typedef struct {
  slot *slots;
  size_t cap, count;
} table;

static slot *spare_slots = NULL;
static size_t spare_cap = 0;

static size_t hash_ptr(const void *p, size_t cap) {
  uintptr_t v = (uintptr_t)p;
  v ^= v >> 33;
  v *= 0xff51afd7ed558ccdULL;
  v ^= v >> 33;
  return (size_t)v & (cap - 1);
}

static tl_status table_grow(table *t) {
  size_t cap = t->cap ? t->cap * 2 : 32;
  /* engine scratch, kept between passes: plain calloc, outside the core's byte count */
  slot *s = calloc(cap, sizeof(slot));
  if (!s) return tl_error(TL_ERR_ALLOC, "out of memory in backward");
  for (size_t i = 0; i < t->cap; i++) {
    if (!t->slots[i].node) continue;
    size_t h = hash_ptr(t->slots[i].node, cap);
    while (s[h].node) h = (h + 1) & (cap - 1);
    s[h] = t->slots[i];
  }
  free(t->slots);
  t->slots = s;
  t->cap = cap;
  return TL_OK;
}

static slot *table_find(table *t, const tl_node *n) {
  if (!t->cap) return NULL;
  size_t h = hash_ptr(n, t->cap);
  while (t->slots[h].node) {
    if (t->slots[h].node == n) return &t->slots[h];
    h = (h + 1) & (t->cap - 1);
  }
  return NULL;
}

/* inserts n (not yet present); returns NULL on OOM */
static slot *table_insert(table *t, tl_node *n) {
  if ((t->count + 1) * 2 > t->cap && table_grow(t) != TL_OK) return NULL;
  size_t h = hash_ptr(n, t->cap);
  while (t->slots[h].node) h = (h + 1) & (t->cap - 1);
  t->slots[h].node = n;
  t->count++;
  return &t->slots[h];
}

static void table_take_spare(table *t) {
  if (spare_slots) { /* a nested backward (from a hook) finds none and allocates its own */
    t->slots = spare_slots;
    t->cap = spare_cap;
    spare_slots = NULL;
    spare_cap = 0;
  }
}

static void table_free(table *t) {
  for (size_t i = 0; i < t->cap; i++) {
    slot *s = &t->slots[i];
    if (!s->node) continue;
    for (int k = 0; k < TL_NODE_MAX_OUTPUTS; k++)
      if (s->buf[k]) tl_tensor_release(s->buf[k]);
    memset(s, 0, sizeof *s);
  }
  if (t->slots && !spare_slots && t->cap <= 1024) {
    spare_slots = t->slots;
    spare_cap = t->cap;
  } else {
    free(t->slots);
  }
  t->slots = NULL;
  t->cap = t->count = 0;
}

/* ---------------------------------------------------------------- growable node stack */

typedef struct {
  tl_node **v;
  size_t n, cap;
} nodes;

static tl_status push(nodes *s, tl_node *n) {
  if (s->n == s->cap) {
    size_t cap = s->cap ? s->cap * 2 : 64;
    tl_node **v = tl_malloc(cap * sizeof *v);
    if (!v) return tl_error(TL_ERR_ALLOC, "out of memory in backward");
    if (s->n) memcpy(v, s->v, s->n * sizeof *v);
    tl_free(s->v);
    s->v = v;
    s->cap = cap;
  }
  s->v[s->n++] = n;
  return TL_OK;
}

/* ready queue: a binary heap with the largest sequence number on top */
static void heap_push(nodes *h, tl_node *n) {
  size_t i = h->n - 1;
  h->v[i] = n;
  while (i > 0) {
    size_t p = (i - 1) / 2;
    if (h->v[p]->seq >= h->v[i]->seq) break;
    tl_node *tmp = h->v[p];
    h->v[p] = h->v[i];
    h->v[i] = tmp;
    i = p;
  }
}

static tl_status heap_add(nodes *h, tl_node *n) {
  tl_status st = push(h, n);
  if (st == TL_OK) heap_push(h, n);
  return st;
}

static tl_node *heap_pop(nodes *h) {
  tl_node *top = h->v[0];
  h->v[0] = h->v[--h->n];
  size_t i = 0;
  for (;;) {
    size_t l = 2 * i + 1, r = l + 1, m = i;
    if (l < h->n && h->v[l]->seq > h->v[m]->seq) m = l;
    if (r < h->n && h->v[r]->seq > h->v[m]->seq) m = r;
    if (m == i) break;
    tl_node *tmp = h->v[m];
    h->v[m] = h->v[i];
    h->v[i] = tmp;
    i = m;
  }
  return top;
}

/* ---------------------------------------------------------------- gradient plumbing */

/* buf += g (g is a new reference, consumed) */
static tl_status accumulate_into(tl_tensor **buf, tl_tensor *g) {
  if (!*buf) {
    *buf = g;
    return TL_OK;
  }
  tl_tensor *sum = tl_ag_add(*buf, g);
  tl_tensor_release(g);
  if (!sum) return tl_last_status();
  tl_tensor_release(*buf);
  *buf = sum;
  return TL_OK;
}

/* Runs hooks over *grad (a new reference, replaced in place). */
static tl_status run_hooks(tl_hook *h, int output_nr, int on_node, tl_tensor **grad) {
  for (; h; h = h->next) {
    if (h->retains_grad || !h->fn) continue;
    if (on_node && h->output_nr != output_nr) continue;
    tl_status st = TL_OK;
    tl_tensor *r = h->fn(h->ctx, *grad, &st);
    if (st != TL_OK) {
      tl_tensor_release(r);
      return st;
    }
    if (r) {
      tl_tensor_release(*grad);
      *grad = r;
    }
  }
  return TL_OK;
}

/* Stores a gradient into t's .grad as AccumulateGrad does. */
static tl_status accumulate_grad(tl_tensor *t, tl_tensor *g, int create_graph) {
  struct tl_autograd_meta *m = tl_meta(t);
  if (!m->grad) {
    if (create_graph || g->refcount > 1 || g->autograd || !tl_is_contiguous(g)) {
      /* the gradient is shared (or carries history): .grad gets its own copy unless the
       * graph of the gradient itself is wanted */
      tl_tensor *c = create_graph ? (tl_tensor_retain(g), g) : tl_clone(g);
      if (!c) return tl_last_status();
      m->grad = c;
    } else {
      tl_tensor_retain(g);
      m->grad = g;
    }
    return TL_OK;
  }
  if (!create_graph) return tl_add_inplace(m->grad, g);
  tl_tensor *sum = tl_ag_add(m->grad, g);
  if (!sum) return tl_last_status();
  tl_tensor_release(m->grad);
  m->grad = sum;
  return TL_OK;
}

static tl_status retain_grads(tl_node *n, tl_tensor **bufs, int create_graph) {
  for (tl_hook *h = n->pre_hooks; h; h = h->next) {
    if (!h->retains_grad || !bufs[h->output_nr]) continue;
    struct tl_autograd_meta *m = h->ctx;
    tl_tensor *g = bufs[h->output_nr];
    if (!m->grad) {
      tl_tensor *c = create_graph ? (tl_tensor_retain(g), g) : tl_clone(g);
      if (!c) return tl_last_status();
      m->grad = c;
    } else if (!create_graph) {
      tl_status st = tl_add_inplace(m->grad, g);
      if (st != TL_OK) return st;
    } else {
      tl_tensor *sum = tl_ag_add(m->grad, g);
      if (!sum) return tl_last_status();
      tl_tensor_release(m->grad);
      m->grad = sum;
    }
  }
  return TL_OK;
}

static int same_shape(const tl_tensor *a, const tl_tensor *b) {
  if (a->ndim != b->ndim) return 0;
  for (int i = 0; i < a->ndim; i++)
    if (a->shape[i] != b->shape[i]) return 0;
  return 1;
}

static void shape_str(const tl_tensor *t, char *buf, size_t size) {
  size_t len = 0;
  buf[0] = '\0';
  for (int i = 0; i < t->ndim && len + 24 < size; i++)
    len += (size_t)snprintf(buf + len, size - len, "%s%lld", i ? ", " : "", (long long)t->shape[i]);
}

/* Anomaly mode: a backward formula that produced NaN is an error naming the node. */
static tl_status check_nan(tl_node *n, tl_tensor **outs) {
  for (int k = 0; k < n->n_next; k++) {
    tl_tensor *g = outs[k];
    if (!g || !tl_dtype_is_floating(g->dtype)) continue;
    for (int64_t i = 0; i < g->numel; i++) {
      double v = tl_get_double(g, i);
      if (v != v)
        return tl_error(TL_ERR_RUNTIME, "Function '%s' returned nan values in its %dth output.",
                        tl_node_name(n), k);
    }
  }
  return TL_OK;
}

/* ---------------------------------------------------------------- the pass */

tl_status tl_backward(int n_roots, tl_tensor **roots, tl_tensor **grad_roots,
                      const tl_backward_opts *opts) {
  table tab = {0};
  table_take_spare(&tab);
  nodes stack = {0}, order = {0}, heap = {0};
  /* few roots and inputs (the usual one root, no inputs): on the stack */
  tl_edge root_few[4] = {{0}}, input_few[4] = {{0}};
  tl_tensor *grads_few[4] = {0};
  tl_edge *root_edges = n_roots <= 4 ? root_few
                                     : tl_calloc(sizeof(tl_edge) * (size_t)n_roots);
  tl_edge *input_edges = opts->n_inputs <= 4
                             ? input_few
                             : tl_calloc(sizeof(tl_edge) * (size_t)opts->n_inputs);
  tl_tensor **root_grads = n_roots <= 4 ? grads_few
                                        : tl_calloc(sizeof(tl_tensor *) * (size_t)n_roots);
  int saved_mode = tl_grad_enabled();
  tl_status st = TL_OK;
  if (!root_edges || !input_edges || !root_grads) {
    st = tl_error(TL_ERR_ALLOC, "out of memory in backward");
    goto done;
  }

  /* 1. the roots and their gradients */
  for (int r = 0; r < n_roots; r++) {
    tl_tensor *t = roots[r];
    if (!tl_requires_grad(t)) {
      st = tl_error(TL_ERR_RUNTIME,
                    "element %d of tensors does not require grad and does not have a grad_fn", r);
      goto done;
    }
    tl_tensor *g = grad_roots ? grad_roots[r] : NULL;
    if (!g) {
      if (t->numel != 1) {
        st = tl_error(TL_ERR_RUNTIME, "grad can be implicitly created only for scalar outputs");
        goto done;
      }
      g = tl_ones_like(t);
      if (!g) { st = tl_last_status(); goto done; }
    } else {
      if (!same_shape(g, t)) {
        char a[200], b[200];
        shape_str(g, a, sizeof a);
        shape_str(t, b, sizeof b);
        st = tl_error(TL_ERR_RUNTIME,
                      "Mismatch in shape: grad_output[%d] has a shape of [%s] and output[%d] "
                      "has a shape of [%s].", r, a, r, b);
        goto done;
      }
      if (g->dtype != t->dtype) {
        g = tl_to_dtype(g, t->dtype, 0);
        if (!g) { st = tl_last_status(); goto done; }
      } else {
        tl_tensor_retain(g);
      }
    }
    root_grads[r] = g;
    if (tl_gradient_edge(t, &root_edges[r]) != TL_OK) { st = tl_last_status(); goto done; }
  }

  /* 2. the gradient edges of `inputs` */
  for (int k = 0; k < opts->n_inputs; k++) {
    tl_tensor *t = opts->inputs[k];
    if (!tl_requires_grad(t)) {
      st = tl_error(TL_ERR_RUNTIME, "One of the differentiated Tensors does not require grad");
      goto done;
    }
    if (tl_gradient_edge(t, &input_edges[k]) != TL_OK) { st = tl_last_status(); goto done; }
  }

  /* 3. discovery: every reachable node and how many edges point at it */
  for (int r = 0; r < n_roots; r++) {
    tl_node *n = root_edges[r].node;
    if (table_find(&tab, n)) continue;
    if (!table_insert(&tab, n) || push(&stack, n) != TL_OK) { st = TL_ERR_ALLOC; goto done; }
  }
  while (stack.n) {
    tl_node *n = stack.v[--stack.n];
    if (push(&order, n) != TL_OK) { st = TL_ERR_ALLOC; goto done; }
    for (int k = 0; k < n->n_next; k++) {
      tl_node *c = n->next[k].node;
      if (!c) continue;
      slot *s = table_find(&tab, c);
      if (!s) {
        s = table_insert(&tab, c);
        if (!s || push(&stack, c) != TL_OK) { st = TL_ERR_ALLOC; goto done; }
      }
      s->deps++;
    }
  }

  /* 4. which nodes lead to a wanted gradient */
  if (opts->n_inputs > 0) {
    for (int k = 0; k < opts->n_inputs; k++) {
      slot *s = table_find(&tab, input_edges[k].node);
      if (s) s->target = s->needed = 1;
    }
    /* `order` lists parents before children (DFS from the roots over a DAG does not
     * guarantee that, so iterate to a fixed point: cheap for the graphs seen here) */
    for (int changed = 1; changed;) {
      changed = 0;
      for (size_t i = order.n; i-- > 0;) {
        tl_node *n = order.v[i];
        slot *s = table_find(&tab, n);
        if (s->needed) continue;
        for (int k = 0; k < n->n_next; k++) {
          tl_node *c = n->next[k].node;
          if (c && table_find(&tab, c)->needed) {
            s->needed = 1;
            changed = 1;
            break;
          }
        }
      }
    }
  } /* else every node leads to a leaf's gradient: `needed` is not consulted */
  const int all_needed = opts->n_inputs == 0;

  /* 5. seed the root buffers and run */
  for (int r = 0; r < n_roots; r++) {
    slot *s = table_find(&tab, root_edges[r].node);
    st = accumulate_into(&s->buf[root_edges[r].input_nr], root_grads[r]);
    root_grads[r] = NULL;
    if (st != TL_OK) goto done;
  }
  for (size_t i = 0; i < tab.cap; i++) {
    slot *s = &tab.slots[i];
    if (s->node && s->deps == 0 && heap_add(&heap, s->node) != TL_OK) { st = TL_ERR_ALLOC; goto done; }
  }

  tl_set_grad_enabled(opts->create_graph);
  while (heap.n) {
    tl_node *n = heap_pop(&heap);
    slot *s = table_find(&tab, n);
    int n_out = n->op == &tl_op_accumulate_grad ? 1 : tl_node_n_outputs(n);
    tl_tensor *grads_out[64];
    tl_tensor **outs = grads_out;
    if (n->n_next > 64) {
      outs = tl_calloc(sizeof(tl_tensor *) * (size_t)n->n_next);
      if (!outs) { st = tl_error(TL_ERR_ALLOC, "out of memory in backward"); goto done; }
    } else {
      for (int k = 0; k < n->n_next; k++) grads_out[k] = NULL;
    }
    int any = 0;
    for (int k = 0; k < n_out; k++) any |= s->buf[k] != NULL;

    if (any && (all_needed || s->needed)) {
      /* hooks registered on this node's output tensors, then retain_grad */
      for (int k = 0; k < n_out && st == TL_OK; k++)
        if (s->buf[k]) st = run_hooks(n->pre_hooks, k, 1, &s->buf[k]);
      if (st == TL_OK) st = retain_grads(n, s->buf, opts->create_graph);
      /* gradients asked for with autograd_grad()/inputs = */
      for (int k = 0; k < opts->n_inputs && st == TL_OK; k++) {
        if (input_edges[k].node != n) continue;
        tl_tensor *g = s->buf[input_edges[k].input_nr];
        if (!g) continue;
        if (opts->accumulate) {
          if (n->op != &tl_op_accumulate_grad)
            st = accumulate_grad(opts->inputs[k], g, opts->create_graph);
        } else if (!opts->results[k]) {
          tl_tensor_retain(g);
          opts->results[k] = g;
        }
      }
      if (st == TL_OK && n->op == &tl_op_accumulate_grad) {
        tl_tensor *leaf = n->leaf;
        if (leaf && leaf->autograd) st = run_hooks(leaf->autograd->hooks, 0, 0, &s->buf[0]);
        int wanted = opts->n_inputs == 0 || s->target;
        if (st == TL_OK && leaf && opts->accumulate && wanted)
          st = accumulate_grad(leaf, s->buf[0], opts->create_graph);
      } else if (st == TL_OK) {
        int runs = 0; /* worth running only if some input leads to a wanted gradient */
        for (int k = 0; k < n->n_next && !runs; k++) {
          tl_node *c = n->next[k].node;
          if (c && (all_needed || table_find(&tab, c)->needed)) runs = 1;
        }
        if (runs) {
          if (n->ext_vt)
            st = n->ext_vt->backward(n, s->buf, n_out, outs);
          else
            st = n->op->backward(n, s->buf, outs);
          if (st == TL_OK && tl_anomaly_enabled()) st = check_nan(n, outs);
          if (st != TL_OK && n->anomaly_trace) {
            char msg[1024];
            snprintf(msg, sizeof msg,
                     "%s\nThe forward call that created %s (with_detect_anomaly): %s",
                     tl_last_message(), tl_node_name(n), n->anomaly_trace);
            tl_error(st, "%s", msg);
          }
        }
      }
    }
    if (!opts->keep_graph && st == TL_OK) tl_node_release_saved(n);
    for (int k = 0; k < n_out; k++) {
      if (s->buf[k]) tl_tensor_release(s->buf[k]);
      s->buf[k] = NULL;
    }
    /* hand the gradients on; every edge counts, with or without a gradient */
    for (int k = 0; k < n->n_next; k++) {
      tl_node *c = n->next[k].node;
      tl_tensor *g = outs[k];
      outs[k] = NULL;
      if (!c) {
        tl_tensor_release(g);
        continue;
      }
      slot *cs = table_find(&tab, c);
      if (st == TL_OK && g) {
        if (g->dtype != n->input[k].dtype) {
          tl_tensor *cast = tl_to_dtype(g, n->input[k].dtype, 0);
          tl_tensor_release(g);
          g = cast;
          if (!g) st = tl_last_status();
        }
        if (g) st = accumulate_into(&cs->buf[n->next[k].input_nr], g);
      } else {
        tl_tensor_release(g);
      }
      if (--cs->deps == 0 && st == TL_OK && heap_add(&heap, c) != TL_OK) st = TL_ERR_ALLOC;
    }
    if (outs != grads_out) tl_free(outs);
    if (st != TL_OK) goto done;
  }

  /* 6. autograd_grad(): every input must have been reached unless allow_unused */
  if (!opts->accumulate) {
    for (int k = 0; k < opts->n_inputs; k++) {
      if (!opts->results[k] && !opts->allow_unused) {
        st = tl_error(TL_ERR_RUNTIME,
                      "One of the differentiated Tensors appears to not have been used in the "
                      "graph. Set allow_unused=TRUE if this is the desired behavior.");
        goto done;
      }
    }
  }

done:
  tl_set_grad_enabled(saved_mode);
  if (st != TL_OK && !opts->accumulate)
    for (int k = 0; k < opts->n_inputs; k++) {
      tl_tensor_release(opts->results[k]);
      opts->results[k] = NULL;
    }
  table_free(&tab);
  tl_free(stack.v);
  tl_free(order.v);
  tl_free(heap.v);
  if (root_edges)
    for (int r = 0; r < n_roots; r++) tl_node_release(root_edges[r].node);
  if (input_edges)
    for (int k = 0; k < opts->n_inputs; k++) tl_node_release(input_edges[k].node);
  if (root_grads)
    for (int r = 0; r < n_roots; r++) tl_tensor_release(root_grads[r]);
  if (root_edges != root_few) tl_free(root_edges);
  if (input_edges != input_few) tl_free(input_edges);
  if (root_grads != grads_few) tl_free(root_grads);
  return st;
}
