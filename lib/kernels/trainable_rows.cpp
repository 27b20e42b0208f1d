#include "kernels/trainable_rows.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <torch/csrc/autograd/custom_function.h>

#include "kernels/matmul_rows.h"
#include "kernels/row_math.h"

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

// Elements per task when a GELU is shared out over threads.
constexpr int64_t kGeluGrain = int64_t(1) << 15;

struct RowKernelGelu : torch::autograd::Function<RowKernelGelu> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& x, const RowMath* math) {
    const auto in = x.contiguous();
    ctx->save_for_backward({in});
    ctx->saved_data["math"] = int64_t(reinterpret_cast<intptr_t>(math));
    auto out = at::empty_like(in);
    const float* src = in.data_ptr<float>();
    float* dst = out.data_ptr<float>();
    at::parallel_for(0, in.numel(), kGeluGrain, [&](int64_t first, int64_t last) {
      math->gelu_tanh(src + first, dst + first, last - first);
    });
    return out;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto x = ctx->get_saved_variables()[0];
    const auto* math = reinterpret_cast<const RowMath*>(ctx->saved_data["math"].toInt());
    const auto dy = grads[0].contiguous();
    auto dx = at::empty_like(x);
    const float* x_data = x.data_ptr<float>();
    const float* dy_data = dy.data_ptr<float>();
    float* dx_data = dx.data_ptr<float>();
    at::parallel_for(0, x.numel(), kGeluGrain, [&](int64_t first, int64_t last) {
      math->gelu_tanh_backward(x_data + first, dy_data + first, dx_data + first, last - first);
    });
    return {dx, at::Tensor()};
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

at::Tensor gelu_tanh_trainable(const at::Tensor& x) {
  const RowKernel kernel = best_row_kernel();
  if (kernel == RowKernel::none || !at::GradMode::is_enabled() || !x.requires_grad() ||
      !x.is_cpu() || x.scalar_type() != at::kFloat)
    return {};
  return RowKernelGelu::apply(x, &row_math(kernel));
}

}  // namespace gpt2
