#pragma once
// Presence penalty (OpenAI's definition): subtracts the penalty once from the logit of every
// token generated so far (the prompt does not count).
#include "generate/logits_processor.h"

namespace gpt2 {

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
