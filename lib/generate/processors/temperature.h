#pragma once
// Temperature: logits / T. T < 1 sharpens the distribution, T > 1 flattens it.
#include "config/fields.h"
#include "generate/logits_processor.h"

namespace gpt2 {

// Its options (keys under generate:), read as config.processor<TemperatureOptions>().
struct TemperatureOptions {
  double temperature = 1.0;

  void visit(FieldVisitor& v) {
    v.field("temperature", temperature, "divide logits by this before sampling", Rule::positive());
  }
  void validate(const GenerateConfig&) const {}
};

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
