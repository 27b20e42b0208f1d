// Runs every reference case in every file of the metrics golden folder (sacreBLEU 2.6.0 and
// rouge-score 0.1.2 outputs; see its README.md) and requires agreement to 1e-6.
// The folder is $GPT2_METRIC_GOLDEN_DIR, else <shared data>/metrics.
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/files.h"
#include "metrics/bleu.h"
#include "metrics/chrf.h"
#include "metrics/rouge.h"
#include "test_support.h"

using namespace gpt2::metrics;
using nlohmann::json;

namespace {

constexpr double kTolerance = 1e-6;

// Collects the differences of one case.
struct Diff {
  std::vector<std::string> problems;
  void number(const std::string& what, double got, double want) {
    if (std::abs(got - want) > kTolerance) {
      std::ostringstream s;
      s.precision(17);
      s << what << ": got " << got << ", want " << want;
      problems.push_back(s.str());
    }
  }
  void numbers(const std::string& what, const std::vector<double>& got, const json& want) {
    if (got.size() != want.size()) {
      problems.push_back(what + ": got " + std::to_string(got.size()) + " values, want " +
                         std::to_string(want.size()));
      return;
    }
    for (size_t i = 0; i < got.size(); ++i)
      number(what + "[" + std::to_string(i) + "]", got[i], want[i].get<double>());
  }
  void text(const std::string& what, const std::string& got, const std::string& want) {
    if (got != want) problems.push_back(what + ": got \"" + got + "\", want \"" + want + "\"");
  }
};

// sacreBLEU reference streams (refs[k][i], null = absent) to references per hypothesis.
std::vector<References> per_hypothesis(const json& streams, size_t hyps) {
  std::vector<References> refs(hyps);
  for (const json& stream : streams) {
    REQUIRE(stream.size() == hyps);
    for (size_t i = 0; i < hyps; ++i)
      if (!stream[i].is_null()) refs[i].push_back(stream[i].get<std::string>());
  }
  return refs;
}

BleuOptions bleu_options(const json& c) {
  BleuOptions o;
  o.tokenize = c["tokenize"].get<std::string>();
  o.smooth = c["smooth"].get<std::string>();
  if (!c["smooth_value"].is_null()) o.smooth_value = c["smooth_value"].get<double>();
  o.lowercase = c["lowercase"].get<bool>();
  o.effective_order = c["use_effective_order"].get<bool>();
  return o;
}

void compare_bleu(Diff& d, const BleuScore& s, const json& e) {
  d.number("score", s.score, e["score"].get<double>());
  d.numbers("counts", s.counts, e["counts"]);
  d.numbers("totals", s.totals, e["totals"]);
  d.numbers("precisions", s.precisions, e["precisions"]);
  d.number("bp", s.bp, e["bp"].get<double>());
  d.number("sys_len", s.sys_len, e["sys_len"].get<double>());
  d.number("ref_len", s.ref_len, e["ref_len"].get<double>());
  d.number("ratio", s.ratio, e["ratio"].get<double>());
  d.text("str", s.format(), e["str"].get<std::string>());
}

Diff bleu_corpus_case(const json& c) {
  Diff d;
  Bleu bleu(bleu_options(c));
  auto hyps = c["hyps"].get<std::vector<std::string>>();
  auto refs = per_hypothesis(c["refs"], hyps.size());
  auto stats = bleu.corpus_stats(hyps, refs);
  std::vector<double> summed = sum_stats(stats);
  const json& e = c["expected"];
  d.numbers("raw_stats", summed, e["raw_stats"]);
  compare_bleu(d, bleu.compute(summed), e);
  d.text("signature", bleu.signature(nrefs_signature(refs)), e["signature"].get<std::string>());
  return d;
}

Diff bleu_sentence_case(const json& c) {
  Diff d;
  Bleu bleu(bleu_options(c));
  auto refs = c["refs"].get<std::vector<std::string>>();
  std::vector<double> stats = bleu.segment_stats(c["hyp"].get<std::string>(), refs);
  const json& e = c["expected"];
  d.numbers("raw_stats", stats, e["raw_stats"]);
  compare_bleu(d, bleu.compute(stats), e);
  if (e.contains("signature") && e["signature"].is_string())
    d.text("signature", bleu.signature(nrefs_signature({refs})), e["signature"]);
  return d;
}

Diff chrf_case(const json& c) {
  Diff d;
  ChrfOptions o;
  o.char_order = c["char_order"].get<int>();
  o.word_order = c["word_order"].get<int>();
  o.beta = c["beta"].get<double>();
  o.lowercase = c["lowercase"].get<bool>();
  o.whitespace = c["whitespace"].get<bool>();
  o.eps_smoothing = c["eps_smoothing"].get<bool>();
  Chrf chrf(o);
  auto hyps = c["hyps"].get<std::vector<std::string>>();
  auto refs = per_hypothesis(c["refs"], hyps.size());
  const json& e = c["expected"];
  d.number("score", chrf.corpus_score(hyps, refs), e["score"].get<double>());
  d.text("signature", chrf.signature(nrefs_signature(refs)), e["signature"].get<std::string>());
  const json& sentences = e["sentence_scores"];
  REQUIRE(sentences.size() == hyps.size());
  for (size_t i = 0; i < hyps.size(); ++i)
    d.number("sentence_scores[" + std::to_string(i) + "]", chrf.sentence_score(hyps[i], refs[i]),
             sentences[i].get<double>());
  return d;
}

void compare_rouge(Diff& d, const RougeScores& got, const json& want) {
  if (got.size() != want.size()) d.problems.push_back("number of ROUGE types differs");
  for (const auto& [type, s] : got) {
    if (!want.contains(type)) {
      d.problems.push_back("unexpected type " + type);
      continue;
    }
    d.number(type + ".precision", s.precision, want[type]["precision"].get<double>());
    d.number(type + ".recall", s.recall, want[type]["recall"].get<double>());
    d.number(type + ".fmeasure", s.fmeasure, want[type]["fmeasure"].get<double>());
  }
}

RougeScorer rouge_scorer(const json& c) {
  RougeOptions o;
  o.types = c["rouge_types"].get<std::vector<std::string>>();
  o.use_stemmer = c["use_stemmer"].get<bool>();
  return RougeScorer(o);
}

Diff rouge_case(const json& c) {
  Diff d;
  REQUIRE_FALSE(c.value("split_summaries", false));
  RougeScorer scorer = rouge_scorer(c);
  auto target = c["target"].get<std::string>(), prediction = c["prediction"].get<std::string>();
  compare_rouge(d, scorer.score(target, prediction), c["expected"]);
  auto join = [](const std::vector<std::string>& v) {
    std::string s;
    for (const auto& t : v) s += t + " ";
    return s;
  };
  if (c.contains("target_tokens"))
    d.text("target_tokens", join(scorer.tokenize(target)),
           join(c["target_tokens"].get<std::vector<std::string>>()));
  if (c.contains("prediction_tokens"))
    d.text("prediction_tokens", join(scorer.tokenize(prediction)),
           join(c["prediction_tokens"].get<std::vector<std::string>>()));
  return d;
}

Diff rouge_multi_case(const json& c) {
  Diff d;
  RougeScorer scorer = rouge_scorer(c);
  compare_rouge(d,
                scorer.score_multi(c["targets"].get<std::vector<std::string>>(),
                                   c["prediction"].get<std::string>()),
                c["expected"]);
  return d;
}

const std::map<std::string, std::function<Diff(const json&)>>& runners() {
  static const std::map<std::string, std::function<Diff(const json&)>> all = {
      {"bleu_corpus.jsonl", bleu_corpus_case},
      {"bleu_sentence.jsonl", bleu_sentence_case},
      {"chrf_corpus.jsonl", chrf_case},
      {"rouge.jsonl", rouge_case},
      {"rouge_multi.jsonl", rouge_multi_case}};
  return all;
}

}  // namespace

