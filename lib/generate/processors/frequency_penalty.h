#pragma once
// Frequency penalty (OpenAI's definition): subtracts penalty * count from the logit of each
// token generated so far (the prompt does not count).
#include "config/fields.h"
#include "generate/logits_processor.h"

namespace gpt2 {

// Its options (keys under generate:), read as config.processor<FrequencyPenaltyOptions>().
struct FrequencyPenaltyOptions {
  double penalty = 0.0;

  void visit(FieldVisitor& v) {
    v.field("frequency_penalty", penalty,
            "subtract this times a token's count among generated tokens", Rule::closed(-2, 2));
  }
  void validate(const GenerateConfig&) const {}
};

class FrequencyPenaltyProcessor : public LogitsProcessor {
 public:
  explicit FrequencyPenaltyProcessor(double penalty);
  std::string name() const override { return "frequency_penalty"; }
  void apply(at::Tensor& scores, const std::vector<TokenHistory>& rows) const override;
  // nullptr when the config leaves it off.
  static std::unique_ptr<LogitsProcessor> make(const ProcessorContext& context);

 private:
  double penalty_;
};

}  // namespace gpt2
