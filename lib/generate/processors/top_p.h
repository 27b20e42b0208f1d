#pragma once
// Top-p (nucleus, Holtzman et al. 2019): keeps the smallest set of most likely tokens whose
// probability mass is >= top_p; the min_tokens_to_keep most likely always stay.
#include "config/fields.h"
#include "generate/logits_processor.h"

namespace gpt2 {

// Its options (keys under generate:), read as config.processor<TopPOptions>().
struct TopPOptions {
  double p = 1.0;

  void visit(FieldVisitor& v) {
    v.field("top_p", p, "nucleus: keep the smallest set with this mass (1 = off)",
            Rule::open_closed(0, 1));
  }
  void validate(const GenerateConfig&) const {}
};

class TopPProcessor : public LogitsProcessor {
 public:
  TopPProcessor(double top_p, int64_t min_tokens_to_keep = 1);
  std::string name() const override { return "top_p"; }
  void apply(at::Tensor& scores, const std::vector<TokenHistory>& rows) const override;
  // nullptr when the config leaves it off.
  static std::unique_ptr<LogitsProcessor> make(const ProcessorContext& context);

 private:
  double top_p_;
  int64_t min_keep_;
};

}  // namespace gpt2
