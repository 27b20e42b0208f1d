#pragma once
// What a setting's per-token traces (generate/step_trace.h) add up to in a sampling
// comparison: the model's mean entropy where the setting went, the mean sizes of the set its
// processors kept and of the model's 0.9 nucleus, and how often it chose the model's top
// token, the second, ... (buckets 0, 1, 2-4, 5-9, 10+).
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "generate/generation_result.h"

namespace gpt2 {

constexpr size_t kRankBuckets = 5;

struct TraceSummary {
  int64_t tokens = 0;  // 0 = not traced
  double mean_entropy = 0, mean_kept = 0, mean_nucleus = 0, mean_probability = 0;
  std::array<int64_t, kRankBuckets> ranks{};  // tokens per rank bucket
};

// "0", "1", "2-4", "5-9", "10+".
const std::array<const char*, kRankBuckets>& rank_bucket_names();
size_t rank_bucket(int64_t rank);

// Means over every token of every sequence (sequences weigh by their length).
TraceSummary summarise_traces(const std::vector<std::vector<TokenTrace>>& traces);

// "62/20/10/5/3": each bucket's share of the tokens in percent, rounded.
std::string rank_shares_text(const TraceSummary& summary);

}  // namespace gpt2
