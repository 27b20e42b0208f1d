#pragma once
// Settings of perplexity evaluation (section "eval").
#include <cstdint>

#include "config/fields.h"

namespace gpt2 {

struct EvalConfig {
  static constexpr const char* kSection = "eval";

  int64_t context = 0;       // window length; 0 = the model's n_positions
  int64_t stride = 512;      // window advance; each token is scored once, in the first window
                             // that reaches it, with all the context that window gives
  int64_t batch_size = 4;    // windows per forward pass
  bool prepend_eos = false;  // start the text with end-of-text so its first token is scored too

  void visit(FieldVisitor& v) {
    v.field("context", context, "window length (0 = n_positions)", Rule::non_negative());
    v.field("stride", stride, "window advance in tokens", Rule::positive());
    v.field("batch_size", batch_size, "windows per forward pass", Rule::positive());
    v.field("prepend_eos", prepend_eos, "prepend end-of-text so the first token is scored");
  }
  void validate() const {}
};

}  // namespace gpt2
