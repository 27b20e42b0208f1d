#include "kernels/trainable_rows.h"

#include <ATen/ATen.h>
#include <torch/csrc/autograd/custom_function.h>

#include "kernels/matmul_rows.h"

namespace gpt2 {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

struct RowKernelConv1D : torch::autograd::Function<RowKernelConv1D> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& rows, const at::Tensor& weight,
                            const at::Tensor& bias) {
    ctx->save_for_backward({rows, weight});
    at::NoGradGuard no_grad;  // the kernel records no graph; this node is the graph
    return matmul_rows(rows, weight, WeightLayout::in_out, bias);  // (M, N)
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const auto& rows = saved[0];            // (M, K)
    const auto& weight = saved[1];          // (K, N)
    const auto dy = grads[0].contiguous();  // (M, N)
    at::NoGradGuard no_grad;
    at::Tensor d_rows, d_weight, d_bias;
    if (ctx->needs_input_grad(0))
      d_rows = matmul_rows(dy, weight.t().contiguous(), WeightLayout::in_out, {});  // (M, K)
    if (ctx->needs_input_grad(1))
      d_weight = matmul_rows(rows.t().contiguous(), dy, WeightLayout::in_out, {});  // (K, N)
    if (ctx->needs_input_grad(2)) d_bias = dy.sum(0);                               // (N)
    return {d_rows, d_weight, d_bias};
  }
};

bool records_graph(const at::Tensor& rows, const at::Tensor& weight, const at::Tensor& bias) {
  return at::GradMode::is_enabled() && (rows.requires_grad() || weight.requires_grad() ||
                                        (bias.defined() && bias.requires_grad()));
}

}  // namespace

bool trains_on_row_kernels(const at::Tensor& rows, const at::Tensor& weight) {
  at::NoGradGuard no_grad;  // asks whether the products themselves qualify
  return uses_row_kernel(rows, weight);
}

at::Tensor conv1d_product(const at::Tensor& rows, const at::Tensor& weight,
                          const at::Tensor& bias) {
  if (records_graph(rows, weight, bias) && bias.defined() && trains_on_row_kernels(rows, weight))
    return RowKernelConv1D::apply(rows, weight, bias);
  return matmul_rows(rows, weight, WeightLayout::in_out, bias);
}

}  // namespace gpt2
