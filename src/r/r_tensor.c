/* R handles for core tensors, error signalling, and the tensor fields behind `$`. */
#include "r_tensor.h"

#include <stdarg.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../core/autograd/autograd.h"
#include "../core/autograd/derivatives.h"
#include "../core/ops/elementwise.h"
#include "../core/parallel.h"

SEXP C_tl_grad(SEXP x);
SEXP C_tl_grad_fn(SEXP x);

static SEXP tensor_tag = NULL;  /* tag of every tensor external pointer */
static SEXP class_attr = NULL;  /* "torch_tensor" */
static SEXP pkg_env = NULL;     /* the package namespace */
static SEXP dtype_objs = NULL;  /* list of the five dtype objects */
static SEXP device_obj = NULL;  /* the cpu device */
static SEXP self_sym = NULL;
static SEXP fast_method_sym = NULL;
static SEXP fast_env = NULL; /* tensor_methods_fast: the methods as fast_method() makes them */

/* ---------------------------------------------------------------- errors */

static const char *kind_class(tl_status kind) {
  switch (kind) {
  case TL_ERR_VALUE: return "value_error";
  case TL_ERR_TYPE: return "type_error";
  case TL_ERR_INDEX: return "index_error";
  case TL_ERR_ALLOC: return "memory_error";
  default: return "runtime_error";
  }
}

static void signal_condition(tl_status kind, const char *msg) __attribute__((noreturn));
static void signal_condition(tl_status kind, const char *msg) {
  SEXP fun = Rf_findFun(Rf_install("signal_torch_error"), pkg_env);
  SEXP call = PROTECT(Rf_lang3(fun, Rf_mkString(kind_class(kind)), Rf_mkString(msg)));
  Rf_eval(call, pkg_env);
  UNPROTECT(1);
  Rf_error("%s", msg); /* not reached: signal_torch_error always stops */
}

void tl_r_throw(void) {
  char msg[1024];
  tl_status kind = tl_last_status();
  snprintf(msg, sizeof msg, "%s", tl_last_message());
  tl_clear_error();
  signal_condition(kind == TL_OK ? TL_ERR_RUNTIME : kind, msg);
}

void tl_r_stop(tl_status kind, const char *fmt, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  signal_condition(kind, msg);
}

/* ---------------------------------------------------------------- handles */

/* R's collector does not see the core's memory, so a loop that drops big tensors would pile
 * them up until R itself needed a collection. So the core's growth asks for collections
 * (maybe_collect(), called before each new tensor gets its handle):
 *
 * - a full one when the core holds more than its low-water mark (the least seen since the
 *   last full collection, i.e. roughly what is really alive) plus a slack of that much
 *   again, and at least FULL_SLACK (a full collection takes 20-30 ms on the benchmark
 *   machine; bench/README.md);
 * - a minor one (gc(full = FALSE): a millisecond or less) after every LITE_SLACK bytes of
 *   growth in large blocks (128 KB or more) or MID_SLACK bytes in all. The handles of a
 *   loop's recent temporaries are young, so it frees their memory and the next iterations
 *   reuse it (the core pools and caches freed blocks) instead of faulting in fresh pages.
 *   Smaller blocks get the larger slack, which the core's pools hold (a small network's
 *   step paid a collection every few milliseconds with 32 MB).
 *
 * A handle that is alive during a minor collection (an op's input, say) moves to R's
 * younger old generation, which R collects only every 20th time; in a loop over big
 * tensors every collection would thus keep one temporary until then. So when what the
 * minor collections leave keeps growing (ARM_SLACK past the bytes held after the last
 * collection of that generation), the forced collection arranges for the next one to
 * include that generation: R does so after a collection that leaves less than a fifth of
 * its vector heap free (R_MinFreeFrac in R's memory.c), and a dummy raw vector holding the
 * spare room for the length of one more minor collection makes it so (its pages are never
 * touched: R does not initialise raw vectors). R makes every sixth such collection a full
 * one, which bounds how often this may be done: when one frees little of what had grown
 * (a loop that keeps its results), the next waits for twice the growth. The collection
 * runs before the new tensor has a handle, so that it is not aged with its inputs.
 *
 * (Handing R dummy vectors of the size of each tensor instead, so that its own collections
 * keep pace, was tried: R answers large allocations with full collections, which is
 * worse.) */
