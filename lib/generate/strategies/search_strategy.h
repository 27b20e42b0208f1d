#pragma once
// A search strategy turns processed next-token scores into sequences: greedy and sampling pick
// one token per row; the beam strategies keep several hypotheses per prompt. Most are
// selection policies of the one decode loop (decode_loop.h). Strategies are registered by name
// in strategy_registry.cpp.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "generate/generate_config.h"
#include "generate/generation_result.h"
#include "generate/logits_source.h"
#include "generate/processor_registry.h"
#include "generate/stopping.h"

namespace gpt2 {

struct SearchContext {
  LogitsSource& model;
  const ProcessorChain& processors;
  const StopPolicy& stop;
  const GenerateConfig& config;
  uint64_t seed = 0;
  std::function<void(const TokenEvent&)> on_token;  // may be empty
  bool trace = false;                               // fill GenerationResult::trace (step_trace.h)
  LogitsSource* draft = nullptr;                    // speculative decoding's draft model
};

class SearchStrategy {
 public:
  virtual ~SearchStrategy() = default;
  virtual std::string name() const = 0;
  // Decodes one batch. prompt_indices[i] is prompts[i]'s position in the whole job: it seeds
  // the prompt's random streams, so results do not depend on how prompts are batched.
  // Returns, per prompt, config.num_return_sequences results, best first for beams.
  virtual std::vector<std::vector<GenerationResult>> run(
      const std::vector<std::vector<int64_t>>& prompts, const std::vector<int64_t>& prompt_indices,
      const SearchContext& context) = 0;
};

}  // namespace gpt2
