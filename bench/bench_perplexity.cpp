// Sliding-window perplexity throughput of GPT-2 124M (random weights, fp32): tokens scored
// per second at context 1024 with stride 512 and 1024, on 1 and all threads.
// Usage: bench_perplexity [tokens=4096] [repeats=2]
#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "bench_timing.h"
#include "config/loader.h"
#include "config/presets.h"
#include "eval/perplexity.h"
#include "model/gpt2_model.h"
#include "runtime/runtime.h"

using namespace gpt2;

int main(int argc, char** argv) {
  const int64_t tokens = argc > 1 ? std::atoll(argv[1]) : 4096;
  const int repeats = argc > 2 ? std::atoi(argv[2]) : 2;
  keep_freed_memory();
  ModelConfig config;
  load_config({section_ref(config)}, {{find_preset("model", "gpt2")}, {}});
  at::manual_seed(0);
  GPT2LMHeadModel model(config);
  std::vector<int64_t> ids(tokens);
  for (auto& id : ids) id = std::rand() % config.vocab_size;

  std::printf("GPT-2 124M sliding-window perplexity, %ld tokens, fp32, median of %d\n\n",
              long(tokens), repeats);
  std::printf("| threads | stride | batch | seconds | tokens/s |\n");
  std::printf("|--------:|-------:|------:|--------:|---------:|\n");
  std::vector<int64_t> thread_counts = {1};
  if (available_cores() > 1) thread_counts.push_back(available_cores());
  for (int64_t threads : thread_counts) {
    at::set_num_threads(int(threads));
    for (int64_t stride : {512, 1024}) {
      EvalConfig eval;
      eval.stride = stride;
      eval.batch_size = 2;
      double median =
          bench::median_seconds(repeats, [&] { evaluate_perplexity(*model, ids, eval); });
      std::printf("| %7ld | %6ld | %5ld | %7.2f | %8.0f |\n", long(threads), long(stride),
                  long(eval.batch_size), median, double(tokens - 1) / median);
    }
  }
  return 0;
}
