// Resampling: paired bootstrap p-values, confidence intervals and ROUGE aggregation.
#include <catch2/catch.hpp>

#include "metrics/bleu.h"
#include "metrics/bootstrap.h"

using namespace gpt2::metrics;

namespace {

struct Corpus {
  std::vector<std::string> refs_text, perfect, damaged, almost;
  std::vector<References> refs;
};

// 200 five-word references; "perfect" copies them, "damaged" drops a word from every other
// line, "almost" differs from "perfect" in one line only.
Corpus make_corpus() {
  Corpus c;
  for (int i = 0; i < 200; ++i) {
    std::string s = "w" + std::to_string(i) + " x" + std::to_string(i % 7) + " y" +
                    std::to_string(i % 11) + " z" + std::to_string(i % 13) + " end";
    c.refs_text.push_back(s);
    c.refs.push_back({s});
    c.perfect.push_back(s);
    c.damaged.push_back(i % 2 ? s : s.substr(s.find(' ') + 1));
    c.almost.push_back(i == 0 ? "something else entirely here" : s);
  }
  return c;
}

}  // namespace

TEST_CASE("paired bootstrap separates a clearly better system") {
  Corpus c = make_corpus();
  Bleu bleu;
  auto base = bleu.corpus_stats(c.damaged, c.refs);
  auto sys = bleu.corpus_stats(c.perfect, c.refs);
  PairedBootstrapResult r = paired_bootstrap(bleu, base, sys, 1000, 7);
  CHECK(r.system_score == Approx(100.0));
  CHECK(r.baseline_score < r.system_score);
  CHECK(r.p_value == Approx(1.0 / 1001));  // no resample comes close to the real difference
  CHECK(r.samples == 1000);

  // Same seed, same answer.
  PairedBootstrapResult again = paired_bootstrap(bleu, base, sys, 1000, 7);
  CHECK(again.p_value == r.p_value);
  CHECK(again.baseline_ci.mean == r.baseline_ci.mean);
}

TEST_CASE("paired bootstrap does not call a one-line difference significant") {
  Corpus c = make_corpus();
  Bleu bleu;
  auto base = bleu.corpus_stats(c.almost, c.refs);
  auto sys = bleu.corpus_stats(c.perfect, c.refs);
  PairedBootstrapResult r = paired_bootstrap(bleu, base, sys, 1000);
  CHECK(r.p_value > 0.05);
}

TEST_CASE("bootstrap confidence interval brackets the corpus score") {
  Corpus c = make_corpus();
  Bleu bleu;
  auto stats = bleu.corpus_stats(c.damaged, c.refs);
  double score = bleu.score_from_stats(sum_stats(stats));
  ConfidenceInterval ci = bootstrap_ci(bleu, stats, 1000, 3);
  CHECK(ci.low <= score);
  CHECK(score <= ci.high);
  CHECK(ci.half_width == Approx((ci.high - ci.low) / 2));
  CHECK(ci.mean == Approx(score).margin(2.0));
}

TEST_CASE("bootstrap percentiles of means (rouge-score's aggregator)") {
  std::vector<std::vector<double>> constant(50, {0.25, 0.5});
  MeanInterval m = bootstrap_mean_interval(constant, 200);
  CHECK(m.low[0] == Approx(0.25));
  CHECK(m.high[1] == Approx(0.5));

  std::vector<std::vector<double>> mixed;
  for (int i = 0; i < 400; ++i) mixed.push_back({i % 2 ? 1.0 : 0.0});
  MeanInterval half = bootstrap_mean_interval(mixed, 1000);
  CHECK(half.mid[0] == Approx(0.5).margin(0.02));
  CHECK(half.low[0] < half.mid[0]);
  CHECK(half.mid[0] < half.high[0]);
  // Two-sided 95%: about 1.96 * sqrt(0.25 / 400) = 0.049 either side.
  CHECK(half.high[0] - half.low[0] == Approx(0.098).margin(0.02));

  RougeScores one = {{"rouge1", {0.5, 0.25, 1.0 / 3}}};
  auto agg = aggregate_rouge({one, one, one}, 100);
  REQUIRE(agg.size() == 1);
  CHECK(agg[0].first == "rouge1");
  CHECK(agg[0].second.low.recall == Approx(0.25));
  CHECK(agg[0].second.high.fmeasure == Approx(1.0 / 3));
}