#define FULL_SLACK ((int64_t)192 << 20)
#define LITE_SLACK ((int64_t)64 << 20)
#define MID_SLACK ((int64_t)96 << 20) /* within the core's medium pools (tensor.c) */
#define ARM_SLACK ((int64_t)96 << 20)
#define ARM_SLACK_MAX ((int64_t)4 << 30)
#define ARM_MAX_BYTES ((double)((int64_t)1 << 30)) /* no bigger dummy than this */
static int64_t low_water = 0, after_last = 0, after_last_all = 0;
static int64_t after_older = 0; /* bytes held after the last collection of the older gen. */
static int armed = 0;           /* the next collection should include it */
static int64_t arm_slack = ARM_SLACK;
static double n_armed = 0; /* collections that asked for the next to include it (tests) */
static int collecting = 0;

static void tensor_finalizer(SEXP h) {
  tl_tensor *t = R_ExternalPtrAddr(h);
  if (t) {
    R_ClearExternalPtr(h);
    tl_tensor_release(t);
  }
}

static SEXP gc_call = NULL; /* gc(FALSE, FALSE, FALSE) */

static SEXP run_gc(void) {
  if (!gc_call) {
    SEXP fun = PROTECT(Rf_findFun(Rf_install("gc"), R_BaseNamespace));
    gc_call = Rf_lang4(fun, Rf_ScalarLogical(0), Rf_ScalarLogical(0), Rf_ScalarLogical(0));
    R_PreserveObject(gc_call);
    UNPROTECT(1);
  }
  return Rf_eval(gc_call, R_BaseEnv);
}

static void run_minor_collection(void *unused) {
  (void)unused;
  int64_t before = tl_mem_bytes();
  SEXP res = PROTECT(run_gc());
  int64_t held = tl_mem_bytes();
  if (armed) { /* that one included the older generation */
    /* if it freed little of what had grown since the last such one, what grows is alive
     * (a loop keeping its results): ask for the next one after twice the growth */
    if (before - held < (before - after_older) / 4)
      arm_slack = arm_slack < ARM_SLACK_MAX / 2 ? 2 * arm_slack : ARM_SLACK_MAX;
    else
      arm_slack = ARM_SLACK;
    after_older = held;
  }
  armed = 0;
  /* gc()'s value: rows Ncells, Vcells; columns used, (Mb), gc trigger, ... */
  if (held > after_older + arm_slack && TYPEOF(res) == REALSXP && XLENGTH(res) >= 6) {
    double used = REAL(res)[1], trigger = REAL(res)[5]; /* Vcells of 8 bytes */
    double spare = (trigger - used - 0.15 * trigger) * 8;
    if (spare > 0 && spare < ARM_MAX_BYTES) {
      PROTECT(Rf_allocVector(RAWSXP, (R_xlen_t)spare));
      run_gc();
      UNPROTECT(1);
      armed = 1;
    } else if (spare <= 0) {
      armed = 1; /* R's heap is that full already */
    }
    n_armed += armed;
  }
  UNPROTECT(1);
}

/* at top level: an interrupt or error during the collection does not unwind through here */
static void minor_collection(void) { R_ToplevelExec(run_minor_collection, NULL); }

static void maybe_collect(void) {
  if (collecting) return; /* a finalizer that makes tensors, during a collection */
  int64_t now = tl_mem_bytes(), large = tl_mem_large_bytes();
  if (now < low_water) low_water = now;
  if (large < after_last) after_last = large;
  if (now < after_last_all) after_last_all = now;
  if (now < after_older) after_older = now;
  int64_t slack = low_water > FULL_SLACK ? low_water : FULL_SLACK;
  collecting = 1;
  if (now > low_water + slack) {
    R_gc();
    low_water = after_last_all = after_older = tl_mem_bytes();
    after_last = tl_mem_large_bytes();
    armed = 0;
    arm_slack = ARM_SLACK; /* a full one is what the requests are there to spare */
  } else if (large > after_last + LITE_SLACK || now > after_last_all + MID_SLACK) {
    minor_collection();
    after_last = tl_mem_large_bytes();
    after_last_all = tl_mem_bytes();
  }
  collecting = 0;
}

/* with_detect_anomaly(): remember the R calls that created a new node */
static void record_trace(tl_tensor *t) {
  tl_node *fn = tl_grad_fn(t);
  if (!fn || fn->anomaly_trace) return;
  SEXP call = PROTECT(Rf_lang1(Rf_install("anomaly_trace")));
  SEXP txt = PROTECT(Rf_eval(call, pkg_env));
  if (TYPEOF(txt) == STRSXP && XLENGTH(txt) == 1) tl_node_set_trace(fn, CHAR(STRING_ELT(txt, 0)));
  UNPROTECT(2);
}

