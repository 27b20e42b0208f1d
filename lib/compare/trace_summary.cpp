#include "compare/trace_summary.h"

#include <cmath>

namespace gpt2 {

const std::array<const char*, kRankBuckets>& rank_bucket_names() {
  static const std::array<const char*, kRankBuckets> names = {"0", "1", "2-4", "5-9", "10+"};
  return names;
}

size_t rank_bucket(int64_t rank) {
  return rank <= 0 ? 0 : rank == 1 ? 1 : rank <= 4 ? 2 : rank <= 9 ? 3 : 4;
}

TraceSummary summarise_traces(const std::vector<std::vector<TokenTrace>>& traces) {
  TraceSummary s;
  for (const auto& sequence : traces)
    for (const auto& t : sequence) {
      ++s.tokens;
      s.mean_entropy += t.entropy;
      s.mean_kept += double(t.kept);
      s.mean_nucleus += double(t.nucleus);
      s.mean_probability += t.probability;
      ++s.ranks[rank_bucket(t.rank)];
    }
  if (s.tokens > 0) {
    const double n = double(s.tokens);
    s.mean_entropy /= n;
    s.mean_kept /= n;
    s.mean_nucleus /= n;
    s.mean_probability /= n;
  }
  return s;
}

std::string rank_shares_text(const TraceSummary& summary) {
  std::string text;
  for (size_t b = 0; b < kRankBuckets; ++b) {
    const double share = summary.tokens > 0 ? 100.0 * double(summary.ranks[b]) / summary.tokens : 0;
    text += (b ? "/" : "") + std::to_string(std::lround(share));
  }
  return text;
}

}  // namespace gpt2
