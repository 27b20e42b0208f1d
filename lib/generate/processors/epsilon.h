#pragma once
// Epsilon sampling (Hewitt et al. 2022): drops tokens with probability below epsilon, keeping
// the min_tokens_to_keep most likely (and any tied with the last of them), as Hugging Face.
#include "config/fields.h"
#include "generate/logits_processor.h"

namespace gpt2 {

// Its options (keys under generate:), read as config.processor<EpsilonOptions>().
struct EpsilonOptions {
  double epsilon = 0.0;

  void visit(FieldVisitor& v) {
    v.field("epsilon", epsilon, "drop tokens with probability below epsilon (0 = off)",
            Rule::closed_open(0, 1));
  }
  void validate(const GenerateConfig&) const {}
};

class EpsilonProcessor : public LogitsProcessor {
 public:
  EpsilonProcessor(double epsilon, int64_t min_tokens_to_keep = 1);
  std::string name() const override { return "epsilon"; }
  void apply(at::Tensor& scores, const std::vector<TokenHistory>& rows) const override;
  // nullptr when the config leaves it off.
  static std::unique_ptr<LogitsProcessor> make(const ProcessorContext& context);

 private:
  double epsilon_;
  int64_t min_keep_;
};

}  // namespace gpt2
