// Decode speed of GPT-2 124M (random weights, fp32, CPU) through generate(): greedy at batch 1
// and 8 with and without the KV cache, and beam search with 4 beams; prompt 16 tokens.
// Decode tokens/s excludes the prompt: (B * (N - 1)) / (t(N new tokens) - t(1 new token)).
// Batch 1 and 8 of a decode take turns in each repeat, and their tokens/s ratio is the median
// of the repeats' ratios: on a shared host, bandwidth drifts between runs minutes apart.
// Usage: bench_generate [repeats=3] [new_tokens=128] [uncached_new_tokens=32] [threads=1,2]
// (Without the cache every step recomputes the whole sequence, so its default run is shorter.)
#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/strings.h"
#include "generate/generator.h"
#include "generate/model_source.h"
#include "io/checkpoint.h"
#include "model/gpt2_model.h"
#include "runtime/runtime.h"

using namespace gpt2;

namespace {

double seconds_of(LogitsSource& source, const std::vector<std::vector<int64_t>>& prompts,
                  GenerateConfig config, int64_t new_tokens) {
  config.max_new_tokens = new_tokens;
  config.batch_size = static_cast<int64_t>(prompts.size());
  config.ignore_eos = true;
  GenerationOptions options{config, 0, -1, {}, {}};
  auto start = std::chrono::steady_clock::now();
  generate(source, prompts, options);
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Decode time per step (prefill and first token subtracted) of `config` on each prompt set,
// the sets taking turns in every repeat so that all see the same state of a shared host.
// Returns each set's median, and after them the median over repeats of each set's time
// divided by the first's.
std::vector<double> paired_step_seconds(LogitsSource& source,
                                        const std::vector<std::vector<std::vector<int64_t>>>& sets,
                                        const GenerateConfig& config, int64_t new_tokens,
                                        int repeats) {
  for (const auto& prompts : sets) seconds_of(source, prompts, config, 2);  // warm-up
  std::vector<std::vector<double>> steps(sets.size()), ratios(sets.size());
  for (int i = 0; i < repeats; ++i)
    for (size_t s = 0; s < sets.size(); ++s) {
      double first = seconds_of(source, sets[s], config, 1);
      double all = seconds_of(source, sets[s], config, new_tokens);
      steps[s].push_back((all - first) / double(new_tokens - 1));
      ratios[s].push_back(steps[s].back() / steps[0].back());
    }
  std::vector<double> medians;
  for (auto* series : {&steps, &ratios})
    for (auto& values : *series) {
      std::sort(values.begin(), values.end());
      medians.push_back(values[values.size() / 2]);
    }
  return medians;
}

// The same greedy decode written directly against the model, as a floor for the loop's cost.
double raw_step_seconds(GPT2LMHeadModelImpl& model, const at::Tensor& prompts, int64_t new_tokens,
                        int repeats) {
  auto run = [&](int64_t n) {
    at::NoGradGuard no_grad;
    auto start = std::chrono::steady_clock::now();
    auto cache = model.new_cache(prompts.size(0), prompts.size(1) + n);
    ForwardArgs args;
    args.cache = &cache;
    args.last_logits_only = true;
    auto input = prompts;                                                                  // (B, P)
    for (int64_t i = 0; i < n; ++i) input = model.forward(input, args).logits.argmax(-1);  // (B, 1)
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  run(2);
  std::vector<double> steps;
  for (int i = 0; i < repeats; ++i) {
    double first = run(1);
    steps.push_back((run(new_tokens) - first) / double(new_tokens - 1));
  }
  std::sort(steps.begin(), steps.end());
  return steps[steps.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const int repeats = argc > 1 ? std::atoi(argv[1]) : 3;
  const int64_t new_tokens = argc > 2 ? std::atoll(argv[2]) : 128;
  const int64_t uncached_tokens = argc > 3 ? std::atoll(argv[3]) : 32;
  std::vector<int> threads = {1, 2};
  if (argc > 4) {
    threads.clear();
    for (const auto& t : split(argv[4], ',')) threads.push_back(std::atoi(t.c_str()));
  }
  at::manual_seed(0);
  auto model = load_model("gpt2");
  ModelSource cached(model.ptr(), true), uncached(model.ptr(), false);
  auto prompt_ids = at::randint(model->config().vocab_size, {8, 16}, at::kLong);  // (8, 16)
  std::vector<std::vector<int64_t>> prompts;
  for (int64_t b = 0; b < 8; ++b)
    prompts.emplace_back(prompt_ids[b].data_ptr<int64_t>(), prompt_ids[b].data_ptr<int64_t>() + 16);

  GenerateConfig greedy, beam;
  beam.strategy = "beam";
  beam.num_beams = 4;
  beam.early_stopping = "never";
  struct Case {
    const char* name;
    LogitsSource* source;
    GenerateConfig* config;
    size_t batch;
    int64_t tokens;
  };
  std::vector<Case> cases = {
      {"greedy, cache", &cached, &greedy, 1, new_tokens},
      {"greedy, cache", &cached, &greedy, 8, new_tokens},
      {"greedy, no cache", &uncached, &greedy, 1, uncached_tokens},
      {"greedy, no cache", &uncached, &greedy, 8, uncached_tokens},
      {"beam 4, cache", &cached, &beam, 1, new_tokens},
  };
  std::printf("GPT-2 124M fp32, random weights; prompt 16 tokens; median of %d\n", repeats);
  std::printf(
      "batch 1 and 8 of a decode take turns in each repeat; 'x batch 1' is the median of\n"
      "the repeats' tokens/s ratios\n");
  std::printf("%-18s %5s %7s %7s %12s %12s %12s\n", "decode", "batch", "threads", "new", "ms/step",
              "tokens/s", "x batch 1");
  for (int t : threads) {
    RuntimeConfig runtime;  // threads, and the allocator settings decoding needs
    runtime.threads = t;
    runtime.device = "cpu";
    apply_runtime(runtime);
    model->eval();
    for (int64_t b : {1, 8}) {
      double step = raw_step_seconds(*model, prompt_ids.narrow(0, 0, b), new_tokens, repeats);
      std::printf("%-18s %5ld %7d %7ld %12.1f %12.1f\n", "model loop only", long(b), t,
                  long(new_tokens), step * 1e3, double(b) / step);
    }
    for (size_t i = 0; i < cases.size(); ++i) {
      // Cases of one decode at batch 1 and 8 run as a pair.
      const bool paired = i + 1 < cases.size() && cases[i + 1].config == cases[i].config &&
                          cases[i + 1].source == cases[i].source;
      std::vector<Case> group = {cases[i]};
      if (paired) group.push_back(cases[++i]);
      std::vector<std::vector<std::vector<int64_t>>> sets;
      for (const auto& c : group)
        sets.emplace_back(prompts.begin(), prompts.begin() + long(c.batch));
      const auto medians =
          paired_step_seconds(*group[0].source, sets, *group[0].config, group[0].tokens, repeats);
      for (size_t g = 0; g < group.size(); ++g) {
        const double step = medians[g];
        // A beam step advances one prompt by one token (over 4 rows).
        std::printf("%-18s %5zu %7d %7ld %12.1f %12.1f", group[g].name, group[g].batch, t,
                    long(group[g].tokens), step * 1e3, double(group[g].batch) / step);
        if (g > 0) {
          const double speedup =
              double(group[g].batch) / double(group[0].batch) / medians[group.size() + g];
          std::printf(" %12.2f", speedup);
        }
        std::printf("\n");
      }
      std::fflush(stdout);
    }
  }
  return 0;
}
