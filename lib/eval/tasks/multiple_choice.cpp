#include "eval/tasks/multiple_choice.h"

#include "eval/tasks/jsonl.h"

namespace gpt2 {

std::vector<ChoiceQuestion> load_multiple_choice(const std::string& path, int64_t limit) {
  const std::string expected =
      "a question {\"context\": str, \"choices\": [str, ...], \"label\": int}";
  std::vector<ChoiceQuestion> questions;
  read_jsonl(path, expected, limit, [&](const JsonlRow& row) {
    ChoiceQuestion q;
    q.context = row.string_field("context");
    q.choices = row.string_list_field("choices");
    q.label = row.int_field("label");
    if (q.label < 0 || q.label >= int64_t(q.choices.size()))
      row.fail("label", "is outside 0.." + std::to_string(q.choices.size() - 1) +
                            " (an index into choices)");
    questions.push_back(std::move(q));
  });
  return questions;
}

TaskResult run_multiple_choice(const TaskEnv& env, const TaskSettings& settings) {
  return score_choice_questions(env, settings, load_multiple_choice(settings.data, settings.limit),
                                " ");
}

}  // namespace gpt2
