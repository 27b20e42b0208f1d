#include "generate/step_trace.h"

#include <ATen/ATen.h>

#include <nlohmann/json.hpp>

namespace gpt2 {

StepTrace::StepTrace(const at::Tensor& raw, const at::Tensor& processed) {
  raw_ = raw.to(at::kCPU, at::kDouble).contiguous();             // (B, V)
  auto log_norm = raw_.logsumexp(-1, /*keepdim=*/true);          // (B, 1)
  auto logp = raw_ - log_norm;                                   // (B, V)
  auto p = logp.exp();                                           // (B, V)
  auto entropy = -(p * logp).nan_to_num(0.0, 0.0, 0.0).sum(-1);  // (B): 0 log 0 = 0
  auto sorted = std::get<0>(p.sort(-1, /*descending=*/true));    // (B, V)
  auto before = sorted.cumsum(-1) - sorted;                      // (B, V): mass above
  auto nucleus = (before < kTraceNucleusMass).sum(-1);           // (B)
  auto kept = at::isfinite(processed.to(at::kCPU)).sum(-1);      // (B)
  const int64_t rows = raw_.size(0);
  for (int64_t b = 0; b < rows; ++b) {
    log_norm_.push_back(log_norm[b][0].item<double>());
    entropy_.push_back(entropy[b].item<double>());
    nucleus_.push_back(nucleus[b].item<int64_t>());
    kept_.push_back(kept[b].item<int64_t>());
  }
}

TokenTrace StepTrace::at(int64_t row, int64_t token) const {
  const auto b = static_cast<size_t>(row);
  const int64_t vocab = raw_.size(1);
  const double* logits = raw_.data_ptr<double>() + row * vocab;
  const double x = logits[token];
  int64_t rank = 0;
  for (int64_t v = 0; v < vocab; ++v) rank += logits[v] > x ? 1 : 0;
  return {entropy_[b], kept_[b], nucleus_[b], rank, std::exp(x - log_norm_[b])};
}

std::string trace_json_lines(int64_t prompt_index, const std::vector<GenerationResult>& results) {
  std::string out;
  for (size_t s = 0; s < results.size(); ++s) {
    const auto& r = results[s];
    nlohmann::ordered_json line;
    line["prompt"] = prompt_index;
    line["sequence"] = s;
    line["tokens"] = r.tokens;
    auto column = [&](const char* key, auto get) {
      auto values = nlohmann::ordered_json::array();
      for (const auto& t : r.trace) values.push_back(get(t));
      line[key] = values;
    };
    column("entropy", [](const TokenTrace& t) { return t.entropy; });
    column("kept", [](const TokenTrace& t) { return t.kept; });
    column("nucleus", [](const TokenTrace& t) { return t.nucleus; });
    column("rank", [](const TokenTrace& t) { return t.rank; });
    column("probability", [](const TokenTrace& t) { return t.probability; });
    if (!r.draft_blocks.empty()) {
      auto blocks = nlohmann::ordered_json::array();
      for (const auto& b : r.draft_blocks)
        blocks.push_back({{"draft", b.draft}, {"accepted", b.accepted}, {"token", b.token}});
      line["blocks"] = blocks;
    }
    if (!r.contrastive_steps.empty()) {
      auto steps = nlohmann::ordered_json::array();
      for (const auto& c : r.contrastive_steps)
        steps.push_back({{"candidates", c.candidates},
                         {"confidence", c.confidence},
                         {"degeneration", c.degeneration},
                         {"chosen", c.chosen}});
      line["candidates"] = steps;
    }
    out += line.dump() + "\n";
  }
  return out;
}

}  // namespace gpt2
