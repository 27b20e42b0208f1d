#pragma once
// Renormalisation (Hugging Face's renormalize_logits): the scores become log-probabilities
// (log-softmax), after every other processor; beam search then sums true log-probabilities of
// the processed distribution.
#include "generate/logits_processor.h"

namespace gpt2 {

class RenormalizeProcessor : public LogitsProcessor {
 public:
  std::string name() const override { return "renormalize_logits"; }
  void apply(at::Tensor& scores, const std::vector<TokenHistory>& rows) const override;
  // nullptr when the config leaves it off.
  static std::unique_ptr<LogitsProcessor> make(const ProcessorContext& context);
};

}  // namespace gpt2
