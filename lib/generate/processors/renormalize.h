#pragma once
// Renormalisation (Hugging Face's renormalize_logits): the scores become log-probabilities
// (log-softmax), after every other processor; beam search then sums true log-probabilities of
// the processed distribution.
#include "config/fields.h"
#include "generate/logits_processor.h"

namespace gpt2 {

// Its options (keys under generate:), read as config.processor<RenormalizeOptions>().
struct RenormalizeOptions {
  bool enabled = false;

  void visit(FieldVisitor& v) {
    v.field("renormalize_logits", enabled, "log-softmax the scores after every other processor");
  }
  void validate(const GenerateConfig&) const {}
};

class RenormalizeProcessor : public LogitsProcessor {
 public:
  std::string name() const override { return "renormalize_logits"; }
  void apply(at::Tensor& scores, const std::vector<TokenHistory>& rows) const override;
  // nullptr when the config leaves it off.
  static std::unique_ptr<LogitsProcessor> make(const ProcessorContext& context);
};

}  // namespace gpt2
