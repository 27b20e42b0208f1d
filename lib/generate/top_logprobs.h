#pragma once
// generate.output_scores_top_k: the K best processed log-probabilities of a step, the part of
// Hugging Face's output_scores (every token's processed score, too big for JSONL at 50257
// tokens) that a results file can hold.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

#include "generate/generation_result.h"

namespace gpt2 {

// The k largest of scores[v] - log_norm over v < vocab, best first, ties by the lower id;
// non-finite scores (tokens the processors removed) are left out.
TopLogprobs top_logprobs(const float* scores, int64_t vocab, float log_norm, int64_t k);

// Each row of logp (B, V), any device and float type, as above with log_norm 0.
std::vector<TopLogprobs> top_logprobs_rows(const at::Tensor& logp, int64_t k);

}  // namespace gpt2
