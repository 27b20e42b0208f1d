#pragma once
// Banned token sequences (Hugging Face's bad_words_ids): a one-token sequence is never
// produced; for a longer one, its last token is banned whenever the history ends with the rest
// of it, provided the whole sequence is no longer than the history. An entry that is exactly a
// stop id is dropped.
#include "generate/logits_processor.h"

namespace gpt2 {

class BannedSequencesProcessor : public LogitsProcessor {
 public:
  explicit BannedSequencesProcessor(std::vector<std::vector<int64_t>> sequences);
  std::string name() const override { return "banned_sequences"; }
  void apply(at::Tensor& scores, const std::vector<TokenHistory>& rows) const override;
  // nullptr when the config leaves it off.
  static std::unique_ptr<LogitsProcessor> make(const ProcessorContext& context);

 private:
  std::vector<std::vector<int64_t>> sequences_;
};

}  // namespace gpt2
