#pragma once
// The `generate:` section: which search strategy picks tokens, the logits processors that
// reshape the distribution first, and when a sequence stops. Flags such as --top-p are
// shorthands for --set generate.top_p=...; everything is checked once, in validate().
#include <cstdint>
#include <string>
#include <vector>

#include "config/fields.h"

namespace gpt2 {

struct GenerateConfig {
  static constexpr const char* kSection = "generate";

  // Search.
  std::string strategy = "greedy";
  int64_t num_return_sequences = 1;
  int64_t num_beams = 1;
  double length_penalty = 1.0;
  std::string early_stopping = "false";
  int64_t num_beam_groups = 1;
  double diversity_penalty = 0.0;

  // Sampling warpers (sampling strategies only).
  double temperature = 1.0;
  int64_t top_k = 0;
  double top_p = 1.0;
  double typical_p = 1.0;
  double min_p = 0.0;
  double epsilon = 0.0;
  double eta = 0.0;
  double top_h = 0.0;
  int64_t min_tokens_to_keep = 1;  // every filtering warper keeps at least this many

  // Penalties and constraints (every strategy).
  double repetition_penalty = 1.0;
  int64_t repetition_penalty_prompt_ignore_length = 0;
  bool repetition_penalty_normalize = false;
  double frequency_penalty = 0.0;
  double presence_penalty = 0.0;
  int64_t no_repeat_ngram_size = 0;
  int64_t min_new_tokens = 0;
  std::vector<std::string> banned_token_ids;  // each "id id ...": a banned token sequence
  std::vector<std::string> banned_words;      // texts (make_generation_options tokenises)
  std::vector<std::string> sequence_bias;     // each "id id ... = bias"
  std::vector<int64_t> suppress_tokens;
  std::vector<int64_t> begin_suppress_tokens;
  int64_t forced_eos_token_id = -1;  // -1 = off
  int64_t exponential_decay_start = 0;
  double exponential_decay_factor = 1.0;  // 1 = off
  bool remove_invalid_values = false;
  bool renormalize_logits = false;
  std::vector<std::string> processors;  // explicit chain order; empty = default