/* ---- handles of small tensors: released by chunk, not one by one
 *
 * A C finalizer per handle costs two R allocations when the handle is made and a context
 * switch when it runs, which is most of the price of a small op (bench/README.md). Handles
 * of small tensors with small histories therefore share a finalizer: they join a "chunk" of
 * up to CHUNK_CAP tensors, each handle's box (r_altrep.c) points at the chunk's token (an
 * external pointer with the one finalizer), and the token's finalizer releases all the
 * chunk's tensors once no handle of the chunk is reachable. The price is retention: a
 * handle that lives on keeps its chunk-mates' tensors alive, which is why only tensors whose
 * storage and whose history are both small (the bounds below) join chunks.
 *
 * The chunk being filled (the open one) is held by `open_holder`; it is sealed when full and
 * after the first garbage collection since it opened (a sentinel weak reference whose
 * finalizer runs after that collection), so that a chunk of dead handles is freed by the
 * next collection: two collections return all memory of unreachable small handles. A handle
 * whose token has been finalized (only reachable from an R finalizer that ran after it)
 * counts as dead (handle_tensor()). */
#define CHUNK_CAP 32
#define CHUNK_MAX_STORAGE ((size_t)64 << 10) /* bytes of storage */
#define CHUNK_MAX_GRAPH ((int64_t)256 << 10) /* tl_node.graph_bytes */

typedef struct {
  int n;
  tl_tensor *t[CHUNK_CAP];
} handle_chunk;

static SEXP chunk_tag = NULL;
static SEXP open_holder = NULL; /* list(token of the open chunk, or NULL) */
static handle_chunk *open_chunk = NULL;

static void chunk_finalizer(SEXP token) {
  handle_chunk *c = R_ExternalPtrAddr(token);
  if (!c) return;
  R_ClearExternalPtr(token);
  if (c == open_chunk) open_chunk = NULL;
  /* the tensors are usually cold by now: ask for the next ones (and the next history node)
   * while releasing this one */
  for (int i = 0; i < c->n; i++) {
    if (i + 2 < c->n) {
      __builtin_prefetch(c->t[i + 2], 1, 3);
      __builtin_prefetch((char *)c->t[i + 2] + 64, 1, 3);
    }
    if (i + 1 < c->n) {
      tl_node *fn = tl_grad_fn(c->t[i + 1]);
      if (fn) /* usually released with its tensor, and then read whole */
        for (int l = 0; l < 7; l++) __builtin_prefetch((char *)fn + 64 * l, 1, 3);
    }
    tl_tensor_release(c->t[i]);
  }
  free(c);
}

static void seal_open_chunk(void) {
  open_chunk = NULL;
  if (open_holder) SET_VECTOR_ELT(open_holder, 0, R_NilValue);
}

/* The sentinel is re-armed when the next chunk opens, not from its finalizer: R drops weak
 * references registered while its finalizer loop is unlinking others (R 4.2's
 * RunFinalizers()). One lost anyway (a tensor made inside an R finalizer) is replaced after
 * SENTINEL_RENEW chunks. */
#define SENTINEL_RENEW 64
static int sentinel_armed = 0, chunks_since_armed = 0;

static void sentinel_finalizer(SEXP s) {
  (void)s;
  sentinel_armed = 0;
  seal_open_chunk();
}

static void arm_sentinel(void) {
  SEXP key = PROTECT(R_MakeExternalPtr(NULL, R_NilValue, R_NilValue));
  R_RegisterCFinalizerEx(key, sentinel_finalizer, FALSE);
  UNPROTECT(1);
  sentinel_armed = 1;
  chunks_since_armed = 0;
}

static int chunkable(const tl_tensor *t) {
  if (!t->storage->owns_data || t->storage->nbytes > CHUNK_MAX_STORAGE) return 0;
  tl_node *fn = tl_grad_fn(t);
  return !fn || fn->graph_bytes <= CHUNK_MAX_GRAPH;
}

