#pragma once
// Which zero-shot tasks to run on which files, declared once: the eval section holds it
// (gpt2 eval --task) and so does train.eval_tasks (the trainer runs them at each evaluation).
#include <cstdint>
#include <string>
#include <vector>

#include "config/fields.h"
#include "core/error.h"
#include "eval/tasks/task.h"

namespace gpt2 {

struct TaskSelection {
  std::vector<std::string> tasks;      // task names (eval/tasks/task_registry.cpp)
  std::vector<std::string> task_data;  // one data file per task, in the same order
  bool share_prefix = true;            // a question's choices share one pass over its context
  int64_t limit = 0;                   // first `limit` examples of each task; 0 = all

  void visit(FieldVisitor& v) {
    v.field("tasks", tasks, "zero-shot tasks (eval: instead of perplexity)",
            Rule::one_of(task_names()));
    v.field("task_data", task_data, "one data file per task, in the order of tasks");
    v.field("share_prefix", share_prefix, "score a question's choices from one context pass");
    v.field("limit", limit, "examples per task (0 = all)", Rule::non_negative());
  }
  // `where` names the section in the message ("eval", "train.eval_tasks").
  void check(const std::string& where) const {
    require(task_data.size() == tasks.size(),
            where + ": task_data has " + std::to_string(task_data.size()) + " file(s) for " +
                std::to_string(tasks.size()) +
                " task(s); give one data file per task, in the same order");
  }
};

}  // namespace gpt2
