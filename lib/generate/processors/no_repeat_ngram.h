#pragma once
// No-repeat n-gram: bans any token that would complete an n-gram already present in the
// sequence (prompt included), as Hugging Face's no_repeat_ngram_size.
#include "generate/logits_processor.h"

namespace gpt2 {

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
