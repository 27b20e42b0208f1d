#pragma once
// Eta sampling (Hewitt et al. 2022): drops tokens with probability below
// min(eta, sqrt(eta) * exp(-entropy)), keeping the most likely.
#include "generate/logits_processor.h"

namespace gpt2 {

class EtaProcessor : public LogitsProcessor {
 public:
  explicit EtaProcessor(double eta);
  std::string name() const override { return "eta"; }
  void apply(at::Tensor& scores, const std::vector<TokenHistory>& rows) const override;
  // nullptr when the config leaves it off.
  static std::unique_ptr<LogitsProcessor> make(const ProcessorContext& context);

 private:
  double eta_;
};

}  // namespace gpt2
