#include "generate/generator.h"

#include <algorithm>

#include "core/error.h"
#include "generate/processor_registry.h"
#include "generate/processors/banned_sequences.h"
#include "generate/strategies/speculative.h"
#include "generate/strategy_registry.h"

namespace gpt2 {

std::vector<int64_t> resolved_stop_ids(const GenerationOptions& options) {
  std::vector<int64_t> ids = options.config.stop_ids;
  if (!options.config.ignore_eos && options.eos_id >= 0) ids.push_back(options.eos_id);
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

std::vector<std::vector<GenerationResult>> generate(
    LogitsSource& model, const std::vector<std::vector<int64_t>>& prompts,
    const GenerationOptions& options, const GenerateCallbacks& callbacks) {
  const GenerateConfig& config = options.config;
  config.validate();
  const int64_t vocab = model.vocab_size();
  for (size_t i = 0; i < prompts.size(); ++i) {
    require(!prompts[i].empty(), "prompt " + std::to_string(i) + " has no tokens");
    for (auto id : prompts[i])
      require(id >= 0 && id < vocab, "prompt " + std::to_string(i) + " has token id " +
                                         std::to_string(id) + ", outside the vocabulary (size " +
                                         std::to_string(vocab) + ")");
  }
  require(config.min_tokens_to_keep <= vocab,
          "generate.min_tokens_to_keep (" + std::to_string(config.min_tokens_to_keep) +
              ") exceeds the vocabulary (" + std::to_string(vocab) +
              " tokens): no filter could remove anything; give at most " + std::to_string(vocab));
  ProcessorContext processor_context{config, vocab, resolved_stop_ids(options),
                                     config.processor<BannedSequencesOptions>().sequences()};
  for (const auto& s : options.banned) processor_context.banned.push_back(s);
  processor_context.dry_breakers = options.dry_breakers;
  ProcessorChain processors = build_processors(processor_context);
  StopPolicy stop({config.max_new_tokens, processor_context.stop_ids, config.stop_strings,
                   model.context_length()},
                  options.decode);
  require(config.draft_model.empty() || options.draft,
          "generate.draft_model is set, but this program did not load a draft model");
  std::unique_ptr<SearchStrategy> strategy;
  if (config.is_speculative())
    strategy = std::make_unique<SpeculativeSearch>();
  else
    strategy = make_strategy(config.search());
  SearchContext context{model,        processors,         stop,         config,
                        options.seed, callbacks.on_token, options.trace};
  context.draft = options.draft;

  std::vector<std::vector<GenerationResult>> results;
  const auto batch_size = static_cast<size_t>(config.batch_size);
  for (size_t start = 0; start < prompts.size(); start += batch_size) {
    const size_t end = std::min(prompts.size(), start + batch_size);
    std::vector<std::vector<int64_t>> batch(prompts.begin() + static_cast<long>(start),
                                            prompts.begin() + static_cast<long>(end));
    std::vector<int64_t> indices;
    for (size_t i = start; i < end; ++i) indices.push_back(static_cast<int64_t>(i));
    auto batch_results = strategy->run(batch, indices, context);
    for (size_t i = 0; i < batch_results.size(); ++i) {
      for (auto& r : batch_results[i]) r.text = stop.final_text(r.tokens, r.reason);
      if (callbacks.on_result) callbacks.on_result(indices[i], batch_results[i]);
      results.push_back(std::move(batch_results[i]));
    }
  }
  return results;
}

}  // namespace gpt2
