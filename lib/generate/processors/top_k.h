#pragma once
// Top-k: keeps the max(k, min_tokens_to_keep) highest logits (and any tied with the last of
// them), masks the rest.
#include "config/fields.h"
#include "generate/logits_processor.h"

namespace gpt2 {

// Its options (keys under generate:), read as config.processor<TopKOptions>().
struct TopKOptions {
  int64_t k = 0;

  void visit(FieldVisitor& v) {
    v.field("top_k", k, "keep the k most likely tokens (0 = off)", Rule::non_negative());
  }
  void validate(const GenerateConfig&) const {}
};

class TopKProcessor : public LogitsProcessor {
 public:
  TopKProcessor(int64_t k, int64_t min_tokens_to_keep = 1);
  std::string name() const override { return "top_k"; }
  void apply(at::Tensor& scores, const std::vector<TokenHistory>& rows) const override;
  // nullptr when the config leaves it off.
  static std::unique_ptr<LogitsProcessor> make(const ProcessorContext& context);

 private:
  int64_t k_;
  int64_t min_keep_;
};

}  // namespace gpt2
