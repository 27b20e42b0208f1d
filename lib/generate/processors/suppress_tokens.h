#pragma once
// Suppressed tokens (Hugging Face's suppress_tokens): the listed ids are never generated.
#include "config/fields.h"
#include "generate/logits_processor.h"

namespace gpt2 {

// Its options (keys under generate:), read as config.processor<SuppressTokensOptions>().
struct SuppressTokensOptions {
  std::vector<int64_t> ids;

  void visit(FieldVisitor& v) {
    v.field("suppress_tokens", ids, "token ids never generated", Rule::non_negative());
  }
  void validate(const GenerateConfig&) const {}
};

class SuppressTokensProcessor : public LogitsProcessor {
 public:
  explicit SuppressTokensProcessor(std::vector<int64_t> ids);
  std::string name() const override { return "suppress_tokens"; }
  void apply(at::Tensor& scores, const std::vector<TokenHistory>& rows) const override;
  // nullptr when the config leaves it off.
  static std::unique_ptr<LogitsProcessor> make(const ProcessorContext& context);

 private:
  std::vector<int64_t> ids_;
};

}  // namespace gpt2
