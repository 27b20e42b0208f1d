// Speculative decoding's speed-up: tokens/s of a trained target alone, with a trained draft
// model, and with prompt lookup, for k = 2, 4, 6 drafted tokens, with the acceptance rate and
// tokens per target pass; for greedy search and for sampling (temperature 0.8, the same seed
// in every row), each against plain decoding of the same kind. Models and prompts:
// bench/speculative_setup.sh trains a 6-layer target and a 2-layer draft on TinyShakespeare
// (characters); prompts are cut from the validation part (the last 10%). Greedy output is the
// same in every row (checked here); sampled output is only distributed the same (the draws
// differ), so its "same" column is "-". The "draft alone" row decodes with the draft model by
// itself: how much cheaper its step is than the target's bounds what drafting can gain (tiny
// models are dominated by per-step overhead, not by their weights).
// Usage: bench_speculative TARGET_DIR DRAFT_DIR [new_tokens=200] [repeats=3] [threads=1]
//        [batch=1]
#include <ATen/Parallel.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "bench_timing.h"
#include "core/error.h"
#include "core/files.h"
#include "generate/generation_options.h"
#include "generate/generator.h"
#include "generate/model_source.h"
#include "generate/processors/temperature.h"
#include "generate/strategies/speculative.h"
#include "io/checkpoint.h"
#include "model/gpt2_model.h"
#include "tokenizer/tokenizer_io.h"

using namespace gpt2;

int main(int argc, char** argv) try {
  if (argc < 3) {
    std::fprintf(stderr,
                 "usage: bench_speculative TARGET_DIR DRAFT_DIR [new_tokens=200] "
                 "[repeats=3] [threads=1] [batch=1]\n");
    return 2;
  }
  const std::string target_dir = argv[1], draft_dir = argv[2];
  const int64_t new_tokens = argc > 3 ? std::atoll(argv[3]) : 200;
  const int repeats = argc > 4 ? std::atoi(argv[4]) : 3;
  const int threads = argc > 5 ? std::atoi(argv[5]) : 1;
  const int64_t batch = argc > 6 ? std::atoll(argv[6]) : 1;
  at::set_num_threads(threads);
  auto target_model = load_model_dir(target_dir);
  auto draft_model = load_model_dir(draft_dir);
  auto tokenizer = load_tokenizer(target_dir);
  ModelSource target(target_model.ptr(), true), draft(draft_model.ptr(), true);

  const std::string text =
      read_file(std::string(GPT2_SHARED_DATA_DIR) + "/tinyshakespeare/input.txt");
  std::vector<std::vector<int64_t>> prompts;
  for (int64_t i = 0; i < 4 * batch; ++i) {
    size_t at = text.size() * 9 / 10 + static_cast<size_t>(i) * 2311;
    at = text.find('\n', at) + 1;  // a line start
    prompts.push_back(encode_prompt(*tokenizer, text.substr(at, 48)));
  }

  struct Case {
    std::string search;  // greedy or sample
    std::string name;
    int64_t k;
    LogitsSource* draft;
    int64_t lookup;
    bool draft_alone = false;  // the draft model decoding by itself, no speculation
  };
  std::vector<Case> cases;
  for (const char* search : {"greedy", "sample"}) {
    cases.push_back({search, "target only", 0, nullptr, 0});
    cases.push_back({search, "draft alone", 0, nullptr, 0, true});
    for (int64_t k : {2, 4, 6}) cases.push_back({search, "draft model", k, &draft, 0});
    for (int64_t k : {2, 4, 6}) cases.push_back({search, "prompt lookup (n=2)", k, nullptr, 2});
  }

  std::printf(
      "target %s (%lld layers), draft %s (%lld layers); greedy and sampling (temperature 0.8, "
      "seed 0), %lld prompts of 48 "
      "characters, batch %lld, %lld new tokens, %d thread(s), median of %d\n",
      target_dir.c_str(), static_cast<long long>(target_model->config().n_layer), draft_dir.c_str(),
      static_cast<long long>(draft_model->config().n_layer), static_cast<long long>(prompts.size()),
      static_cast<long long>(batch), static_cast<long long>(new_tokens), threads, repeats);
  std::printf("%-7s %-20s %3s %10s %9s %11s %15s %9s\n", "search", "drafting", "k", "tokens/s",
              "speed-up", "acceptance", "tokens/pass", "same");
  double base = 0;
  std::vector<std::vector<GenerationResult>> reference;
  for (const auto& c : cases) {
    GenerateConfig config;
    config.max_new_tokens = new_tokens;
    config.ignore_eos = true;
    config.batch_size = batch;
    if (c.k > 0) config.num_draft_tokens = c.k;
    config.draft_model = c.draft ? draft_dir : "";
    config.prompt_lookup_ngram = c.lookup;
    if (c.search == "sample") {
      config.strategy = "sample";
      config.processor<TemperatureOptions>().temperature = 0.8;
    }
    GenerationOptions options{config, 0, -1, {}, {}};
    options.draft = c.draft;
    std::vector<std::vector<GenerationResult>> results;
    const double seconds = bench::median_seconds(
        repeats, [&] { results = generate(c.draft_alone ? draft : target, prompts, options); });
    SpeculationStats stats;
    for (const auto& r : results) stats.add(r[0]);
    int64_t tokens = 0;
    for (const auto& r : results) tokens += static_cast<int64_t>(r[0].tokens.size());
    const double rate = double(tokens) / seconds;
    if (c.k == 0 && !c.draft_alone) base = rate, reference = results;
    bool same = true;
    for (size_t p = 0; p < results.size(); ++p)
      same = same && results[p][0].tokens == reference[p][0].tokens;
    const char* same_text = c.search == "sample" ? "-" : same ? "yes" : "NO";
    if (c.k == 0)
      std::printf("%-7s %-20s %3s %10.0f %8.2fx %11s %15s %9s\n", c.search.c_str(), c.name.c_str(),
                  "-", rate, rate / base, "-", "1.00", "-");
    else
      std::printf("%-7s %-20s %3lld %10.0f %8.2fx %10.1f%% %15.2f %9s\n", c.search.c_str(),
                  c.name.c_str(), static_cast<long long>(c.k), rate, rate / base,
                  100 * stats.acceptance(), stats.tokens_per_pass(), same_text);
  }
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "bench_speculative: %s\n", e.what());
  return 1;
}
