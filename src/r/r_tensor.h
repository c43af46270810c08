/* Shared declarations of the R layer: handles, error signalling and argument helpers. */
#ifndef TL_R_TENSOR_H
#define TL_R_TENSOR_H

#define R_NO_REMAP
#include <R.h>
#include <Rinternals.h>

#include "../core/tensor.h"

/* Error kinds map to R condition classes (value_error, runtime_error, ...). */
void tl_r_throw(void) __attribute__((noreturn));                /* from the core's last error */
void tl_r_stop(tl_status kind, const char *fmt, ...) __attribute__((noreturn, format(printf, 2, 3)));

/* Wraps a tensor in a new R handle; steals the caller's reference (releases it on failure). */
SEXP tl_r_wrap(tl_tensor *t);
/* The tensor behind a handle (borrowed); errors for anything else. */
tl_tensor *tl_r_unwrap(SEXP x);
int tl_r_is_tensor(SEXP x);
/* The tensor behind a live handle (borrowed), or NULL for anything else; never throws. */
tl_tensor *tl_r_tensor_or_null(SEXP x);
/* Any tensor-like argument as a tensor the caller must release: a handle gives its tensor
 * (one more reference), an R scalar a 0-d "wrapped number" (R double -> float64, integer ->
 * int64, logical -> bool), an R vector or array a new tensor as torch_tensor() makes it. */
tl_tensor *tl_r_as_tensor(SEXP x);
/* R data to a new tensor; dt < 0 picks the default dtype for the R type. */
tl_tensor *tl_r_from_array(SEXP data, int dt);

/* dtype argument: NULL gives `dflt` */
tl_dtype tl_r_dtype(SEXP x, tl_dtype dflt);
SEXP tl_r_dtype_object(tl_dtype dt);
/* size argument: numeric vector of non-negative whole numbers */
int tl_r_shape(SEXP size, int64_t *shape);
double tl_r_double(SEXP x, const char *what);
int tl_r_flag(SEXP x, const char *what);
/* R callbacks from C: errors and interrupts are trapped (the core never sees a longjmp);
 * tl_r_throw_pending() re-raises them once the core has unwound. */
SEXP tl_r_call_trapped(SEXP call, int *failed);
void tl_r_throw_pending(void) __attribute__((noreturn));

/* Serialization (r_altrep.c). A handle is an external pointer whose protected slot holds a
 * "box", a small ALTREP object that writes the tensor's data when R serializes the handle
 * and rebuilds it when R reads it back. */
SEXP tl_r_new_box(SEXP handle, SEXP token);
SEXP tl_r_box_token(SEXP box);
/* A handle of a leaf tensor that is asked for its gradient or a method keeps what it
 * returned, in a list in its box: [0] the chunk token, [1] the handle of the gradient,
 * then TL_BOX_METHODS pairs (method name symbol, bound closure), the latest first. NULL when
 * there is none (and `create` is 0) or `box` is not a box. */
#define TL_BOX_METHODS 4
#define TL_BOX_CACHE_LEN (2 + 2 * TL_BOX_METHODS)
SEXP tl_r_box_cache(SEXP box, int create);
/* A handle with its own finalizer, outside the chunks (for handles that are kept). */
SEXP tl_r_wrap_own(tl_tensor *t);
/* Points a handle restored with a NULL address at t (stealing the reference). */
void tl_r_adopt(SEXP handle, tl_tensor *t);

#endif