/* Adds t to the open chunk (opening one if needed) and returns the chunk's token. */
static SEXP chunk_add(tl_tensor *t) {
  if (!open_chunk) {
    if (!sentinel_armed || ++chunks_since_armed >= SENTINEL_RENEW) arm_sentinel();
    /* R's allocations first: if one fails (and jumps), nothing of ours is left behind */
    SEXP token = PROTECT(R_MakeExternalPtr(NULL, chunk_tag, R_NilValue));
    R_RegisterCFinalizerEx(token, chunk_finalizer, FALSE);
    handle_chunk *c = malloc(sizeof *c);
    if (!c) {
      UNPROTECT(1);
      return R_NilValue;
    }
    c->n = 0;
    R_SetExternalPtrAddr(token, c);
    SET_VECTOR_ELT(open_holder, 0, token);
    UNPROTECT(1);
    open_chunk = c;
  }
  SEXP token = VECTOR_ELT(open_holder, 0);
  open_chunk->t[open_chunk->n++] = t;
  if (open_chunk->n == CHUNK_CAP) seal_open_chunk();
  return token;
}

static SEXP wrap(tl_tensor *t, int chunk) {
  if (!t) tl_r_throw();
  if (tl_anomaly_enabled()) record_trace(t);
  /* before the handle exists: a collection now does not see (and age) the new tensor */
  maybe_collect();
  SEXP h = PROTECT(R_MakeExternalPtr(t, tensor_tag, R_NilValue));
  SEXP token = R_NilValue;
  if (chunk && open_holder && chunkable(t)) token = chunk_add(t);
  PROTECT(token);
  if (token == R_NilValue) R_RegisterCFinalizerEx(h, tensor_finalizer, FALSE);
  /* the protected slot holds the box that saves the tensor's data with the handle
   * (r_altrep.c) and keeps the chunk alive */
  R_SetExternalPtrProtected(h, tl_r_new_box(h, token));
  SEXP attr = Rf_cons(class_attr, R_NilValue);
  SET_TAG(attr, R_ClassSymbol);
  SET_ATTRIB(h, attr);
  SET_OBJECT(h, 1);
  UNPROTECT(2);
  return h;
}

SEXP tl_r_wrap(tl_tensor *t) { return wrap(t, 1); }
SEXP tl_r_wrap_own(tl_tensor *t) { return wrap(t, 0); }

void tl_r_adopt(SEXP h, tl_tensor *t) {
  R_SetExternalPtrAddr(h, t);
  R_RegisterCFinalizerEx(h, tensor_finalizer, FALSE);
}

/* the tensor behind a handle, or NULL when it is gone */
static inline tl_tensor *handle_tensor(SEXP x) {
  tl_tensor *t = R_ExternalPtrAddr(x);
  if (t) {
    SEXP box = R_ExternalPtrProtected(x);
    if (box != R_NilValue) {
      SEXP token = tl_r_box_token(box);
      if (token != R_NilValue && !R_ExternalPtrAddr(token)) return NULL;
    }
  }
  return t;
}

int tl_r_is_tensor(SEXP x) {
  return TYPEOF(x) == EXTPTRSXP && R_ExternalPtrTag(x) == tensor_tag;
}

tl_tensor *tl_r_tensor_or_null(SEXP x) {
  return tl_r_is_tensor(x) ? handle_tensor(x) : NULL;
}

/* a handle without a tensor: restored without the data (see r_altrep.c) */
static void dead_handle(SEXP x) __attribute__((noreturn));
static void dead_handle(SEXP x) {
  if (R_ExternalPtrAddr(x))
    tl_r_stop(TL_ERR_RUNTIME,
              "this tensor's memory is gone: it was released by the garbage collector while "
              "an R finalizer could still reach it");
  if (Rf_isNull(R_ExternalPtrProtected(x)))
    tl_r_stop(TL_ERR_RUNTIME,
              "this tensor's memory is gone: it was saved by an older torchlite, which could "
              "not serialize tensors; recreate it");
  tl_r_stop(TL_ERR_RUNTIME,
            "this tensor's memory is gone: it was serialized without its data (with "
            "serialization format version 2, e.g. saveRDS(version = 2)); save tensors with "
            "the default version 3 or with torch_save()");
}

tl_tensor *tl_r_unwrap(SEXP x) {
  if (!tl_r_is_tensor(x)) tl_r_stop(TL_ERR_VALUE, "expected a torch_tensor");
  tl_tensor *t = handle_tensor(x);
  if (!t) dead_handle(x);
  return t;
}

/* ---------------------------------------------------------------- arguments */

