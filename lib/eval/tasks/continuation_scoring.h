#pragma once
// Continuations given their contexts, scored the harness's way (loglikelihood requests).
#include <string>
#include <vector>

#include "eval/tasks/task.h"

namespace gpt2 {

// Metrics: logprob (mean per example of the continuation's summed log-probs), greedy (share of
// continuations greedy decoding reproduces), ppl (exp of minus the mean per-example
// log-likelihood, the harness's perplexity; its error by the delta method, ppl * se),
// token_ppl (exp of the NLL per continuation token, corpus-level).
TaskResult score_continuations(const TaskEnv& env, const TaskSettings& settings,
                               const std::vector<LoglikelihoodRequest>& examples);

}  // namespace gpt2
