#pragma once
// The one exception type the library throws for bad input. Its message is meant for the
// user: what was wrong, where (file, line, key, tensor), and what to do about it.
#include <stdexcept>
#include <string>

namespace gpt2 {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

// Throws Error(message) when condition is false.
inline void require(bool condition, const std::string& message) {
  if (!condition) throw Error(message);
}

}  // namespace gpt2
