// gpt2 metric: scores hypotheses against references (BLEU, chrF, ROUGE) or on their own
// (diversity). The metrics and their options come from lib/metrics/registry.h.
#include <iostream>

#include "cli.h"
#include "commands.h"
#include "core/error.h"
#include "metrics/metric_input.h"
#include "metrics/registry.h"

namespace gpt2::cli {

namespace {

std::string usage() {
  std::string text =
      "gpt2 metric <name> (--hyps FILE [--refs FILE...] | --jsonl FILE) [options]\n\n"
      "Line files are line-aligned (reference k of line i = line i of the k-th --refs file);\n"
      "JSONL lines hold \"hyp\" and \"ref\" or \"refs\". Metrics and their --option keys:\n";
  for (const auto& m : metrics::metric_registry())
    text += "  " + std::string(m.name) + ": " + m.summary + "\n      " + m.options_help() + "\n";
  return text;
}

}  // namespace

int cmd_metric(const std::vector<std::string>& args) {
  std::string name, hyps, jsonl, baseline;
  std::vector<std::string> refs, option_items;
  bool json = false, per_line = false;
  metrics::MetricRun run;
  po::options_description options("options");
  options.add_options()                                                            //
      ("metric", po::value(&name), "bleu, chrf, rouge or diversity")               //
      ("hyps", po::value(&hyps), "hypotheses, one per line")                       //
      ("refs", po::value(&refs)->multitoken(), "reference file(s), line-aligned")  //
      ("jsonl", po::value(&jsonl), "JSONL input with hyp and ref/refs per line")   //
      ("baseline", po::value(&baseline),
       "baseline system file (line-aligned): paired bootstrap p-value (bleu, chrf)")  //
      ("option,o", po::value(&option_items)->composing(),
       "metric option key=value; repeatable (see above)")  //
      ("bootstrap", po::value(&run.bootstrap),
       "resamples for 95% confidence intervals (default 0 = none; 1000 with --baseline)")  //
      ("seed", po::value(&run.seed), "resampling seed (default 12345)")                    //
      ("json", po::bool_switch(&json), "print the corpus result as JSON")                  //
      ("per-line", po::bool_switch(&per_line), "print one JSON object per hypothesis");
  po::positional_options_description positional;
  positional.add("metric", 1);
  if (!parse(usage(), args, options, &positional)) return 0;

  require(!name.empty(), "which metric? give bleu, chrf, rouge or diversity (see --help)");
  const metrics::MetricEntry& metric = metrics::find_metric(name);
  require(hyps.empty() != jsonl.empty(), "give either --hyps FILE or --jsonl FILE");
  require(jsonl.empty() || refs.empty(), "--refs goes with --hyps, not with --jsonl");
  require(run.bootstrap >= 0, "--bootstrap must be >= 0");
  run.options = option_items;
  run.per_line = per_line;

  metrics::MetricData data;
  if (!jsonl.empty()) {
    data = metrics::read_jsonl(jsonl, metric.needs_refs);
    if (!baseline.empty()) {
      data.baseline = metrics::read_lines(baseline);
      require(data.baseline.size() == data.hyps.size(),
              "ragged input: " + jsonl + " has " + std::to_string(data.hyps.size()) +
                  " entries but " + baseline + " has " + std::to_string(data.baseline.size()) +
                  " lines");
    }
  } else {
    data = metrics::read_line_files(hyps, refs, baseline);
  }
  require(!metric.needs_refs || !data.refs.empty(),
          std::string(metric.name) + " needs references: give --refs FILE... or --jsonl");
  require(data.baseline.empty() || metric.needs_refs,
          std::string("--baseline is not supported by ") + metric.name);
  for (const std::string& w : metrics::input_warnings(data))
    std::cerr << "gpt2 metric: warning: " << w << "\n";

  metrics::MetricReport report = metric.run(data, run);
  if (per_line) {
    for (const auto& line : report.per_line) std::cout << line.dump() << "\n";
  } else if (json) {
    std::cout << report.summary.dump(2) << "\n";
  } else {
    std::cout << metrics::format_report_table(metric, report);
  }
  return 0;
}

}  // namespace gpt2::cli
