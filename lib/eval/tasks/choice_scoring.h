#pragma once
// Multiple-choice questions scored the harness's way: one loglikelihood request per choice
// (context, delimiter + choice), the choice with the highest score picked under four
// normalisations of its log-likelihood.
#include <cstdint>
#include <string>
#include <vector>

#include "eval/tasks/task.h"

namespace gpt2 {

struct ChoiceQuestion {
  std::string context;
  std::vector<std::string> choices;  // without the delimiter
  int64_t label = 0;                 // index of the right choice
};

// A question's scores, per choice.
struct ChoiceScores {
  std::vector<double> logprob;  // sum of log-probs of delimiter + choice
  std::vector<int64_t> chars;   // Unicode characters of the choice (Python's len)
  std::vector<int64_t> bytes;   // UTF-8 bytes of the choice
  std::vector<int64_t> tokens;  // tokens scored
};

// The pick of each metric (argmax, the first on ties as numpy's):
//   acc       logprob                 (the harness's acc)
//   acc_norm  logprob / chars         (the harness's acc_norm: per character of the choice)
//   acc_bytes logprob / bytes         (the harness's acc_bytes)
//   acc_token logprob / tokens        (llm.c's HellaSwag: mean log-prob per token)
struct ChoicePicks {
  int64_t acc = 0, acc_norm = 0, acc_bytes = 0, acc_token = 0;
};
ChoicePicks pick_choices(const ChoiceScores& scores);

// Unicode characters of UTF-8 text (invalid bytes count one each).
int64_t count_characters(const std::string& text);

// Scores every question (the choices of one question share their context's pass when
// settings.scoring.share_prefix) and reports acc, acc_norm, acc_bytes, acc_token.
TaskResult score_choice_questions(const TaskEnv& env, const TaskSettings& settings,
                                  const std::vector<ChoiceQuestion>& questions,
                                  const std::string& delimiter);

}  // namespace gpt2
