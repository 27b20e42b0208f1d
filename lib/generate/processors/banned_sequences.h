#pragma once
// Banned token sequences (Hugging Face's bad_words_ids): a one-token sequence is never
// produced; for a longer one, its last token is banned whenever the history ends with the rest
// of it, provided the whole sequence is no longer than the history. An entry that is exactly a
// stop id is dropped.
#include "config/fields.h"
#include "generate/logits_processor.h"

namespace gpt2 {

// Its options (keys under generate:), read as config.processor<BannedSequencesOptions>().
struct BannedSequencesOptions {
  std::vector<std::string> token_ids;  // each "id id ...": a banned token sequence
  std::vector<std::string> words;      // texts (make_generation_options tokenises)

  void visit(FieldVisitor& v) {
    v.field(
        "banned_token_ids", token_ids,
        "banned token sequences, each a string of ids, e.g. [\"13\", \"464 3290\"] (one that is "
        "exactly a stop id is dropped, as Hugging Face)");
    v.field("banned_words", words, "banned texts (tokenised with the model's tokenizer)");
  }
  void validate(const GenerateConfig& config) const;
  // token_ids parsed; throws Error naming a malformed entry.
  std::vector<std::vector<int64_t>> sequences() const;
};

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
