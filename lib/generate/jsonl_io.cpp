#include "generate/jsonl_io.h"

#include <cstdio>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "core/error.h"
#include "core/files.h"
#include "core/json_error.h"
#include "core/strings.h"

namespace gpt2 {

std::vector<PromptRecord> read_prompts_jsonl(const std::string& path) {
  std::istringstream in(read_file(path));
  std::vector<PromptRecord> records;
  std::set<std::string> unread;  // fields that are neither the prompt nor an id
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (trim(line).empty()) continue;
    const std::string where = path + ":" + std::to_string(number);
    nlohmann::json object;
    try {
      object = nlohmann::json::parse(line);
    } catch (const nlohmann::json::exception& e) {
      throw Error(where + ": not valid JSON: " + json_error_text(e.what()));
    }
    require(object.is_object() && object.contains("prompt") && object["prompt"].is_string(),
            where + ": expected an object with a string \"prompt\", e.g. {\"prompt\": \"Hello\"}");
    for (auto it = object.begin(); it != object.end(); ++it)
      if (it.key() != "prompt" && it.key() != "id") unread.insert(it.key());
    records.push_back({object["prompt"].get<std::string>(), line});
  }
  require(!records.empty(), path + ": no prompts");
  // Once per file: a per-line "max_new_tokens" or "temperature" would otherwise be believed
  // to apply.
  if (!unread.empty())
    std::fprintf(stderr,
                 "warning: %s: field(s) %s are not read (only \"prompt\" is); they are copied "
                 "to the output unchanged. Set decoding options on the command line or in the "
                 "config\n",
                 path.c_str(), join({unread.begin(), unread.end()}, ", ").c_str());
  return records;
}

std::string result_json_line(const PromptRecord& record,
                             const std::vector<GenerationResult>& results, bool transition_scores) {
  auto object = nlohmann::json::parse(record.json);
  auto completions = nlohmann::json::array();
  for (const auto& r : results) {
    nlohmann::json completion = {{"text", r.text},
                                 {"tokens", r.tokens},
                                 {"logprobs", r.logprobs},
                                 {"finish_reason", to_string(r.reason)},
                                 {"score", r.score}};
    if (transition_scores) completion["transition_scores"] = r.transition_scores;
    if (!r.top_logprobs.empty()) {
      auto steps = nlohmann::json::array();
      for (const auto& t : r.top_logprobs)
        steps.push_back({{"ids", t.ids}, {"logprobs", t.logprobs}});
      completion["top_logprobs"] = steps;
    }
    completions.push_back(std::move(completion));
  }
  object["completions"] = completions;
  // Replace, not throw, when a cut left half a UTF-8 character.
  return object.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace gpt2
