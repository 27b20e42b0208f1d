#include "metrics/registry.h"

#include <cstdio>

#include "core/error.h"
#include "core/strings.h"
#include "metrics/bootstrap.h"

namespace gpt2::metrics {

// Defined at the bottom of each metric's .cpp.
MetricEntry bleu_metric_entry();
MetricEntry chrf_metric_entry();
MetricEntry rouge_metric_entry();
MetricEntry diversity_metric_entry();

const std::vector<MetricEntry>& metric_registry() {
  static const std::vector<MetricEntry> entries = {
      bleu_metric_entry(),
      chrf_metric_entry(),
      rouge_metric_entry(),
      diversity_metric_entry(),
  };
  return entries;
}

const MetricEntry& find_metric(const std::string& name) {
  std::vector<std::string> names;
  for (const MetricEntry& e : metric_registry()) {
    if (name == e.name) return e;
    names.push_back(e.name);
  }
  std::string hint = closest_match(name, names);
  throw Error("unknown metric \"" + name + "\"" +
              (hint.empty() ? "" : " (did you mean \"" + hint + "\"?)") + "; choose one of " +
              join(names, ", "));
}

OptionReader::OptionReader(const std::map<std::string, std::string>& options, std::string metric)
    : options_(options), metric_(std::move(metric)) {}

const std::string* OptionReader::find(const std::string& key) {
  read_.insert(key);
  auto it = options_.find(key);
  return it == options_.end() ? nullptr : &it->second;
}

std::string OptionReader::get(const std::string& key, const std::string& fallback) {
  const std::string* v = find(key);
  return v ? *v : fallback;
}

bool OptionReader::get_bool(const std::string& key, bool fallback) {
  const std::string* v = find(key);
  if (!v) return fallback;
  if (*v == "true" || *v == "1" || *v == "yes" || v->empty()) return true;
  if (*v == "false" || *v == "0" || *v == "no") return false;
  throw Error(metric_ + " option " + key + " must be true or false, got \"" + *v + "\"");
}

double OptionReader::get_double(const std::string& key, double fallback) {
  auto v = get_optional_double(key);
  return v ? *v : fallback;
}

std::optional<double> OptionReader::get_optional_double(const std::string& key) {
  const std::string* v = find(key);
  if (!v) return std::nullopt;
  try {
    size_t used = 0;
    double d = std::stod(*v, &used);
    if (used == v->size()) return d;
  } catch (const std::exception&) {
  }
  throw Error(metric_ + " option " + key + " must be a number, got \"" + *v + "\"");
}

int OptionReader::get_int(const std::string& key, int fallback) {
  auto v = get_optional_double(key);
  if (!v) return fallback;
  require(*v == static_cast<int>(*v),
          metric_ + " option " + key + " must be an integer, got " + options_.at(key));
  return static_cast<int>(*v);
}

void OptionReader::finish() const {
  for (const auto& [key, value] : options_) {
    if (read_.count(key)) continue;
    std::string hint = closest_match(key, {read_.begin(), read_.end()});
    throw Error("unknown " + metric_ + " option \"" + key + "\"" +
                (hint.empty() ? "" : " (did you mean \"" + hint + "\"?)") +
                "; known: " + join({read_.begin(), read_.end()}, ", "));
  }
}

void add_resampling(const StatsMetric& metric, const std::vector<std::vector<double>>& stats,
                    const MetricData& data, const MetricRun& run, MetricReport& report) {
  if (stats.empty()) return;
  if (!data.baseline.empty()) {
    int samples = run.bootstrap > 0 ? run.bootstrap : 1000;
    auto baseline = metric.corpus_stats(data.baseline, data.refs);
    PairedBootstrapResult r = paired_bootstrap(metric, baseline, stats, samples, run.seed);
    report.summary["paired_bootstrap"] = {{"baseline_score", r.baseline_score},
                                          {"system_score", r.system_score},
                                          {"p_value", r.p_value},
                                          {"samples", r.samples},
                                          {"seed", run.seed},
                                          {"system_mean", r.system_ci.mean},
                                          {"system_ci", r.system_ci.half_width},
                                          {"baseline_mean", r.baseline_ci.mean},
                                          {"baseline_ci", r.baseline_ci.half_width}};
    report.rows.emplace_back("baseline", fixed(r.baseline_score, 2) + " (mean " +
                                             fixed(r.baseline_ci.mean, 2) + " ± " +
                                             fixed(r.baseline_ci.half_width, 2) + ")");
    report.rows.emplace_back("system", fixed(r.system_score, 2) + " (mean " +
                                           fixed(r.system_ci.mean, 2) + " ± " +
                                           fixed(r.system_ci.half_width, 2) + ")");
    report.rows.emplace_back("p-value", fixed(r.p_value, 4) + " (paired bootstrap, " +
                                            std::to_string(samples) + " resamples)");
  } else if (run.bootstrap > 0) {
    ConfidenceInterval ci = bootstrap_ci(metric, stats, run.bootstrap, run.seed);
    report.summary["bootstrap"] = {
        {"mean", ci.mean}, {"ci", ci.half_width},      {"low", ci.low},
        {"high", ci.high}, {"samples", run.bootstrap}, {"seed", run.seed}};
    report.rows.emplace_back("95% CI", fixed(ci.mean, 2) + " ± " + fixed(ci.half_width, 2) + " [" +
                                           fixed(ci.low, 2) + ", " + fixed(ci.high, 2) + "]");
  }
}

std::string format_report_table(const MetricEntry& entry, const MetricReport& report) {
  size_t width = 0;
  for (const auto& row : report.rows) width = std::max(width, row.first.size());
  std::string out = std::string(entry.name) + "\n";
  for (const auto& [label, value] : report.rows)
    out += "  " + label + std::string(width - label.size() + 2, ' ') + value + "\n";
  return out;
}

std::string fixed(double value, int decimals) {
  char text[64];
  std::snprintf(text, sizeof(text), "%.*f", decimals, value);
  return text;
}

}  // namespace gpt2::metrics
