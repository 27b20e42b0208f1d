#include "metrics/diversity.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <unordered_map>

#include "core/error.h"
#include "metrics/ngram_table.h"
#include "metrics/registry.h"
#include "metrics/self_bleu.h"
#include "metrics/unicode.h"

namespace gpt2::metrics {

double distinct_n(const std::vector<std::vector<uint32_t>>& texts, int n) {
  require(n >= 1, "distinct-n needs n >= 1");
  NgramTable<uint32_t> seen;
  size_t total = 0;
  for (const auto& t : texts) total += t.size();
  seen.clear(total);
  for (const auto& t : texts) seen.add_all(t.data(), t.size(), n, n);
  double count = 0;
  seen.for_each([&](const auto& e) { count += e.count; });
  return count == 0 ? 0.0 : static_cast<double>(seen.size()) / count;
}

bool ends_in_repetition(const std::vector<uint32_t>& text, int max_n) {
  size_t len = text.size();
  int best_n = 0;
  size_t best_repeats = 0;
  for (int n = 1; n <= max_n; ++n) {
    // Copies of the last n tokens ending the text back to back.
    size_t repeats = 1, size = static_cast<size_t>(n);
    while (size * (repeats + 1) <= len &&
           std::equal(text.end() - size * (repeats + 1), text.end() - size * repeats,
                      text.end() - size))
      ++repeats;
    if (repeats > best_repeats) best_repeats = repeats, best_n = n;
  }
  return best_repeats > 1 && (best_n >= 3 || best_repeats > 50);
}

ZipfFit zipf_fit(const std::vector<std::vector<uint32_t>>& texts, int top) {
  std::unordered_map<uint32_t, double> counts;
  for (const auto& t : texts)
    for (uint32_t id : t) counts[id] += 1;
  std::vector<double> freq;
  for (const auto& [id, c] : counts) freq.push_back(c);
  std::sort(freq.begin(), freq.end(), std::greater<double>());
  if (top > 0 && freq.size() > static_cast<size_t>(top)) freq.resize(top);
  ZipfFit fit;
  fit.ranks = freq.size();
  if (freq.size() < 2) return fit;
  // Ordinary least squares of y = log(freq) on x = log(rank), like scipy.stats.linregress.
  size_t n = freq.size();
  double mx = 0, my = 0;
  for (size_t i = 0; i < n; ++i) mx += std::log(i + 1.0), my += std::log(freq[i]);
  mx /= n, my /= n;
  double sxx = 0, syy = 0, sxy = 0;
  for (size_t i = 0; i < n; ++i) {
    double dx = std::log(i + 1.0) - mx, dy = std::log(freq[i]) - my;
    sxx += dx * dx, syy += dy * dy, sxy += dx * dy;
  }
  fit.coefficient = -sxy / sxx;
  fit.r = syy > 0 ? -sxy / std::sqrt(sxx * syy) : 0.0;
  return fit;
}

std::vector<std::vector<std::string>> whitespace_tokens(const std::vector<std::string>& texts) {
  std::vector<std::vector<std::string>> out;
  out.reserve(texts.size());
  for (const std::string& text : texts) {
    std::vector<std::string> tokens;
    for (std::string_view t : split_whitespace(text)) tokens.emplace_back(t);
    out.push_back(std::move(tokens));
  }
  return out;
}

DiversityReport diversity(const std::vector<std::vector<std::string>>& texts,
                          const DiversityOptions& options) {
  DiversityReport r;
  r.texts = texts.size();
  std::unordered_map<std::string, uint32_t> vocab;
  std::vector<std::vector<uint32_t>> ids;
  ids.reserve(texts.size());
  for (const auto& text : texts) {
    std::vector<uint32_t> row;
    row.reserve(text.size());
    for (const std::string& token : text)
      row.push_back(vocab.emplace(token, static_cast<uint32_t>(vocab.size())).first->second);
    r.tokens += row.size();
    ids.push_back(std::move(row));
  }
  r.mean_length = texts.empty() ? 0.0 : static_cast<double>(r.tokens) / texts.size();
  for (int n = 1; n <= options.max_distinct_n; ++n) r.distinct.push_back(distinct_n(ids, n));
  if (ids.size() >= 2)
    r.self_bleu = self_bleu(ids, options.self_bleu_order, options.self_bleu_samples, options.seed);
  for (const auto& row : ids)
    if (ends_in_repetition(row, options.repetition_max_n)) ++r.repeating_texts;
  r.repetition = texts.empty() ? 0.0 : static_cast<double>(r.repeating_texts) / texts.size();
  ZipfFit fit = zipf_fit(ids, options.zipf_top);
  r.zipf = fit.coefficient;
  r.zipf_r = fit.r;
  return r;
}

}  // namespace gpt2::metrics

// ---- `gpt2 metric diversity` -----------------------------------------------------------

namespace gpt2::metrics {

namespace {

std::string diversity_options_help() {
  return options_help<DiversityOptions>() + "; texts are split on whitespace";
}

MetricReport run_diversity(const MetricData& data, const MetricRun& run) {
  DiversityOptions options;
  read_metric_options(section_ref(options), run);
  options.seed = run.seed;
  auto texts = whitespace_tokens(data.hyps);
  DiversityReport d = diversity(texts, options);

  MetricReport report;
  report.summary = {{"name", "diversity"},
                    {"texts", d.texts},
                    {"tokens", d.tokens},
                    {"mean_length", d.mean_length},
                    {"distinct", d.distinct},
                    {"self_bleu4", d.self_bleu},
                    {"repetition", d.repetition},
                    {"repeating_texts", d.repeating_texts},
                    {"zipf", d.zipf},
                    {"zipf_r", d.zipf_r}};
  for (size_t n = 0; n < d.distinct.size(); ++n)
    report.rows.emplace_back("distinct-" + std::to_string(n + 1), fixed(d.distinct[n], 4));
  report.rows.emplace_back("self-bleu-4", fixed(d.self_bleu, 4));
  report.rows.emplace_back("repetition", fixed(d.repetition, 4) + " (" +
                                             std::to_string(d.repeating_texts) + " of " +
                                             std::to_string(d.texts) + " texts)");
  report.rows.emplace_back("zipf", fixed(d.zipf, 4) + " (r = " + fixed(d.zipf_r, 4) + ")");
  report.rows.emplace_back("mean length", fixed(d.mean_length, 2) + " tokens");
  if (run.per_line) {
    std::unordered_map<std::string, uint32_t> vocab;
    for (size_t i = 0; i < texts.size(); ++i) {
      std::vector<uint32_t> ids;
      for (const std::string& t : texts[i])
        ids.push_back(vocab.emplace(t, static_cast<uint32_t>(vocab.size())).first->second);
      report.per_line.push_back({{"line", i + 1},
                                 {"tokens", ids.size()},
                                 {"distinct1", distinct_n({ids}, 1)},
                                 {"repeating", ends_in_repetition(ids, options.repetition_max_n)}});
    }
  }
  return report;
}

}  // namespace

MetricEntry diversity_metric_entry() {
  return {"diversity", "distinct-n, Self-BLEU-4, repetition, Zipf, mean length (no references)",
          diversity_options_help, false, run_diversity};
}

}  // namespace gpt2::metrics
