#include "metrics/chrf.h"

#include <cmath>
#include <cstdio>

#include "core/error.h"
#include "metrics/ngram_table.h"
#include "metrics/registry.h"
#include "metrics/unicode.h"

namespace gpt2::metrics {

namespace {

bool is_ascii_punct(char32_t c) {
  return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') ||
         (c >= '{' && c <= '~');
}

// One segment's n-grams: code points for characters, interned ids for words.
struct Extracted {
  std::u32string chars;
  std::vector<std::string> word_text;  // owns the word text viewed by the interner
  std::vector<uint32_t> word_ids;
  NgramTable<char32_t> char_ngrams;
  NgramTable<uint32_t> word_ngrams;
};

// sacreBLEU's chrF++ word splitting: a word longer than one character loses one trailing
// punctuation mark (or else one leading one) as a separate word.
void split_words(const std::u32string& text, std::vector<std::string>& out) {
  out.clear();
  auto emit = [&](const std::u32string& w) { out.push_back(to_utf8(w)); };
  std::u32string word;
  auto flush = [&]() {
    if (word.empty()) return;
    if (word.size() == 1) {
      emit(word);
    } else if (is_ascii_punct(word.back())) {
      emit(word.substr(0, word.size() - 1));
      emit(word.substr(word.size() - 1));
    } else if (is_ascii_punct(word.front())) {
      emit(word.substr(0, 1));
      emit(word.substr(1));
    } else {
      emit(word);
    }
    word.clear();
  };
  for (char32_t c : text) {
    if (is_space(c)) {
      flush();
    } else {
      word += c;
    }
  }
  flush();
}

}  // namespace

Chrf::Chrf(ChrfOptions options) : options_(options) {
  require(options_.char_order >= 1 && options_.char_order <= 32,
          "chrF char_order must be in 1..32, got " + std::to_string(options_.char_order));
  require(options_.word_order >= 0 && options_.word_order <= 8,
          "chrF word_order must be in 0..8, got " + std::to_string(options_.word_order));
  require(options_.beta > 0, "chrF beta must be positive");
}

std::vector<double> Chrf::segment_stats(const std::string& hyp, const References& refs) const {
  require(!refs.empty(), "chrF needs at least one reference per hypothesis");
  const int nc = options_.char_order, nw = options_.word_order, order = nc + nw;
  // Per-thread working memory: tables and buffers are reused from segment to segment.
  thread_local Interner interner;
  thread_local std::vector<Extracted> segs;
  if (segs.size() < refs.size() + 1) segs.resize(refs.size() + 1);
  size_t word_count = 0;
  for (size_t s = 0; s <= refs.size(); ++s) {
    const std::string& text = s == 0 ? hyp : refs[s - 1];
    std::u32string cps = to_code_points(options_.lowercase ? lower(text) : text);
    Extracted& e = segs[s];
    e.chars.clear();
    if (options_.whitespace) {
      e.chars = cps;
    } else {
      for (char32_t c : cps)
        if (!is_space(c)) e.chars += c;
    }
    e.word_text.clear();
    e.word_ids.clear();
    if (nw > 0) {
      split_words(cps, e.word_text);
      word_count += e.word_text.size();
    }
  }
  if (nw > 0) {
    interner.clear(word_count);
    for (size_t s = 0; s <= refs.size(); ++s)
      for (const std::string& w : segs[s].word_text) segs[s].word_ids.push_back(interner.id(w));
  }
  for (size_t s = 0; s <= refs.size(); ++s) {
    Extracted& e = segs[s];
    e.char_ngrams.clear(e.chars.size() * nc);
    e.char_ngrams.add_all(e.chars.data(), e.chars.size(), 1, nc);
    if (nw > 0) {
      e.word_ngrams.clear(e.word_ids.size() * nw);
      e.word_ngrams.add_all(e.word_ids.data(), e.word_ids.size(), 1, nw);
    }
  }

  // Total n-grams of order n in a sequence of `length` items.
  auto ngrams_of = [](size_t length, int n) {
    return length >= static_cast<size_t>(n) ? static_cast<double>(length - n + 1) : 0.0;
  };
  const Extracted& h = segs[0];
  std::vector<double> best, stats(3 * order);
  double best_f = -1.0;
  for (size_t r = 1; r <= refs.size(); ++r) {
    const Extracted& ref = segs[r];
    std::fill(stats.begin(), stats.end(), 0.0);
    for (int n = 1; n <= order; ++n) {
      bool is_char = n <= nc;
      size_t h_len = is_char ? h.chars.size() : h.word_ids.size();
      size_t r_len = is_char ? ref.chars.size() : ref.word_ids.size();
      int k = is_char ? n : n - nc;
      double ref_count = ngrams_of(r_len, k);
      // No hypothesis n-grams are counted where the reference has none of that order.
      stats[3 * (n - 1)] = ref_count > 0 ? ngrams_of(h_len, k) : 0.0;
      stats[3 * (n - 1) + 1] = ref_count;
    }
    h.char_ngrams.for_each([&](const auto& e) {
      stats[3 * (e.n - 1) + 2] += std::min(e.count, ref.char_ngrams.count(e.items, e.n, e.hash));
    });
    if (nw > 0)
      h.word_ngrams.for_each([&](const auto& e) {
        stats[3 * (nc + e.n - 1) + 2] +=
            std::min(e.count, ref.word_ngrams.count(e.items, e.n, e.hash));
      });
    double f = score_from_stats(stats);
    if (f > best_f) best_f = f, best = stats;
  }
  return best;
}

double Chrf::score_from_stats(const std::vector<double>& s) const {
  const int order = options_.char_order + options_.word_order;
  require(s.size() == static_cast<size_t>(3 * order),
          "chrF statistics must have " + std::to_string(3 * order) + " values");
  const double eps = 1e-16, factor = options_.beta * options_.beta;
  double score = 0, avg_prec = 0, avg_rec = 0;
  int effective_order = 0;
  for (int i = 0; i < order; ++i) {
    double n_hyp = s[3 * i], n_ref = s[3 * i + 1], n_match = s[3 * i + 2];
    double prec = n_hyp > 0 ? n_match / n_hyp : eps;
    double rec = n_ref > 0 ? n_match / n_ref : eps;
    double denom = factor * prec + rec;
    score += denom > 0 ? (1 + factor) * prec * rec / denom : eps;
    if (n_hyp > 0 && n_ref > 0) avg_prec += prec, avg_rec += rec, ++effective_order;
  }
  if (options_.eps_smoothing) return 100 * score / order;
  if (effective_order == 0) {
    avg_prec = avg_rec = 0;
  } else {
    avg_prec /= effective_order, avg_rec /= effective_order;
  }
  if (avg_prec + avg_rec == 0) return 0.0;
  double f = (1 + factor) * avg_prec * avg_rec;
  f /= (factor * avg_prec) + avg_rec;
  return 100 * f;
}

double Chrf::corpus_score(const std::vector<std::string>& hyps,
                          const std::vector<References>& refs) const {
  auto stats = corpus_stats(hyps, refs);
  if (stats.empty()) return 0.0;
  return score_from_stats(sum_stats(stats));
}

double Chrf::sentence_score(const std::string& hyp, const References& refs) const {
  return score_from_stats(segment_stats(hyp, refs));
}

std::string Chrf::name() const {
  char beta[32];
  std::snprintf(beta, sizeof(beta), "%g", options_.beta);
  return "chrF" + std::string(beta) + std::string(options_.word_order, '+');
}

std::string Chrf::signature(const std::string& nrefs) const {
  return "nrefs:" + nrefs + "|case:" + (options_.lowercase ? "lc" : "mixed") +
         "|eff:" + (options_.eps_smoothing ? "no" : "yes") +
         "|nc:" + std::to_string(options_.char_order) +
         "|nw:" + std::to_string(options_.word_order) +
         "|space:" + (options_.whitespace ? "yes" : "no") + "|version:" + kSacreBleuVersion;
}

}  // namespace gpt2::metrics

