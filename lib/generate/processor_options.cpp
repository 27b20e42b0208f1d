#include "generate/processor_options.h"

#include "core/error.h"
#include "generate/processor_registry.h"

namespace gpt2 {

ProcessorOptionSet::ProcessorOptionSet() {
  for (const auto& entry : processor_entries()) options_.push_back(entry.options());
}

ProcessorOptionSet::ProcessorOptionSet(const ProcessorOptionSet& other) {
  for (const auto& options : other.options_) options_.push_back(options->clone());
}

ProcessorOptionSet& ProcessorOptionSet::operator=(const ProcessorOptionSet& other) {
  if (this != &other) *this = ProcessorOptionSet(other);
  return *this;
}

void ProcessorOptionSet::visit(FieldVisitor& v) {
  for (auto& options : options_) options->visit(v);
}

void ProcessorOptionSet::validate(const GenerateConfig& config) const {
  for (const auto& options : options_) options->validate(config);
}

AnyProcessorOptions& ProcessorOptionSet::find(std::type_index type) const {
  for (const auto& options : options_)
    if (options->type() == type) return *options;
  throw Error(std::string("internal: no registered logits processor has options of type ") +
              type.name() + "; add its line to processor_registry.cpp");
}

}  // namespace gpt2
