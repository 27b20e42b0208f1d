#include "train/flops.h"

#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>

#include <algorithm>
#include <chrono>
#include <vector>

namespace gpt2 {

double training_flops_per_token(const ModelConfig& c, int64_t T, int64_t adapter_weights) {
  const double C = double(c.n_embd), L = double(c.n_layer);
  // Weights that multiply activations: per block attention 4 C^2, MLP 2 C * inner; the head V C.
  const double matmul_weights =
      L * (4.0 * C * C + 2.0 * C * double(c.inner_size())) + double(c.vocab_size) * C;
  const double attention = 12.0 * L * C * double(T);
  if (adapter_weights < 0) return 6.0 * matmul_weights + attention;
  return 4.0 * matmul_weights + 6.0 * double(adapter_weights) + attention;
}

double measure_matmul_flops(c10::Device device, c10::ScalarType dtype, int repeats) {
  at::NoGradGuard no_grad;
  const int64_t n = 1024;
  auto options = at::TensorOptions().device(device).dtype(dtype);
  auto a = at::randn({n, n}, options), b = at::randn({n, n}, options);
  auto sync = [&] {
    if (device.is_cuda()) a.sum().item<float>();  // waits for the queued kernels
  };
  at::mm(a, b);  // warm-up
  sync();
  std::vector<double> seconds;
  for (int i = 0; i < repeats; ++i) {
    auto start = std::chrono::steady_clock::now();
    auto c = at::mm(a, b);
    if (device.is_cuda()) c.sum().item<float>();
    seconds.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(seconds.begin(), seconds.end());
  return 2.0 * n * n * n / std::max(seconds[seconds.size() / 2], 1e-9);
}

}  // namespace gpt2
