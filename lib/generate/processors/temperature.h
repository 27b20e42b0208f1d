#pragma once
// Temperature: logits / T. T < 1 sharpens the distribution, T > 1 flattens it.
#include "generate/logits_processor.h"

namespace gpt2 {

class TemperatureProcessor : public LogitsProcessor {
 public:
  explicit TemperatureProcessor(double temperature);
  std::string name() const override { return "temperature"; }
  void apply(at::Tensor& scores, const std::vector<TokenHistory>& rows) const override;
  // nullptr when the config leaves it off.
  static std::unique_ptr<LogitsProcessor> make(const ProcessorContext& context);

 private:
  double temperature_;
};

}  // namespace gpt2
