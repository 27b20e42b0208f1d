#pragma once
// Hugging Face's Conv1D product, rows (M, K) x weight (K, N) + bias, with gradients, on the
// row kernels (row_products.h): the forward product, and in the backward pass
// dX = dY W^T (through a transposed copy of W, a few hundred KB for small models) and
// dW = X^T dY, each again rows times a weight read in place.
//
// OpenBLAS's sgemm on this generation of CPUs runs its AVX2 kernel; the AVX-512 row kernel
// does the same products in about half the time. Measured on the shakespeare_char model's
// shapes (768 rows, K = 128, N = 384, 1 thread): forward 830 -> 461 us, dW 821 -> 579 us.
#include <ATen/core/Tensor.h>

namespace gpt2 {

// Whether conv1d_product runs these operands on the row kernels (else BLAS under autograd).
bool trains_on_row_kernels(const at::Tensor& rows, const at::Tensor& weight);

// rows (M, K) x weight (K, N) + bias (N) -> (M, N), differentiable in all three.
at::Tensor conv1d_product(const at::Tensor& rows, const at::Tensor& weight, const at::Tensor& bias);

// gelu(x, approximate="tanh") with its gradient on the row functions (row_math.h) when x is a
// float CPU tensor recording a graph and this CPU has a row kernel; undefined otherwise (the
// caller then uses ATen's). ATen's tanh runs at 2-3 ns per element, a tenth of the
// shakespeare_char model's step; this costs a few tenths of a nanosecond.
at::Tensor gelu_tanh_trainable(const at::Tensor& x);

}  // namespace gpt2
