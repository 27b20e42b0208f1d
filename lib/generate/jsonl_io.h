#pragma once
// Batch generation files. Input: one JSON object per line with "prompt" (text); other fields
// are copied to the output. Output: the input object plus "completions": [{"text",
// "tokens", "logprobs", "finish_reason", "score"[, "transition_scores"][, "top_logprobs"]}].
#include <string>
#include <vector>

#include "generate/generation_result.h"

namespace gpt2 {

struct PromptRecord {
  std::string prompt;
  std::string json;  // the whole input line, for the fields copied to the output
};

// Throws Error naming file and line for a line that is not an object with a string "prompt".
std::vector<PromptRecord> read_prompts_jsonl(const std::string& path);

// One output line (no newline). With transition_scores (generate.output_scores), each
// completion also has "transition_scores"; a result with top_logprobs
// (generate.output_scores_top_k) has "top_logprobs": [{"ids": [...], "logprobs": [...]}, ...],
// one per token.
std::string result_json_line(const PromptRecord& record,
                             const std::vector<GenerationResult>& results,
                             bool transition_scores = false);

}  // namespace gpt2
