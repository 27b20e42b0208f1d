#include "generate/processor_registry.h"

#include "core/error.h"
#include "generate/generate_config.h"
#include "generate/processors/banned_sequences.h"
#include "generate/processors/dry.h"
#include "generate/processors/epsilon.h"
#include "generate/processors/eta.h"
#include "generate/processors/frequency_penalty.h"
#include "generate/processors/min_new_tokens.h"
#include "generate/processors/min_p.h"
#include "generate/processors/no_repeat_ngram.h"
#include "generate/processors/presence_penalty.h"
#include "generate/processors/repetition_penalty.h"
#include "generate/processors/temperature.h"
#include "generate/processors/top_k.h"
#include "generate/processors/top_p.h"
#include "generate/processors/typical_p.h"

namespace gpt2 {

const std::vector<ProcessorEntry>& processor_entries() {
  static const std::vector<ProcessorEntry> entries = {
      {"repetition_penalty", false, RepetitionPenaltyProcessor::make},
      {"frequency_penalty", false, FrequencyPenaltyProcessor::make},
      {"presence_penalty", false, PresencePenaltyProcessor::make},
      {"dry", false, DryProcessor::make},
      {"no_repeat_ngram", false, NoRepeatNgramProcessor::make},
      {"banned_sequences", false, BannedSequencesProcessor::make},
      {"min_new_tokens", false, MinNewTokensProcessor::make},
      {"temperature", true, TemperatureProcessor::make},
      {"top_k", true, TopKProcessor::make},
      {"top_p", true, TopPProcessor::make},
      {"min_p", true, MinPProcessor::make},
      {"typical_p", true, TypicalPProcessor::make},
      {"epsilon", true, EpsilonProcessor::make},
      {"eta", true, EtaProcessor::make},
  };
  return entries;
}

std::vector<std::string> processor_names() {
  std::vector<std::string> names;
  for (const auto& e : processor_entries()) names.push_back(e.name);
  return names;
}

std::vector<std::string> ProcessorChain::names() const {
  std::vector<std::string> names;
  for (const auto& p : processors_) names.push_back(p->name());
  return names;
}

ProcessorChain build_processors(const ProcessorContext& context) {
  std::vector<const ProcessorEntry*> order;
  if (context.config.processors.empty()) {
    for (const auto& e : processor_entries()) order.push_back(&e);
  } else {
    for (const auto& name : context.config.processors) {
      const ProcessorEntry* found = nullptr;
      for (const auto& e : processor_entries())
        if (name == e.name) found = &e;
      require(found != nullptr, "generate.processors: unknown processor \"" + name + "\"");
      order.push_back(found);
    }
  }
  std::vector<std::unique_ptr<LogitsProcessor>> chain;
  for (const auto* e : order) {
    if (e->warper && !context.config.is_sampling()) continue;
    if (auto p = e->make(context)) chain.push_back(std::move(p));
  }
  return ProcessorChain(std::move(chain));
}

}  // namespace gpt2