tl_dtype tl_r_dtype(SEXP x, tl_dtype dflt) {
  if (Rf_isNull(x)) return dflt;
  if (Rf_inherits(x, "torch_dtype") && TYPEOF(x) == INTSXP && XLENGTH(x) == 1 &&
      tl_dtype_valid(INTEGER(x)[0]))
    return (tl_dtype)INTEGER(x)[0];
  tl_r_stop(TL_ERR_VALUE, "dtype must be a torch_dtype such as torch_float32(), torch_float64(), "
                          "torch_int64(), torch_int32() or torch_bool()");
}

SEXP tl_r_dtype_object(tl_dtype dt) { return VECTOR_ELT(dtype_objs, (R_xlen_t)dt); }

int tl_r_shape(SEXP size, int64_t *shape) {
  if ((TYPEOF(size) != INTSXP && TYPEOF(size) != REALSXP) || Rf_isFactor(size))
    tl_r_stop(TL_ERR_VALUE, "size must be a numeric vector of non-negative whole numbers");
  R_xlen_t n = XLENGTH(size);
  if (n > TL_MAX_DIMS)
    tl_r_stop(TL_ERR_VALUE, "tensors can have at most %d dimensions, got %d", TL_MAX_DIMS,
              (int)n);
  for (R_xlen_t i = 0; i < n; i++) {
    double v;
    if (TYPEOF(size) == INTSXP) {
      int iv = INTEGER(size)[i];
      if (iv == NA_INTEGER) tl_r_stop(TL_ERR_VALUE, "size must not contain NA");
      v = iv;
    } else {
      v = REAL(size)[i];
      if (ISNAN(v)) tl_r_stop(TL_ERR_VALUE, "size must not contain NA or NaN");
    }
    if (v != floor(v)) tl_r_stop(TL_ERR_VALUE, "size must contain whole numbers, got %g", v);
    if (v >= 9.2e18 || v <= -9.2e18) tl_r_stop(TL_ERR_VALUE, "size %g is too large", v);
    shape[i] = (int64_t)v;
  }
  /* negative sizes and overflow are checked by the core with libtorch's wording */
  int64_t numel;
  if (tl_shape_numel((int)n, shape, &numel) != TL_OK) tl_r_throw();
  return (int)n;
}

double tl_r_double(SEXP x, const char *what) {
  if ((TYPEOF(x) != REALSXP && TYPEOF(x) != INTSXP && TYPEOF(x) != LGLSXP) || XLENGTH(x) != 1)
    tl_r_stop(TL_ERR_VALUE, "%s must be a single number", what);
  if (TYPEOF(x) == REALSXP) return REAL(x)[0];
  int v = TYPEOF(x) == INTSXP ? INTEGER(x)[0] : LOGICAL(x)[0];
  return v == NA_INTEGER ? NA_REAL : (double)v;
}

int tl_r_flag(SEXP x, const char *what) {
  if (TYPEOF(x) != LGLSXP || XLENGTH(x) != 1 || LOGICAL(x)[0] == NA_LOGICAL)
    tl_r_stop(TL_ERR_VALUE, "%s must be TRUE or FALSE", what);
  return LOGICAL(x)[0];
}

/* ---------------------------------------------------------------- set-up */

/* The method names seen last, by the address of their CHARSXP (x$name passes the symbol's
 * print name, the same object every time), with their symbol and function (from
 * tensor_methods_fast): a direct-mapped table, its names preserved so that an address
 * cannot be reused for another string while it is in the table. Fields never enter it. */
static SEXP bind_method(SEXP x, tl_tensor *t, SEXP sym, SEXP fun);
#define NAME_SLOTS 256
static SEXP name_key[NAME_SLOTS], name_sym[NAME_SLOTS], name_fun[NAME_SLOTS];

static int name_slot(SEXP ch) {
  uintptr_t a = (uintptr_t)ch >> 4; /* CHARSXPs lie in R's pages of small nodes */
  return (int)((a ^ (a >> 8)) & (NAME_SLOTS - 1));
}

