#pragma once
// Presence penalty (OpenAI's definition): subtracts the penalty once from the logit of every
// token generated so far (the prompt does not count).
#include "config/fields.h"
#include "generate/logits_processor.h"

namespace gpt2 {

// Its options (keys under generate:), read as config.processor<PresencePenaltyOptions>().
struct PresencePenaltyOptions {
  double penalty = 0.0;

  void visit(FieldVisitor& v) {
    v.field("presence_penalty", penalty, "subtract this from tokens already generated",
            Rule::closed(-2, 2));
  }
  void validate(const GenerateConfig&) const {}
};

class PresencePenaltyProcessor : public LogitsProcessor {
 public:
  explicit PresencePenaltyProcessor(double penalty);
  std::string name() const override { return "presence_penalty"; }
  void apply(at::Tensor& scores, const std::vector<TokenHistory>& rows) const override;
  // nullptr when the config leaves it off.
  static std::unique_ptr<LogitsProcessor> make(const ProcessorContext& context);

 private:
  double penalty_;
};

}  // namespace gpt2
