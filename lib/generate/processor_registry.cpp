#include "generate/processor_registry.h"

#include "core/error.h"
#include "generate/generate_config.h"
#include "generate/processors/banned_sequences.h"
#include "generate/processors/begin_suppress_tokens.h"
#include "generate/processors/dry.h"
#include "generate/processors/epsilon.h"
#include "generate/processors/eta.h"
#include "generate/processors/exponential_decay.h"
#include "generate/processors/forced_eos.h"
#include "generate/processors/frequency_penalty.h"
#include "generate/processors/min_new_tokens.h"
#include "generate/processors/min_p.h"
#include "generate/processors/no_repeat_ngram.h"
#include "generate/processors/presence_penalty.h"
#include "generate/processors/remove_invalid_values.h"
#include "generate/processors/renormalize.h"
#include "generate/processors/repetition_penalty.h"
#include "generate/processors/sequence_bias.h"
#include "generate/processors/suppress_tokens.h"
#include "generate/processors/temperature.h"
#include "generate/processors/top_h.h"
#include "generate/processors/top_k.h"
#include "generate/processors/top_p.h"
#include "generate/processors/typical_p.h"

namespace gpt2 {

namespace {

constexpr bool kWarper = true, kAnyStrategy = false;

template <class Options>
ProcessorEntry entry(const char* name, bool warper,
                     std::unique_ptr<LogitsProcessor> (*make)(const ProcessorContext&)) {
  auto defaults = []() -> std::unique_ptr<AnyProcessorOptions> {
    return std::make_unique<ProcessorOptionsOf<Options>>();
  };
  return {name, warper, defaults, make};
}

}  // namespace

const std::vector<ProcessorEntry>& processor_entries() {
  static const std::vector<ProcessorEntry> entries = {
      entry<SequenceBiasOptions>("sequence_bias", kAnyStrategy, SequenceBiasProcessor::make),
      entry<RepetitionPenaltyOptions>("repetition_penalty", kAnyStrategy,
                                      RepetitionPenaltyProcessor::make),
      entry<FrequencyPenaltyOptions>("frequency_penalty", kAnyStrategy,
                                     FrequencyPenaltyProcessor::make),
      entry<PresencePenaltyOptions>("presence_penalty", kAnyStrategy,
                                    PresencePenaltyProcessor::make),
      entry<DryOptions>("dry", kAnyStrategy, DryProcessor::make),
      entry<NoRepeatNgramOptions>("no_repeat_ngram", kAnyStrategy, NoRepeatNgramProcessor::make),
      entry<BannedSequencesOptions>("banned_sequences", kAnyStrategy,
                                    BannedSequencesProcessor::make),
      entry<MinNewTokensOptions>("min_new_tokens", kAnyStrategy, MinNewTokensProcessor::make),
      entry<ForcedEosOptions>("forced_eos", kAnyStrategy, ForcedEosProcessor::make),
      entry<RemoveInvalidValuesOptions>("remove_invalid_values", kAnyStrategy,
                                        RemoveInvalidValuesProcessor::make),
      entry<ExponentialDecayOptions>("exponential_decay", kAnyStrategy,
                                     ExponentialDecayProcessor::make),
      entry<SuppressTokensOptions>("suppress_tokens", kAnyStrategy, SuppressTokensProcessor::make),
      entry<BeginSuppressTokensOptions>("begin_suppress_tokens", kAnyStrategy,
                                        BeginSuppressTokensProcessor::make),
      entry<TemperatureOptions>("temperature", kWarper, TemperatureProcessor::make),
      entry<TopHOptions>("top_h", kWarper, TopHProcessor::make),
      entry<TopKOptions>("top_k", kWarper, TopKProcessor::make),
      entry<TopPOptions>("top_p", kWarper, TopPProcessor::make),
      entry<MinPOptions>("min_p", kWarper, MinPProcessor::make),
      entry<TypicalPOptions>("typical_p", kWarper, TypicalPProcessor::make),
      entry<EpsilonOptions>("epsilon", kWarper, EpsilonProcessor::make),
      entry<EtaOptions>("eta", kWarper, EtaProcessor::make),
      entry<RenormalizeOptions>("renormalize_logits", kAnyStrategy,
                                RenormalizeProcessor::make),  // last: after the warpers
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
