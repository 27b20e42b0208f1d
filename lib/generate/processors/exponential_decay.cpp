#include "generate/processors/exponential_decay.h"

#include <ATen/ATen.h>

#include <cmath>

#include "core/error.h"
#include "generate/generate_config.h"

namespace gpt2 {

ExponentialDecayProcessor::ExponentialDecayProcessor(int64_t start, double factor,
                                                     std::vector<int64_t> stop_ids)
    : start_(start), factor_(factor), stop_ids_(std::move(stop_ids)) {
  require(start >= 0, "exponential_decay_start must be >= 0, got " + std::to_string(start));
  require(factor > 0, "exponential_decay_factor must be > 0, got " + std::to_string(factor));
}

void ExponentialDecayProcessor::apply(at::Tensor& scores,
                                      const std::vector<TokenHistory>& rows) const {
  auto index = at::tensor(stop_ids_, at::kLong).to(scores.device());  // (n)
  for (size_t b = 0; b < rows.size(); ++b) {
    const int64_t past = rows[b].generated() - start_;
    if (past <= 0) continue;
    auto row = scores.select(0, static_cast<int64_t>(b));  // (V)
    auto stop = row.index_select(0, index);                // (n)
    // |s| keeps a negative logit moving up too.
    const double gain = std::pow(factor_, static_cast<double>(past)) - 1;
    row.index_copy_(0, index, stop + stop.abs() * gain);
  }
}

std::unique_ptr<LogitsProcessor> ExponentialDecayProcessor::make(const ProcessorContext& context) {
  const auto& o = context.config.processor<ExponentialDecayOptions>();
  if (o.factor == 1.0) return nullptr;
  require(!context.stop_ids.empty(),
          "generate.exponential_decay_factor raises the stop ids' logits, but there is none: "
          "set generate.stop_ids or leave generate.ignore_eos off");
  return std::make_unique<ExponentialDecayProcessor>(o.start, o.factor, context.stop_ids);
}

void ExponentialDecayOptions::validate(const GenerateConfig&) const {
  if (start > 0 && factor == 1.0)
    throw Error(
        "config: generate.exponential_decay_start only applies with exponential_decay_factor != 1");
}

}  // namespace gpt2
