#pragma once
// Tokens suppressed at the start (Hugging Face's begin_suppress_tokens): the listed ids are
// not generated as the first new token, and free afterwards.
#include "config/fields.h"
#include "generate/logits_processor.h"

namespace gpt2 {

// Its options (keys under generate:), read as config.processor<BeginSuppressTokensOptions>().
struct BeginSuppressTokensOptions {
  std::vector<int64_t> ids;

  void visit(FieldVisitor& v) {
    v.field("begin_suppress_tokens", ids, "token ids not generated as the first new token",
            Rule::non_negative());
  }
  void validate(const GenerateConfig&) const {}
};

class BeginSuppressTokensProcessor : public LogitsProcessor {
 public:
  explicit BeginSuppressTokensProcessor(std::vector<int64_t> ids);
  std::string name() const override { return "begin_suppress_tokens"; }
  void apply(at::Tensor& scores, const std::vector<TokenHistory>& rows) const override;
  // nullptr when the config leaves it off.
  static std::unique_ptr<LogitsProcessor> make(const ProcessorContext& context);

 private:
  std::vector<int64_t> ids_;
};

}  // namespace gpt2
