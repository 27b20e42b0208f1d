#include "io/run_log.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "core/files.h"

namespace gpt2 {

double RunLogRow::number(const std::string& key) const {
  auto it = numbers.find(key);
  return it == numbers.end() ? NAN : it->second;
}

std::vector<RunLogRow> parse_run_log(const std::string& jsonl) {
  std::vector<RunLogRow> rows;
  size_t start = 0;
  while (start < jsonl.size()) {
    size_t end = jsonl.find('\n', start);
    if (end == std::string::npos) end = jsonl.size();
    const std::string line = jsonl.substr(start, end - start);
    start = end + 1;
    auto json = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!json.is_object() || !json.contains("step") || !json["step"].is_number_integer()) continue;
    RunLogRow row;
    row.step = json["step"].get<int64_t>();
    for (const auto& [key, value] : json.items()) {
      if (key == "step") continue;
      if (key == "kind" && value.is_string())
        row.kind = value.get<std::string>();
      else if (value.is_number())
        row.numbers[key] = value.get<double>();
      else if (value.is_null())
        row.numbers[key] = NAN;
      else if (value.is_string())
        row.texts[key] = value.get<std::string>();
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

std::vector<RunLogRow> read_run_log(const std::string& path) {
  return file_exists(path) ? parse_run_log(read_file(path)) : std::vector<RunLogRow>{};
}

}  // namespace gpt2
