#pragma once
// Suppressed tokens (Hugging Face's suppress_tokens): the listed ids are never generated.
#include "generate/logits_processor.h"

namespace gpt2 {

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