SEXP C_tl_init(SEXP ns, SEXP dtypes, SEXP device) {
  tensor_tag = Rf_install("torchlite_tensor");
  self_sym = Rf_install("self");
  fast_method_sym = Rf_install("fast_method");
  class_attr = Rf_mkString("torch_tensor");
  R_PreserveObject(class_attr);
  MARK_NOT_MUTABLE(class_attr);
  if (!open_holder) {
    chunk_tag = Rf_install("torchlite_handle_chunk");
    open_holder = Rf_allocVector(VECSXP, 1);
    R_PreserveObject(open_holder);
  }
  pkg_env = ns;
  fast_env = NULL;
  for (int k = 0; k < NAME_SLOTS; k++) { /* a reload brings new functions */
    if (name_key[k]) R_ReleaseObject(name_key[k]);
    name_key[k] = name_sym[k] = name_fun[k] = NULL;
  }
  dtype_objs = dtypes;
  device_obj = device;
  R_PreserveObject(dtype_objs);
  R_PreserveObject(device_obj);
  return R_NilValue;
}

/* ---------------------------------------------------------------- fields and `$` */

static SEXP shape_sexp(const tl_tensor *t) {
  SEXP s = PROTECT(Rf_allocVector(INTSXP, t->ndim));
  for (int i = 0; i < t->ndim; i++)
    INTEGER(s)[i] = t->shape[i] > INT_MAX ? NA_INTEGER : (int)t->shape[i];
  UNPROTECT(1);
  return s;
}

SEXP C_tl_shape(SEXP x) { return shape_sexp(tl_r_unwrap(x)); }

/* Fields are answered directly; any other name is looked up among the methods and returned
 * as a closure whose environment binds `self` to x. */
SEXP C_tl_dollar(SEXP x, SEXP name) {
  if (TYPEOF(name) != STRSXP || XLENGTH(name) != 1) tl_r_stop(TL_ERR_VALUE, "invalid name");
  SEXP ch = STRING_ELT(name, 0);
  const char *nm = CHAR(ch);
  tl_tensor *t = tl_r_unwrap(x);
  int slot = name_slot(ch);
  if (name_key[slot] == ch) return bind_method(x, t, name_sym[slot], name_fun[slot]);
  switch (nm[0]) {
  case 'd':
    if (!strcmp(nm, "dtype")) return tl_r_dtype_object(t->dtype);
    if (!strcmp(nm, "device")) return device_obj;
    break;
  case 'g':
    if (!strcmp(nm, "grad")) return C_tl_grad(x);
    if (!strcmp(nm, "grad_fn")) return C_tl_grad_fn(x);
    break;
  case 'i':
    if (!strcmp(nm, "is_leaf")) return Rf_ScalarLogical(tl_is_leaf(t));
    if (!strcmp(nm, "is_cuda")) return Rf_ScalarLogical(0);
    break;
  case 'n':
    if (!strcmp(nm, "ndim")) return Rf_ScalarInteger(t->ndim);
    if (!strcmp(nm, "names")) return R_NilValue;
    break;
  case 'r':
    if (!strcmp(nm, "requires_grad")) return Rf_ScalarLogical(tl_requires_grad(t));
    break;
  case 's':
    if (!strcmp(nm, "shape")) return shape_sexp(t);
    break;
  default: break;
  }
  SEXP sym = Rf_installChar(ch);
  /* the method with its C routines as constants, made by fast_method() (R/tensor.R) on
   * first use; fast_method() gives NULL for a name that is not a method */
  if (!fast_env) {
    fast_env = Rf_eval(Rf_install("tensor_methods_fast"), pkg_env); /* lazy-loaded */
    if (TYPEOF(fast_env) != ENVSXP) tl_r_stop(TL_ERR_RUNTIME, "torchlite is not loaded properly");
  }
  SEXP fun = Rf_findVarInFrame(fast_env, sym);
  if (fun == R_UnboundValue) {
    SEXP call = PROTECT(Rf_lang2(fast_method_sym, name));
    fun = Rf_eval(call, pkg_env);
    UNPROTECT(1);
  }
  if (TYPEOF(fun) != CLOSXP)
    tl_r_stop(TL_ERR_VALUE, "'%s' is not a field or method of torch_tensor", nm);
  if (name_key[slot]) R_ReleaseObject(name_key[slot]);
  R_PreserveObject(ch);
  name_key[slot] = ch;
  name_sym[slot] = sym;
  name_fun[slot] = fun; /* kept alive by tensor_methods_fast */
  return bind_method(x, t, sym, fun);
}

/* handles that bound a method recently (addresses only, never dereferenced: a reused address
 * at worst gives a handle a cache it does not need) */
#define RECENT_SLOTS 16
static SEXP recent_handle[RECENT_SLOTS];
static int recent_next = 0;

