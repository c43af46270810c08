/* Registration of the .Call entry points. */
#include "r_tensor.h"

#include <R_ext/Rdynload.h>
#include <R_ext/Visibility.h>

#include "../core/parallel.h"
#include "../core/random.h"

#define DECL(name, n) extern SEXP name();
#define ENTRIES(X)                 \
  X(C_tl_init, 3)                  \
  X(C_tl_dollar, 2)                \
  X(C_tl_shape, 1)                 \
  X(C_tl_set_requires_grad, 2)     \
  X(C_tl_numel, 1)                 \
  X(C_tl_strides, 1)               \
  X(C_tl_is_contiguous, 1)         \
  X(C_tl_type_name, 1)             \
  X(C_tl_version, 1)               \
  X(C_tl_data_ptr, 1)              \
  X(C_tl_is_valid, 1)              \
  X(C_tl_tensor_id, 1)             \
  X(C_tl_to, 3)                    \
  X(C_tl_clone, 1)                 \
  X(C_tl_contiguous, 1)            \
  X(C_tl_mem, 0)                   \
  X(C_tl_gc_state, 0)              \
  X(C_tl_chunk_test, 1)            \
  X(C_tl_set_num_threads, 1)       \
  X(C_tl_get_num_threads, 0)       \
  X(C_tl_backend_info, 0)          \
  X(C_tl_from_r, 3)                \
  X(C_tl_as_array, 2)              \
  X(C_tl_values, 1)                \
  X(C_tl_item, 1)                  \
  X(C_tl_full, 4)                  \
  X(C_tl_zeros, 3)                 \
  X(C_tl_arange, 5)                \
  X(C_tl_linspace, 5)              \
  X(C_tl_eye, 4)                   \
  X(C_tl_manual_seed, 1)           \
  X(C_tl_rand, 4)                  \
  X(C_tl_randint, 5)               \
  X(C_tl_set_grad_mode, 1)         \
  X(C_tl_grad_mode, 0)             \
  X(C_tl_set_anomaly, 1)           \
  X(C_tl_grad_fn, 1)               \
  X(C_tl_node_name, 1)             \
  X(C_tl_node_id, 1)               \
  X(C_tl_node_next, 1)             \
  X(C_tl_grad, 1)                  \
  X(C_tl_set_grad, 2)              \
  X(C_tl_is_leaf, 1)               \
  X(C_tl_requires_grad, 1)         \
  X(C_tl_requires_grad_, 2)        \
  X(C_tl_retain_grad, 1)           \
  X(C_tl_retains_grad, 1)          \
  X(C_tl_detach, 1)                \
  X(C_tl_detach_, 1)               \
  X(C_tl_register_hook, 2)         \
  X(C_tl_remove_hook, 2)           \
  X(C_tl_run_backward, 7)          \
  X(C_tl_node_variable, 1)         \
  X(C_tl_custom_record, 3)

/* each op family lists its entry points in its own header */
#include "calls_elementwise.h"
#include "calls_reduce.h"
#include "calls_shape.h"

#define ALL_ENTRIES(X) ENTRIES(X) CALLS_ELEMENTWISE(X) CALLS_REDUCE(X) CALLS_SHAPE(X)

ALL_ENTRIES(DECL)

void tl_r_init_altrep(DllInfo *dll); /* r_altrep.c: the class that serializes tensors */

#define ENTRY(name, n) {#name, (DL_FUNC)&name, n},
static const R_CallMethodDef call_methods[] = {ALL_ENTRIES(ENTRY){NULL, NULL, 0}};

/* .External2 entry points: they see the calling frame (`...` of the `[` methods, the `code`
 * promise of with_no_grad()) without an environment() call */
SEXP C_tl_index_ext(SEXP call, SEXP op, SEXP args, SEXP env);
SEXP C_tl_index_put_ext(SEXP call, SEXP op, SEXP args, SEXP env);
SEXP C_tl_with_grad_mode_ext(SEXP call, SEXP op, SEXP args, SEXP env);
SEXP C_tl_backward_ext(SEXP call, SEXP op, SEXP args, SEXP env);
static const R_ExternalMethodDef external_methods[] = {
    {"C_tl_backward_ext", (DL_FUNC)(void (*)(void))&C_tl_backward_ext, -1},
    {"C_tl_index_ext", (DL_FUNC)(void (*)(void))&C_tl_index_ext, -1},
    {"C_tl_index_put_ext", (DL_FUNC)(void (*)(void))&C_tl_index_put_ext, -1},
    {"C_tl_with_grad_mode_ext", (DL_FUNC)(void (*)(void))&C_tl_with_grad_mode_ext, -1},
    {NULL, NULL, 0}};

void attribute_visible R_init_torchlite(DllInfo *dll) {
  R_registerRoutines(dll, NULL, call_methods, NULL, external_methods);
  R_useDynamicSymbols(dll, FALSE);
  R_forceSymbols(dll, TRUE);
  tl_r_init_altrep(dll);
}
