/* Kernels behind the creation functions (torch_arange, torch_linspace, torch_eye). */
#ifndef TL_OPS_CREATION_H
#define TL_OPS_CREATION_H

#include "../tensor.h"

tl_tensor *tl_arange(double start, double end, double step, tl_dtype dt);
tl_tensor *tl_linspace(double start, double end, int64_t steps, tl_dtype dt);
tl_tensor *tl_eye(int64_t n, int64_t m, tl_dtype dt);

#endif
