// BLEU, chrF, ROUGE and the diversity statistics on small hand-computed examples.
#include <catch2/catch.hpp>
#include <cmath>

#include "core/error.h"
#include "metrics/bleu.h"
#include "metrics/chrf.h"
#include "metrics/diversity.h"
#include "metrics/rouge.h"
#include "metrics/self_bleu.h"

using namespace gpt2::metrics;

TEST_CASE("BLEU on a hand-computed sentence") {
  // hyp "the cat sat on mat" vs ref "the cat sat on the mat": p1 5/5, p2 3/4, p3 2/3, p4 1/2,
  // hyp_len 5 < ref_len 6, so BP = exp(1 - 6/5).
  Bleu bleu;
  BleuScore s = bleu.sentence_score("the cat sat on mat", {"the cat sat on the mat"});
  double expected = std::exp(1 - 6.0 / 5) * std::pow(1.0 * 0.75 * (2.0 / 3) * 0.5, 0.25) * 100;
  CHECK(s.score == Approx(expected).epsilon(1e-12));
  CHECK(s.sys_len == 5);
  CHECK(s.ref_len == 6);
  CHECK(bleu.signature("1") == "nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0");
}

TEST_CASE("BLEU with several references clips by the best reference and picks the closest length") {
  Bleu bleu;
  // "a a a" against refs "a b" and "a a x y": unigram clip = max(1, 2) = 2; lengths 2 and 4 are
  // both 1 away from 3, and the tie goes to the shorter one.
  std::vector<double> stats = bleu.segment_stats("a a a", {"a b", "a a x y"});
  CHECK(stats[0] == 3);
  CHECK(stats[1] == 2);
  CHECK(stats[2] == 2);  // unigram matches
  CHECK(stats[6] == 3);  // unigram total
  BleuOptions floor;
  floor.smooth = "floor";
  floor.smooth_value = 0.05;
  CHECK(Bleu(floor).signature("var") ==
        "nrefs:var|case:mixed|eff:no|tok:13a|smooth:floor[0.05]|version:2.6.0");
  BleuOptions unknown;
  unknown.smooth = "laplace";
  CHECK_THROWS_WITH(Bleu(unknown), Catch::Contains("add-k"));
}

TEST_CASE("BLEU corpus with no hypotheses and no references") {
  Bleu bleu;
  CHECK(bleu.corpus_score({}, {}).score == 0);
  CHECK_THROWS_WITH(bleu.corpus_score({"a"}, {{}}), Catch::Contains("no reference"));
  CHECK_THROWS_WITH(bleu.corpus_score({"a", "b"}, {{"a"}}), Catch::Contains("line-aligned"));
}

TEST_CASE("chrF on a hand-computed pair") {
  // Character unigrams only, beta = 1: hyp "ab" vs ref "abc": P = 2/2, R = 2/3, F1 = 0.8.
  ChrfOptions o;
  o.char_order = 1;
  o.beta = 1;
  CHECK(Chrf(o).sentence_score("ab", {"abc"}) == Approx(80.0).epsilon(1e-12));
  // Whitespace is removed by default, so spacing does not matter.
  CHECK(Chrf().sentence_score("a b c", {"abc"}) == Approx(100.0));
  CHECK(Chrf().name() == "chrF2");
  ChrfOptions plus;
  plus.word_order = 2;
  CHECK(Chrf(plus).name() == "chrF2++");
}

TEST_CASE("ROUGE-1/2/L on a hand-computed pair") {
  RougeOptions o;
  o.types = {"rouge1", "rouge2", "rougeL"};
  RougeScores s = RougeScorer(o).score("The cat sat on the mat.", "the cat, on the mat");
  // rouge1: 5 of 5 predicted unigrams match, 5 of 6 target ones.
  CHECK(s[0].second.precision == Approx(1.0));
  CHECK(s[0].second.recall == Approx(5.0 / 6));
  // rouge2: the-cat, on-the, the-mat match: P 3/4, R 3/5.
  CHECK(s[1].second.precision == Approx(0.75));
  CHECK(s[1].second.recall == Approx(0.6));
  CHECK(s[1].second.fmeasure == Approx(2 * 0.75 * 0.6 / 1.35));
  // rougeL: LCS "the cat on the mat" = 5.
  CHECK(s[2].second.recall == Approx(5.0 / 6));
}

