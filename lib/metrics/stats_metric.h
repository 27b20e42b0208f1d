#pragma once
// Corpus metrics that are computed from per-segment sufficient statistics summed over the
// corpus (BLEU, chrF). Resampling tests (bootstrap.h) only need this interface.
#include <string>
#include <vector>

namespace gpt2::metrics {

// References of one hypothesis: any number (at least one), possibly empty strings.
using References = std::vector<std::string>;

class StatsMetric {
 public:
  virtual ~StatsMetric() = default;
  // The sufficient statistics of one hypothesis against its references.
  virtual std::vector<double> segment_stats(const std::string& hyp,
                                            const References& refs) const = 0;
  // The score (0..100) of statistics summed over segments.
  virtual double score_from_stats(const std::vector<double>& summed) const = 0;

  // Statistics of every segment; hyps and refs must have the same length.
  std::vector<std::vector<double>> corpus_stats(const std::vector<std::string>& hyps,
                                                const std::vector<References>& refs) const;
};

// Element-wise sum of segment statistics.
std::vector<double> sum_stats(const std::vector<std::vector<double>>& stats);

// sacreBLEU's signature "nrefs" value: the reference count when every hypothesis has the same
// number, else "var".
std::string nrefs_signature(const std::vector<References>& refs);

}  // namespace gpt2::metrics
