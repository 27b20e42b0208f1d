#pragma once
// Resampling statistics, seeded and reproducible:
//  - sacreBLEU-style bootstrap confidence intervals and the paired bootstrap test between two
//    systems for corpus metrics built from sufficient statistics (BLEU, chrF);
//  - rouge-score-style BootstrapAggregator (low / mid / high percentiles of resampled means).
// The random streams differ from numpy's, so resampled numbers agree with the Python tools
// statistically, not digit for digit.
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "metrics/rouge.h"
#include "metrics/stats_metric.h"

namespace gpt2::metrics {

constexpr uint64_t kDefaultBootstrapSeed = 12345;  // sacreBLEU's default SACREBLEU_SEED

struct ConfidenceInterval {
  double mean = 0;           // mean of the resampled scores
  double half_width = 0;     // sacreBLEU's "± ci": half the central 95% range
  double low = 0, high = 0;  // the 2.5% and 97.5% resampled scores (sacreBLEU's n // 40 rule)
};

// Resamples segments with replacement `samples` times and rescores each resample.
ConfidenceInterval bootstrap_ci(const StatsMetric& metric,
                                const std::vector<std::vector<double>>& segment_stats,
                                int samples = 1000, uint64_t seed = kDefaultBootstrapSeed);

// The same for any corpus score computed from summed per-segment statistics (perplexity is
// exp(sum nll / sum tokens) of segments {nll, tokens}).
using ScoreFromStats = std::function<double(const std::vector<double>& summed)>;
ConfidenceInterval bootstrap_ci(const ScoreFromStats& score,
                                const std::vector<std::vector<double>>& segment_stats,
                                int samples = 1000, uint64_t seed = kDefaultBootstrapSeed);

struct PairedBootstrapResult {
  double baseline_score = 0, system_score = 0;
  // Probability of a difference at least as large as the observed one under the null
  // hypothesis (sacreBLEU's paired_bs: centred resampled |differences|, (c + 1) / (n + 1)).
  double p_value = 1;
  ConfidenceInterval baseline_ci, system_ci;
  int samples = 0;
};

// Paired bootstrap resampling (Koehn 2004, as sacreBLEU --paired-bs): both systems are
// resampled with the same segment indices. The two stats lists must be line-aligned.
PairedBootstrapResult paired_bootstrap(const StatsMetric& metric,
                                       const std::vector<std::vector<double>>& baseline_stats,
                                       const std::vector<std::vector<double>>& system_stats,
                                       int samples = 1000, uint64_t seed = kDefaultBootstrapSeed);

// Percentiles (numpy's linear interpolation) of resampled column means: for each column the
// (1 - confidence) / 2, 0.5 and (1 + confidence) / 2 quantiles.
struct MeanInterval {
  std::vector<double> low, mid, high;
};
MeanInterval bootstrap_mean_interval(const std::vector<std::vector<double>>& rows,
                                     int samples = 1000, double confidence = 0.95,
                                     uint64_t seed = kDefaultBootstrapSeed);

// rouge-score's BootstrapAggregator over per-example scores (all with the same types).
struct RougeAggregate {
  RougeScore low, mid, high;
};
std::vector<std::pair<std::string, RougeAggregate>> aggregate_rouge(
    const std::vector<RougeScores>& scores, int samples = 1000, double confidence = 0.95,
    uint64_t seed = kDefaultBootstrapSeed);

}  // namespace gpt2::metrics
