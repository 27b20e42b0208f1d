#pragma once
// The logits processors by name, in their default chain order: penalties and constraints
// first, then the sampling warpers, then renormalisation (Hugging Face's order). This is the
// one list of them: GenerateConfig's processor fields, their checks and the CLI's flags come
// from each entry's options struct. Adding a processor is one line in processor_registry.cpp.
#include <memory>
#include <string>
#include <vector>

#include "generate/logits_processor.h"
#include "generate/processor_options.h"

namespace gpt2 {

struct ProcessorEntry {
  const char* name;
  bool warper;  // reshapes the distribution for sampling; skipped by deterministic searches
  std::unique_ptr<AnyProcessorOptions> (*options)();  // its options struct at its defaults
  std::unique_ptr<LogitsProcessor> (*make)(const ProcessorContext&);  // nullptr = disabled
};

const std::vector<ProcessorEntry>& processor_entries();
std::vector<std::string> processor_names();

// The processors a config enables, applied in order.
class ProcessorChain {
 public:
  ProcessorChain() = default;
  explicit ProcessorChain(std::vector<std::unique_ptr<LogitsProcessor>> processors)
      : processors_(std::move(processors)) {}
  // scores: (B, V) float32, edited in place.
  void apply(at::Tensor& scores, const std::vector<TokenHistory>& rows) const {
    for (const auto& p : processors_) p->apply(scores, rows);
  }
  std::vector<std::string> names() const;
  bool empty() const { return processors_.empty(); }

 private:
  std::vector<std::unique_ptr<LogitsProcessor>> processors_;
};

// The enabled processors: those of config.processors in that order, else the registry order.
// Warpers are left out unless the strategy samples (config.validate() rejects them there).
ProcessorChain build_processors(const ProcessorContext& context);

}  // namespace gpt2
