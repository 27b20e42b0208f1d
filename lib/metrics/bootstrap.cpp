#include "metrics/bootstrap.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "core/error.h"

namespace gpt2::metrics {

namespace {

// Uniform index in [0, n) by multiply-shift: portable across standard libraries, unlike
// std::uniform_int_distribution, so a seed gives the same resamples everywhere.
size_t draw(std::mt19937_64& rng, size_t n) {
  return static_cast<size_t>((static_cast<unsigned __int128>(rng()) * n) >> 64);
}

ConfidenceInterval estimate_ci(std::vector<double> scores) {
  ConfidenceInterval ci;
  if (scores.empty()) return ci;
  std::sort(scores.begin(), scores.end());
  size_t n = scores.size(), lower = n / 40, upper = n - lower - 1;
  ci.low = scores[lower];
  ci.high = scores[upper];
  ci.half_width = 0.5 * (ci.high - ci.low);
  ci.mean = std::accumulate(scores.begin(), scores.end(), 0.0) / static_cast<double>(n);
  return ci;
}

// Score of each resample of `stats` for the given index sets.
std::vector<double> resampled_scores(const ScoreFromStats& score,
                                     const std::vector<std::vector<double>>& stats,
                                     const std::vector<std::vector<size_t>>& indices) {
  std::vector<double> scores;
  scores.reserve(indices.size());
  std::vector<double> sum;
  for (const auto& sample : indices) {
    sum.assign(stats.front().size(), 0.0);
    for (size_t i : sample)
      for (size_t j = 0; j < sum.size(); ++j) sum[j] += stats[i][j];
    scores.push_back(score(sum));
  }
  return scores;
}

std::vector<std::vector<size_t>> draw_indices(size_t n, int samples, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::vector<size_t>> indices(samples, std::vector<size_t>(n));
  for (auto& sample : indices)
    for (size_t& i : sample) i = draw(rng, n);
  return indices;
}

double percentile(std::vector<double>& values, double q) {
  std::sort(values.begin(), values.end());
  double pos = q / 100.0 * static_cast<double>(values.size() - 1);
  size_t lo = static_cast<size_t>(std::floor(pos));
  size_t hi = std::min(lo + 1, values.size() - 1);
  return values[lo] + (values[hi] - values[lo]) * (pos - static_cast<double>(lo));
}

void check(int samples, size_t segments) {
  require(samples > 0, "bootstrap needs a positive number of resamples");
  require(segments > 0, "bootstrap needs at least one segment");
}

ScoreFromStats score_of(const StatsMetric& metric) {
  return [&metric](const std::vector<double>& summed) { return metric.score_from_stats(summed); };
}

}  // namespace

ConfidenceInterval bootstrap_ci(const ScoreFromStats& score,
                                const std::vector<std::vector<double>>& segment_stats, int samples,
                                uint64_t seed) {
  check(samples, segment_stats.size());
  auto indices = draw_indices(segment_stats.size(), samples, seed);
  return estimate_ci(resampled_scores(score, segment_stats, indices));
}

ConfidenceInterval bootstrap_ci(const StatsMetric& metric,
                                const std::vector<std::vector<double>>& segment_stats, int samples,
                                uint64_t seed) {
  return bootstrap_ci(score_of(metric), segment_stats, samples, seed);
}

PairedBootstrapResult paired_bootstrap(const StatsMetric& metric,
                                       const std::vector<std::vector<double>>& baseline_stats,
                                       const std::vector<std::vector<double>>& system_stats,
                                       int samples, uint64_t seed) {
  check(samples, baseline_stats.size());
  require(baseline_stats.size() == system_stats.size(),
          "paired bootstrap: the baseline has " + std::to_string(baseline_stats.size()) +
              " segments but the system has " + std::to_string(system_stats.size()));
  PairedBootstrapResult r;
  r.samples = samples;
  r.baseline_score = metric.score_from_stats(sum_stats(baseline_stats));
  r.system_score = metric.score_from_stats(sum_stats(system_stats));
  auto indices = draw_indices(baseline_stats.size(), samples, seed);
  std::vector<double> bl = resampled_scores(score_of(metric), baseline_stats, indices);
  std::vector<double> sys = resampled_scores(score_of(metric), system_stats, indices);
  r.baseline_ci = estimate_ci(bl);
  r.system_ci = estimate_ci(sys);
  // Centre the resampled |differences| on 0 (the null hypothesis) and count how often they
  // exceed the observed one; +1 keeps the test from rejecting more often than it should.
  std::vector<double> diffs(samples);
  for (int i = 0; i < samples; ++i) diffs[i] = std::abs(sys[i] - bl[i]);
  double mean = std::accumulate(diffs.begin(), diffs.end(), 0.0) / samples;
  double observed = std::abs(r.baseline_score - r.system_score);
  int count = 0;
  for (double d : diffs)
    if (d - mean > observed) ++count;
  r.p_value = (count + 1.0) / (samples + 1.0);
  return r;
}

MeanInterval bootstrap_mean_interval(const std::vector<std::vector<double>>& rows, int samples,
                                     double confidence, uint64_t seed) {
  check(samples, rows.size());
  require(confidence > 0 && confidence < 1, "bootstrap confidence must be in (0, 1)");
  size_t n = rows.size(), cols = rows.front().size();
  std::mt19937_64 rng(seed);
  std::vector<std::vector<double>> means(cols, std::vector<double>(samples));
  std::vector<double> sum(cols);
  for (int s = 0; s < samples; ++s) {
    std::fill(sum.begin(), sum.end(), 0.0);
    for (size_t k = 0; k < n; ++k) {
      const auto& row = rows[draw(rng, n)];
      for (size_t c = 0; c < cols; ++c) sum[c] += row[c];
    }
    for (size_t c = 0; c < cols; ++c) means[c][s] = sum[c] / static_cast<double>(n);
  }
  double delta = (1 - confidence) / 2;
  MeanInterval out;
  for (size_t c = 0; c < cols; ++c) {
    out.low.push_back(percentile(means[c], 100 * delta));
    out.mid.push_back(percentile(means[c], 50));
    out.high.push_back(percentile(means[c], 100 * (1 - delta)));
  }
  return out;
}

std::vector<std::pair<std::string, RougeAggregate>> aggregate_rouge(
    const std::vector<RougeScores>& scores, int samples, double confidence, uint64_t seed) {
  require(!scores.empty(), "ROUGE aggregation needs at least one scored pair");
  const RougeScores& first = scores.front();
  std::vector<std::vector<double>> rows;
  rows.reserve(scores.size());
  for (const RougeScores& s : scores) {
    require(s.size() == first.size(), "ROUGE aggregation: every pair needs the same types");
    std::vector<double> row;
    for (const auto& [name, score] : s) {
      row.push_back(score.precision);
      row.push_back(score.recall);
      row.push_back(score.fmeasure);
    }
    rows.push_back(std::move(row));
  }
  MeanInterval interval = bootstrap_mean_interval(rows, samples, confidence, seed);
  std::vector<std::pair<std::string, RougeAggregate>> out;
  for (size_t k = 0; k < first.size(); ++k) {
    auto pick = [&](const std::vector<double>& v) {
      return RougeScore{v[3 * k], v[3 * k + 1], v[3 * k + 2]};
    };
    out.emplace_back(first[k].first,
                     RougeAggregate{pick(interval.low), pick(interval.mid), pick(interval.high)});
  }
  return out;
}

}  // namespace gpt2::metrics