static int seen_recently(SEXP x) {
  for (int k = 0; k < RECENT_SLOTS; k++)
    if (recent_handle[k] == x) return 1;
  recent_handle[recent_next] = x;
  recent_next = (recent_next + 1) % RECENT_SLOTS;
  return 0;
}

/* A copy of the closure fun with environment env: formals and (compiled) body shared, and
 * the attribute list (the srcref that print() shows) copied cell by cell with its values
 * shared, made read-only so that a change to one copy's attribute does not reach the others.
 * (Rf_shallow_duplicate() would also copy the srcref vector: ~4 times the work.) */
static SEXP bound_closure(SEXP fun, SEXP env) {
  SEXP clo = PROTECT(Rf_allocSExp(CLOSXP));
  SET_FORMALS(clo, FORMALS(fun));
  SET_BODY(clo, BODY(fun));
  SET_CLOENV(clo, env);
  SEXP a = ATTRIB(fun);
  if (a != R_NilValue) {
    SEXP head = PROTECT(Rf_cons(CAR(a), R_NilValue)), tail = head;
    SET_TAG(head, TAG(a));
    MARK_NOT_MUTABLE(CAR(a));
    for (a = CDR(a); a != R_NilValue; a = CDR(a)) {
      SETCDR(tail, Rf_cons(CAR(a), R_NilValue));
      tail = CDR(tail);
      SET_TAG(tail, TAG(a));
      MARK_NOT_MUTABLE(CAR(a));
    }
    SET_ATTRIB(clo, head);
    if (OBJECT(fun)) SET_OBJECT(clo, 1);
    UNPROTECT(1);
  }
  UNPROTECT(1);
  return clo;
}

/* x$method: fun (from tensor_methods_fast) with self bound to x */
static SEXP bind_method(SEXP x, tl_tensor *t, SEXP sym, SEXP fun) {
  /* a leaf that binds methods again and again (a parameter, data, a gradient: handles that
   * live across a loop) keeps the methods it bound last; a temporary binds once and gets no
   * cache */
  SEXP box = R_ExternalPtrProtected(x);
  SEXP cache = tl_r_box_cache(box, 0);
  if (cache == R_NilValue && tl_is_leaf(t) && seen_recently(x)) cache = tl_r_box_cache(box, 1);
  if (cache != R_NilValue)
    for (int k = 0; k < TL_BOX_METHODS; k++)
      if (VECTOR_ELT(cache, 2 + 2 * k) == sym) return VECTOR_ELT(cache, 3 + 2 * k);
  PROTECT(cache);
  SEXP env = PROTECT(R_NewEnv(CLOENV(fun), FALSE, 1));
  Rf_defineVar(self_sym, x, env);
  SEXP clo = PROTECT(bound_closure(fun, env));
  if (cache != R_NilValue) {
    for (int k = TL_BOX_METHODS - 1; k > 0; k--) {
      SET_VECTOR_ELT(cache, 2 + 2 * k, VECTOR_ELT(cache, 2 * k));
      SET_VECTOR_ELT(cache, 3 + 2 * k, VECTOR_ELT(cache, 1 + 2 * k));
    }
    SET_VECTOR_ELT(cache, 2, sym);
    SET_VECTOR_ELT(cache, 3, clo);
  }
  UNPROTECT(3);
  return clo;
}

SEXP C_tl_set_requires_grad(SEXP x, SEXP value) {
  tl_tensor *t = tl_r_unwrap(x);
  if (tl_set_requires_grad(t, tl_r_flag(value, "requires_grad")) != TL_OK) tl_r_throw();
  return x;
}

SEXP C_tl_numel(SEXP x) { return Rf_ScalarReal((double)tl_r_unwrap(x)->numel); }

SEXP C_tl_strides(SEXP x) {
  tl_tensor *t = tl_r_unwrap(x);
  SEXP s = PROTECT(Rf_allocVector(INTSXP, t->ndim));
  for (int i = 0; i < t->ndim; i++) INTEGER(s)[i] = (int)t->strides[i];
  UNPROTECT(1);
  return s;
}

SEXP C_tl_is_contiguous(SEXP x) { return Rf_ScalarLogical(tl_is_contiguous(tl_r_unwrap(x))); }

SEXP C_tl_type_name(SEXP x) { return Rf_mkString(tl_dtype_name(tl_r_unwrap(x)->dtype)); }

SEXP C_tl_version(SEXP x) { return Rf_ScalarReal((double)tl_r_unwrap(x)->storage->version); }