TEST_CASE("every golden metric case agrees with sacreBLEU / rouge-score to 1e-6") {
  namespace fs = std::filesystem;
  std::string dir = gpt2::test::data_path("GPT2_METRIC_GOLDEN_DIR", "metrics");
  REQUIRE(gpt2::is_directory(dir));
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.path().extension() == ".jsonl") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  REQUIRE_FALSE(files.empty());

  size_t total = 0, passed = 0;
  for (const fs::path& file : files) {
    std::string name = file.filename().string();
    auto runner = runners().find(name);
    INFO("golden file " << name);
    REQUIRE(runner != runners().end());  // a new file needs a runner here
    std::istringstream lines(gpt2::read_file(file.string()));
    std::string line;
    size_t file_total = 0, file_passed = 0;
    while (std::getline(lines, line)) {
      if (line.empty()) continue;
      json c = json::parse(line);
      ++file_total;
      Diff d;
      try {
        d = runner->second(c);
      } catch (const std::exception& e) {
        d.problems.push_back(std::string("threw: ") + e.what());
      }
      std::string problems;
      for (const auto& p : d.problems) problems += "\n  " + p;
      INFO("case " << c.value("name", "?") << problems);
      CHECK(d.problems.empty());
      if (d.problems.empty()) ++file_passed;
    }
    std::cout << "golden " << name << ": " << file_passed << "/" << file_total << " pass\n";
    total += file_total;
    passed += file_passed;
  }
  std::cout << "golden total: " << passed << "/" << total << " pass\n";
  CHECK(passed == total);
}
