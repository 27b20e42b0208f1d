#pragma once
// Top-k: keeps the k highest logits (and any tied with the k-th), masks the rest.
#include "generate/logits_processor.h"

namespace gpt2 {

class TopKProcessor : public LogitsProcessor {
 public:
  explicit TopKProcessor(int64_t k);
  std::string name() const override { return "top_k"; }
  void apply(at::Tensor& scores, const std::vector<TokenHistory>& rows) const override;
  // nullptr when the config leaves it off.
  static std::unique_ptr<LogitsProcessor> make(const ProcessorContext& context);

 private:
  int64_t k_;
};

}  // namespace gpt2
