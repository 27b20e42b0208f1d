#include "metrics/rouge.h"

#include <algorithm>
#include <unordered_map>

#include "core/error.h"
#include "core/strings.h"
#include "metrics/bootstrap.h"
#include "metrics/ngram_table.h"
#include "metrics/porter_stemmer.h"
#include "metrics/registry.h"
#include "metrics/unicode.h"

namespace gpt2::metrics {

namespace {

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

// Stems through a per-thread cache: texts repeat words, and stemming dominates tokenizing.
const std::string& cached_stem(const std::string& word) {
  thread_local std::unordered_map<std::string, std::string> cache;
  auto it = cache.find(word);
  if (it != cache.end()) return it->second;
  if (cache.size() > 200000) cache.clear();
  return cache.emplace(word, porter_stem(word)).first->second;
}

// Appends the tokens of `text` to `out`.
void tokenize_into(std::string_view text, bool stem, std::vector<std::string>& out) {
  std::string lowered = lower(text);
  size_t i = 0, n = lowered.size();
  while (i < n) {
    while (i < n && !is_alnum(lowered[i])) ++i;
    size_t start = i;
    while (i < n && is_alnum(lowered[i])) ++i;
    if (i == start) break;
    std::string token = lowered.substr(start, i - start);
    if (stem && token.size() > 3) {
      const std::string& stemmed = cached_stem(token);
      if (!stemmed.empty()) out.push_back(stemmed);
    } else {
      out.push_back(std::move(token));
    }
  }
}

// A text's tokens as ids, also split into its non-empty newline-separated sentences.
struct Tokenized {
  std::vector<std::string> tokens;
  std::vector<size_t> sentence_ends;  // token index one past each sentence
  std::vector<uint32_t> ids;
};

void tokenize_text(const std::string& text, bool stem, bool sentences, Tokenized& out) {
  out.tokens.clear();
  out.sentence_ends.clear();
  if (!sentences) {
    tokenize_into(text, stem, out.tokens);
    return;
  }
  // The whole text's tokens are the concatenation of its sentences' ('\n' is a separator).
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) {
      tokenize_into(std::string_view(text).substr(start, end - start), stem, out.tokens);
      out.sentence_ends.push_back(out.tokens.size());
    }
    start = end + 1;
  }
}

RougeScore make_score(double precision, double recall) {
  return {precision, recall, rouge_fmeasure(precision, recall)};
}

// LCS length table of a (rows) against b (columns), row-major (|a|+1) x (|b|+1).
void lcs_table(const uint32_t* a, size_t na, const uint32_t* b, size_t nb, std::vector<int>& t) {
  size_t cols = nb + 1;
  t.assign((na + 1) * cols, 0);
  for (size_t i = 1; i <= na; ++i) {
    int* row = &t[i * cols];
    const int* prev = &t[(i - 1) * cols];
    for (size_t j = 1; j <= nb; ++j)
      row[j] = a[i - 1] == b[j - 1] ? prev[j - 1] + 1 : std::max(prev[j], row[j - 1]);
  }
}

RougeScore score_ngrams(const std::vector<uint32_t>& target, const std::vector<uint32_t>& pred,
                        int n) {
  NgramTable<uint32_t> t, p;
  t.clear(target.size());
  p.clear(pred.size());
  t.add_all(target.data(), target.size(), n, n);
  p.add_all(pred.data(), pred.size(), n, n);
  double overlap = 0;
  t.for_each([&](const auto& e) { overlap += std::min(e.count, p.count(e.items, e.n, e.hash)); });
  double target_count = target.size() >= static_cast<size_t>(n) ? target.size() - n + 1 : 0;
  double pred_count = pred.size() >= static_cast<size_t>(n) ? pred.size() - n + 1 : 0;
  return make_score(overlap / std::max(pred_count, 1.0), overlap / std::max(target_count, 1.0));
}

RougeScore score_lcs(const std::vector<uint32_t>& target, const std::vector<uint32_t>& pred) {
  if (target.empty() || pred.empty()) return {};
  thread_local std::vector<int> t;
  lcs_table(target.data(), target.size(), pred.data(), pred.size(), t);
  double lcs = t.back();
  return make_score(lcs / pred.size(), lcs / target.size());
}

