#include "eval/perplexity.h"

#include <ATen/ATen.h>

#include <cctype>
#include <cmath>
#include <limits>
#include <optional>

#include "core/error.h"
#include "core/progress.h"
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
  require(context > 1 && stride > 0, "perplexity needs context > 1 and stride > 0");
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
  const auto device = model.transformer->wte->weight.device();
  at::NoGradGuard no_grad;
  model.eval();

  PerplexityResult result;
  std::optional<ProgressBar> progress;
  if (!progress_label.empty()) progress.emplace(progress_label, double(ids.size()), "tokens");
  double nll_sum = 0;  // accumulated in double: millions of float terms lose digits otherwise
  for (size_t first = 0; first < windows.size(); first += config.batch_size) {
    size_t last = std::min(windows.size(), first + size_t(config.batch_size));
    const int64_t B = int64_t(last - first);
    int64_t T = 0;
    for (size_t w = first; w < last; ++w) T = std::max(T, windows[w].end - windows[w].begin);
    // Windows shorter than T (only the last can be) are right-padded: their pads come after
    // every real token, so causal attention never sees them, and their targets are ignored.
    auto inputs = at::zeros({B, T}, at::kLong);        // (B, T)
    auto targets = at::full({B, T}, -100, at::kLong);  // (B, T)
    auto in = inputs.accessor<int64_t, 2>();
    auto tg = targets.accessor<int64_t, 2>();
    for (int64_t b = 0; b < B; ++b) {
      const Window& w = windows[first + b];
      const int64_t length = w.end - w.begin;
      for (int64_t t = 0; t < length; ++t) in[b][t] = ids[w.begin + t];
      for (int64_t t = length - w.scored; t < length; ++t) tg[b][t - 1] = ids[w.begin + t];
      result.tokens += w.scored;
    }
    auto logits = model.forward(inputs.to(device)).logits.to(at::kFloat);  // (B, T, V)
    auto log_probs = at::log_softmax(logits, -1);                          // (B, T, V)
    auto mask = targets.ne(-100).to(device);                               // (B, T)
    auto picked =
        log_probs.gather(-1, targets.clamp_min(0).to(device).unsqueeze(-1)).squeeze(-1);  // (B, T)
    nll_sum -= picked.masked_select(mask).to(at::kDouble).sum().item<double>();
    if (progress) progress->update(double(windows[last - 1].end));
  }
  if (progress) progress->finish();
  result.nll_sum = nll_sum;
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
