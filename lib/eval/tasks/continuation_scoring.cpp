#include "eval/tasks/continuation_scoring.h"

#include <cmath>

#include "eval/tasks/jsonl.h"

namespace gpt2 {

TaskResult score_continuations(const TaskEnv& env, const TaskSettings& settings,
                               const std::vector<LoglikelihoodRequest>& examples) {
  auto scores = loglikelihood(env.model, env.tokenizer, examples, settings.scoring);
  TaskResult result;
  result.examples = int64_t(examples.size());
  result.normalisation = "ppl:per_example|token_ppl:per_token";
  std::vector<double> logprob, greedy;
  double total = 0;
  int64_t tokens = 0;
  for (size_t i = 0; i < scores.size(); ++i) {
    logprob.push_back(scores[i].logprob);
    greedy.push_back(scores[i].greedy);
    total += scores[i].logprob;
    tokens += scores[i].tokens;
    if (settings.log_samples)
      result.samples.push_back(json_line({{"index", i},
                                          {"context", examples[i].context},
                                          {"continuation", examples[i].continuation},
                                          {"loglikelihood", scores[i].logprob},
                                          {"tokens", scores[i].tokens},
                                          {"greedy", scores[i].greedy}}));
  }
  TaskMetric mean = mean_metric("logprob", logprob);
  TaskMetric ppl{"ppl", std::exp(-mean.value), std::exp(-mean.value) * mean.std_error};
  TaskMetric token_ppl{"token_ppl", std::exp(-total / double(std::max<int64_t>(tokens, 1)))};
  result.metrics = {mean, mean_metric("greedy", greedy), ppl, token_ppl};
  return result;
}

}  // namespace gpt2
