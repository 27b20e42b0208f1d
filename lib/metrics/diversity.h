#pragma once
// Diversity and degeneration statistics of a set of generated texts.
//
// - distinct-n (Li et al. 2016): distinct n-grams / n-grams, over all texts (n-grams do not
//   cross texts); 0 when there are no n-grams.
// - Self-BLEU-4: see self_bleu.h.
// - repetition: the nucleus-sampling paper's definition (Holtzman et al. 2020, "The Curious
//   Case of Neural Text Degeneration", metrics/repetition.py): a text is repeating when it
//   ends in a loop, i.e. its last n tokens (n = 1..90) are immediately preceded by k - 1 more
//   copies of themselves; taking the n with the most copies k (the smallest such n on ties),
//   the text counts when k > 1 and either n >= 3 or k > 50. The rate is the fraction of texts
//   that repeat.
// - Zipf coefficient (the paper's metrics/zipf.py): the negated slope of a least-squares fit
//   of log(frequency) on log(rank) over the 5000 most frequent tokens of all texts; 0 when
//   fewer than two distinct tokens.
// - mean length: tokens per text.
#include <cstdint>
#include <string>
#include <vector>

#include "config/fields.h"

namespace gpt2::metrics {

// Also the settings section of `gpt2 metric diversity --option key=value`, declared once in
// visit() (the Self-BLEU order is fixed at 4 there, the seed is --seed).
struct DiversityOptions {
  static constexpr const char* kSection = "diversity";

  // distinct-n for n = 1..max_distinct_n.
  int64_t max_distinct_n = 4;
  // Highest n-gram order of Self-BLEU.
  int self_bleu_order = 4;
  // Texts scored for Self-BLEU (0 = all, else a seeded sample).
  int64_t self_bleu_samples = 0;
  // Longest repeating phrase looked for (the paper: 90 tokens).
  int64_t repetition_max_n = 90;
  // Most frequent tokens used in the Zipf fit (the paper: 5000).
  int64_t zipf_top = 5000;
  // Seed for Self-BLEU sampling.
  uint64_t seed = 12345;

  void visit(FieldVisitor& v) {
    v.field("max_n", max_distinct_n, "distinct-n for n = 1..max_n", Rule::positive());
    v.field("self_bleu_samples", self_bleu_samples, "texts scored for Self-BLEU (0 = all)",
            Rule::non_negative());
    v.field("repetition_max_n", repetition_max_n, "longest repeating phrase looked for",
            Rule::positive());
    v.field("zipf_top", zipf_top, "most frequent tokens in the Zipf fit", Rule::positive());
  }
  void validate() const {}
};

struct DiversityReport {
  size_t texts = 0, tokens = 0;
  std::vector<double> distinct;  // distinct-1 .. distinct-max_distinct_n
  double self_bleu = 0;          // 0..1; 0 with fewer than two texts
  double repetition = 0;         // fraction of texts ending in a repetition loop
  size_t repeating_texts = 0;
  double zipf = 0;    // Zipf coefficient (negated slope)
  double zipf_r = 0;  // correlation of the fit (negated, like the paper prints it)
  double mean_length = 0;
};

// Texts as tokens (e.g. whitespace_tokens(), or a model tokenizer's pieces).
DiversityReport diversity(const std::vector<std::vector<std::string>>& texts,
                          const DiversityOptions& options = {});

// Python str.split() of each text.
std::vector<std::vector<std::string>> whitespace_tokens(const std::vector<std::string>& texts);

// The pieces, exposed for tests and other callers (token ids).
double distinct_n(const std::vector<std::vector<uint32_t>>& texts, int n);
bool ends_in_repetition(const std::vector<uint32_t>& text, int max_n = 90);
struct ZipfFit {
  double coefficient = 0, r = 0;
  size_t ranks = 0;
};
ZipfFit zipf_fit(const std::vector<std::vector<uint32_t>>& texts, int top = 5000);

}  // namespace gpt2::metrics
