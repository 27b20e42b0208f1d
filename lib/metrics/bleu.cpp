#include "metrics/bleu.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "core/error.h"
#include "metrics/ngram_table.h"
#include "metrics/registry.h"
#include "metrics/unicode.h"

namespace gpt2::metrics {

namespace {

// Per-thread buffers so that scoring a segment allocates nothing once warm.
struct Workspace {
  std::string lowered, buffer, scratch;
  std::vector<std::string> ref_buffers;
  std::vector<std::string_view> tokens;
  std::vector<std::vector<std::string_view>> ref_tokens;
  std::vector<std::vector<uint32_t>> ref_ids;
  std::vector<uint32_t> hyp_ids;
  Interner interner;
  NgramTable<uint32_t> ref_max, one_ref, hyp;
};

Workspace& workspace() {
  thread_local Workspace w;
  return w;
}

double my_log(double x) {
  return x == 0 ? -9999999999.0 : std::log(x);
}

std::string format_fixed(double value, int decimals) {
  char text[64];
  std::snprintf(text, sizeof(text), "%.*f", decimals, value);
  return text;
}

}  // namespace

Bleu::Bleu(BleuOptions options)
    : options_(std::move(options)), tokenizer_(parse_bleu_tokenizer(options_.tokenize)) {
  const std::string& s = options_.smooth;
  if (s == "exp") {
    smooth_ = Smooth::kExp;
  } else if (s == "floor") {
    smooth_ = Smooth::kFloor,
    smooth_value_ = options_.smooth_value >= 0 ? options_.smooth_value : 0.1;
  } else if (s == "add-k") {
    smooth_ = Smooth::kAddK,
    smooth_value_ = options_.smooth_value >= 0 ? options_.smooth_value : 1.0;
  } else if (s == "none") {
    smooth_ = Smooth::kNone;
  } else {
    throw Error("unknown BLEU smoothing \"" + s + "\"; choose exp, floor, add-k or none");
  }
  require(options_.max_ngram_order >= 1 && options_.max_ngram_order <= 16,
          "BLEU max_ngram_order must be in 1..16, got " + std::to_string(options_.max_ngram_order));
}

std::vector<double> Bleu::segment_stats(const std::string& hyp, const References& refs) const {
  std::vector<double> stats(2 + 2 * options_.max_ngram_order, 0.0);
  add_segment_stats(hyp, refs, stats.data());
  return stats;
}

void Bleu::add_segment_stats(const std::string& hyp, const References& refs, double* stats) const {
  require(!refs.empty(), "BLEU needs at least one reference per hypothesis");
  const int order = options_.max_ngram_order;
  Workspace& w = workspace();

  // Tokenize every segment first: the interner and n-gram tables view into these buffers.
  auto preprocess = [&](const std::string& text, std::string& out) {
    std::string_view view = text;
    if (options_.lowercase) {
      w.lowered = lower(text);
      view = w.lowered;
    }
    tokenize_bleu(tokenizer_, rstrip(view), out, w.scratch, w.tokens);
  };
  if (w.ref_buffers.size() < refs.size()) w.ref_buffers.resize(refs.size());
  if (w.ref_ids.size() < refs.size()) w.ref_ids.resize(refs.size());
  if (w.ref_tokens.size() < refs.size()) w.ref_tokens.resize(refs.size());
  auto& ref_tokens = w.ref_tokens;
  size_t total_tokens = 0;
  for (size_t r = 0; r < refs.size(); ++r) {
    preprocess(refs[r], w.ref_buffers[r]);
    ref_tokens[r].swap(w.tokens);
    total_tokens += ref_tokens[r].size();
  }
  preprocess(hyp, w.buffer);
  total_tokens += w.tokens.size();

  w.interner.clear(total_tokens);
  w.hyp_ids.clear();
  for (std::string_view t : w.tokens) w.hyp_ids.push_back(w.interner.id(t));

  // Reference n-gram counts: the maximum over references; the closest length (ties: shorter).
  long long hyp_len = static_cast<long long>(w.hyp_ids.size());
  long long ref_len = -1, closest_diff = -1;
  w.ref_max.clear(total_tokens * order);
  for (size_t r = 0; r < refs.size(); ++r) {
    auto& ids = w.ref_ids[r];
    ids.clear();
    for (std::string_view t : ref_tokens[r]) ids.push_back(w.interner.id(t));
    long long len = static_cast<long long>(ids.size());
    long long diff = std::llabs(hyp_len - len);
    if (closest_diff == -1 || diff < closest_diff) {
      closest_diff = diff, ref_len = len;
    } else if (diff == closest_diff && len < ref_len) {
      ref_len = len;
    }
    if (refs.size() == 1) {
      w.ref_max.add_all(ids.data(), ids.size(), 1, order);
    } else {
      w.one_ref.clear(ids.size() * order);
      w.one_ref.add_all(ids.data(), ids.size(), 1, order);
      w.one_ref.for_each([&](const auto& e) {
        auto& m = w.ref_max.at(e.items, e.n, e.hash);
        m.count = std::max(m.count, e.count);
      });
    }
  }

  stats[0] += static_cast<double>(hyp_len);
  stats[1] += static_cast<double>(ref_len);
  w.hyp.clear(w.hyp_ids.size() * order);
  w.hyp.add_all(w.hyp_ids.data(), w.hyp_ids.size(), 1, order);
  w.hyp.for_each([&](const auto& e) {
    stats[2 + order + e.n - 1] += e.count;
    uint32_t ref_count = w.ref_max.count(e.items, e.n, e.hash);
    stats[2 + e.n - 1] += std::min(e.count, ref_count);
  });
}

BleuScore Bleu::compute(const std::vector<double>& summed) const {
  const int order = options_.max_ngram_order;
  require(summed.size() == static_cast<size_t>(2 + 2 * order),
          "BLEU statistics must have " + std::to_string(2 + 2 * order) + " values");
  BleuScore s;
  s.sys_len = static_cast<long long>(summed[0]);
  s.ref_len = static_cast<long long>(summed[1]);
  s.counts.assign(summed.begin() + 2, summed.begin() + 2 + order);
  s.totals.assign(summed.begin() + 2 + order, summed.end());
  s.precisions.assign(order, 0.0);
  s.ratio = s.ref_len ? static_cast<double>(s.sys_len) / static_cast<double>(s.ref_len) : 0.0;
  if (s.sys_len < s.ref_len) {
    s.bp = s.sys_len > 0
               ? std::exp(1.0 - static_cast<double>(s.ref_len) / static_cast<double>(s.sys_len))
               : 0.0;
  } else {
    s.bp = 1.0;
  }
  // No match at all: score 0 with zero precisions (sacreBLEU #141), before any add-k.
  bool any = false;
  for (double c : s.counts) any = any || c != 0;
  if (!any) return s;

  double smooth_mteval = 1.0;
  int eff_order = order;
  for (int n = 1; n <= order; ++n) {
    double& correct = s.counts[n - 1];
    double& total = s.totals[n - 1];
    if (smooth_ == Smooth::kAddK && n > 1) correct += smooth_value_, total += smooth_value_;
    if (total == 0) break;
    if (options_.effective_order) eff_order = n;
    if (correct == 0) {
      if (smooth_ == Smooth::kExp) {
        smooth_mteval *= 2;
        s.precisions[n - 1] = 100.0 / (smooth_mteval * total);
      } else if (smooth_ == Smooth::kFloor) {
        s.precisions[n - 1] = 100.0 * smooth_value_ / total;
      }
    } else {
      s.precisions[n - 1] = 100.0 * correct / total;
    }
  }
  double log_sum = 0;
  for (int n = 0; n < eff_order; ++n) log_sum += my_log(s.precisions[n]);
  s.score = s.bp * std::exp(log_sum / eff_order);
  return s;
}

double Bleu::score_from_stats(const std::vector<double>& summed) const {
  return compute(summed).score;
}

BleuScore Bleu::corpus_score(const std::vector<std::string>& hyps,
                             const std::vector<References>& refs) const {
  require(hyps.size() == refs.size(),
          "got " + std::to_string(hyps.size()) + " hypotheses but references for " +
              std::to_string(refs.size()) + "; they must be line-aligned");
  // Summed as we go: no per-segment vectors (corpus_stats() keeps them for resampling).
  std::vector<double> total(2 + 2 * options_.max_ngram_order, 0.0);
  for (size_t i = 0; i < hyps.size(); ++i) {
    require(!refs[i].empty(), "hypothesis " + std::to_string(i + 1) + " has no reference");
    add_segment_stats(hyps[i], refs[i], total.data());
  }
  return compute(total);
}

BleuScore Bleu::sentence_score(const std::string& hyp, const References& refs) const {
  return compute(segment_stats(hyp, refs));
}

std::string Bleu::signature(const std::string& nrefs) const {
  std::string smooth = options_.smooth;
  if (smooth_ == Smooth::kFloor || smooth_ == Smooth::kAddK)
    smooth += "[" + format_fixed(smooth_value_, 2) + "]";
  return "nrefs:" + nrefs + "|case:" + (options_.lowercase ? "lc" : "mixed") +
         "|eff:" + (options_.effective_order ? "yes" : "no") +
         "|tok:" + bleu_tokenizer_name(tokenizer_) + "|smooth:" + smooth +
         "|version:" + kSacreBleuVersion;
}

std::string BleuScore::format() const {
  std::string prec;
  for (size_t i = 0; i < precisions.size(); ++i) {
    if (i) prec += '/';
    prec += format_fixed(precisions[i], 1);
  }
  return "BLEU = " + format_fixed(score, 2) + " " + prec + " (BP = " + format_fixed(bp, 3) +
         " ratio = " + format_fixed(ratio, 3) + " hyp_len = " + std::to_string(sys_len) +
         " ref_len = " + std::to_string(ref_len) + ")";
}

}  // namespace gpt2::metrics

