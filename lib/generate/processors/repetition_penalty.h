#pragma once
// Repetition penalty (Keskar et al. 2019, as Hugging Face applies it): for every token in the
// prompt or generated so far, a positive logit is divided by the penalty, a negative one
// multiplied, so a penalty > 1 always makes the token less likely.
#include "generate/logits_processor.h"

namespace gpt2 {

class RepetitionPenaltyProcessor : public LogitsProcessor {
 public:
  explicit RepetitionPenaltyProcessor(double penalty);
  std::string name() const override { return "repetition_penalty"; }
  void apply(at::Tensor& scores, const std::vector<TokenHistory>& rows) const override;
  // nullptr when the config leaves it off.
  static std::unique_ptr<LogitsProcessor> make(const ProcessorContext& context);

 private:
  double penalty_;
};

}  // namespace gpt2
