#pragma once
// Invalid values removed (Hugging Face's remove_invalid_values): nan becomes 0, +inf the
// largest finite float32 and -inf the lowest, so no later step sees a non-finite score (tokens
// banned by an earlier processor then keep a vanishing, not zero, probability).
#include "config/fields.h"
#include "generate/logits_processor.h"

namespace gpt2 {

// Its options (keys under generate:), read as config.processor<RemoveInvalidValuesOptions>().
struct RemoveInvalidValuesOptions {
  bool enabled = false;

  void visit(FieldVisitor& v) {
    v.field("remove_invalid_values", enabled,
            "replace nan logits by 0 and +-inf by the largest finite float");
  }
  void validate(const GenerateConfig&) const {}
};

class RemoveInvalidValuesProcessor : public LogitsProcessor {
 public:
  std::string name() const override { return "remove_invalid_values"; }
  void apply(at::Tensor& scores, const std::vector<TokenHistory>& rows) const override;
  // nullptr when the config leaves it off.
  static std::unique_ptr<LogitsProcessor> make(const ProcessorContext& context);
};

}  // namespace gpt2
