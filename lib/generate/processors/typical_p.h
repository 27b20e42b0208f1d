#pragma once
// Locally typical sampling (Meister et al. 2022): orders tokens by how far their surprisal is
// from the entropy and keeps the closest ones until their mass reaches typical_p (at least
// min_tokens_to_keep of them).
#include "generate/logits_processor.h"

namespace gpt2 {

class TypicalPProcessor : public LogitsProcessor {
 public:
  TypicalPProcessor(double mass, int64_t min_tokens_to_keep = 1);
  std::string name() const override { return "typical_p"; }
  void apply(at::Tensor& scores, const std::vector<TokenHistory>& rows) const override;
  // nullptr when the config leaves it off.
  static std::unique_ptr<LogitsProcessor> make(const ProcessorContext& context);

 private:
  double mass_;
  int64_t min_keep_;
};

}  // namespace gpt2
