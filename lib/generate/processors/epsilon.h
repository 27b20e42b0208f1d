#pragma once
// Epsilon sampling (Hewitt et al. 2022): drops tokens with probability below epsilon, keeping
// the most likely.
#include "generate/logits_processor.h"

namespace gpt2 {

class EpsilonProcessor : public LogitsProcessor {
 public:
  explicit EpsilonProcessor(double epsilon);
  std::string name() const override { return "epsilon"; }
  void apply(at::Tensor& scores, const std::vector<TokenHistory>& rows) const override;
  // nullptr when the config leaves it off.
  static std::unique_ptr<LogitsProcessor> make(const ProcessorContext& context);

 private:
  double epsilon_;
};

}  // namespace gpt2
