#include "eval/tasks/jsonl.h"

#include "core/error.h"
#include "core/files.h"
#include "core/json_error.h"

namespace gpt2 {

void JsonlRow::fail(const std::string& field, const std::string& problem) const {
  throw Error(path + ":" + std::to_string(line) + ": field \"" + field + "\" " + problem +
              "; expected " + expected);
}

std::string JsonlRow::string_field(const char* field) const {
  auto it = value.find(field);
  if (it == value.end()) fail(field, "is missing");
  if (!it->is_string()) fail(field, "is not a string");
  return it->get<std::string>();
}

int64_t JsonlRow::int_field(const char* field) const {
  auto it = value.find(field);
  if (it == value.end()) fail(field, "is missing");
  // The official HellaSwag files hold labels as integers; some copies hold "0".."3".
  if (it->is_number_integer()) return it->get<int64_t>();
  if (it->is_string()) {
    const std::string text = it->get<std::string>();
    if (!text.empty() && text.find_first_not_of("0123456789") == std::string::npos)
      return std::stoll(text);
  }
  fail(field, "is not an integer");
}

std::vector<std::string> JsonlRow::string_list_field(const char* field) const {
  auto it = value.find(field);
  if (it == value.end()) fail(field, "is missing");
  if (!it->is_array() || it->empty()) fail(field, "is not a non-empty list of strings");
  std::vector<std::string> out;
  for (const auto& item : *it) {
    if (!item.is_string()) fail(field, "is not a non-empty list of strings");
    out.push_back(item.get<std::string>());
  }
  return out;
}

void read_jsonl(const std::string& path, const std::string& expected, int64_t limit,
                const std::function<void(const JsonlRow& row)>& row) {
  const std::string text = read_file(path);
  int64_t line_no = 0, rows = 0;
  size_t pos = 0;
  while (pos < text.size() && (limit <= 0 || rows < limit)) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    nlohmann::json value;
    try {
      value = nlohmann::json::parse(line);
    } catch (const nlohmann::json::exception& e) {
      throw Error(path + ":" + std::to_string(line_no) + ": not a JSON object (" +
                  json_error_text(e.what()) + "); expected JSON lines, each " + expected);
    }
    if (!value.is_object())
      throw Error(path + ":" + std::to_string(line_no) +
                  ": not a JSON object; expected JSON lines, each " + expected);
    row(JsonlRow{path, line_no, expected, value});
    ++rows;
  }
  require(rows > 0, path + ": no examples in the file; expected JSON lines, each " + expected);
}

std::string json_line(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

bool looks_like_jsonl(const std::string& path) {
  const std::string head = read_file_prefix(path, 4096);
  const size_t first = head.find_first_not_of(" \t\r\n");
  return first != std::string::npos && head[first] == '{';
}

}  // namespace gpt2
