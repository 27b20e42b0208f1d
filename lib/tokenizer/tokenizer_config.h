#pragma once
// The "tokenizer" config section: where a program finds its tokenizer.
#include <string>

#include "config/fields.h"

namespace gpt2 {

struct TokenizerConfig {
  static constexpr const char* kSection = "tokenizer";

  // A directory with tokenizer.model or vocab.json + merges.txt (or encoder.json +
  // vocab.bpe), or one of those files. Empty: the model directory's own tokenizer.
  std::string path;

  void visit(FieldVisitor& v) {
    v.field("path", path,
            "tokenizer directory or file (empty = the tokenizer saved in the model directory)");
  }
  void validate() const {}
};

}  // namespace gpt2
