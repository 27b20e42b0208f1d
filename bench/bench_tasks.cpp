// Zero-shot throughput of GPT-2 124M (random weights, fp32), on 1 and 2 threads:
//  - HellaSwag-shaped questions (a 40-token context, 4 endings of 20 tokens) per second, each
//    choice scored with its own context pass or all four from one pass over the shared context
//    (its KV cache);
//  - tokens/s of loglikelihood_rolling (the wikitext task: the harness's disjoint windows of
//    1024 fed tokens) beside the perplexity command's scoring (evaluate_perplexity, context
//    1024, strides 1024 and 512) on the same WikiText-2 text, GPT-2's tokenizer.
// Usage: bench_tasks [questions=16] [repeats=2] [rolling tokens=4096]
#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>

#include "bench_timing.h"
#include "core/files.h"
#include "eval/loglikelihood.h"
#include "eval/perplexity.h"
#include "model/gpt2_model.h"
#include "runtime/runtime.h"
#include "tokenizer/tokenizer_io.h"

using namespace gpt2;

namespace {

// loglikelihood_rolling beside evaluate_perplexity on the first ~`tokens` tokens of WikiText-2's
// test text. Both score every token of the text once it is given end-of-text first (the
// perplexity windows start with it), so tokens/s compare the same work; the NLL column differs
// only by the context each window gives (stride 512 overlaps windows and scores more rows).
void bench_rolling(GPT2LMHeadModelImpl& model, int64_t tokens, int repeats) {
  std::string data = GPT2_SHARED_DATA_DIR;
  if (const char* env = std::getenv("GPT2_SHARED_DATA_DIR")) data = env;
  const auto tokenizer = load_tokenizer(data + "/gpt2");
  std::string text = read_file(data + "/wikitext-2-raw/wiki.test.raw");
  text = text.substr(0, std::min(text.size(), size_t(tokens) * 5));  // ~4.5 bytes per token
  while (!text.empty() && int64_t(tokenizer->encode(text).size()) > tokens) {
    const size_t cut = text.rfind('\n', text.size() * 98 / 100);  // whole lines where it can
    text.resize(cut == std::string::npos ? text.size() * 98 / 100 : cut);
  }
  const auto encoded = tokenizer->encode(text);
  std::vector<int64_t> ids = {tokenizer->special_tokens().end_of_text};
  ids.insert(ids.end(), encoded.begin(), encoded.end());
  const int64_t scored = int64_t(encoded.size());

  std::printf("\nloglikelihood_rolling vs perplexity, %ld tokens of wiki.test.raw, batch 4\n\n",
              long(scored));
  std::printf("| threads | %-30s | seconds | tokens/s | NLL/token |\n", "scoring");
  std::printf("|--------:|:-------------------------------|--------:|---------:|----------:|\n");
  for (int threads : {1, 2}) {
    at::set_num_threads(threads);
    LoglikelihoodOptions options;
    options.batch_size = 4;
    double nll = 0;
    double median = bench::median_seconds(repeats, [&] {
      nll = -loglikelihood_rolling(model, *tokenizer, {text}, options)[0].logprob;
    });
    std::printf("| %7d | %-30s | %7.2f | %8.0f | %9.4f |\n", threads,
                "loglikelihood_rolling (1024)", median, double(scored) / median,
                nll / double(scored));
    for (int64_t stride : {1024, 512}) {
      EvalConfig eval;
      eval.stride = stride;
      eval.batch_size = 4;
      PerplexityResult result;
      median =
          bench::median_seconds(repeats, [&] { result = evaluate_perplexity(model, ids, eval); });
      const std::string name = "perplexity, stride " + std::to_string(stride);
      std::printf("| %7d | %-30s | %7.2f | %8.0f | %9.4f |\n", threads, name.c_str(), median,
                  double(result.tokens) / median, result.mean_nll());
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  const int64_t questions = argc > 1 ? std::atoll(argv[1]) : 16;
  const int repeats = argc > 2 ? std::atoi(argv[2]) : 2;
  const int64_t rolling_tokens = argc > 3 ? std::atoll(argv[3]) : 4096;
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
  bench_rolling(*model, rolling_tokens, repeats);
  return 0;
}
