#pragma once
// chrF and chrF++ compatible with sacreBLEU 2.x (metrics.CHRF): character n-grams up to
// char_order, optional word n-grams up to word_order (2 = chrF++), F-beta with beta = 2.
#include <cstdint>
#include <string>
#include <vector>

#include "config/fields.h"
#include "metrics/stats_metric.h"

namespace gpt2::metrics {

// Also the settings section of `gpt2 metric chrf --option key=value`, declared once in visit().
struct ChrfOptions {
  static constexpr const char* kSection = "chrf";

  // Highest character n-gram order.
  int64_t char_order = 6;
  // Highest word n-gram order: 0 = chrF, 2 = chrF++.
  int64_t word_order = 0;
  // Recall is beta times as important as precision.
  double beta = 2;
  // Lowercase before extracting n-grams.
  bool lowercase = false;
  // Keep whitespace inside character n-grams.
  bool whitespace = false;
  // chrF++.py-style epsilon smoothing instead of sacreBLEU's effective-order averaging.
  bool eps_smoothing = false;

  void visit(FieldVisitor& v) {
    v.field("char_order", char_order, "highest character n-gram order", Rule::positive());
    v.field("word_order", word_order, "highest word n-gram order (2 = chrF++)",
            Rule::non_negative());
    v.field("beta", beta, "recall weight", Rule::positive());
    v.field("lowercase", lowercase, "lowercase first");
    v.field("whitespace", whitespace, "keep whitespace in character n-grams");
    v.field("eps_smoothing", eps_smoothing, "chrF++.py epsilon smoothing");
  }
  void validate() const {}
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
