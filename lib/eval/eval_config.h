#pragma once
// Settings of perplexity evaluation and zero-shot tasks (section "eval").
#include <cstdint>
#include <string>
#include <vector>

#include "config/fields.h"
#include "core/error.h"
#include "eval/tasks/task.h"

namespace gpt2 {

struct EvalConfig {
  static constexpr const char* kSection = "eval";

  int64_t context = 0;       // window length; 0 = the model's n_positions
  int64_t stride = 512;      // window advance; each token is scored once, in the first window
                             // that reaches it, with all the context that window gives
  int64_t batch_size = 4;    // windows per forward pass
  bool prepend_eos = false;  // start the text with end-of-text so its first token is scored too

  // Zero-shot tasks (eval/tasks/task.h); batch_size and context apply to their requests too.
  std::vector<std::string> tasks;      // task names, run instead of perplexity when set
  std::vector<std::string> task_data;  // one data file per task, in the same order
  bool share_prefix = true;            // a question's choices share one pass over its context
  int64_t limit = 0;                   // first `limit` examples of each task; 0 = all
  std::string log_samples;             // JSONL file of per-example scores; "" = none

  void visit(FieldVisitor& v) {
    v.field("context", context, "window length (0 = n_positions)", Rule::non_negative());
    v.field("stride", stride, "window advance in tokens", Rule::positive());
    v.field("batch_size", batch_size, "windows per forward pass", Rule::positive());
    v.field("prepend_eos", prepend_eos, "prepend end-of-text so the first token is scored");
    v.field("tasks", tasks, "zero-shot tasks to run instead of perplexity",
            Rule::one_of(task_names()));
    v.field("task_data", task_data, "one data file per task, in the order of tasks");
    v.field("share_prefix", share_prefix, "score a question's choices from one context pass");
    v.field("limit", limit, "examples per task (0 = all)", Rule::non_negative());
    v.field("log_samples", log_samples, "write per-example scores here (JSON lines)");
  }
  void validate() const {
    require(task_data.size() == tasks.size(),
            "eval: task_data has " + std::to_string(task_data.size()) + " file(s) for " +
                std::to_string(tasks.size()) +
                " task(s); give one data file per task, in the same order");
  }
};

}  // namespace gpt2
