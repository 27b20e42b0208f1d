#pragma once
// Minimum new tokens: bans every stop id until that many tokens were generated.
#include "generate/logits_processor.h"

namespace gpt2 {

class MinNewTokensProcessor : public LogitsProcessor {
 public:
  explicit MinNewTokensProcessor(int64_t min_new_tokens, std::vector<int64_t> stop_ids);
  std::string name() const override { return "min_new_tokens"; }
  void apply(at::Tensor& scores, const std::vector<TokenHistory>& rows) const override;
  // nullptr when the config leaves it off.
  static std::unique_ptr<LogitsProcessor> make(const ProcessorContext& context);

 private:
  int64_t min_new_tokens_;
  std::vector<int64_t> stop_ids_;
};

}  // namespace gpt2
