#include "io/run_directory.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/dir_lock.h"
#include "core/error.h"
#include "core/files.h"
#include "core/strings.h"

namespace fs = std::filesystem;

namespace gpt2 {
namespace {

const char* kStepPrefix = "step_";

std::string step_name(int64_t step) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%s%08ld", kStepPrefix, long(step));
  return buffer;
}

void append_line(const std::string& path, const std::string& line) {
  std::ofstream out(path, std::ios::app);
  require(bool(out), "cannot append to " + path);
  out << line << '\n';
  out.flush();
  require(bool(out), "cannot write to " + path + " (disk full?)");
}

// The step of a metrics.csv row with `fields` fields: -1 when the line is not one (cut short
// by a kill, or garbage).
int64_t csv_row_step(const std::string& line, size_t fields) {
  if (size_t(std::count(line.begin(), line.end(), ',')) + 1 != fields) return -1;
  const std::string digits = line.substr(0, line.find(','));
  if (digits.empty() || digits.size() > 18 ||
      digits.find_first_not_of("0123456789") != std::string::npos)
    return -1;
  return std::stoll(digits);
}

// The lines of a file; a last line without its newline was cut short and is dropped.
std::vector<std::string> complete_lines(const std::string& text, size_t& cut) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) {
      ++cut;
      break;
    }
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

std::string first_line(const std::string& text) {
  return text.substr(0, text.find('\n'));
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

RunDirectory::~RunDirectory() = default;

void RunDirectory::claim() const {
  if (lock_) return;
  lock_ = std::make_shared<DirectoryLock>(
      root_, "run directory",
      "wait for it to finish or stop it, then resume with gpt2 train --resume " + root_ +
          "; or choose another train.out_dir");
}

void RunDirectory::write_config(const std::string& yaml) const {
  claim();
  write_file_atomic(config_path(), yaml);
}

void RunDirectory::log(const LogRow& row) const {
  claim();
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
  claim();
  size_t dropped = 0;  // lines that are not rows (cut short by a kill, or garbage)
  if (file_exists(log_path())) {
    std::string kept;
    for (const auto& line : complete_lines(read_file(log_path()), dropped)) {
      if (line.empty()) continue;
      auto json = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
      if (!json.is_object() || !json.contains("step") || !json["step"].is_number_integer()) {
        ++dropped;
        continue;
      }
      if (json["step"].get<int64_t>() > step) continue;
      kept += line + "\n";
    }
    write_file_atomic(log_path(), kept);
  }
  if (file_exists(csv_path())) {
    auto lines = complete_lines(read_file(csv_path()), dropped);
    std::string kept;
    if (!lines.empty() && starts_with(lines[0], "step,kind")) {
      const size_t fields = size_t(std::count(lines[0].begin(), lines[0].end(), ',')) + 1;
      kept = lines[0] + "\n";
      for (size_t i = 1; i < lines.size(); ++i) {
        const int64_t row_step = csv_row_step(lines[i], fields);
        if (row_step < 0) ++dropped;
        if (row_step < 0 || row_step > step) continue;
        kept += lines[i] + "\n";
      }
    }
    // No header: the next row writes a fresh one.
    if (kept.empty())
      fs::remove(csv_path());
    else
      write_file_atomic(csv_path(), kept);
  }
  if (dropped > 0)
    std::fprintf(stderr, "warning: %s: dropped %zu incomplete log line(s) (cut short by a kill)\n",
                 root_.c_str(), dropped);
}

std::string RunDirectory::checkpoint_dir(int64_t step) const {
  return root_ + "/checkpoints/" + step_name(step);
}

std::string RunDirectory::begin_checkpoint(int64_t step) const {
  claim();
  std::string temp = root_ + "/checkpoints/." + step_name(step) + ".tmp";
  fs::remove_all(temp);
  fs::create_directories(temp);
  return temp;
}

std::string RunDirectory::commit_checkpoint(int64_t step, const std::string& temp_dir) const {
  claim();
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
  std::error_code error;
  fs::remove(temp, error);
  fs::create_symlink("checkpoints/" + step_name(step), temp, error);
  if (!error) fs::rename(temp, link, error);  // atomic replacement of the old link
  if (error) {
    std::error_code ignored;
    fs::remove(temp, ignored);
    throw Error("write failed for " + link + " (disk full?): cannot point it at " +
                step_name(step) + ": " + error.message());
  }
}

std::string RunDirectory::write_checkpoint(
    int64_t step, const std::function<void(const std::string&)>& write) const {
  std::string temp;
  std::string why;
  try {
    temp = begin_checkpoint(step);
    write(temp);
    return commit_checkpoint(step, temp);
  } catch (const fs::filesystem_error& e) {
    why = "write failed for " + e.path1().string() + " (disk full?): " + e.code().message();
  } catch (const Error& e) {
    why = e.what();
  } catch (const std::exception& e) {  // c10::Error from a torch writer, std::bad_alloc, ...
    why = "writing the checkpoint failed: " + first_line(e.what());
  }
  std::error_code ignored;
  if (!temp.empty()) fs::remove_all(temp, ignored);
  const std::string last = latest_checkpoint();
  throw Error(why + ". The unfinished checkpoint of step " + std::to_string(step) +
              " was removed and training stopped. " +
              (last.empty()
                   ? "No checkpoint was written before it; free disk space and run the "
                     "same gpt2 train command again."
                   : "The last good checkpoint is " + last +
                         "; free disk space, then resume with: gpt2 train --resume " + root_));
}

void RunDirectory::link_best(int64_t step) const {
  claim();
  relink("best", step);
}

std::vector<int64_t> RunDirectory::checkpoint_steps() const {
  std::vector<int64_t> steps;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(root_ + "/checkpoints", error)) {
    std::string name = entry.path().filename().string();
    if (!entry.is_directory() || !starts_with(name, kStepPrefix)) continue;
    std::string digits = name.substr(std::string(kStepPrefix).size());
    if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos) continue;
    if (!file_exists(entry.path().string() + "/trainer_state.json")) continue;
    steps.push_back(std::stoll(digits));
  }
  std::sort(steps.begin(), steps.end());
  return steps;
}

void RunDirectory::rotate(int64_t keep_last, int64_t best_step) const {
  claim();
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
