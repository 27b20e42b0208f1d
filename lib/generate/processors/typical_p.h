#pragma once
// Locally typical sampling (Meister et al. 2022): orders tokens by how far their surprisal is
// from the entropy and keeps the closest ones until their mass reaches typical_p (at least
// min_tokens_to_keep of them).
#include "config/fields.h"
#include "generate/logits_processor.h"

namespace gpt2 {

// Its options (keys under generate:), read as config.processor<TypicalPOptions>().
struct TypicalPOptions {
  double p = 1.0;

  void visit(FieldVisitor& v) {
    v.field("typical_p", p, "locally typical sampling mass (1 = off)", Rule::open_closed(0, 1));
  }
  void validate(const GenerateConfig&) const {}
};

class TypicalPProcessor : public LogitsProcessor {
 public:
  TypicalPProcessor(double mass, int64_t min_tokens_to_keep = 1);
  std::string name() const override { return "typical_p"; }
  void apply(at::Tensor& scores, const std::vector<TokenHistory>& rows) const override;
  // nullptr when the config leaves it off.
  static std::unique_ptr<LogitsProcessor> make(const ProcessorContext& context);

 private:
  double mass_;
  int64_t min_keep_;
};

}  // namespace gpt2
