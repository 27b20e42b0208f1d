#pragma once
// Eta sampling (Hewitt et al. 2022): drops tokens with probability below
// min(eta, sqrt(eta) * exp(-entropy)), keeping the min_tokens_to_keep most likely (and ties).
#include "config/fields.h"
#include "generate/logits_processor.h"

namespace gpt2 {

// Its options (keys under generate:), read as config.processor<EtaOptions>().
struct EtaOptions {
  double eta = 0.0;

  void visit(FieldVisitor& v) {
    v.field("eta", eta, "eta sampling cutoff, min(eta, sqrt(eta) exp(-entropy)) (0 = off)",
            Rule::closed_open(0, 1));
  }
  void validate(const GenerateConfig&) const {}
};

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
