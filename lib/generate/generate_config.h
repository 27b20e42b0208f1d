#pragma once
// The `generate:` section: which search strategy picks tokens, the logits processors that
// reshape the distribution first, and when a sequence stops. Each processor declares its own
// fields (generate.top_p, ...) and checks; this section holds them through the registry. Flags
// such as --top-p are shorthands for --set generate.top_p=...; validate() checks everything.
#include <cstdint>
#include <string>
#include <vector>

#include "config/fields.h"
#include "generate/processor_options.h"

namespace gpt2 {

struct GenerateConfig {
  // Each beam scores a row of the whole vocabulary: 1024 is far past any use (HF's examples
  // stop at 10s) and keeps a typo such as 2^31 from allocating.
  static constexpr int64_t kMaxBeams = 1024;
  static constexpr const char* kSection = "generate";

  // Search.
  std::string strategy = "greedy";
  int64_t num_return_sequences = 1;
  int64_t num_beams = 1;
  double length_penalty = 1.0;
  std::string early_stopping = "false";
  int64_t num_beam_groups = 1;
  double diversity_penalty = 0.0;

  // Logits processors: their own options (processor<TopKOptions>() etc.), and these shared ones.
  int64_t min_tokens_to_keep = 1;       // every filtering warper keeps at least this many
  std::vector<std::string> processors;  // explicit chain order; empty = default

  // Stopping.
  int64_t max_new_tokens = 128;
  std::vector<int64_t> stop_ids;  // besides the model's end-of-text id
  bool ignore_eos = false;
  std::vector<std::string> stop_strings;

  // Speculative decoding (greedy, sample) and contrastive search.
  std::string draft_model;  // a smaller GPT-2 directory with the same vocabulary
  int64_t num_draft_tokens = 5;
  int64_t prompt_lookup_ngram = 0;
  double penalty_alpha = 0.6;

  // Execution.
  bool use_cache = true;
  int64_t batch_size = 8;

  // Output.
  bool output_scores = false;       // results JSONL: per-token transition scores
  int64_t output_scores_top_k = 0;  // results JSONL: per-token top-K processed log-probs

  void visit(FieldVisitor& v) {
    v.field("strategy", strategy, strategy_help(), Rule::one_of(strategy_names()));
    v.field("num_return_sequences", num_return_sequences,
            "sequences returned per prompt (samples, or the n best beams)", Rule::positive());
    v.field("num_beams", num_beams, "beam width (beam strategies)", Rule::closed(1, kMaxBeams));
    v.field("length_penalty", length_penalty,
            "beam score = sum logprob / generated_length^length_penalty");
    v.field("early_stopping", early_stopping,
            "beam: true = stop at num_beams finished; false = when no beam can win; never = exact",
            Rule::one_of({"true", "false", "never"}));
    v.field("num_beam_groups", num_beam_groups, "groups of group_beam (divides num_beams)",
            Rule::positive());
    v.field("diversity_penalty", diversity_penalty,
            "group_beam: subtracted per use of a token by earlier groups at the same step",
            Rule::non_negative());
    v.field("min_tokens_to_keep", min_tokens_to_keep,
            "top_k, top_p, typical_p, min_p, epsilon and eta never keep fewer tokens than this",
            Rule::positive());
    v.field("processors", processors,
            "logits processor order, by name (empty = the default order of those enabled)");
    processor_options_.visit(v);  // each processor's own fields (processor_registry.cpp)
    v.field("max_new_tokens", max_new_tokens, "tokens to generate at most", Rule::positive());
    v.field("stop_ids", stop_ids, "token ids that end a sequence, besides end-of-text",
            Rule::non_negative());
    v.field("ignore_eos", ignore_eos, "do not stop at the model's end-of-text id");
    v.field("stop_strings", stop_strings, "texts that end a sequence; the text is cut before them");
    v.field("draft_model", draft_model,
            "speculative decoding: a smaller GPT-2 directory with the same vocabulary drafts "
            "tokens the model verifies (greedy, sample; empty = off)");
    v.field("num_draft_tokens", num_draft_tokens,
            "speculative decoding: tokens drafted per verification step", Rule::closed(1, 1024));
    v.field("prompt_lookup_ngram", prompt_lookup_ngram,
            "speculative decoding without a draft model: draft what followed an earlier "
            "occurrence of the last n-gram, n up to this (HF max_matching_ngram_size; 0 = off)",
            Rule::closed(0, 1024));
    v.field("penalty_alpha", penalty_alpha,
            "contrastive: score = (1 - alpha) p(v) - alpha max cosine(h_v, h_context); top_k "
            "candidates",
            Rule::closed(0, 1));
    v.field("use_cache", use_cache, "reuse past keys/values (KV cache)");
    v.field("batch_size", batch_size, "prompts decoded together", Rule::positive());
    v.field("output_scores", output_scores,
            "results JSONL: add each token's transition score (beams: its processed "
            "log-probability)");
    v.field("output_scores_top_k", output_scores_top_k,
            "results JSONL: add each step's K best processed log-probabilities (top_logprobs; "
            "implies output_scores; 0 = off)",
            Rule::non_negative());
  }
  void validate() const;

  // The search strategy behind `strategy` (aliases such as top_p mean "sample").
  std::string search() const;
  bool is_sampling() const;  // sample or stochastic_beam: the warpers apply
  bool is_beam() const;      // beam, group_beam or stochastic_beam
  bool is_speculative() const { return !draft_model.empty() || prompt_lookup_ngram > 0; }

  static std::vector<std::string> strategy_names();
  static const char* strategy_help();  // the names, from the strategy registry

  // One processor's options, declared in its header (processors/top_k.h: TopKOptions).
  template <class Options>
  Options& processor() {
    return processor_options_.get<Options>();
  }
  template <class Options>
  const Options& processor() const {
    return processor_options_.get<Options>();
  }

 private:
  ProcessorOptionSet processor_options_;  // one per processor of processor_registry.cpp
};

}  // namespace gpt2
