#include "sweep/ablation_report.h"

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "core/files.h"
#include "core/strings.h"
#include "report/html.h"
#include "report/svg_chart.h"
#include "report/table.h"

namespace gpt2 {

RunCurve read_run_curve(const PlannedRun& run) {
  RunCurve curve{run.spec.name, run.spec.group, {}, {}, {}, {}, -1};
  const std::string csv_path = run.dir + "/metrics.csv";
  if (file_exists(csv_path)) {
    auto lines = split(read_file(csv_path), '\n');
    auto header = split(lines.empty() ? "" : lines[0], ',');
    auto column = [&](const std::string& name) {
      for (size_t i = 0; i < header.size(); ++i)
        if (trim(header[i]) == name) return int(i);
      return -1;
    };
    const int step = column("step"), kind = column("kind"), loss = column("loss"),
              val = column("val_loss");
    auto number = [](const std::vector<std::string>& cells, int i) {
      return i >= 0 && i < int(cells.size()) && !trim(cells[i]).empty()
                 ? std::strtod(cells[i].c_str(), nullptr)
                 : std::nan("");
    };
    for (size_t l = 1; l < lines.size(); ++l) {
      auto cells = split(lines[l], ',');
      if (step < 0 || kind < 0 || int(cells.size()) <= kind) continue;
      double s = number(cells, step);
      if (trim(cells[kind]) == "eval" && !std::isnan(number(cells, val))) {
        curve.eval_steps.push_back(s);
        curve.val_loss.push_back(number(cells, val));
      } else if (trim(cells[kind]) == "train" && !std::isnan(number(cells, loss))) {
        curve.train_steps.push_back(s);
        curve.train_loss.push_back(number(cells, loss));
      }
    }
  }
  const std::string eval_path = run.dir + "/eval/eval.json";
  if (file_exists(eval_path)) {
    auto json = nlohmann::json::parse(read_file(eval_path), nullptr, false);
    if (json.is_array() && !json.empty() && json[0].contains("perplexity"))
      curve.test_ppl = json[0]["perplexity"].get<double>();
  }
  return curve;
}

std::vector<GroupSummary> summarize_groups(const std::vector<RunCurve>& curves) {
  std::vector<GroupSummary> groups;
  std::map<std::string, size_t> index;
  std::map<std::string, std::vector<double>> finals, tests;
  for (const auto& curve : curves) {
    if (!index.count(curve.group)) {
      index[curve.group] = groups.size();
      groups.push_back({curve.group});
    }
    if (!curve.val_loss.empty()) finals[curve.group].push_back(curve.val_loss.back());
    if (curve.test_ppl > 0) tests[curve.group].push_back(curve.test_ppl);
  }
  for (auto& group : groups) {
    const auto& values = finals[group.group];
    group.runs = int(values.size());
    if (values.empty()) continue;
    double mean = 0;
    for (double v : values) mean += v / values.size();
    double variance = 0;
    for (double v : values) variance += (v - mean) * (v - mean);
    group.val_loss_mean = mean;
    group.val_loss_std = values.size() > 1 ? std::sqrt(variance / (values.size() - 1)) : 0;
    group.val_ppl = std::exp(mean);
    const auto& test = tests[group.group];
    if (!test.empty()) {
      group.test_ppl_mean = 0;
      for (double v : test) group.test_ppl_mean += v / test.size();
    }
  }
  return groups;
}

std::string write_ablation_report(const std::vector<PlannedRun>& runs, const std::string& out_dir) {
  std::vector<RunCurve> curves;
  for (const auto& run : runs) curves.push_back(read_run_curve(run));
  auto groups = summarize_groups(curves);

  Table table{{"combination", "seeds", "val loss", "± std", "val ppl", "test ppl"}, {}};
  nlohmann::ordered_json json = nlohmann::ordered_json::array();
  for (const auto& g : groups) {
    table.add_row({g.group, std::to_string(g.runs),
                   g.runs ? format_number(g.val_loss_mean, 4) : "-",
                   g.runs ? format_number(g.val_loss_std, 4) : "-",
                   g.runs ? format_number(g.val_ppl, 3) : "-",
                   g.test_ppl_mean > 0 ? format_number(g.test_ppl_mean, 3) : "-"});
    json.push_back(
        {{"combination", g.group},
         {"seeds", g.runs},
         {"val_loss_mean", g.val_loss_mean},
         {"val_loss_std", g.val_loss_std},
         {"val_ppl", g.val_ppl},
         {"test_ppl", g.test_ppl_mean > 0 ? nlohmann::ordered_json(g.test_ppl_mean) : nullptr}});
  }
  write_file_atomic(out_dir + "/results.csv", table.to_csv());
  write_file_atomic(out_dir + "/results.json", json.dump(2) + "\n");

  HtmlReport report("Ablation: " + out_dir);
  report.table(table);
  // Each run's own report.html (written by gpt2 train at its evaluations), by relative path so
  // the sweep folder can be moved or copied as a whole.
  std::vector<std::pair<std::string, std::string>> run_reports;
  for (const auto& run : runs)
    if (file_exists(run.dir + "/report.html"))
      run_reports.emplace_back(
          run.spec.name,
          std::filesystem::path(run.dir + "/report.html").lexically_relative(out_dir).string());
  if (!run_reports.empty()) {
    report.heading("Run reports");
    report.links(run_reports);
  }
  std::vector<Series> val, train;
  for (const auto& c : curves) {
    val.push_back({c.run, c.eval_steps, c.val_loss});
    train.push_back({c.run, c.train_steps, c.train_loss});
  }
  ChartOptions options;
  options.x_label = "step";
  options.y_label = "loss";
  options.width = 760;
  options.title = "Validation loss";
  report.svg(line_chart_svg(val, options));
  options.title = "Training loss";
  report.svg(line_chart_svg(train, options));
  report.write(out_dir + "/report.html");
  return table.to_text();
}

}  // namespace gpt2
