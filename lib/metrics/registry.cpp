#include "metrics/registry.h"

#include <cstdio>
#include <sstream>

#include "config/loader.h"
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

void read_metric_options(const SectionRef& settings, const MetricRun& run) {
  for (const std::string& item : run.options) {
    const size_t eq = item.find('=');
    const std::string key = item.substr(0, eq);
    require(!key.empty(), "--option needs key=value, got \"" + item + "\"");
    const std::string value = eq == std::string::npos ? "true" : item.substr(eq + 1);
    // A list field takes comma-separated items (types=rouge1,rougeL); any other field one value.
    apply_assignment({settings},
                     {settings.name + "." + key, split(value, ','), "--option " + item});
  }
  validate_config({settings});
}

namespace {

// "key=default" for each field, in declaration order.
class HelpWriter : public FieldVisitor {
 public:
  void field(const char* key, bool& value, const char*) override {
    add(key, value ? "true" : "false");
  }
  void field(const char* key, int64_t& value, const char*, const Rule&) override {
    add(key, std::to_string(value));
  }
  void field(const char* key, double& value, const char*, const Rule&) override {
    std::ostringstream text;
    text << value;
    add(key, text.str());
  }
  void field(const char* key, std::string& value, const char*, const Rule&) override {
    add(key, value);
  }
  void field(const char* key, std::vector<std::string>& value, const char*, const Rule&) override {
    add(key, "[" + join(value, ", ") + "]");
  }
  void field(const char* key, std::vector<int64_t>& value, const char*, const Rule&) override {
    std::vector<std::string> items;
    for (auto v : value) items.push_back(std::to_string(v));
    add(key, "[" + join(items, ", ") + "]");
  }
  void field(const char* key, std::vector<double>& value, const char*, const Rule&) override {
    std::vector<std::string> items;
    for (auto v : value) items.push_back(std::to_string(v));
    add(key, "[" + join(items, ", ") + "]");
  }
  std::vector<std::string> parts;

 private:
  void add(const char* key, const std::string& value) { parts.push_back(key + ("=" + value)); }
};

}  // namespace

std::string options_help_of(const SectionRef& settings) {
  HelpWriter writer;
  settings.visit(writer);
  return join(writer.parts, ", ");
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
