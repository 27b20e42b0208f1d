#pragma once
// Forced end (Hugging Face's forced_eos_token_id): the token generated at position
// max_new_tokens is this id, so a sequence cut by the length limit still ends properly.
// Sequences stopped earlier by the model's context are not forced (as Hugging Face, which
// counts max_length only).
#include "config/fields.h"
#include "generate/logits_processor.h"

namespace gpt2 {

// Its options (keys under generate:), read as config.processor<ForcedEosOptions>().
struct ForcedEosOptions {
  int64_t token_id = -1;

  void visit(FieldVisitor& v) {
    v.field("forced_eos_token_id", token_id, "force this id as token max_new_tokens (-1 = off)",
            Rule::at_least(-1));
  }
  void validate(const GenerateConfig&) const {}
};

class ForcedEosProcessor : public LogitsProcessor {
 public:
  ForcedEosProcessor(int64_t id, int64_t max_new_tokens);
  std::string name() const override { return "forced_eos"; }
  void apply(at::Tensor& scores, const std::vector<TokenHistory>& rows) const override;
  // nullptr when the config leaves it off.
  static std::unique_ptr<LogitsProcessor> make(const ProcessorContext& context);

 private:
  int64_t id_, max_new_tokens_;
};

}  // namespace gpt2
