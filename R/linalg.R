#' @include tensor.R
NULL

# Matrix products on BLAS. Each function is one .Call.

#' Matrix products
#'
#' `torch_mm()` multiplies two matrices, `torch_bmm()` two batches of matrices (3-d
#' tensors), `torch_mv()` a matrix and a vector, `torch_dot()` two vectors.
#' `torch_matmul()` follows PyTorch's rules: vector-vector is a dot product,
#' matrix-vector and vector-matrix products drop the vector's dimension, and with more
#' than two dimensions the leading (batch) dimensions broadcast. Both operands must have
#' the same dtype; float32 and float64 products use BLAS (`sgemm`/`dgemm`), integer
#' products plain loops.
#'
#' @param self a tensor.
#' @param mat2,vec,tensor,other the second operand.
#' @return A tensor.
#' @examples
#' a <- torch_tensor(matrix(1:6, 2, 3), dtype = torch_float())
#' b <- torch_tensor(matrix(1:6, 3, 2), dtype = torch_float())
#' torch_mm(a, b)
#' a$matmul(b)
#' torch_mv(a, torch_tensor(c(1, 0, 1)))
#' torch_dot(torch_tensor(c(1, 2)), torch_tensor(c(3, 4)))
#' torch_matmul(torch_ones(5, 2, 3), b)$shape
#' @name torch_mm
NULL

#' @rdname torch_mm
#' @export
torch_mm <- function(self, mat2) .Call(C_tl_mm, self, mat2)

#' @rdname torch_mm
#' @export
torch_bmm <- function(self, mat2) .Call(C_tl_bmm, self, mat2)

#' @rdname torch_mm
#' @export
torch_mv <- function(self, vec) .Call(C_tl_mv, self, vec)

#' @rdname torch_mm
#' @export
torch_dot <- function(self, tensor) .Call(C_tl_dot, self, tensor)

#' @rdname torch_mm
#' @export
torch_matmul <- function(self, other) .Call(C_tl_matmul, self, other)

# internal, for tests: whether small float products are computed directly (bit for bit
# OpenBLAS's result) instead of by BLAS; NULL asks, FALSE switches the path off, TRUE on
tl_small_gemm <- function(enable = NULL) .Call(C_tl_small_gemm, enable)

define_methods(
  mm = function(mat2) .Call(C_tl_mm, self, mat2),
  bmm = function(mat2) .Call(C_tl_bmm, self, mat2),
  mv = function(vec) .Call(C_tl_mv, self, vec),
  dot = function(tensor) .Call(C_tl_dot, self, tensor),
  matmul = function(other) .Call(C_tl_matmul, self, other)
)

#' Linear transformation
#'
#' `input %*% t(weight) + bias`, as `torch.nn.functional.linear`: `input` is
#' `(..., in_features)`, `weight` is `(out_features, in_features)` and `bias`
#' `(out_features)`. The transposed weight goes to BLAS as a transpose flag, without a copy.
#'
#' @param input a tensor `(..., in_features)`.
#' @param weight a tensor `(out_features, in_features)`.
#' @param bias an optional tensor broadcastable to `(..., out_features)`.
#' @return A tensor `(..., out_features)`.
#' @examples
#' x <- torch_ones(4, 3)
#' w <- torch_tensor(matrix(1:6, 2, 3), dtype = torch_float())
#' nnf_linear(x, w, torch_tensor(c(0.5, -0.5)))
#' @export
nnf_linear <- function(input, weight, bias = NULL) .Call(C_tl_linear, input, weight, bias)
