#include "data/documents.h"

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/files.h"
#include "core/json_error.h"
#include "core/strings.h"

namespace gpt2 {

bool is_jsonl_file(const std::string& path) {
  return ends_with(path, ".jsonl") || ends_with(path, ".ndjson");
}

DocumentSet read_documents(const std::vector<std::string>& files, const std::string& jsonl_field) {
  DocumentSet set;
  set.files = files;
  for (const auto& file : files) {
    std::string content = read_file(file);
    if (!is_jsonl_file(file)) {
      set.bytes += content.size();
      if (!content.empty()) set.texts.push_back(std::move(content));
      continue;
    }
    size_t pos = 0, line_no = 0;
    while (pos < content.size()) {
      size_t end = content.find('\n', pos);
      if (end == std::string::npos) end = content.size();
      std::string_view line(content.data() + pos, end - pos);
      pos = end + 1;
      ++line_no;
      if (trim(std::string(line)).empty()) continue;
      const std::string where = file + ":" + std::to_string(line_no);
      nlohmann::json json;
      try {
        json = nlohmann::json::parse(line);
      } catch (const nlohmann::json::exception& e) {
        throw Error(where + ": not valid JSON (" + json_error_text(e.what()) + ")");
      }
      require(json.is_object() && json.contains(jsonl_field),
              where + ": no \"" + jsonl_field + "\" field; name the text field with --jsonl-field");
      require(json[jsonl_field].is_string(),
              where + ": field \"" + jsonl_field + "\" is not a string");
      std::string text = json[jsonl_field].get<std::string>();
      set.bytes += text.size();
      if (!text.empty()) set.texts.push_back(std::move(text));
    }
  }
  return set;
}

}  // namespace gpt2