TEST_CASE("ROUGE tokenizer, stemming and types") {
  RougeOptions o;
  o.use_stemmer = true;
  RougeScorer scorer(o);
  CHECK(scorer.tokenize("Running DOGS' 3rd-place \u00e9t\u00e9 cats") ==
        std::vector<std::string>{"run", "dog", "3rd", "place", "t", "cat"});
  o.types = {"rouge10", "rougeLsum"};
  CHECK_NOTHROW(RougeScorer(o));
  o.types = {"rouge0"};
  CHECK_THROWS_WITH(RougeScorer(o), Catch::Contains("invalid ROUGE type"));
  o.types = {"rougeX"};
  CHECK_THROWS_AS(RougeScorer(o), gpt2::Error);
}

TEST_CASE("ROUGE score_multi keeps the best F per type") {
  RougeOptions o;
  o.types = {"rouge1"};
  RougeScorer scorer(o);
  RougeScores best = scorer.score_multi({"x y z", "a b c", "a b"}, "a b");
  CHECK(best[0].second.fmeasure == Approx(1.0));
}

TEST_CASE("distinct-n, repetition and Zipf on hand-made texts") {
  // "a b a b" and "a c": 6 unigrams of 3 kinds; bigrams ab ba ab ac: 3 kinds of 4.
  std::vector<std::vector<uint32_t>> texts = {{0, 1, 0, 1}, {0, 2}};
  CHECK(distinct_n(texts, 1) == Approx(0.5));
  CHECK(distinct_n(texts, 2) == Approx(0.75));
  CHECK(distinct_n({{}}, 1) == 0);

  CHECK(ends_in_repetition({7, 1, 2, 3, 1, 2, 3}));  // "1 2 3" twice at the end
  CHECK_FALSE(ends_in_repetition({0, 1, 0, 1}));     // a 2-token phrase needs > 50 copies
  CHECK(ends_in_repetition(std::vector<uint32_t>(51, 4)));
  CHECK_FALSE(ends_in_repetition(std::vector<uint32_t>(50, 4)));
  CHECK_FALSE(ends_in_repetition({}));

  // Frequencies 6, 3, 2 follow 6 / rank exactly: coefficient 1, |r| 1.
  ZipfFit fit = zipf_fit({{0, 0, 0, 0, 0, 0, 1, 1, 1, 2, 2}});
  CHECK(fit.coefficient == Approx(1.0));
  CHECK(fit.r == Approx(1.0));
  CHECK(zipf_fit({{5, 5}}).coefficient == 0);  // a single token: no fit
}

TEST_CASE("Self-BLEU follows NLTK's sentence_bleu with smoothing method1") {
  CHECK(self_bleu({{1, 2, 3, 4}, {1, 2, 3, 4}}) == Approx(1.0));
  CHECK(self_bleu({{1, 2, 3, 4}, {5, 6, 7, 8}}) == 0);
  // a b c d e vs a b c x y (and back): p = 3/5, 2/4, 1/3 and 0 -> 0.1/2; equal lengths.
  double expected = std::pow(0.6 * 0.5 * (1.0 / 3) * 0.05, 0.25);
  CHECK(self_bleu({{1, 2, 3, 4, 5}, {1, 2, 3, 8, 9}}) == Approx(expected).epsilon(1e-12));
  CHECK_THROWS_AS(self_bleu({{1}}), gpt2::Error);
}

TEST_CASE("diversity report on whitespace tokens") {
  DiversityReport r = diversity(whitespace_tokens({"a b a b", "a  c"}));
  CHECK(r.texts == 2);
  CHECK(r.tokens == 6);
  CHECK(r.mean_length == Approx(3.0));
  CHECK(r.distinct[0] == Approx(0.5));
  CHECK(r.repetition == 0);
}
