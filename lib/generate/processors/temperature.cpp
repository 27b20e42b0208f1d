#include "generate/processors/temperature.h"

#include <ATen/ATen.h>

#include "core/error.h"
#include "generate/generate_config.h"

namespace gpt2 {

TemperatureProcessor::TemperatureProcessor(double temperature) : temperature_(temperature) {
  require(temperature > 0, "temperature must be > 0, got " + std::to_string(temperature));
}

void TemperatureProcessor::apply(at::Tensor& scores, const std::vector<TokenHistory>&) const {
  scores.div_(temperature_);  // (B, V)
}

std::unique_ptr<LogitsProcessor> TemperatureProcessor::make(const ProcessorContext& context) {
  double t = context.config.processor<TemperatureOptions>().temperature;
  return t == 1.0 ? nullptr : std::make_unique<TemperatureProcessor>(t);
}

}  // namespace gpt2