// ---- `gpt2 metric bleu` ----------------------------------------------------------------

namespace gpt2::metrics {

namespace {

MetricReport run_bleu(const MetricData& data, const MetricRun& run) {
  BleuOptions options;
  read_metric_options(section_ref(options), run);
  Bleu bleu(options);
  auto stats = bleu.corpus_stats(data.hyps, data.refs);
  BleuScore s = bleu.compute(
      stats.empty() ? std::vector<double>(2 + 2 * options.max_ngram_order, 0.0) : sum_stats(stats));
  std::string signature = bleu.signature(nrefs_signature(data.refs));

  MetricReport report;
  report.summary = {
      {"name", "BLEU"},         {"score", s.score},           {"counts", s.counts},
      {"totals", s.totals},     {"precisions", s.precisions}, {"bp", s.bp},
      {"ratio", s.ratio},       {"sys_len", s.sys_len},       {"ref_len", s.ref_len},
      {"signature", signature}, {"verbose", s.format()},      {"segments", data.hyps.size()}};
  report.rows = {{"BLEU", fixed(s.score, 2)},
                 {"details", s.format().substr(s.format().find(' ', 7) + 1)},
                 {"signature", signature}};
  add_resampling(bleu, stats, data, run, report);
  if (run.per_line) {
    // Per-line scores are sentence BLEU, which uses the effective order like sacreBLEU's.
    BleuOptions sentence_options = options;
    sentence_options.effective_order = true;
    Bleu sentence(sentence_options);
    for (size_t i = 0; i < data.hyps.size(); ++i) {
      BleuScore line = sentence.sentence_score(data.hyps[i], data.refs[i]);
      report.per_line.push_back({{"line", i + 1},
                                 {"bleu", line.score},
                                 {"precisions", line.precisions},
                                 {"bp", line.bp},
                                 {"hyp_len", line.sys_len},
                                 {"ref_len", line.ref_len}});
    }
  }
  return report;
}

}  // namespace

MetricEntry bleu_metric_entry() {
  return {"bleu", "corpus BLEU, sacreBLEU 2.x compatible", options_help<BleuOptions>, true,
          run_bleu};
}

}  // namespace gpt2::metrics
