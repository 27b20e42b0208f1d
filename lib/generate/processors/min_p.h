#pragma once
// Min-p: drops tokens whose probability is below min_p times the most likely token's; the
// min_tokens_to_keep most likely always stay.
#include "config/fields.h"
#include "generate/logits_processor.h"

namespace gpt2 {

// Its options (keys under generate:), read as config.processor<MinPOptions>().
struct MinPOptions {
  double p = 0.0;

  void visit(FieldVisitor& v) {
    v.field("min_p", p, "drop tokens below min_p * max probability (0 = off)",
            Rule::closed_open(0, 1));
  }
  void validate(const GenerateConfig&) const {}
};

class MinPProcessor : public LogitsProcessor {
 public:
  MinPProcessor(double min_p, int64_t min_tokens_to_keep = 1);
  std::string name() const override { return "min_p"; }
  void apply(at::Tensor& scores, const std::vector<TokenHistory>& rows) const override;
  // nullptr when the config leaves it off.
  static std::unique_ptr<LogitsProcessor> make(const ProcessorContext& context);

 private:
  double min_p_;
  int64_t min_keep_;
};

}  // namespace gpt2
