#pragma once
// Per-step traces: when tracing is on, a decode loop keeps the model's logits from before the
// processors and reads the TokenTrace of each chosen token off this, then attaches it to the
// sequence's GenerationResult. Nothing is computed when tracing is off.
#include <ATen/core/Tensor.h>

#include <string>
#include <vector>

#include "generate/generation_result.h"

namespace gpt2 {

constexpr double kTraceNucleusMass = 0.9;

class StepTrace {
 public:
  // raw: (B, V) logits from the model; processed: (B, V) the same rows after the processors.
  StepTrace(const at::Tensor& raw, const at::Tensor& processed);
  // What choosing `token` in `row` looked like.
  TokenTrace at(int64_t row, int64_t token) const;

 private:
  at::Tensor raw_;  // (B, V) float64, CPU
  std::vector<double> entropy_, log_norm_;
  std::vector<int64_t> kept_, nucleus_;
};

// The traces of one prompt's results as JSONL, one line per sequence:
// {"prompt": i, "sequence": s, "tokens": [...], "entropy": [...], "kept": [...],
//  "nucleus": [...], "rank": [...], "probability": [...]}, and for speculative decoding
// "blocks": [{"draft": [...], "accepted": n, "token": t}, ...] (one per verified block), for
// contrastive search "candidates": [{"candidates": [...], "confidence": [...],
// "degeneration": [...], "chosen": t}, ...] (one per token).
std::string trace_json_lines(int64_t prompt_index, const std::vector<GenerationResult>& results);

}  // namespace gpt2
