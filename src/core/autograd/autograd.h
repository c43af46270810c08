/* Reverse-mode automatic differentiation: the graph of backward nodes, the engine that runs
 * it, grad mode, and the autograd metadata of tensors.
 *
 * Ownership (no reference cycles, as in PyTorch):
 *   tensor --grad_fn--> node --next edges--> nodes ... --> AccumulateGrad --leaf--> tensor
 * A node holds strong references to the nodes its inputs came from and to the tensors it
 * saved. A node never holds its own output: when a backward formula needs the output (exp,
 * sigmoid, ...) the node saves an alias that shares the output's storage but has no
 * grad_fn. A leaf knows its AccumulateGrad node only weakly (the node clears the pointer
 * when it dies), while the node holds the leaf strongly. */
#ifndef TL_AUTOGRAD_H
#define TL_AUTOGRAD_H

#include "../tensor.h"

/* ---------------------------------------------------------------- grad mode */
int tl_grad_enabled(void);
void tl_set_grad_enabled(int on);

/* ---------------------------------------------------------------- nodes */
typedef struct tl_node tl_node;

typedef struct {
  tl_node *node; /* strong; NULL when that input does not need a gradient */
  int input_nr;  /* which output of `node` this edge feeds */
} tl_edge;

/* A saved tensor keeps what a backward formula needs and what higher-order gradients need
 * to flow back through it: a leaf is kept itself; another input as an alias plus its
 * grad_fn; the node's own output as an alias only (re-attached to the node on unpack). */
typedef struct {
  tl_tensor *data;  /* the leaf itself, or an alias sharing storage; NULL once released */
  tl_node *grad_fn; /* history of a saved non-leaf input (strong) */
  uint64_t version; /* the storage version when saved */
  int output_nr;
  char is_output;   /* saved the node's own output */
  char defined;     /* something was saved in this slot */
} tl_saved;

/* A hook runs on a gradient before it is used. It returns a new reference to the gradient
 * to use instead (or NULL to keep the original) and reports failure through *status. */
typedef struct tl_hook {
  tl_tensor *(*fn)(void *ctx, tl_tensor *grad, tl_status *status);
  void (*release)(void *ctx);
  void *ctx;
  int id;
  int output_nr;     /* on a grad_fn: which output's gradient it sees */
  int retains_grad;  /* the hook retain_grad() installs (runs after user hooks) */
  struct tl_hook *next;
} tl_hook;

typedef struct tl_op_info tl_op_info;

#define TL_NODE_MAX_SAVED 4
#define TL_NODE_MAX_OUTPUTS 8

/* What a backward formula needs to know about an input: its dtype and shape (to reduce a
 * broadcast gradient back to it). */
typedef struct {
  tl_dtype dtype;
  int ndim;
  const int64_t *shape; /* ndim entries, allocated with the node */
} tl_input_meta;

struct tl_node {
  int64_t refcount;
  const tl_op_info *op;
  uint64_t seq; /* creation order; the engine runs newer nodes first */
  int n_next;
  int n_saved;
  tl_edge *next;         /* n_next edges, one per input (allocated with the node) */
  tl_input_meta *input;  /* n_next entries (allocated with the node) */
  tl_saved *saved;       /* saved_cap slots (allocated with the node) */
  int saved_cap;
  int released; /* saved tensors were freed by a backward without retain_graph */
  int n_ivec;
  /* attributes the backward formula needs */
  double s[4];
  int64_t i[4];
  int64_t *ivec; /* a longer integer attribute (dims, sizes), owned (tl_malloc): n_ivec */
  tl_tensor *leaf;       /* AccumulateGrad only: the leaf (strong) */
  tl_hook *pre_hooks;    /* hooks on the gradients of the outputs (tensor hooks) */
  void *aux;                  /* op-specific data (index items, ...) */
  void (*aux_free)(void *aux);
  void *ext;             /* extension data (custom functions), see tl_node_ext */
  const struct tl_node_ext *ext_vt;
  char *anomaly_trace;   /* with_detect_anomaly: what created this node (owned) */
  tl_node *free_link;    /* used while releasing a chain of nodes */
  /* an upper bound on the bytes this node keeps alive through its history: its own size,
   * the storages it saved and the bounds of the nodes it points to (saturating; shared
   * subgraphs count once per path). Front ends use it to tell small graphs from big ones;
   * nodes made outside the core (ext_vt) should set it to INT64_MAX. */
  int64_t graph_bytes;
};

