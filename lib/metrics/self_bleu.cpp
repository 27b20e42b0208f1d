#include "metrics/self_bleu.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "core/error.h"
#include "metrics/ngram_table.h"

namespace gpt2::metrics {

namespace {

// The two largest per-text counts of an n-gram and the text holding the largest: the clip
// count against "all texts but i" is then top2 for that text and top1 for every other one.
struct TopCounts {
  uint32_t top1 = 0, top2 = 0;
  size_t top1_text = SIZE_MAX;
};

// Closest other-text length (NLTK: smallest |difference|, then the shorter).
long closest_other_length(const std::vector<long>& sorted, long len) {
  auto range = std::equal_range(sorted.begin(), sorted.end(), len);
  if (range.second - range.first >= 2) return len;  // another text has the same length
  long best = -1;
  if (range.first != sorted.begin()) best = *(range.first - 1);
  if (range.second != sorted.end()) {
    long above = *range.second;
    if (best < 0 || above - len < len - best) best = above;
  }
  return best;
}

}  // namespace

double self_bleu(const std::vector<std::vector<uint32_t>>& texts, int max_order, size_t samples,
                 uint64_t seed) {
  require(texts.size() >= 2, "Self-BLEU needs at least two texts");
  require(max_order >= 1, "Self-BLEU needs max_order >= 1");
  size_t total = 0;
  for (const auto& t : texts) total += t.size();

  NgramTable<uint32_t> global, own;
  std::vector<TopCounts> tops;
  global.clear(total * max_order);
  for (size_t i = 0; i < texts.size(); ++i) {
    own.clear(texts[i].size() * max_order);
    own.add_all(texts[i].data(), texts[i].size(), 1, max_order);
    own.for_each([&](const auto& e) {
      auto& g = global.at(e.items, e.n, e.hash);
      if (g.count == 0) {
        g.count = static_cast<uint32_t>(tops.size() + 1);  // index + 1 into `tops`
        tops.emplace_back();
      }
      TopCounts& t = tops[g.count - 1];
      if (e.count > t.top1) {
        t.top2 = t.top1, t.top1 = e.count, t.top1_text = i;
      } else if (e.count > t.top2) {
        t.top2 = e.count;
      }
    });
  }
  std::vector<long> lengths;
  for (const auto& t : texts) lengths.push_back(static_cast<long>(t.size()));
  std::sort(lengths.begin(), lengths.end());

  std::vector<size_t> chosen(texts.size());
  std::iota(chosen.begin(), chosen.end(), 0);
  if (samples > 0 && samples < texts.size()) {
    std::mt19937_64 rng(seed);
    for (size_t k = 0; k < samples; ++k) {  // partial Fisher-Yates
      size_t j = k + static_cast<size_t>(
                         (static_cast<unsigned __int128>(rng()) * (texts.size() - k)) >> 64);
      std::swap(chosen[k], chosen[j]);
    }
    chosen.resize(samples);
  }

  double sum = 0;
  std::vector<double> matched(max_order), counted(max_order);
  for (size_t i : chosen) {
    const auto& text = texts[i];
    std::fill(matched.begin(), matched.end(), 0.0);
    std::fill(counted.begin(), counted.end(), 0.0);
    own.clear(text.size() * max_order);
    own.add_all(text.data(), text.size(), 1, max_order);
    own.for_each([&](const auto& e) {
      const TopCounts& t = tops[global.count(e.items, e.n, e.hash) - 1];
      uint32_t clip = t.top1_text == i ? t.top2 : t.top1;
      matched[e.n - 1] += std::min(e.count, clip);
      counted[e.n - 1] += e.count;
    });
    if (matched[0] == 0) continue;  // NLTK returns 0 without unigram matches
    long hyp_len = static_cast<long>(text.size());
    long ref_len = closest_other_length(lengths, hyp_len);
    double bp = hyp_len > ref_len
                    ? 1.0
                    : std::exp(1.0 - static_cast<double>(ref_len) / static_cast<double>(hyp_len));
    double log_sum = 0;
    for (int n = 0; n < max_order; ++n) {
      double denominator = std::max(1.0, counted[n]);
      double p = matched[n] == 0 ? 0.1 / denominator : matched[n] / denominator;
      log_sum += std::log(p) / max_order;
    }
    sum += bp * std::exp(log_sum);
  }
  return sum / static_cast<double>(chosen.size());
}

}  // namespace gpt2::metrics
