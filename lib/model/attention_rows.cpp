#include "model/attention_rows.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include "model/matmul_rows.h"
#include "model/row_functions.h"
#include "model/row_products.h"

namespace gpt2 {

namespace {

bool takes(const at::Tensor& t) {
  return t.defined() && t.dim() == 4 && t.stride(3) == 1 && row_kernel_operand(t);
}

// For each head i = b * nh + h (in parallel): out[i] (T, N) = rows[i] (T, K) x that head's
// block of `weight` (B, nh, ., .), read in `layout` with its own row stride.
void per_head(RowKernel kernel, const float* rows, int64_t T, int64_t K, int64_t N,
              const at::Tensor& weight, WeightLayout layout, float* out) {
  const int64_t nh = weight.size(1);
  const int64_t heads = weight.size(0) * nh;
  const float* base = weight.data_ptr<float>();
  at::parallel_for(0, heads, 1, [&](int64_t first, int64_t last) {
    for (int64_t i = first; i < last; ++i) {
      RowProduct p;
      p.rows = rows + i * T * K;
      p.M = T;
      p.K = K;
      p.N = N;
      p.weight = base + (i / nh) * weight.stride(0) + (i % nh) * weight.stride(1);
      p.layout = layout;
      p.weight_stride = weight.stride(2);
      p.out = out + i * T * N;
      row_products(kernel, p, 0, N);
    }
  });
}

}  // namespace

bool attention_rows_applies(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v) {
  return best_row_kernel() != RowKernel::none && takes(q) && takes(k) && takes(v) &&
         q.size(2) <= kMaxKernelRows;
}

at::Tensor attention_rows(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                          const at::Tensor& bias, double scale) {
  const RowKernel kernel = best_row_kernel();
  const int64_t B = q.size(0), nh = q.size(1), T = q.size(2), hs = q.size(3), S = k.size(2);
  const auto queries = q.contiguous();                  // (B, nh, T, hs)
  auto scores = at::empty({B, nh, T, S}, q.options());  // (B, nh, T, S)
  per_head(kernel, queries.data_ptr<float>(), T, hs, S, k, WeightLayout::out_in,
           scores.data_ptr<float>());                         // q k^T
  const auto att = scaled_softmax_rows(scores, scale, bias);  // (B, nh, T, S)
  auto y = at::empty({B, nh, T, hs}, q.options());            // (B, nh, T, hs)
  per_head(kernel, att.data_ptr<float>(), T, S, hs, v, WeightLayout::in_out, y.data_ptr<float>());
  return y;
}

}  // namespace gpt2