/* Nodes defined outside the core (R custom functions) supply their behaviour here; such a
 * node's op is tl_op_custom and the engine calls ext_vt->backward. */
typedef struct tl_node_ext {
  /* grads_in: n_outputs gradients (entries may be NULL); fills grads_out[n_next] */
  tl_status (*backward)(tl_node *node, tl_tensor **grads_in, int n_in, tl_tensor **grads_out);
  void (*release)(void *ext);
  const char *(*name)(tl_node *node);
} tl_node_ext;

/* ---------------------------------------------------------------- tensor metadata */
/* struct tl_autograd_meta (a tensor's grad_fn, grad, ...) is defined in tensor.h */

/* t's metadata (inside t), set up on first use; never NULL */
struct tl_autograd_meta *tl_meta(tl_tensor *t);
static inline tl_node *tl_grad_fn(const tl_tensor *t) {
  return t->autograd ? t->autograd->grad_fn : NULL;
}
static inline int tl_is_leaf(const tl_tensor *t) { return tl_grad_fn(t) == NULL; }
/* leaf flag or a grad_fn */
static inline int tl_requires_grad(const tl_tensor *t) {
  return t->requires_grad || tl_grad_fn(t) != NULL;
}
tl_tensor *tl_grad(const tl_tensor *t);    /* borrowed; NULL if none */
tl_status tl_set_grad(tl_tensor *t, tl_tensor *grad); /* grad may be NULL; retains it */
tl_status tl_retain_grad(tl_tensor *t);
/* A new tensor sharing t's storage, with no autograd history (detach). */
tl_tensor *tl_detach(const tl_tensor *t);
tl_status tl_detach_(tl_tensor *t);
/* Sets requires_grad on a leaf; errors for non-leaves and non-floating dtypes. */
tl_status tl_set_requires_grad(tl_tensor *t, int flag);

/* ---------------------------------------------------------------- nodes */
const char *tl_node_name(tl_node *n);
void tl_node_retain(tl_node *n);
void tl_node_release(tl_node *n);
int tl_node_n_next(const tl_node *n);
tl_node *tl_node_next(const tl_node *n, int i); /* borrowed, may be NULL */

/* Hooks: the tensor's (leaf: on its AccumulateGrad; non-leaf: on its grad_fn). Returns the
 * hook id (> 0) or 0 on error. */
int tl_register_hook(tl_tensor *t, tl_hook *h);
void tl_remove_hook(tl_tensor *t, int id);

/* ---------------------------------------------------------------- recording */
/* For op implementations (derivatives.c): whether an op on these inputs must record, and
 * helpers to build the node and attach it to the output. */
int tl_should_record(int n, const tl_tensor *const *inputs);
tl_node *tl_node_new(const tl_op_info *op, int n_inputs, const tl_tensor *const *inputs);
/* Number of outputs of a node (1 for most ops). */
int tl_node_n_outputs(const tl_node *n);
tl_status tl_node_save(tl_node *n, int slot, const tl_tensor *t, int is_output);
/* Unpacks a saved tensor for a backward formula (new reference), checking it was neither
 * released nor modified in place. `self_output` is the node's output when is_output. */
tl_tensor *tl_node_unpack(tl_node *n, int slot);
/* Frees the saved tensors (after a backward pass without retain_graph). */
void tl_node_release_saved(tl_node *n);
/* The edge t's gradient flows into (a new reference to the node, or NULL node). */
tl_status tl_gradient_edge(const tl_tensor *t, tl_edge *e);
/* Makes `out` the output `output_nr` of node n (steals nothing; retains n). */
void tl_set_history(tl_tensor *out, tl_node *n, int output_nr);

/* ---------------------------------------------------------------- the engine */
typedef struct {
  int keep_graph;
  int create_graph;
  int accumulate;      /* 1: backward() into leaves' .grad; 0: autograd_grad() */
  int allow_unused;
  int n_inputs;        /* with `inputs`: only these receive gradients */
  tl_tensor **inputs;
  tl_tensor **results; /* accumulate == 0: filled with new references (or NULL) */
} tl_backward_opts;

tl_status tl_backward(int n_roots, tl_tensor **roots, tl_tensor **grad_roots,
                      const tl_backward_opts *opts);

/* Anomaly mode: nodes record what created them; failing backward formulas report it. */
void tl_set_anomaly_enabled(int on);
int tl_anomaly_enabled(void);
void tl_node_set_trace(tl_node *n, const char *trace); /* what created the node */

#endif
