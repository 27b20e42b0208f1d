#pragma once
// Sequence bias (Hugging Face's sequence_bias): a bias added to the last token of each listed
// sequence whenever the next token would complete it, by the same rule as banned sequences
// (one token: always; longer: the history ends with the rest of it and is at least as long
// as the sequence). Biases of sequences ending in the same token add up.
#include "config/fields.h"
#include "generate/logits_processor.h"

namespace gpt2 {

// Its options (keys under generate:), read as config.processor<SequenceBiasOptions>().
struct SequenceBiasOptions {
  std::vector<std::string> entries;  // each "id id ... = bias"

  void visit(FieldVisitor& v) {
    v.field("sequence_bias", entries,
            "added to the last token of a sequence when it would complete it, each \"ids = "
            "bias\", e.g. [\"464 3290 = -2.5\", \"13 = 1\"]");
  }
  void validate(const GenerateConfig& config) const;
  struct BiasedSequence {
    std::vector<int64_t> ids;
    double bias;
  };
  // The entries parsed; throws Error naming a malformed one.
  std::vector<BiasedSequence> biases() const;
};

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
