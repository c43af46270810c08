/* Reductions: sum, mean, prod, max/min (with indices), amax/amin, argmax/argmin, var/std,
 * norm, logsumexp, all/any, and the scan cumsum.
 *
 * Dimensions are 0-based as in libtorch; a negative dimension counts from the end. `dims`
 * == NULL means "every dimension" (ndims is then ignored); a 0-d tensor accepts the
 * dimensions 0 and -1. Dimension errors carry libtorch's wording (0-based); the R layer
 * checks dimensions itself first and reports them 1-based as R torch does.
 *
 * `dtype` arguments are a tl_dtype code or -1 for "the default": sum and prod of
 * bool/integer tensors give int64 as in PyTorch; with a dtype the input is converted to it
 * before reducing.
 *
 * Floating sums follow libtorch's cascade summation (aten/src/ATen/native/cpu/
 * SumKernel.cpp): the same dimension ordering, the same 8-lane (float) / 4-lane (double)
 * partial sums and the same multi-level accumulators, so that sums below libtorch's
 * parallel grain size equal PyTorch's bit for bit. Larger sums are split into pieces whose
 * boundaries depend only on the shape (never on the thread count), so results are
 * deterministic and the same for any number of threads. */
#ifndef TL_OPS_REDUCE_H
#define TL_OPS_REDUCE_H

#include "../tensor.h"

tl_tensor *tl_sum(const tl_tensor *x, const int64_t *dims, int ndims, int keepdim, int dtype);
tl_tensor *tl_mean(const tl_tensor *x, const int64_t *dims, int ndims, int keepdim, int dtype);
/* dims: one dimension or NULL for all (as PyTorch's prod) */
tl_tensor *tl_prod(const tl_tensor *x, const int64_t *dim, int keepdim, int dtype);

tl_tensor *tl_amax(const tl_tensor *x, const int64_t *dims, int ndims, int keepdim);
tl_tensor *tl_amin(const tl_tensor *x, const int64_t *dims, int ndims, int keepdim);
/* max/min over all elements: a 0-d tensor (NaN propagates) */
tl_tensor *tl_max_all(const tl_tensor *x);
tl_tensor *tl_min_all(const tl_tensor *x);
/* max/min along one dimension: values and 0-based int64 indices of the first extreme (the
 * first NaN when there is one). On success both outputs are new references. */
tl_status tl_max_dim(const tl_tensor *x, int64_t dim, int keepdim, tl_tensor **values,
                     tl_tensor **indices);
tl_status tl_min_dim(const tl_tensor *x, int64_t dim, int keepdim, tl_tensor **values,
                     tl_tensor **indices);
/* 0-based int64 indices; dim == NULL: the index into the flattened tensor */
tl_tensor *tl_argmax(const tl_tensor *x, const int64_t *dim, int keepdim);
tl_tensor *tl_argmin(const tl_tensor *x, const int64_t *dim, int keepdim);

/* divisor max(0, N - correction); take_sqrt gives std. Floating inputs only; computed in
 * double precision (two passes: mean, then squared deviations). */
tl_tensor *tl_var(const tl_tensor *x, const int64_t *dims, int ndims, double correction,
                  int keepdim);
tl_tensor *tl_std(const tl_tensor *x, const int64_t *dims, int ndims, double correction,
                  int keepdim);
/* vector p-norm over dims (p = 2, 1, Inf, -Inf, 0 or any other real); floating inputs */
tl_tensor *tl_norm(const tl_tensor *x, double p, const int64_t *dims, int ndims, int keepdim,
                   int dtype);
/* log(sum(exp(x))) computed as max + log(sum(exp(x - max))); integer inputs give float32 */
tl_tensor *tl_logsumexp(const tl_tensor *x, const int64_t *dims, int ndims, int keepdim);
/* bool results; any input dtype (nonzero is true) */
tl_tensor *tl_all(const tl_tensor *x, const int64_t *dim, int keepdim);
tl_tensor *tl_any(const tl_tensor *x, const int64_t *dim, int keepdim);

/* cumulative sum along dim: float accumulates in double, integers/bool in int64 (result
 * int64 as in PyTorch) */
tl_tensor *tl_cumsum(const tl_tensor *x, int64_t dim, int dtype);

#endif
