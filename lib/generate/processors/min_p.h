#pragma once
// Min-p: drops tokens whose probability is below min_p times the most likely token's; the
// min_tokens_to_keep most likely always stay.
#include "generate/logits_processor.h"

namespace gpt2 {

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
