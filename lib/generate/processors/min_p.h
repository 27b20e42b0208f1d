#pragma once
// Min-p: drops tokens whose probability is below min_p times the most likely token's.
#include "generate/logits_processor.h"

namespace gpt2 {

class MinPProcessor : public LogitsProcessor {
 public:
  explicit MinPProcessor(double min_p);
  std::string name() const override { return "min_p"; }
  void apply(at::Tensor& scores, const std::vector<TokenHistory>& rows) const override;
  // nullptr when the config leaves it off.
  static std::unique_ptr<LogitsProcessor> make(const ProcessorContext& context);

 private:
  double min_p_;
};

}  // namespace gpt2
