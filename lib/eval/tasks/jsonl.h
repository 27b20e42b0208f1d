#pragma once
// Reading task files of JSON lines with errors that name the file, the line and the field,
// and say which shape of file was expected.
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace gpt2 {

// Where a row came from, and what a row of this file should hold (for error messages).
struct JsonlRow {
  const std::string& path;
  int64_t line;
  const std::string& expected;  // e.g. "a HellaSwag row (ctx_a, ctx_b, ...)"
  const nlohmann::json& value;

  [[noreturn]] void fail(const std::string& field, const std::string& problem) const;
  std::string string_field(const char* field) const;
  int64_t int_field(const char* field) const;
  std::vector<std::string> string_list_field(const char* field) const;
};

// Calls `row` for each non-empty line, each a JSON object; stops after `limit` rows (0 = all).
// Throws Error with file:line for a line that is not a JSON object, and for an empty file.
void read_jsonl(const std::string& path, const std::string& expected, int64_t limit,
                const std::function<void(const JsonlRow& row)>& row);

// One JSON line; invalid UTF-8 in the text becomes U+FFFD instead of an exception.
std::string json_line(const nlohmann::json& value);

// The first non-space character of the file is '{' (a JSON-lines file, not raw text).
bool looks_like_jsonl(const std::string& path);

}  // namespace gpt2
