#include "kernels/attention_rows.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <algorithm>

#include "kernels/matmul_rows.h"
#include "kernels/row_math.h"
#include "kernels/row_products.h"
#include "kernels/worker_threads.h"

namespace gpt2 {

namespace {

// Heads are shared out over threads in chunks that read at least this many bytes of keys and
// values: waking a second thread costs about as long as reading this much on one.
constexpr int64_t kBytesPerChunk = int64_t(1) << 20;

bool takes(const at::Tensor& t) {
  return t.defined() && t.dim() == 4 && t.stride(3) == 1 && row_kernel_operand(t);
}

// Where head (b, h)'s block of a (B, nh, ., .) tensor starts.
const float* head_block(const at::Tensor& t, int64_t b, int64_t h) {
  return t.data_ptr<float>() + b * t.stride(0) + h * t.stride(1);
}

// out (M, N) = rows (M, K) x one head's block of keys or values, no bias.
RowProduct head_product(const float* rows, int64_t M, int64_t K, int64_t N, const float* weight,
                        WeightLayout layout, int64_t weight_stride, float* out) {
  RowProduct p;
  p.rows = rows;
  p.M = M;
  p.K = K;
  p.rows_stride = K;
  p.N = N;
  p.weight = weight;
  p.layout = layout;
  p.weight_stride = weight_stride;
  p.out = out;
  return p;
}

// Asks for rows x width floats at `data` (row stride `stride`) to be brought into the cache. A
// head's keys or values are a short stream (S x 64 floats) that the hardware prefetcher only
// picks up after its first misses; asking one head ahead took GPT-2 124M's attention at batch
// 8, 80 positions, from 2.5-2.7 to 2.3-2.4 ms per step.
void prefetch_rows(const float* data, int64_t rows, int64_t width, int64_t stride) {
  constexpr int64_t kLineFloats = 16;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < width; c += kLineFloats) __builtin_prefetch(data + r * stride + c);
}

}  // namespace

bool attention_rows_applies(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v) {
  return best_row_kernel() != RowKernel::none && takes(q) && takes(k) && takes(v) &&
         q.size(2) <= kMaxKernelRows;
}

at::Tensor attention_rows(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                          const at::Tensor& bias, double scale) {
  const RowKernel kernel = best_row_kernel();
  const RowMath& math = row_math(kernel);
  const int64_t B = q.size(0), nh = q.size(1), T = q.size(2), hs = q.size(3), S = k.size(2);
  const auto queries = q.contiguous();                  // (B, nh, T, hs)
  auto scores = at::empty({B, nh, T, S}, q.options());  // (B, nh, T, S)
  auto y = at::empty({B, nh, T, hs}, q.options());      // (B, nh, T, hs)
  at::Tensor bias_rows;                                 // (B, nh, T, S), stride 0 where broadcast
  if (bias.defined())
    bias_rows = (bias.stride(-1) == 1 ? bias : bias.contiguous()).expand({B, nh, T, S});
  const int64_t head_bytes = 2 * S * hs * int64_t(sizeof(float));
  const int64_t grain = std::max<int64_t>(1, kBytesPerChunk / std::max<int64_t>(head_bytes, 1));
  // Each head in one go: scores = q k^T, softmax(scale * scores + bias) row by row, then
  // scores v, with the head's scores still in the cache.
  const float* queries_data = queries.data_ptr<float>();
  float* scores_data = scores.data_ptr<float>();
  float* y_data = y.data_ptr<float>();
  parallel_chunks(B * nh, grain, [&](int64_t first, int64_t last) {
    for (int64_t i = first; i < last; ++i) {
      const int64_t b = i / nh, h = i % nh;
      if (i + 1 < last) {  // the next head's keys and values, on their way while this one runs
        prefetch_rows(head_block(k, (i + 1) / nh, (i + 1) % nh), S, hs, k.stride(2));
        prefetch_rows(head_block(v, (i + 1) / nh, (i + 1) % nh), S, hs, v.stride(2));
      }
      float* head_scores = scores_data + i * T * S;
      // q k^T: the head's keys are the weight, one row per position (out_in).
      const RowProduct qk = head_product(queries_data + i * T * hs, T, hs, S, head_block(k, b, h),
                                         WeightLayout::out_in, k.stride(2), head_scores);
      row_products(kernel, qk, 0, S);
      for (int64_t t = 0; t < T; ++t) {
        const float* bias_row =
            bias_rows.defined() ? head_block(bias_rows, b, h) + t * bias_rows.stride(2) : nullptr;
        math.softmax(head_scores + t * S, S, float(scale), bias_row);
      }
      // scores v: the head's values are the weight, (S, hs) (in_out).
      const RowProduct av = head_product(head_scores, T, S, hs, head_block(v, b, h),
                                         WeightLayout::in_out, v.stride(2), y_data + i * T * hs);
      row_products(kernel, av, 0, hs);
    }
  });
  return y;
}

}  // namespace gpt2
