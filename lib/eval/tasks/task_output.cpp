#include "eval/tasks/task_output.h"

#include <cmath>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <ostream>
#include <set>

#include "core/files.h"
#include "eval/tasks/jsonl.h"
#include "report/html.h"
#include "report/svg_chart.h"
#include "report/table.h"

namespace gpt2 {
namespace {

namespace fs = std::filesystem;

Table task_table(const std::vector<TaskResult>& results) {
  Table table{{"model", "step", "task", "metric", "value", "stderr", "n"}, {}};
  for (const auto& r : results)
    for (const auto& m : r.metrics)
      table.add_row({r.model, r.step >= 0 ? std::to_string(r.step) : "-", r.task, m.name,
                     format_number(m.value, 4),
                     std::isnan(m.std_error) ? "-" : format_number(m.std_error, 4),
                     std::to_string(r.examples)});
  return table;
}

// JSON has no NaN: a missing standard error is null.
nlohmann::json number_or_null(double v) {
  return std::isnan(v) ? nlohmann::json() : nlohmann::json(v);
}

// One chart per task (and data file) and metric: its value at each checkpoint's step.
std::string task_report_html(const std::vector<TaskResult>& results, const Table& table) {
  HtmlReport report("Zero-shot tasks");
  report.table(table);
  std::map<std::string, std::set<std::string>> files;  // task -> its data files
  for (const auto& r : results) files[r.task].insert(r.data);
  std::map<std::string, Series> curves;  // by title, in title order
  for (const auto& r : results) {
    if (r.step < 0) continue;
    const std::string label = files[r.task].size() > 1
                                  ? r.task + " (" + fs::path(r.data).filename().string() + ")"
                                  : r.task;
    for (const auto& m : r.metrics) {
      Series& s = curves[label + " " + m.name];
      s.name = m.name;
      s.x.push_back(double(r.step));
      s.y.push_back(m.value);
    }
  }
  if (!curves.empty()) report.heading("Against training step");
  for (auto& [title, series] : curves) {
    series.markers = series.x.size() == 1;  // one checkpoint: a point
    ChartOptions options;
    options.title = title;
    options.x_label = "step";
    options.y_label = series.name;
    report.svg(line_chart_svg({series}, options));
  }
  for (const auto& r : results) report.paragraph("signature: " + r.signature);
  return report.html();
}

}  // namespace

std::string task_table_text(const std::vector<TaskResult>& results) {
  std::string text = task_table(results).to_text();
  for (const auto& r : results) text += "signature: " + r.signature + "\n";
  return text;
}

void write_task_outputs(const std::vector<TaskResult>& results, const std::string& out_dir) {
  create_folder(out_dir);
  nlohmann::json json = nlohmann::json::array();
  for (const auto& r : results) {
    nlohmann::json metrics = nlohmann::json::object();
    for (const auto& m : r.metrics)
      metrics[m.name] = {{"value", m.value}, {"stderr", number_or_null(m.std_error)}};
    json.push_back({{"model", r.model},
                    {"step", r.step >= 0 ? nlohmann::json(r.step) : nlohmann::json()},
                    {"task", r.task},
                    {"data", r.data},
                    {"data_sha256", r.data_sha256},
                    {"examples", r.examples},
                    {"signature", r.signature},
                    {"metrics", metrics}});
  }
  const Table table = task_table(results);
  write_files_atomic({{out_dir + "/tasks.json",
                       json.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n"},
                      {out_dir + "/tasks.csv", table.to_csv()},
                      {out_dir + "/report.html", task_report_html(results, table)}});
}

void write_task_samples(const std::vector<TaskResult>& results, const std::string& path) {
  write_file_atomic(path, [&](std::ostream& out) {
    for (const auto& r : results)
      for (const auto& sample : r.samples) {
        auto value = nlohmann::json::parse(sample);
        value["task"] = r.task;
        value["model"] = r.model;
        out << json_line(value) << "\n";
      }
  });
}

}  // namespace gpt2
