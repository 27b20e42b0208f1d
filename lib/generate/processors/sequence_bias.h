#pragma once
// Sequence bias (Hugging Face's sequence_bias): a bias added to the last token of each listed
// sequence whenever the next token would complete it, by the same rule as banned sequences
// (one token: always; longer: the history ends with the rest of it and is at least as long
// as the sequence). Biases of sequences ending in the same token add up.
#include "generate/logits_processor.h"

namespace gpt2 {

class SequenceBiasProcessor : public LogitsProcessor {
 public:
  struct Entry {
    std::vector<int64_t> ids;
    float bias;
  };
  explicit SequenceBiasProcessor(std::vector<Entry> entries);
  std::string name() const override { return "sequence_bias"; }
  void apply(at::Tensor& scores, const std::vector<TokenHistory>& rows) const override;
  // nullptr when the config leaves it off.
  static std::unique_ptr<LogitsProcessor> make(const ProcessorContext& context);

 private:
  std::vector<Entry> entries_;  // one-token entries first, as Hugging Face adds them
};

}  // namespace gpt2
