#pragma once
// The metrics the `gpt2 metric` command offers, by name. Adding a metric takes its file pair
// (which defines a `MetricEntry <name>_metric_entry()` at the bottom of its .cpp, and an options
// struct whose visit() declares its --option keys), one line in registry.cpp, and a test.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "config/fields.h"
#include "metrics/stats_metric.h"

namespace gpt2::metrics {

// The sacreBLEU version whose behaviour (and signatures) BLEU and chrF reproduce.
inline constexpr const char* kSacreBleuVersion = "2.6.0";

// Line-aligned evaluation data.
struct MetricData {
  std::vector<std::string> hyps;
  std::vector<References> refs;       // refs[i]: references of hyps[i]; empty if none given
  std::vector<std::string> baseline;  // optional second system, line-aligned with hyps
};

// How to run a metric.
struct MetricRun {
  // --option key=value items as given (a bare key means key=true); read_metric_options applies
  // them to the metric's settings section with the config loader's rules.
  std::vector<std::string> options;
  bool per_line = false;  // also score each hypothesis on its own
  int bootstrap = 0;      // resamples for confidence intervals; 0 = none
  uint64_t seed = 12345;  // resampling seed
};

struct MetricReport {
  nlohmann::json summary = nlohmann::json::object();      // corpus-level results
  std::vector<std::pair<std::string, std::string>> rows;  // human-readable table
  std::vector<nlohmann::json> per_line;                   // one object per hypothesis
};

struct MetricEntry {
  const char* name;
  const char* summary;
  std::string (*options_help)();  // the metric's --option keys and defaults
  bool needs_refs;
  MetricReport (*run)(const MetricData& data, const MetricRun& run);
};

const std::vector<MetricEntry>& metric_registry();
// Throws gpt2::Error listing the metrics (with a did-you-mean) for an unknown name.
const MetricEntry& find_metric(const std::string& name);

// Applies run.options to a metric's options (a section: kSection, visit()); list options take
// comma-separated items (types=rouge1,rougeL). An unknown key, a bad value or one its
// rule refuses is an Error naming the option.
void read_metric_options(const SectionRef& settings, const MetricRun& run);

// "key=default, ..." of a settings section, from its declared fields.
std::string options_help_of(const SectionRef& settings);
template <class Settings>
std::string options_help() {
  Settings settings;
  return options_help_of(section_ref(settings));
}

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
