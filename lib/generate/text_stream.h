#pragma once
// Streaming text to a terminal as tokens arrive: prints only whole UTF-8 characters (a
// character may span tokens) and holds back a tail that could begin a stop string, so a stop
// string is never shown.
#include <string>
#include <vector>

#include "generate/stopping.h"

namespace gpt2 {

class TextStreamer {
 public:
  TextStreamer(Detokenizer decode, std::vector<std::string> stop_strings);
  // Adds a token; returns the text that became safe to print.
  std::string push(int64_t token);
  // After the sequence ended: what of its final text (GenerationResult::text) is not printed.
  std::string finish(const std::string& final_text);

 private:
  Detokenizer decode_;
  std::vector<std::string> stop_strings_;
  std::vector<int64_t> ids_;
  std::string printed_;
};

// Length of the longest prefix of `text` that does not end inside a UTF-8 character.
size_t complete_utf8_prefix(const std::string& text);

}  // namespace gpt2
