// Zero-shot multiple-choice throughput of GPT-2 124M (random weights, fp32): HellaSwag-shaped
// questions (a 40-token context, 4 endings of 20 tokens) per second, each choice scored with
// its own context pass or all four from one pass over the shared context (its KV cache), on
// 1 and 2 threads.
// Usage: bench_tasks [questions=16] [repeats=2]
#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>

#include "bench_timing.h"
#include "eval/loglikelihood.h"
#include "model/gpt2_model.h"
#include "runtime/runtime.h"

using namespace gpt2;

int main(int argc, char** argv) {
  const int64_t questions = argc > 1 ? std::atoll(argv[1]) : 16;
  const int repeats = argc > 2 ? std::atoi(argv[2]) : 2;
  keep_freed_memory();
  at::manual_seed(0);
  ModelConfig config;
  GPT2LMHeadModel model(config);
  std::mt19937 rng(0);
  std::uniform_int_distribution<int64_t> token(0, config.vocab_size - 1);
  auto draw = [&](int64_t n) {
    std::vector<int64_t> ids(n);
    for (auto& id : ids) id = token(rng);
    return ids;
  };
  std::vector<TokenPair> pairs;
  for (int64_t q = 0; q < questions; ++q) {
    const auto context = draw(40);
    for (int c = 0; c < 4; ++c) pairs.push_back({context, draw(20)});
  }

  std::printf(
      "GPT-2 124M, %ld HellaSwag-shaped questions (context 40, 4 x 20 tokens), fp32, "
      "batch 4, median of %d\n\n",
      long(questions), repeats);
  {
    // Sharing must not change the numbers: the largest difference from separate scoring.
    LoglikelihoodOptions separate, shared;
    separate.share_prefix = false;
    auto a = loglikelihood_tokens(*model, pairs, separate);
    auto b = loglikelihood_tokens(*model, pairs, shared);
    double worst = 0, largest = 0;
    for (size_t i = 0; i < a.size(); ++i) {
      worst = std::max(worst, std::abs(a[i].logprob - b[i].logprob));
      largest = std::max(largest, std::abs(a[i].logprob));
    }
    std::printf("shared vs separate: max |difference| %.3g nats (log-likelihoods up to %.1f)\n\n",
                worst, largest);
  }
  std::printf("| threads | prefix sharing | seconds | questions/s |\n");
  std::printf("|--------:|:---------------|--------:|------------:|\n");
  for (int threads : {1, 2}) {
    at::set_num_threads(threads);
    for (bool share : {false, true}) {
      LoglikelihoodOptions options;
      options.batch_size = 4;
      options.share_prefix = share;
      double median =
          bench::median_seconds(repeats, [&] { loglikelihood_tokens(*model, pairs, options); });
      std::printf("| %7d | %-14s | %7.2f | %11.2f |\n", threads, share ? "on" : "off", median,
                  double(questions) / median);
    }
  }
  return 0;
}
