#pragma once
// Eta sampling (Hewitt et al. 2022): drops tokens with probability below
// min(eta, sqrt(eta) * exp(-entropy)), keeping the min_tokens_to_keep most likely (and ties).
#include "generate/logits_processor.h"

namespace gpt2 {

class EtaProcessor : public LogitsProcessor {
 public:
  EtaProcessor(double eta, int64_t min_tokens_to_keep = 1);
  std::string name() const override { return "eta"; }
  void apply(at::Tensor& scores, const std::vector<TokenHistory>& rows) const override;
  // nullptr when the config leaves it off.
  static std::unique_ptr<LogitsProcessor> make(const ProcessorContext& context);

 private:
  double eta_;
  int64_t min_keep_;
};

}  // namespace gpt2
