#pragma once
// JSON library messages for users.
#include <string>

namespace gpt2 {

// The message without its "[json.exception.parse_error.101] " tag, which says nothing to a
// user: "parse error at line 1, column 3: syntax error while parsing object key ...".
inline std::string json_error_text(const std::string& what) {
  const std::string tag = "[json.exception.";
  const size_t end = what.find("] ");
  if (what.compare(0, tag.size(), tag) != 0 || end == std::string::npos) return what;
  return what.substr(end + 2);
}

}  // namespace gpt2