// Summary-level LCS (ROUGE paper 3.2) as rouge-score computes it: for each target sentence the
// union of its LCS positions with every prediction sentence, counting each token at most as
// often as it occurs in both texts.
RougeScore score_lcs_sum(const Tokenized& target, const Tokenized& pred, size_t vocab) {
  if (target.sentence_ends.empty() || pred.sentence_ends.empty()) return {};
  size_t m = target.ids.size(), n = pred.ids.size();
  if (m == 0 || n == 0) return {};
  std::vector<int> target_left(vocab, 0), pred_left(vocab, 0);
  for (uint32_t id : target.ids) ++target_left[id];
  for (uint32_t id : pred.ids) ++pred_left[id];
  thread_local std::vector<int> t;
  std::vector<char> in_union;
  double hits = 0;
  size_t r_start = 0;
  for (size_t r_end : target.sentence_ends) {
    const uint32_t* r = target.ids.data() + r_start;
    size_t nr = r_end - r_start;
    in_union.assign(nr, 0);
    size_t c_start = 0;
    for (size_t c_end : pred.sentence_ends) {
      const uint32_t* c = pred.ids.data() + c_start;
      size_t nc = c_end - c_start;
      c_start = c_end;
      lcs_table(r, nr, c, nc, t);
      // Read one LCS out of the table exactly as rouge-score's _backtrack_norec does.
      size_t cols = nc + 1, i = nr, j = nc;
      while (i > 0 && j > 0) {
        if (r[i - 1] == c[j - 1]) {
          in_union[--i] = 1;
          --j;
        } else if (t[i * cols + j - 1] > t[(i - 1) * cols + j]) {
          --j;
        } else {
          --i;
        }
      }
    }
    for (size_t k = 0; k < nr; ++k) {
      uint32_t id = r[k];
      if (in_union[k] && pred_left[id] > 0 && target_left[id] > 0) {
        ++hits;
        --pred_left[id];
        --target_left[id];
      }
    }
    r_start = r_end;
  }
  return make_score(hits / n, hits / m);
}

}  // namespace

double rouge_fmeasure(double precision, double recall) {
  if (precision + recall == 0) return 0.0;
  return 2 * precision * recall / (precision + recall);
}

RougeScorer::RougeScorer(RougeOptions options) : options_(std::move(options)) {
  require(!options_.types.empty(), "ROUGE needs at least one type (e.g. rouge1, rougeL)");
  for (const std::string& name : options_.types) {
    if (name == "rougeL") {
      types_.push_back({Type::kLcs, 0});
    } else if (name == "rougeLsum") {
      types_.push_back({Type::kLcsSum, 0});
    } else {
      bool digits =
          name.size() > 5 && name.compare(0, 5, "rouge") == 0 && name.size() <= 7 &&
          std::all_of(name.begin() + 5, name.end(), [](char c) { return c >= '0' && c <= '9'; });
      int n = digits ? std::stoi(name.substr(5)) : 0;
      require(n > 0, "invalid ROUGE type \"" + name +
                         "\"; use rouge1, rouge2, ... (rougeN with N >= 1), rougeL or rougeLsum");
      types_.push_back({Type::kNgram, n});
    }
  }
}

std::vector<std::string> RougeScorer::tokenize(const std::string& text) const {
  std::vector<std::string> tokens;
  tokenize_into(text, options_.use_stemmer, tokens);
  return tokens;
}

RougeScores RougeScorer::score(const std::string& target, const std::string& prediction) const {
  bool need_sum = std::any_of(types_.begin(), types_.end(),
                              [](const Type& t) { return t.kind == Type::kLcsSum; });
  thread_local Tokenized tt, pt;
  tokenize_text(target, options_.use_stemmer, need_sum, tt);
  tokenize_text(prediction, options_.use_stemmer, need_sum, pt);
  Interner interner;
  interner.clear(tt.tokens.size() + pt.tokens.size());
  tt.ids.clear();
  pt.ids.clear();
  for (const auto& tok : tt.tokens) tt.ids.push_back(interner.id(tok));
  for (const auto& tok : pt.tokens) pt.ids.push_back(interner.id(tok));

  RougeScores result;
  for (size_t k = 0; k < types_.size(); ++k) {
    const Type& type = types_[k];
    RougeScore s;
    if (type.kind == Type::kNgram) {
      s = score_ngrams(tt.ids, pt.ids, type.n);
    } else if (type.kind == Type::kLcs) {
      s = score_lcs(tt.ids, pt.ids);
    } else {
      s = score_lcs_sum(tt, pt, interner.size());
    }
    result.emplace_back(options_.types[k], s);
  }
  return result;
}

