#include "eval/perplexity.h"

#include <cctype>
#include <cmath>
#include <limits>
#include <optional>

#include "core/error.h"
#include "core/progress.h"
#include "eval/scorer.h"
#include "model/gpt2_model.h"

namespace gpt2 {

double PerplexityResult::perplexity() const {
  return std::exp(mean_nll());
}

double PerplexityResult::bits_per_byte() const {
  return bytes ? nll_sum / std::log(2.0) / bytes : std::numeric_limits<double>::quiet_NaN();
}

double PerplexityResult::word_perplexity() const {
  return words ? std::exp(nll_sum / words) : std::numeric_limits<double>::quiet_NaN();
}

int64_t effective_stride(int64_t context, int64_t stride) {
  require(context > 1 && stride >= 0, "perplexity needs context > 1 and stride >= 0");
  require(stride <= context, "eval.stride " + std::to_string(stride) +
                                 " exceeds the window (eval.context " + std::to_string(context) +
                                 "): the tokens between windows would go unscored; give at "
                                 "most " +
                                 std::to_string(context) + " (0 = half the window)");
  if (stride == 0) return std::max<int64_t>(1, context / 2);
  return std::min(stride, context - 1);
}

std::vector<Window> sliding_windows(int64_t length, int64_t context, int64_t stride) {
  stride = effective_stride(context, stride);
  std::vector<Window> windows;
  int64_t scored_until = 1;  // token 0 has no context
  for (int64_t begin = 0; scored_until < length; begin += stride) {
    int64_t end = std::min(begin + context, length);
    if (end <= scored_until) continue;
    windows.push_back({begin, end, end - scored_until});
    scored_until = end;
  }
  return windows;
}

PerplexityResult evaluate_perplexity(GPT2LMHeadModelImpl& model, const std::vector<int64_t>& ids,
                                     const EvalConfig& config, const std::string& progress_label) {
  const int64_t context = config.context > 0 ? config.context : model.config().n_positions;
  require(context <= model.config().n_positions,
          "eval.context (" + std::to_string(context) + ") exceeds the model's n_positions (" +
              std::to_string(model.config().n_positions) + ")");
  require(ids.size() >= 2, "perplexity needs at least 2 tokens of text");
  auto windows = sliding_windows(static_cast<int64_t>(ids.size()), context, config.stride);
  std::vector<ScoreRequest> requests;
  requests.reserve(windows.size());
  for (const Window& w : windows)
    requests.push_back(
        {std::vector<int64_t>(ids.begin() + w.begin, ids.begin() + w.end), w.scored});

  std::optional<ProgressBar> progress;
  if (!progress_label.empty()) progress.emplace(progress_label, double(ids.size()), "tokens");
  auto on_batch = [&](size_t done) {
    if (progress) progress->update(double(windows[done - 1].end));
  };
  PerplexityResult result;
  // Accumulated in double: millions of float terms lose digits otherwise.
  for (const RowScore& s : score_requests(model, requests, config.batch_size, on_batch)) {
    result.nll_sum += s.nll;
    result.tokens += s.tokens;
  }
  if (progress) progress->finish();
  return result;
}

int64_t count_words(const std::string& text) {
  int64_t words = 0;
  bool in_word = false;
  for (unsigned char c : text) {
    bool space = std::isspace(c) != 0;
    if (!space && !in_word) ++words;
    in_word = !space;
  }
  return words;
}

std::string perplexity_signature(int64_t context, const EvalConfig& config,
                                 const std::string& tokenizer_kind) {
  return "ppl|ctx:" + std::to_string(context) +
         "|stride:" + std::to_string(effective_stride(context, config.stride)) +
         "|tok:" + tokenizer_kind + "|eos:" + (config.prepend_eos ? "yes" : "no") + "|gpt2:0.1.0";
}

}  // namespace gpt2
