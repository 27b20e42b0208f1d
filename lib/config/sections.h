#pragma once
// Every top-level section name a config file may hold. A program reads the sections it
// uses and skips the others, so one YAML file can serve train, eval and generate alike.
// A new section adds its name here.
#include <string>
#include <vector>

namespace gpt2 {

inline const std::vector<std::string>& known_section_names() {
  static const std::vector<std::string> names = {"runtime", "model",    "tokenizer", "data",
                                                 "train",   "generate", "eval",      "metric"};
  return names;
}

}  // namespace gpt2
