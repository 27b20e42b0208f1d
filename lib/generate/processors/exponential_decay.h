#pragma once
// Exponential decay length penalty (Hugging Face's exponential_decay_length_penalty =
// (start_index, decay_factor)): once more than `start` tokens were generated, each stop id's
// logit s becomes s + |s| * (factor^(generated - start) - 1), so ending grows more likely
// without a hard cut. Lengths are each row's own (Hugging Face counts a left-padded batch's
// common prompt width).
#include "config/fields.h"
#include "generate/logits_processor.h"

namespace gpt2 {

// Its options (keys under generate:), read as config.processor<ExponentialDecayOptions>().
struct ExponentialDecayOptions {
  int64_t start = 0;
  double factor = 1.0;

  void visit(FieldVisitor& v) {
    v.field("exponential_decay_start", start,
            "exponential_decay_factor applies after this many new tokens", Rule::non_negative());
    v.field("exponential_decay_factor", factor,
            "stop ids' logits gain |logit| * (factor^(new - start) - 1) (1 = off)",
            Rule::positive());
  }
  void validate(const GenerateConfig& config) const;
};

class ExponentialDecayProcessor : public LogitsProcessor {
 public:
  ExponentialDecayProcessor(int64_t start, double factor, std::vector<int64_t> stop_ids);
  std::string name() const override { return "exponential_decay"; }
  void apply(at::Tensor& scores, const std::vector<TokenHistory>& rows) const override;
  // nullptr when the config leaves it off.
  static std::unique_ptr<LogitsProcessor> make(const ProcessorContext& context);

 private:
  int64_t start_;
  double factor_;
  std::vector<int64_t> stop_ids_;
};

}  // namespace gpt2
