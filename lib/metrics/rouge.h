#pragma once
// ROUGE compatible with Google's rouge-score 0.1.2 (RougeScorer.score / score_multi):
// rougeN (n-gram overlap), rougeL (LCS over the whole text) and rougeLsum (summary-level LCS
// over newline-separated sentences), with its tokenizer (lowercase, runs of [a-z0-9]) and
// optional NLTK Porter stemming of tokens longer than 3 characters.
#include <string>
#include <utility>
#include <vector>

#include "config/fields.h"

namespace gpt2::metrics {

// Also the settings section of `gpt2 metric rouge --option key=value`, under rouge-score's
// command-line names, declared once in visit().
struct RougeOptions {
  static constexpr const char* kSection = "rouge";

  // Types to compute, in output order: rouge1..rouge9 (any positive n is accepted; rouge-score
  // itself only takes one digit), rougeL, rougeLsum.
  std::vector<std::string> types = {"rouge1", "rouge2", "rougeL", "rougeLsum"};
  // Porter-stem tokens longer than 3 characters (NLTK's stemmer, as rouge-score does).
  bool use_stemmer = false;

  void visit(FieldVisitor& v) {
    v.field("types", types, "comma-separated: rouge1..rouge9, rougeL, rougeLsum");
    v.field("stemmer", use_stemmer, "Porter-stem tokens longer than 3 characters");
  }
  void validate() const {}
};

struct RougeScore {
  double precision = 0, recall = 0, fmeasure = 0;
};

// One score per requested type, in RougeOptions::types order.
using RougeScores = std::vector<std::pair<std::string, RougeScore>>;

class RougeScorer {
 public:
  explicit RougeScorer(RougeOptions options = {});

  // Note the argument order: target (reference) first, like rouge-score.
  RougeScores score(const std::string& target, const std::string& prediction) const;
  // Scores against each target and keeps, per type, the score with the best F (first on ties).
  RougeScores score_multi(const std::vector<std::string>& targets,
                          const std::string& prediction) const;

  // rouge-score's tokenizer (with stemming when enabled). Throws on invalid UTF-8.
  std::vector<std::string> tokenize(const std::string& text) const;
  const RougeOptions& options() const { return options_; }

 private:
  struct Type {
    enum Kind { kNgram, kLcs, kLcsSum } kind;
    int n = 0;
  };
  RougeOptions options_;
  std::vector<Type> types_;
};

// 2PR / (P + R), 0 when both are 0 (rouge-score's scoring.fmeasure).
double rouge_fmeasure(double precision, double recall);

}  // namespace gpt2::metrics