// ---- `gpt2 metric chrf` ----------------------------------------------------------------

namespace gpt2::metrics {

namespace {

MetricReport run_chrf(const MetricData& data, const MetricRun& run) {
  ChrfOptions options;
  read_metric_options(section_ref(options), run);
  Chrf chrf(options);
  auto stats = chrf.corpus_stats(data.hyps, data.refs);
  double score = stats.empty() ? 0.0 : chrf.score_from_stats(sum_stats(stats));
  std::string signature = chrf.signature(nrefs_signature(data.refs));

  MetricReport report;
  report.summary = {{"name", chrf.name()},
                    {"score", score},
                    {"signature", signature},
                    {"segments", data.hyps.size()}};
  report.rows = {{chrf.name(), fixed(score, 2)}, {"signature", signature}};
  add_resampling(chrf, stats, data, run, report);
  if (run.per_line)
    for (size_t i = 0; i < stats.size(); ++i)
      report.per_line.push_back({{"line", i + 1}, {"chrf", chrf.score_from_stats(stats[i])}});
  return report;
}

}  // namespace

MetricEntry chrf_metric_entry() {
  return {"chrf", "chrF / chrF++ (word_order=2), sacreBLEU 2.x compatible",
          options_help<ChrfOptions>, true, run_chrf};
}

}  // namespace gpt2::metrics
