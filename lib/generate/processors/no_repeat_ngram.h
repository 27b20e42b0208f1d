#pragma once
// No-repeat n-gram: bans any token that would complete an n-gram already present in the
// sequence (prompt included), as Hugging Face's no_repeat_ngram_size.
#include "config/fields.h"
#include "generate/logits_processor.h"

namespace gpt2 {

// Its options (keys under generate:), read as config.processor<NoRepeatNgramOptions>().
struct NoRepeatNgramOptions {
  int64_t size = 0;

  void visit(FieldVisitor& v) {
    v.field("no_repeat_ngram_size", size, "forbid repeating any n-gram of this size (0 = off)",
            Rule::non_negative());
  }
  void validate(const GenerateConfig&) const {}
};

class NoRepeatNgramProcessor : public LogitsProcessor {
 public:
  explicit NoRepeatNgramProcessor(int64_t n);
  std::string name() const override { return "no_repeat_ngram"; }
  void apply(at::Tensor& scores, const std::vector<TokenHistory>& rows) const override;
  // nullptr when the config leaves it off.
  static std::unique_ptr<LogitsProcessor> make(const ProcessorContext& context);

 private:
  int64_t n_;
};

}  // namespace gpt2
