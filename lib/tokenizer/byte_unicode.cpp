#include "tokenizer/byte_unicode.h"

#include <array>

#include "core/utf8.h"

namespace gpt2 {
namespace {

// OpenAI's construction: printable Latin-1 bytes map to themselves, the other 68 bytes to
// 256, 257, ... in byte order.
const std::array<uint32_t, 256>& table() {
  static const std::array<uint32_t, 256> map = [] {
    std::array<uint32_t, 256> m{};
    uint32_t next = 256;
    for (uint32_t b = 0; b < 256; ++b) {
      bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE);
      m[b] = printable ? b : next++;
    }
    return m;
  }();
  return map;
}

}  // namespace

uint32_t byte_to_codepoint(uint8_t b) {
  return table()[b];
}

std::string bytes_to_unicode_text(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char b : bytes) utf8::append(out, table()[b]);
  return out;
}

std::optional<std::string> unicode_text_to_bytes(std::string_view text) {
  static const std::array<int, 324> inverse = [] {
    std::array<int, 324> inv;
    inv.fill(-1);
    for (int b = 0; b < 256; ++b) inv[table()[b]] = b;
    return inv;
  }();
  if (!utf8::is_valid(text)) return std::nullopt;
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  while (pos < text.size()) {
    uint32_t cp = utf8::decode(text, pos);
    if (cp >= inverse.size() || inverse[cp] < 0) return std::nullopt;
    out += static_cast<char>(inverse[cp]);
  }
  return out;
}

}  // namespace gpt2
