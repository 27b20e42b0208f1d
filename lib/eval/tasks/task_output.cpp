#include "eval/tasks/task_output.h"

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <ostream>

#include "core/files.h"
#include "eval/tasks/jsonl.h"
#include "report/table.h"

namespace gpt2 {
namespace {

Table task_table(const std::vector<TaskResult>& results) {
  Table table{{"model", "task", "metric", "value", "stderr", "n"}, {}};
  for (const auto& r : results)
    for (const auto& m : r.metrics)
      table.add_row({r.model, r.task, m.name, format_number(m.value, 4),
                     std::isnan(m.std_error) ? "-" : format_number(m.std_error, 4),
                     std::to_string(r.examples)});
  return table;
}

// JSON has no NaN: a missing standard error is null.
nlohmann::json number_or_null(double v) {
  return std::isnan(v) ? nlohmann::json() : nlohmann::json(v);
}

}  // namespace

std::string task_table_text(const std::vector<TaskResult>& results) {
  std::string text = task_table(results).to_text();
  for (const auto& r : results) text += "signature: " + r.signature + "\n";
  return text;
}

void write_task_outputs(const std::vector<TaskResult>& results, const std::string& out_dir) {
  std::filesystem::create_directories(out_dir);
  nlohmann::json json = nlohmann::json::array();
  for (const auto& r : results) {
    nlohmann::json metrics = nlohmann::json::object();
    for (const auto& m : r.metrics)
      metrics[m.name] = {{"value", m.value}, {"stderr", number_or_null(m.std_error)}};
    json.push_back({{"model", r.model},
                    {"task", r.task},
                    {"data", r.data},
                    {"data_sha256", r.data_sha256},
                    {"examples", r.examples},
                    {"signature", r.signature},
                    {"metrics", metrics}});
  }
  write_file_atomic(out_dir + "/tasks.json",
                    json.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
  write_file_atomic(out_dir + "/tasks.csv", task_table(results).to_csv());
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
