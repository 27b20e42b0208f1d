#pragma once
// The metrics the `gpt2 metric` command offers, by name. Adding a metric takes its file pair
// (which defines a `MetricEntry <name>_metric_entry()` at the bottom of its .cpp), one line in
// registry.cpp, and a test.
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "metrics/stats_metric.h"

namespace gpt2::metrics {

// Line-aligned evaluation data.
struct MetricData {
  std::vector<std::string> hyps;
  std::vector<References> refs;       // refs[i]: references of hyps[i]; empty if none given
  std::vector<std::string> baseline;  // optional second system, line-aligned with hyps
};

// How to run a metric.
struct MetricRun {
  std::map<std::string, std::string> options;  // metric options (--option key=value)
  bool per_line = false;                       // also score each hypothesis on its own
  int bootstrap = 0;                           // resamples for confidence intervals; 0 = none
  uint64_t seed = 12345;                       // resampling seed
};

struct MetricReport {
  nlohmann::json summary = nlohmann::json::object();      // corpus-level results
  std::vector<std::pair<std::string, std::string>> rows;  // human-readable table
  std::vector<nlohmann::json> per_line;                   // one object per hypothesis
};

struct MetricEntry {
  const char* name;
  const char* summary;
  const char* options_help;  // the metric's --option keys and defaults
  bool needs_refs;
  MetricReport (*run)(const MetricData& data, const MetricRun& run);
};

const std::vector<MetricEntry>& metric_registry();
// Throws gpt2::Error listing the metrics (with a did-you-mean) for an unknown name.
const MetricEntry& find_metric(const std::string& name);

// Reads MetricRun::options with types and defaults; finish() rejects keys never read.
class OptionReader {
 public:
  OptionReader(const std::map<std::string, std::string>& options, std::string metric);
  std::string get(const std::string& key, const std::string& fallback);
  bool get_bool(const std::string& key, bool fallback);
  double get_double(const std::string& key, double fallback);
  int get_int(const std::string& key, int fallback);
  std::optional<double> get_optional_double(const std::string& key);
  void finish() const;

 private:
  const std::string* find(const std::string& key);
  const std::map<std::string, std::string>& options_;
  std::string metric_;
  std::set<std::string> read_;
};

// Adds resampling results for a statistics-based metric: a paired bootstrap test against
// data.baseline when given (1000 resamples unless run.bootstrap says otherwise), else a
// confidence interval when run.bootstrap > 0.
void add_resampling(const StatsMetric& metric, const std::vector<std::vector<double>>& stats,
                    const MetricData& data, const MetricRun& run, MetricReport& report);

// The table printed by default: one "label  value" row per line.
std::string format_report_table(const MetricEntry& entry, const MetricReport& report);

// Fixed-point text, e.g. fixed(41.3808, 2) == "41.38".
std::string fixed(double value, int decimals);

}  // namespace gpt2::metrics
