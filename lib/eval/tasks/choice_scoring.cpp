#include "eval/tasks/choice_scoring.h"

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "eval/tasks/jsonl.h"

namespace gpt2 {
namespace {

int64_t argmax(const std::vector<double>& values) {
  int64_t best = 0;
  for (size_t i = 1; i < values.size(); ++i)
    if (values[i] > values[size_t(best)]) best = int64_t(i);
  return best;
}

// logprob / denominator per choice; an empty denominator counts as 1 (an empty choice).
std::vector<double> normalised(const std::vector<double>& logprob,
                               const std::vector<int64_t>& denominator) {
  std::vector<double> out(logprob.size());
  for (size_t i = 0; i < logprob.size(); ++i)
    out[i] = logprob[i] / double(std::max<int64_t>(denominator[i], 1));
  return out;
}

}  // namespace

int64_t count_characters(const std::string& text) {
  int64_t n = 0;
  for (unsigned char c : text) n += (c & 0xC0) != 0x80;  // continuation bytes start 10xxxxxx
  return n;
}

ChoicePicks pick_choices(const ChoiceScores& s) {
  ChoicePicks picks;
  picks.acc = argmax(s.logprob);
  picks.acc_norm = argmax(normalised(s.logprob, s.chars));
  picks.acc_bytes = argmax(normalised(s.logprob, s.bytes));
  picks.acc_token = argmax(normalised(s.logprob, s.tokens));
  return picks;
}

TaskResult score_choice_questions(const TaskEnv& env, const TaskSettings& settings,
                                  const std::vector<ChoiceQuestion>& questions,
                                  const std::string& delimiter) {
  std::vector<LoglikelihoodRequest> requests;
  for (const auto& q : questions)
    for (const auto& choice : q.choices) requests.push_back({q.context, delimiter + choice});
  auto scores = loglikelihood(env.model, env.tokenizer, requests, settings.scoring);

  TaskResult result;
  result.examples = int64_t(questions.size());
  result.normalisation =
      "acc:sum|acc_norm:chars|acc_bytes:bytes|acc_token:tokens|delim:" + json_line(delimiter);
  std::vector<double> acc, acc_norm, acc_bytes, acc_token;
  size_t next = 0;
  for (size_t qi = 0; qi < questions.size(); ++qi) {
    const auto& q = questions[qi];
    ChoiceScores s;
    for (const auto& choice : q.choices) {
      s.logprob.push_back(scores[next].logprob);
      s.tokens.push_back(scores[next].tokens);
      s.chars.push_back(count_characters(choice));
      s.bytes.push_back(int64_t(choice.size()));
      ++next;
    }
    const ChoicePicks p = pick_choices(s);
    acc.push_back(p.acc == q.label);
    acc_norm.push_back(p.acc_norm == q.label);
    acc_bytes.push_back(p.acc_bytes == q.label);
    acc_token.push_back(p.acc_token == q.label);
    if (settings.log_samples) {
      nlohmann::json sample = {{"index", qi},
                               {"context", q.context},
                               {"choices", q.choices},
                               {"label", q.label},
                               {"loglikelihoods", s.logprob},
                               {"tokens", s.tokens},
                               {"chosen",
                                {{"acc", p.acc},
                                 {"acc_norm", p.acc_norm},
                                 {"acc_bytes", p.acc_bytes},
                                 {"acc_token", p.acc_token}}}};
      result.samples.push_back(json_line(sample));
    }
  }
  result.metrics = {mean_metric("acc", acc), mean_metric("acc_norm", acc_norm),
                    mean_metric("acc_bytes", acc_bytes), mean_metric("acc_token", acc_token)};
  return result;
}

}  // namespace gpt2
