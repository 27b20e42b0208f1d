#pragma once
// Tensor forms of the vectorized row functions (row_math.h), for the model and the decoder.
// Each runs the row code when its tensors are float CPU tensors with no autograd graph to
// record and this CPU has a row kernel (best_row_kernel), and ATen's function otherwise
// (training, other dtypes and devices, GPT2_ROW_KERNELS=0). All act on the last dimension;
// rows are shared out over threads only in chunks of many elements, and each row's result
// is the same whatever the chunking.
namespace at {
class Tensor;
}

namespace gpt2 {

// torch.nn.functional.layer_norm(x, (C,), weight, bias, eps), C = x.size(-1).
at::Tensor layer_norm_rows(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias,
                           double eps);

// GPT-2's GELU, gelu(x, approximate="tanh").
at::Tensor gelu_tanh_rows(const at::Tensor& x);

// logsumexp(x, -1) (NaN for a row that is all -inf), and argmax(x, -1): the first index of
// the maximum, or of the first NaN.
at::Tensor log_sum_exp_rows(const at::Tensor& x);
at::Tensor argmax_rows(const at::Tensor& x);

}  // namespace gpt2
