/* Matrix products on BLAS: mm, bmm, mv, dot, matmul (PyTorch semantics, batch broadcasting)
 * and linear.
 *
 * float64 goes to dgemm_, float32 to sgemm_ when the package is linked to OpenBLAS
 * (TL_HAVE_OPENBLAS); R's reference BLAS has no sgemm, so without OpenBLAS float32 products
 * are computed by dgemm_ on double copies and rounded back. Integer products use plain loops;
 * bool products are errors as in PyTorch. Strided operands whose rows or columns are
 * contiguous go to BLAS as they are, with a transpose flag; only other layouts are copied.
 * Small float products of the shapes where OpenBLAS's Haswell kernels sum in order are
 * computed directly, with OpenBLAS's bits (linalg.c, "small products"). Error messages are
 * PyTorch's. */
#ifndef TL_OPS_LINALG_H
#define TL_OPS_LINALG_H

#include "../tensor.h"

tl_tensor *tl_mm(const tl_tensor *a, const tl_tensor *b);
tl_tensor *tl_bmm(const tl_tensor *a, const tl_tensor *b);
tl_tensor *tl_mv(const tl_tensor *a, const tl_tensor *v);
tl_tensor *tl_dot(const tl_tensor *a, const tl_tensor *b);
tl_tensor *tl_matmul(const tl_tensor *a, const tl_tensor *b);
/* op(a) %*% op(b) for 2-d a and b, op transposing when the flag is set (no copy): the
 * products that backward formulas need (grad %*% t(b), t(a) %*% grad). */
tl_tensor *tl_mm_t(const tl_tensor *a, int transpose_a, const tl_tensor *b, int transpose_b);
/* input %*% t(weight) + bias (bias may be NULL), as torch.nn.functional.linear */
tl_tensor *tl_linear(const tl_tensor *input, const tl_tensor *weight, const tl_tensor *bias);
/* The direct path for small float products (see linalg.c): mode 0 switches it off, 1 on
 * where the CPU and the BLAS allow it, -1 only asks. Returns whether it is on. */
int tl_small_gemm(int mode);

#endif
