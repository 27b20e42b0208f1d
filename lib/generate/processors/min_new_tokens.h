#pragma once
// Minimum new tokens: bans every stop id until that many tokens were generated.
#include "config/fields.h"
#include "generate/logits_processor.h"

namespace gpt2 {

// Its options (keys under generate:), read as config.processor<MinNewTokensOptions>().
struct MinNewTokensOptions {
  int64_t count = 0;

  void visit(FieldVisitor& v) {
    v.field("min_new_tokens", count, "stop ids are banned before this many tokens",
            Rule::non_negative());
  }
  void validate(const GenerateConfig& config) const;
};

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