  // DRY repetition penalty (llama.cpp's dry sampler; every strategy).
  double dry_multiplier = 0.0;
  double dry_base = 1.75;
  int64_t dry_allowed_length = 2;
  int64_t dry_penalty_last_n = -1;
  std::vector<std::string> dry_sequence_breakers = {"\n", ":", "\"", "*"};

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
    v.field("strategy", strategy,
            "greedy, sample (alias top_k, top_p, typical, min_p, epsilon, eta, top_h), beam, "
            "group_beam, stochastic_beam or contrastive",
            Rule::one_of(strategy_names()));
    v.field("num_return_sequences", num_return_sequences,
            "sequences returned per prompt (samples, or the n best beams)", Rule::positive());
    v.field("num_beams", num_beams, "beam width (beam strategies)", Rule::positive());
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
    v.field("temperature", temperature, "divide logits by this before sampling", Rule::positive());
    v.field("top_k", top_k, "keep the k most likely tokens (0 = off)", Rule::non_negative());
    v.field("top_p", top_p, "nucleus: keep the smallest set with this mass (1 = off)",
            Rule::open_closed(0, 1));
    v.field("typical_p", typical_p, "locally typical sampling mass (1 = off)",
            Rule::open_closed(0, 1));
    v.field("min_p", min_p, "drop tokens below min_p * max probability (0 = off)",
            Rule::closed_open(0, 1));
    v.field("epsilon", epsilon, "drop tokens with probability below epsilon (0 = off)",
            Rule::closed_open(0, 1));
    v.field("eta", eta, "eta sampling cutoff, min(eta, sqrt(eta) exp(-entropy)) (0 = off)",
            Rule::closed_open(0, 1));
    v.field("top_h", top_h,
            "top-H: keep the most likely tokens while their entropy stays <= top_h * H of the "
            "top 100 (0 = off)",
            Rule::closed(0, 1));
    v.field("min_tokens_to_keep", min_tokens_to_keep,
            "top_k, top_p, typical_p, min_p, epsilon and eta never keep fewer tokens than this",
            Rule::positive());
    v.field("repetition_penalty", repetition_penalty,
            "divide positive / multiply negative logits of seen tokens (1 = off)",
            Rule::positive());
    v.field("repetition_penalty_prompt_ignore_length", repetition_penalty_prompt_ignore_length,
            "repetition_penalty: the first this many ids of the sequence do not count",
            Rule::non_negative());
    v.field("repetition_penalty_normalize", repetition_penalty_normalize,
            "repetition_penalty: log-softmax the row first, then multiply seen tokens' "
            "log-probabilities by the penalty");
    v.field("frequency_penalty", frequency_penalty,
            "subtract this times a token's count among generated tokens", Rule::closed(-2, 2));
    v.field("presence_penalty", presence_penalty, "subtract this from tokens already generated",
            Rule::closed(-2, 2));
    v.field("no_repeat_ngram_size", no_repeat_ngram_size,
            "forbid repeating any n-gram of this size (0 = off)", Rule::non_negative());
    v.field("min_new_tokens", min_new_tokens, "stop ids are banned before this many tokens",
            Rule::non_negative());
    v.field(
        "banned_token_ids", banned_token_ids,
        "banned token sequences, each a string of ids, e.g. [\"13\", \"464 3290\"] (one that is "
        "exactly a stop id is dropped, as Hugging Face)");
    v.field("banned_words", banned_words, "banned texts (tokenised with the model's tokenizer)");
    v.field("sequence_bias", sequence_bias,
            "added to the last token of a sequence when it would complete it, each \"ids = "
            "bias\", e.g. [\"464 3290 = -2.5\", \"13 = 1\"]");
    v.field("suppress_tokens", suppress_tokens, "token ids never generated", Rule::non_negative());
    v.field("begin_suppress_tokens", begin_suppress_tokens,
            "token ids not generated as the first new token", Rule::non_negative());
    v.field("forced_eos_token_id", forced_eos_token_id,
            "force this id as token max_new_tokens (-1 = off)", Rule::at_least(-1));
    v.field("exponential_decay_start", exponential_decay_start,
            "exponential_decay_factor applies after this many new tokens", Rule::non_negative());
    v.field("exponential_decay_factor", exponential_decay_factor,
            "stop ids' logits gain |logit| * (factor^(new - start) - 1) (1 = off)",
            Rule::positive());
    v.field("remove_invalid_values", remove_invalid_values,
            "replace nan logits by 0 and +-inf by the largest finite float");
    v.field("renormalize_logits", renormalize_logits,
            "log-softmax the scores after every other processor");
    v.field("processors", processors,
            "logits processor order, by name (empty = the default order of those enabled)");
    v.field("dry_multiplier", dry_multiplier,
            "DRY: subtract dry_multiplier * dry_base^(repeat - dry_allowed_length) from a token "
            "extending a repeat (0 = off)",
            Rule::non_negative());
    v.field("dry_base", dry_base, "DRY: growth of the penalty per repeated token",
            Rule::at_least(1));
    v.field("dry_allowed_length", dry_allowed_length, "DRY: repeats this long are not penalised",
            Rule::non_negative());
    v.field("dry_penalty_last_n", dry_penalty_last_n,
            "DRY: tokens scanned for repeats (-1 = whole history, 0 = off)", Rule::at_least(-1));
    v.field("dry_sequence_breakers", dry_sequence_breakers,
            "DRY: texts that end a repeat (tokenised with the model's tokenizer)");
    v.field("max_new_tokens", max_new_tokens, "tokens to generate at most", Rule::positive());
    v.field("stop_ids", stop_ids, "token ids that end a sequence, besides end-of-text",
            Rule::non_negative());
    v.field("ignore_eos", ignore_eos, "do not stop at the model's end-of-text id");
    v.field("stop_strings", stop_strings, "texts that end a sequence; the text is cut before them");
    v.field("draft_model", draft_model,
            "speculative decoding: a smaller GPT-2 directory with the same vocabulary drafts "
            "tokens the model verifies (greedy, sample; empty = off)");
    v.field("num_draft_tokens", num_draft_tokens,
            "speculative decoding: tokens drafted per verification step", Rule::positive());
    v.field("prompt_lookup_ngram", prompt_lookup_ngram,
            "speculative decoding without a draft model: draft what followed an earlier "
            "occurrence of the last n-gram, n up to this (HF max_matching_ngram_size; 0 = off)",
            Rule::non_negative());
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
  // Parses banned_token_ids; throws Error naming the entry.
  std::vector<std::vector<int64_t>> banned_sequences() const;
  // Parses sequence_bias; throws Error naming the entry.
  struct BiasedSequence {
    std::vector<int64_t> ids;
    double bias;
  };
  std::vector<BiasedSequence> sequence_biases() const;
};

}  // namespace gpt2
