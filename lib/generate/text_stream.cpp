#include "generate/text_stream.h"

#include <algorithm>

namespace gpt2 {

size_t complete_utf8_prefix(const std::string& text) {
  // Walk back over at most 3 continuation bytes to the lead byte of the last character.
  size_t n = text.size(), i = n;
  while (i > 0 && n - i < 4 && (static_cast<unsigned char>(text[i - 1]) & 0xC0) == 0x80) --i;
  if (i == 0) return n;
  const auto lead = static_cast<unsigned char>(text[i - 1]);
  size_t need = lead < 0x80           ? 1
                : (lead >> 5) == 0x6  ? 2
                : (lead >> 4) == 0xE  ? 3
                : (lead >> 3) == 0x1E ? 4
                                      : 1;
  return n - (i - 1) >= need ? n : i - 1;
}

TextStreamer::TextStreamer(Detokenizer decode, std::vector<std::string> stop_strings)
    : decode_(std::move(decode)), stop_strings_(std::move(stop_strings)) {}

std::string TextStreamer::push(int64_t token) {
  ids_.push_back(token);
  std::string text = decode_(ids_);
  size_t end = complete_utf8_prefix(text);
  for (const auto& s : stop_strings_) {
    size_t at = text.find(s);
    if (at != std::string::npos) end = std::min(end, at);
    // A tail that is the start of s may still become s.
    for (size_t k = std::min(s.size() - 1, end); k > 0; --k)
      if (text.compare(end - k, k, s, 0, k) == 0) {
        end -= k;
        break;
      }
  }
  if (end <= printed_.size() || text.compare(0, printed_.size(), printed_) != 0) return "";
  std::string fresh = text.substr(printed_.size(), end - printed_.size());
  printed_ += fresh;
  return fresh;
}

std::string TextStreamer::finish(const std::string& final_text) {
  if (final_text.compare(0, printed_.size(), printed_) != 0) return "";
  std::string rest = final_text.substr(printed_.size());
  printed_ = final_text;
  return rest;
}

}  // namespace gpt2