SEXP C_tl_data_ptr(SEXP x) {
  char buf[32];
  snprintf(buf, sizeof buf, "%p", tl_data(tl_r_unwrap(x)));
  return Rf_mkString(buf);
}

/* identity of the tensor object behind a handle (two handles can share one tensor) */
SEXP C_tl_tensor_id(SEXP x) {
  char buf[32];
  snprintf(buf, sizeof buf, "%p", (void *)tl_r_unwrap(x));
  return Rf_mkString(buf);
}

SEXP C_tl_is_valid(SEXP x) { return Rf_ScalarLogical(tl_r_tensor_or_null(x) != NULL); }

/* ---------------------------------------------------------------- conversions */

SEXP C_tl_to(SEXP x, SEXP dtype, SEXP copy) {
  tl_tensor *t = tl_r_unwrap(x);
  tl_dtype dt = tl_r_dtype(dtype, t->dtype);
  int cp = tl_r_flag(copy, "copy");
  if (dt == t->dtype && !cp) return x;
  return tl_r_wrap(tl_ag_to_dtype(t, dt, 1));
}

SEXP C_tl_clone(SEXP x) { return tl_r_wrap(tl_ag_clone(tl_r_unwrap(x))); }

SEXP C_tl_contiguous(SEXP x) {
  tl_tensor *t = tl_r_unwrap(x);
  if (tl_is_contiguous(t)) return x;
  return tl_r_wrap(tl_ag_contiguous(t));
}

/* ---------------------------------------------------------------- memory and threads */

/* the forced collections' state, for tests: collections that asked for the next one to
 * include the older generation, and the growth the next such request waits for (MB) */
SEXP C_tl_gc_state(void) {
  SEXP v = PROTECT(Rf_allocVector(REALSXP, 2));
  REAL(v)[0] = n_armed;
  REAL(v)[1] = (double)(arm_slack >> 20);
  UNPROTECT(1);
  return v;
}

/* for tests: with NULL, closes the chunk being filled (tensors made next start a new one);
 * with a handle, releases its chunk now, as a collection does once none of the chunk's
 * handles is reachable (its handles then count as dead). FALSE if the handle has no chunk. */
SEXP C_tl_chunk_test(SEXP x) {
  if (Rf_isNull(x)) {
    seal_open_chunk();
    return R_NilValue;
  }
  tl_r_unwrap(x);
  SEXP token = tl_r_box_token(R_ExternalPtrProtected(x));
  if (token == R_NilValue) return Rf_ScalarLogical(0);
  chunk_finalizer(token);
  return Rf_ScalarLogical(1);
}

SEXP C_tl_mem(void) {
  SEXP out = PROTECT(Rf_allocVector(REALSXP, 2));
  REAL(out)[0] = (double)tl_mem_bytes();
  REAL(out)[1] = (double)tl_mem_objects();
  UNPROTECT(1);
  return out;
}

SEXP C_tl_set_num_threads(SEXP n) {
  double v = tl_r_double(n, "num_threads");
  if (!(v >= 1 && v <= 1024 && v == (int)v))
    tl_r_stop(TL_ERR_VALUE, "num_threads must be a whole number between 1 and 1024");
  tl_set_num_threads((int)v);
  return R_NilValue;
}

SEXP C_tl_get_num_threads(void) { return Rf_ScalarInteger(tl_get_num_threads()); }

SEXP C_tl_backend_info(void) {
  SEXP out = PROTECT(Rf_allocVector(VECSXP, 4));
  SEXP nms = PROTECT(Rf_allocVector(STRSXP, 4));
  SET_VECTOR_ELT(out, 0, Rf_mkString(tl_blas_name()));
  SET_VECTOR_ELT(out, 1, Rf_ScalarInteger(tl_get_num_threads()));
  SET_VECTOR_ELT(out, 2, Rf_ScalarLogical(tl_have_openmp()));
  SET_VECTOR_ELT(out, 3, Rf_mkString(tl_elementwise_wide() ? "avx512" : tl_elementwise_simd()));
  SET_STRING_ELT(nms, 0, Rf_mkChar("blas"));
  SET_STRING_ELT(nms, 1, Rf_mkChar("num_threads"));
  SET_STRING_ELT(nms, 2, Rf_mkChar("openmp"));
  SET_STRING_ELT(nms, 3, Rf_mkChar("simd"));
  Rf_setAttrib(out, R_NamesSymbol, nms);
  UNPROTECT(2);
  return out;
}
