#include "kernels/row_functions.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <algorithm>

#include "kernels/matmul_rows.h"
#include "kernels/row_math.h"
#include "kernels/trainable_rows.h"
#include "kernels/worker_threads.h"

namespace gpt2 {

namespace {

// Rows are shared out over threads in chunks of at least this many elements: waking a
// second thread costs more than a decoding step's few rows take on one.
constexpr int64_t kElementsPerChunk = int64_t(1) << 15;

// The row functions, when every tensor given may use them; null otherwise.
const RowMath* math_for(std::initializer_list<const at::Tensor*> tensors) {
  const RowKernel kernel = best_row_kernel();
  if (kernel == RowKernel::none) return nullptr;
  for (const auto* t : tensors)
    if (!t->defined() || !row_kernel_operand(*t)) return nullptr;
  return &row_math(kernel);
}

// body(r) for each of `rows` rows of n elements.
template <typename Body>
void over_rows(int64_t rows, int64_t n, const Body& body) {
  const int64_t grain = std::max<int64_t>(1, kElementsPerChunk / std::max<int64_t>(n, 1));
  parallel_chunks(rows, grain, [&](int64_t first, int64_t last) {
    for (int64_t r = first; r < last; ++r) body(r);
  });
}

}  // namespace

at::Tensor layer_norm_rows(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias,
                           double eps) {
  const int64_t n = x.size(-1);
  const RowMath* math = math_for({&x, &weight, &bias});
  if (!math) return at::layer_norm(x, {n}, weight, bias, eps);
  const auto in = x.contiguous();
  const auto w = weight.contiguous(), b = bias.contiguous();
  auto out = at::empty_like(in);
  const float* src = in.data_ptr<float>();
  const float* w_data = w.data_ptr<float>();
  const float* b_data = b.data_ptr<float>();
  float* dst = out.data_ptr<float>();
  over_rows(in.numel() / n, n, [&](int64_t r) {
    math->layer_norm(src + r * n, dst + r * n, n, w_data, b_data, float(eps));
  });
  return out;
}

at::Tensor gelu_tanh_rows(const at::Tensor& x) {
  const RowMath* math = math_for({&x});
  if (!math) {
    at::Tensor trained = gelu_tanh_trainable(x);  // with its gradient, when x records a graph
    return trained.defined() ? trained : at::gelu(x, "tanh");
  }
  const auto in = x.contiguous();
  auto out = at::empty_like(in);
  const float* src = in.data_ptr<float>();
  float* dst = out.data_ptr<float>();
  parallel_chunks(in.numel(), kElementsPerChunk, [&](int64_t first, int64_t last) {
    math->gelu_tanh(src + first, dst + first, last - first);
  });
  return out;
}

at::Tensor log_sum_exp_rows(const at::Tensor& x) {
  const RowMath* math = math_for({&x});
  if (!math) return at::logsumexp(x, {-1});
  const int64_t n = x.size(-1);
  const auto in = x.contiguous();
  auto out = at::empty(in.sizes().slice(0, in.dim() - 1), in.options());
  const float* src = in.data_ptr<float>();
  float* dst = out.data_ptr<float>();
  over_rows(out.numel(), n, [&](int64_t r) { dst[r] = math->log_sum_exp(src + r * n, n); });
  return out;
}

at::Tensor argmax_rows(const at::Tensor& x) {
  const RowMath* math = math_for({&x});
  if (!math || x.size(-1) == 0) return x.argmax(-1);
  const int64_t n = x.size(-1);
  const auto in = x.contiguous();
  auto out = at::empty(in.sizes().slice(0, in.dim() - 1), in.options().dtype(at::kLong));
  const float* src = in.data_ptr<float>();
  int64_t* dst = out.data_ptr<int64_t>();
  over_rows(out.numel(), n, [&](int64_t r) { dst[r] = math->argmax(src + r * n, n); });
  return out;
}

}  // namespace gpt2
