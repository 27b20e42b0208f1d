#pragma once
// Locally typical sampling (Meister et al. 2022): orders tokens by how far their surprisal is
// from the entropy and keeps the closest ones until their mass reaches typical_p.
#include "generate/logits_processor.h"

namespace gpt2 {

class TypicalPProcessor : public LogitsProcessor {
 public:
  explicit TypicalPProcessor(double mass);
  std::string name() const override { return "typical_p"; }
  void apply(at::Tensor& scores, const std::vector<TokenHistory>& rows) const override;
  // nullptr when the config leaves it off.
  static std::unique_ptr<LogitsProcessor> make(const ProcessorContext& context);

 private:
  double mass_;
};

}  // namespace gpt2
