#pragma once
// generate(): decodes a list of prompts with the configured strategy, processors and stopping
// policy, in batches of config.batch_size. The one entry point the CLI, the benchmark and
// experiments call.
#include <cstdint>
#include <functional>
#include <vector>

#include "generate/generate_config.h"
#include "generate/generation_result.h"
#include "generate/logits_source.h"
#include "generate/stopping.h"

namespace gpt2 {

struct GenerationOptions {
  GenerateConfig config;  // validated
  uint64_t seed = 0;      // with a prompt's index, seeds its random streams
  int64_t eos_id = -1;    // the model's end-of-text id (a stop id unless config.ignore_eos)
  std::vector<std::vector<int64_t>> banned;  // extra banned sequences (e.g. tokenised words)
  Detokenizer decode;  // ids to text: result text and stop strings; may be empty
  std::vector<std::vector<int64_t>> dry_breakers;  // DRY breakers (make_generation_options)
  bool trace = false;                              // per-token traces in the results (step_trace.h)
  LogitsSource* draft = nullptr;  // the loaded config.draft_model (speculative decoding)
};

struct GenerateCallbacks {
  // Greedy and sampling: every token; beams: the best sequence's, as each becomes final.
  std::function<void(const TokenEvent&)> on_token;
  // After each batch: the prompt's index and its results.
  std::function<void(int64_t, const std::vector<GenerationResult>&)> on_result;
};

// For each prompt (token ids, non-empty), config.num_return_sequences results, best first for
// beam strategies. Results depend only on (prompt, index, seed, config), never on batching.
std::vector<std::vector<GenerationResult>> generate(
    LogitsSource& model, const std::vector<std::vector<int64_t>>& prompts,
    const GenerationOptions& options, const GenerateCallbacks& callbacks = {});

// The stop ids options imply: eos (unless ignored) and config.stop_ids.
std::vector<int64_t> resolved_stop_ids(const GenerationOptions& options);

}  // namespace gpt2
