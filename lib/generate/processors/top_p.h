#pragma once
// Top-p (nucleus, Holtzman et al. 2019): keeps the smallest set of most likely tokens whose
// probability mass is >= top_p; always at least the most likely token.
#include "generate/logits_processor.h"

namespace gpt2 {

class TopPProcessor : public LogitsProcessor {
 public:
  explicit TopPProcessor(double top_p);
  std::string name() const override { return "top_p"; }
  void apply(at::Tensor& scores, const std::vector<TokenHistory>& rows) const override;
  // nullptr when the config leaves it off.
  static std::unique_ptr<LogitsProcessor> make(const ProcessorContext& context);

 private:
  double top_p_;
};

}  // namespace gpt2
