// Forward-pass throughput of GPT-2 124M (random weights, fp32, no grad) at (B, T) = (1, 1024)
// and (8, 128), on 1 and all threads, beside the machine's measured matmul rate.
// Usage: bench_forward [repeats=5]
#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>

#include "bench_timing.h"
#include "config/loader.h"
#include "config/presets.h"
#include "model/gpt2_model.h"
#include "runtime/runtime.h"

using namespace gpt2;
using gpt2::bench::median_seconds;

namespace {

// FLOPs of one forward pass: 2 per weight per token plus attention scores and values.
double forward_flops(const ModelConfig& c, int64_t B, int64_t T) {
  double weights =
      double(c.n_layer) * (12.0 * c.n_embd * c.n_embd) + double(c.vocab_size) * c.n_embd;
  double attention = double(c.n_layer) * 2.0 * 2.0 * T * T * c.n_embd;
  return B * (2.0 * weights * T + attention);
}

}  // namespace

int main(int argc, char** argv) {
  const int repeats = argc > 1 ? std::atoi(argv[1]) : 5;
  keep_freed_memory();
  ModelConfig config;
  load_config({section_ref(config)}, {{find_preset("model", "gpt2")}, {}});
  at::manual_seed(0);
  GPT2LMHeadModel model(config);
  model->eval();
  at::NoGradGuard no_grad;

  std::printf("GPT-2 124M forward, fp32, median of %d\n\n", repeats);
  std::printf(
      "| threads | (B, T)     | ms/pass | tokens/s | GFLOP/s | matmul GFLOP/s | %% of matmul |\n");
  std::printf(
      "|--------:|------------|--------:|---------:|--------:|---------------:|-----------:|\n");
  std::vector<int64_t> thread_counts = {1};
  if (available_cores() > 1) thread_counts.push_back(available_cores());
  for (int64_t threads : thread_counts) {
    at::set_num_threads(int(threads));
    auto a = at::randn({1024, 768}), b = at::randn({768, 3072});
    double matmul = 2.0 * 1024 * 768 * 3072 / median_seconds(repeats, [&] { at::mm(a, b); }) / 1e9;
    for (auto [B, T] : std::vector<std::pair<int64_t, int64_t>>{{1, 1024}, {8, 128}}) {
      auto ids = at::randint(config.vocab_size, {B, T}, at::kLong);
      double seconds = median_seconds(repeats, [&] { model->forward(ids); });
      double gflops = forward_flops(config, B, T) / seconds / 1e9;
      std::printf("| %7ld | (%ld, %4ld) | %7.1f | %8.0f | %7.1f | %14.1f | %9.0f%% |\n",
                  long(threads), long(B), long(T), seconds * 1e3, B * T / seconds, gflops, matmul,
                  100.0 * gflops / matmul);
    }
  }
  return 0;
}
