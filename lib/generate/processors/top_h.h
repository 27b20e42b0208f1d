#pragma once
// Top-H (Hugging Face's TopHLogitsWarper; Potraghloo et al. 2025): among the 100 most likely
// tokens, renormalised, keeps the most likely ones while the running sum of their entropy terms
// -p log p stays <= top_h times that distribution's entropy; always the most likely token.
// Hugging Face gives it no min_tokens_to_keep, nor does this.
#include "generate/logits_processor.h"

namespace gpt2 {

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
