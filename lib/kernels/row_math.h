#pragma once
// The model's row-wise functions (layer norm, tanh GELU, softmax, log-sum-exp, argmax) on the
// row kernels' instruction sets (row_products.h), for inference at decoding sizes (and the
// GELU's gradient, for training).
//
// At 8 rows of GPT-2 124M, ATen's versions cost more than they compute: a layer norm of 8 x 768
// wakes a second thread (30 us with a passive wait policy against 2 us in one), and its tanh
// and exp run at 2-3 ns per element. These take one thread, vectorized exp (max. relative
// error 2 ulp over the range where it does not overflow or underflow), and compute each row
// alone, in the same order whatever the number of rows. Plain C++ (no LibTorch).
#include <cstdint>

#include "kernels/row_products.h"

namespace gpt2 {

struct RowMath {
  // y[i] = x[i] / (1 + e^(-2u)) with u = sqrt(2 / pi) (x + 0.044715 x^3): GPT-2's GELU,
  // 0.5 x (1 + tanh(u)), written without the tanh. y may be x.
  void (*gelu_tanh)(const float* x, float* y, int64_t n);
  // Its gradient: dx[i] = dy[i] (s + 2 x s (1 - s) sqrt(2 / pi) (1 + 3 * 0.044715 x^2)) with
  // s = 1 / (1 + e^(-2u)), for training. dx may be dy.
  void (*gelu_tanh_backward)(const float* x, const float* dy, float* dx, int64_t n);
  // y = (x - mean) / sqrt(var + eps) * weight + bias over one row of n (population variance,
  // as torch.nn.LayerNorm). y may be x.
  void (*layer_norm)(const float* x, float* y, int64_t n, const float* weight, const float* bias,
                     float eps);
  // In place: row = softmax(row * scale + bias), bias (n) or null. Inputs at or below
  // -87.3 after the max is subtracted give exactly 0.
  void (*softmax)(float* row, int64_t n, float scale, const float* bias);
  // log(sum e^row[i]); -inf entries count as 0; NaN if the row has a NaN or is all -inf.
  float (*log_sum_exp)(const float* row, int64_t n);
  // The first index of the row's maximum, or of its first NaN (as torch.argmax). n >= 1.
  int64_t (*argmax)(const float* row, int64_t n);
};

// The functions for `kernel`, which must be supported (row_kernel_supported) and not none.
const RowMath& row_math(RowKernel kernel);

}  // namespace gpt2
