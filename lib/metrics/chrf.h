#pragma once
// chrF and chrF++ compatible with sacreBLEU 2.x (metrics.CHRF): character n-grams up to
// char_order, optional word n-grams up to word_order (2 = chrF++), F-beta with beta = 2.
#include <string>
#include <vector>

#include "metrics/stats_metric.h"

namespace gpt2::metrics {

struct ChrfOptions {
  // Highest character n-gram order.
  int char_order = 6;
  // Highest word n-gram order: 0 = chrF, 2 = chrF++.
  int word_order = 0;
  // Recall is beta times as important as precision.
  double beta = 2;
  // Lowercase before extracting n-grams.
  bool lowercase = false;
  // Keep whitespace inside character n-grams.
  bool whitespace = false;
  // chrF++.py-style epsilon smoothing instead of sacreBLEU's effective-order averaging.
  bool eps_smoothing = false;
};

class Chrf : public StatsMetric {
 public:
  explicit Chrf(ChrfOptions options = {});

  // [hyp, ref, match] counts for each char order then each word order, against the reference
  // with the best sentence F-score (the first one on ties).
  std::vector<double> segment_stats(const std::string& hyp, const References& refs) const override;
  double score_from_stats(const std::vector<double>& summed) const override;

  double corpus_score(const std::vector<std::string>& hyps,
                      const std::vector<References>& refs) const;
  double sentence_score(const std::string& hyp, const References& refs) const;

  // "chrF2" or "chrF2++".
  std::string name() const;
  // "nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no|version:2.6.0".
  std::string signature(const std::string& nrefs) const;
  const ChrfOptions& options() const { return options_; }

 private:
  ChrfOptions options_;
};

}  // namespace gpt2::metrics
