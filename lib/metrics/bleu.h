#pragma once
// BLEU compatible with sacreBLEU 2.x (corpus_bleu / sentence_bleu): same tokenizers,
// smoothing methods, multi-reference handling, effective order and signature string.
#include <string>
#include <vector>

#include "config/fields.h"
#include "metrics/bleu_tokenizers.h"
#include "metrics/stats_metric.h"

namespace gpt2::metrics {

// Also the settings section of `gpt2 metric bleu --option key=value` (sacreBLEU's command-line
// knobs), declared once in visit().
struct BleuOptions {
  static constexpr const char* kSection = "bleu";

  // Tokenizer: 13a (sacreBLEU's default), intl, char or none.
  std::string tokenize = "13a";
  // Smoothing: exp (default), floor, add-k or none.
  std::string smooth = "exp";
  // Value for floor / add-k; < 0 means sacreBLEU's defaults (floor 0.1, add-k 1).
  double smooth_value = -1;
  // Lowercase hypotheses and references before tokenizing.
  bool lowercase = false;
  // Average only the n-gram orders the hypotheses have (sacreBLEU's sentence_bleu uses true).
  bool effective_order = false;
  // Highest n-gram order (not an --option: sacreBLEU's command line has none either).
  int max_ngram_order = 4;

  void visit(FieldVisitor& v) {
    v.field("tokenize", tokenize, "13a, intl, char or none");
    v.field("smooth", smooth, "exp, floor, add-k or none",
            Rule::one_of({"exp", "floor", "add-k", "none"}));
    v.field("smooth_value", smooth_value, "floor / add-k value (< 0: floor 0.1, add-k 1)");
    v.field("lowercase", lowercase, "lowercase before tokenizing");
    v.field("effective_order", effective_order, "average only the orders the texts have");
  }
  void validate() const {}
};

struct BleuScore {
  double score = 0;                // 0..100
  std::vector<double> counts;      // matched n-grams per order (add-k: +k for n > 1)
  std::vector<double> totals;      // hypothesis n-grams per order (add-k: +k for n > 1)
  std::vector<double> precisions;  // 0..100 per order
  double bp = 0;                   // brevity penalty
  double ratio = 0;                // sys_len / ref_len (0 when ref_len is 0)
  long long sys_len = 0, ref_len = 0;

  // sacreBLEU's printed form: "BLEU = 41.38 100.0/100.0/100.0/100.0 (BP = 0.414 ...)".
  std::string format() const;
};

class Bleu : public StatsMetric {
 public:
  explicit Bleu(BleuOptions options = {});

  // [sys_len, ref_len, correct_1..N, total_1..N] before smoothing (sacreBLEU's layout).
  std::vector<double> segment_stats(const std::string& hyp, const References& refs) const override;
  double score_from_stats(const std::vector<double>& summed) const override;
  BleuScore compute(const std::vector<double>& summed) const;

  // refs[i] holds the references of hyps[i] (a reference stream's missing line is simply
  // left out, which gives sacreBLEU's "nrefs:var").
  BleuScore corpus_score(const std::vector<std::string>& hyps,
                         const std::vector<References>& refs) const;
  BleuScore sentence_score(const std::string& hyp, const References& refs) const;

  // "nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0".
  std::string signature(const std::string& nrefs) const;
  const BleuOptions& options() const { return options_; }

 private:
  enum class Smooth { kExp, kFloor, kAddK, kNone };
  // Adds the segment's statistics to out[0 .. 2 + 2 * max_ngram_order).
  void add_segment_stats(const std::string& hyp, const References& refs, double* out) const;
  BleuOptions options_;
  BleuTokenizer tokenizer_;
  Smooth smooth_;
  double smooth_value_ = 0;
};

}  // namespace gpt2::metrics
