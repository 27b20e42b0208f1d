#pragma once
// Banned token sequences: a one-token sequence is never produced; for a longer one, its last
// token is banned whenever the sequence so far ends with the rest of it.
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