RougeScores RougeScorer::score_multi(const std::vector<std::string>& targets,
                                     const std::string& prediction) const {
  require(!targets.empty(), "ROUGE score_multi needs at least one target");
  RougeScores best;
  for (size_t t = 0; t < targets.size(); ++t) {
    RougeScores s = score(targets[t], prediction);
    if (t == 0) {
      best = s;
      continue;
    }
    for (size_t k = 0; k < s.size(); ++k)
      if (s[k].second.fmeasure > best[k].second.fmeasure) best[k] = s[k];
  }
  return best;
}

}  // namespace gpt2::metrics

// ---- `gpt2 metric rouge` ---------------------------------------------------------------

namespace gpt2::metrics {

namespace {

nlohmann::json score_json(const RougeScore& s) {
  return {{"precision", s.precision}, {"recall", s.recall}, {"fmeasure", s.fmeasure}};
}

std::string rouge_options_help() {
  return options_help<RougeOptions>() +
         "; several references: best F per type (score_multi); --bootstrap N adds low/mid/high";
}

MetricReport run_rouge(const MetricData& data, const MetricRun& run) {
  RougeOptions options;
  read_metric_options(section_ref(options), run);
  RougeScorer scorer(options);
  require(data.refs.size() == data.hyps.size(),
          "rouge needs one or more references (targets) per hypothesis");
  std::vector<RougeScores> scores;
  scores.reserve(data.hyps.size());
  for (size_t i = 0; i < data.hyps.size(); ++i) {
    require(!data.refs[i].empty(), "hypothesis " + std::to_string(i + 1) + " has no reference");
    scores.push_back(data.refs[i].size() == 1 ? scorer.score(data.refs[i][0], data.hyps[i])
                                              : scorer.score_multi(data.refs[i], data.hyps[i]));
  }
  MetricReport report;
  report.summary = {
      {"name", "ROUGE"}, {"stemmer", options.use_stemmer}, {"segments", data.hyps.size()}};
  for (size_t k = 0; k < options.types.size(); ++k) {
    RougeScore mean;
    for (const RougeScores& s : scores) {
      mean.precision += s[k].second.precision;
      mean.recall += s[k].second.recall;
      mean.fmeasure += s[k].second.fmeasure;
    }
    double n = std::max<size_t>(scores.size(), 1);
    mean = {mean.precision / n, mean.recall / n, mean.fmeasure / n};
    report.summary["mean"][options.types[k]] = score_json(mean);
    report.rows.emplace_back(options.types[k], "P " + fixed(100 * mean.precision, 2) + "  R " +
                                                   fixed(100 * mean.recall, 2) + "  F " +
                                                   fixed(100 * mean.fmeasure, 2));
  }
  if (run.bootstrap > 0 && !scores.empty()) {
    for (const auto& [type, a] : aggregate_rouge(scores, run.bootstrap, 0.95, run.seed)) {
      report.summary["bootstrap"][type] = {
          {"low", score_json(a.low)}, {"mid", score_json(a.mid)}, {"high", score_json(a.high)}};
      report.rows.emplace_back(type + " F 95%", fixed(100 * a.mid.fmeasure, 2) + " [" +
                                                    fixed(100 * a.low.fmeasure, 2) + ", " +
                                                    fixed(100 * a.high.fmeasure, 2) + "]");
    }
    report.summary["bootstrap_samples"] = run.bootstrap;
  }
  if (run.per_line)
    for (size_t i = 0; i < scores.size(); ++i) {
      nlohmann::json line = {{"line", i + 1}};
      for (const auto& [type, s] : scores[i]) line[type] = score_json(s);
      report.per_line.push_back(line);
    }
  return report;
}

}  // namespace

MetricEntry rouge_metric_entry() {
  return {"rouge", "ROUGE-N / L / Lsum, rouge-score compatible (mean over pairs)",
          rouge_options_help, true, run_rouge};
}

}  // namespace gpt2::metrics
