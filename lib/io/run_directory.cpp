#include "io/run_directory.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/error.h"
#include "core/files.h"
#include "core/strings.h"

namespace fs = std::filesystem;

namespace gpt2 {
namespace {

const char* kPrefix = "step_";

std::string step_name(int64_t step) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%s%08ld", kPrefix, long(step));
  return buffer;
}

void append_line(const std::string& path, const std::string& line) {
  std::ofstream out(path, std::ios::app);
  require(bool(out), "cannot append to " + path);
  out << line << '\n';
  out.flush();
  require(bool(out), "cannot write to " + path + " (disk full?)");
}

std::string csv_number(double x) {
  if (std::isnan(x)) return "";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.9g", x);
  return buffer;
}

}  // namespace

RunDirectory::RunDirectory(std::string root, std::vector<std::string> csv_columns)
    : root_(std::move(root)), columns_(std::move(csv_columns)) {
  std::error_code error;
  fs::create_directories(root_ + "/checkpoints", error);
  require(!error, "cannot create the run directory " + root_ + ": " + error.message());
}

void RunDirectory::write_config(const std::string& yaml) const {
  write_file_atomic(config_path(), yaml);
}

void RunDirectory::log(const LogRow& row) const {
  nlohmann::ordered_json json;
  json["kind"] = row.kind;
  json["step"] = row.step;
  for (const auto& [key, value] : row.numbers)
    json[key] = std::isfinite(value) ? nlohmann::ordered_json(value) : nullptr;
  for (const auto& [key, value] : row.texts) json[key] = value;
  append_line(log_path(), json.dump());
  if (row.kind != "train" && row.kind != "eval") return;
  if (!file_exists(csv_path())) append_line(csv_path(), "step,kind," + join(columns_, ","));
  std::string line = std::to_string(row.step) + "," + row.kind;
  for (const auto& column : columns_) {
    double value = NAN;
    for (const auto& [key, v] : row.numbers)
      if (key == column) value = v;
    line += "," + csv_number(value);
  }
  append_line(csv_path(), line);
}

void RunDirectory::truncate_logs(int64_t step) const {
  if (file_exists(log_path())) {
    std::istringstream in(read_file(log_path()));
    std::string line, kept;
    while (std::getline(in, line)) {
      if (line.empty()) continue;
      auto json = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
      if (json.is_object() && json.value("step", int64_t(0)) > step) continue;
      kept += line + "\n";
    }
    write_file_atomic(log_path(), kept);
  }
  if (file_exists(csv_path())) {
    std::istringstream in(read_file(csv_path()));
    std::string line, kept;
    bool header = true;
    while (std::getline(in, line)) {
      if (!header && !line.empty() && std::stoll(line.substr(0, line.find(','))) > step) continue;
      header = false;
      kept += line + "\n";
    }
    write_file_atomic(csv_path(), kept);
  }
}

std::string RunDirectory::checkpoint_dir(int64_t step) const {
  return root_ + "/checkpoints/" + step_name(step);
}

std::string RunDirectory::begin_checkpoint(int64_t step) const {
  std::string temp = root_ + "/checkpoints/." + step_name(step) + ".tmp";
  fs::remove_all(temp);
  fs::create_directories(temp);
  return temp;
}

std::string RunDirectory::commit_checkpoint(int64_t step, const std::string& temp_dir) const {
  const std::string final_dir = checkpoint_dir(step);
  // A checkpoint of the same step (written before a crash) is replaced: move it aside first,
  // since rename() cannot replace a non-empty folder.
  if (fs::exists(final_dir)) {
    std::string old = final_dir + ".old";
    fs::remove_all(old);
    fs::rename(final_dir, old);
    fs::rename(temp_dir, final_dir);
    fs::remove_all(old);
  } else {
    fs::rename(temp_dir, final_dir);
  }
  relink("latest", step);
  return final_dir;
}

void RunDirectory::relink(const std::string& name, int64_t step) const {
  const std::string link = root_ + "/" + name, temp = link + ".tmp";
  fs::remove(temp);
  fs::create_symlink("checkpoints/" + step_name(step), temp);
  fs::rename(temp, link);  // atomic replacement of the old link
}

void RunDirectory::link_best(int64_t step) const {
  relink("best", step);
}

std::vector<int64_t> RunDirectory::checkpoint_steps() const {
  std::vector<int64_t> steps;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(root_ + "/checkpoints", error)) {
    std::string name = entry.path().filename().string();
    if (!entry.is_directory() || !starts_with(name, kPrefix)) continue;
    std::string digits = name.substr(std::string(kPrefix).size());
    if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos) continue;
    if (!file_exists(entry.path().string() + "/trainer_state.json")) continue;
    steps.push_back(std::stoll(digits));
  }
  std::sort(steps.begin(), steps.end());
  return steps;
}

void RunDirectory::rotate(int64_t keep_last, int64_t best_step) const {
  auto steps = checkpoint_steps();
  const int64_t n = static_cast<int64_t>(steps.size());
  for (int64_t i = 0; i < n - keep_last; ++i)
    if (steps[i] != best_step) fs::remove_all(checkpoint_dir(steps[i]));
}

std::string RunDirectory::latest_checkpoint() const {
  auto steps = checkpoint_steps();
  return steps.empty() ? "" : checkpoint_dir(steps.back());
}

}  // namespace gpt2
