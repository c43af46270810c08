# A first look at torchlite: tensors from R data, random numbers that match PyTorch's,
# and conversion back to R.
library(torchlite)

x <- torch_tensor(matrix(c(1, 2, 3, 4, 5, 6), nrow = 2))
print(x)
cat("shape:", x$shape, " dtype:", as.character(x$dtype), "\n")

torch_manual_seed(1)
print(torch_randn(3))

w <- torch_ones(2, 2, requires_grad = TRUE)
print(w)

print(as_array(x))
