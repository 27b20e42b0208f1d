#include "metrics/stats_metric.h"

#include <set>

#include "core/error.h"

namespace gpt2::metrics {

std::vector<std::vector<double>> StatsMetric::corpus_stats(
    const std::vector<std::string>& hyps, const std::vector<References>& refs) const {
  require(hyps.size() == refs.size(),
          "got " + std::to_string(hyps.size()) + " hypotheses but references for " +
              std::to_string(refs.size()) + "; they must be line-aligned");
  std::vector<std::vector<double>> stats;
  stats.reserve(hyps.size());
  for (size_t i = 0; i < hyps.size(); ++i) {
    require(!refs[i].empty(), "hypothesis " + std::to_string(i + 1) + " has no reference");
    stats.push_back(segment_stats(hyps[i], refs[i]));
  }
  return stats;
}

std::vector<double> sum_stats(const std::vector<std::vector<double>>& stats) {
  std::vector<double> total;
  for (const auto& row : stats) {
    if (total.empty()) total.assign(row.size(), 0.0);
    for (size_t j = 0; j < row.size(); ++j) total[j] += row[j];
  }
  return total;
}

std::string nrefs_signature(const std::vector<References>& refs) {
  std::set<size_t> counts;
  for (const auto& r : refs) counts.insert(r.size());
  if (counts.size() == 1) return std::to_string(*counts.begin());
  return "var";
}

}  // namespace gpt2::metrics
