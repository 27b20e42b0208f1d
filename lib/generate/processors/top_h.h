#pragma once
// Top-H (Hugging Face's TopHLogitsWarper; Potraghloo et al. 2025): among the 100 most likely
// tokens, renormalised, keeps the most likely ones while the running sum of their entropy terms
// -p log p stays <= top_h times that distribution's entropy; always the most likely token.
// Hugging Face gives it no min_tokens_to_keep, nor does this.
#include "config/fields.h"
#include "generate/logits_processor.h"

namespace gpt2 {

// Its options (keys under generate:), read as config.processor<TopHOptions>().
struct TopHOptions {
  double h = 0.0;

  void visit(FieldVisitor& v) {
    v.field("top_h", h,
            "top-H: keep the most likely tokens while their entropy stays <= top_h * H of the "
            "top 100 (0 = off)",
            Rule::closed(0, 1));
  }
  void validate(const GenerateConfig&) const {}
};

class TopHProcessor : public LogitsProcessor {
 public:
  explicit TopHProcessor(double top_h);
  std::string name() const override { return "top_h"; }
  void apply(at::Tensor& scores, const std::vector<TokenHistory>& rows) const override;
  // nullptr when the config leaves it off.
  static std::unique_ptr<LogitsProcessor> make(const ProcessorContext& context);

  static constexpr int64_t kTopN = 100;  // Hugging Face's cap on the tokens considered

 private:
  double top_h_;
};

}  // namespace gpt2
