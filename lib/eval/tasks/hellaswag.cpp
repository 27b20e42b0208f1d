#include "eval/tasks/hellaswag.h"

#include <cctype>

#include "eval/tasks/jsonl.h"

namespace gpt2 {

std::string hellaswag_preprocess(const std::string& input) {
  const char* space = " \t\n\r\v\f";
  const size_t first = input.find_first_not_of(space);
  if (first == std::string::npos) return "";
  std::string text = input.substr(first, input.find_last_not_of(space) - first + 1);
  std::string titled;
  for (size_t pos = 0;;) {
    size_t at = text.find(" [title]", pos);
    titled += text.substr(pos, at == std::string::npos ? std::string::npos : at - pos);
    if (at == std::string::npos) break;
    titled += ". ";
    pos = at + 8;
  }
  // re.sub("\\[.*?\\]", ""): the shortest "[...]" on one line.
  std::string unbracketed;
  for (size_t i = 0; i < titled.size(); ++i) {
    if (titled[i] == '[') {
      size_t close = titled.find_first_of("]\n", i + 1);
      if (close != std::string::npos && titled[close] == ']') {
        i = close;
        continue;
      }
    }
    unbracketed += titled[i];
  }
  std::string out;
  for (size_t i = 0; i < unbracketed.size(); ++i) {
    out += unbracketed[i];
    if (unbracketed[i] == ' ' && i + 1 < unbracketed.size() && unbracketed[i + 1] == ' ') ++i;
  }
  return out;
}

std::string capitalize(const std::string& text) {
  std::string out = text;
  for (size_t i = 0; i < out.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(out[i]);
    if (c < 128) out[i] = char(i == 0 ? std::toupper(c) : std::tolower(c));
  }
  return out;
}

std::vector<ChoiceQuestion> load_hellaswag(const std::string& path, int64_t limit) {
  const std::string expected =
      "a HellaSwag row as in hellaswag_val.jsonl (ctx_a, ctx_b, ctx, endings, label, "
      "activity_label)";
  std::vector<ChoiceQuestion> questions;
  read_jsonl(path, expected, limit, [&](const JsonlRow& row) {
    const std::string activity = row.string_field("activity_label");
    const std::string ctx_a = row.string_field("ctx_a");
    const std::string ctx_b = row.string_field("ctx_b");
    row.string_field("ctx");  // the official rows have it; a file without it is another shape
    ChoiceQuestion q;
    q.context = hellaswag_preprocess(activity + ": " + ctx_a + " " + capitalize(ctx_b));
    for (const auto& ending : row.string_list_field("endings"))
      q.choices.push_back(hellaswag_preprocess(ending));
    q.label = row.int_field("label");
    if (q.label < 0 || q.label >= int64_t(q.choices.size()))
      row.fail("label", "is outside 0.." + std::to_string(q.choices.size() - 1) +
                            " (an index into endings)");
    questions.push_back(std::move(q));
  });
  return questions;
}

TaskResult run_hellaswag(const TaskEnv& env, const TaskSettings& settings) {
  return score_choice_questions(env, settings, load_hellaswag(settings.data, settings.limit), " ");
}

}  // namespace gpt2
