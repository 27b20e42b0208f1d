#pragma once
// Settings of perplexity evaluation and zero-shot tasks (section "eval").
#include <cstdint>
#include <string>
#include <vector>

#include "config/fields.h"
#include "eval/task_selection.h"

namespace gpt2 {

struct EvalConfig : TaskSelection {
  static constexpr const char* kSection = "eval";

  int64_t context = 0;       // window length; 0 = the model's n_positions
  int64_t stride = 0;        // window advance; 0 = half the window. Each token is scored once,
                             // in the first window that reaches it, with all its context
  int64_t batch_size = 4;    // windows per forward pass
  bool prepend_eos = false;  // start the text with end-of-text so its first token is scored too

  // Zero-shot tasks (TaskSelection: tasks, task_data, share_prefix, limit) come from the base;
  // batch_size and context apply to their requests too.
  std::string log_samples;  // JSONL file of per-example scores; "" = none

  void visit(FieldVisitor& v) {
    v.field("context", context, "window length (0 = n_positions)", Rule::non_negative());
    v.field("stride", stride, "window advance in tokens, at most context (0 = half the window)",
            Rule::non_negative());
    v.field("batch_size", batch_size, "windows per forward pass", Rule::positive());
    v.field("prepend_eos", prepend_eos, "prepend end-of-text so the first token is scored");
    TaskSelection::visit(v);
    v.field("log_samples", log_samples, "write per-example scores here (JSON lines)");
  }
  void validate() const { check("eval"); }
};

}  // namespace gpt2
