#pragma once
// GPT-2's bytes_to_unicode table: every byte maps to one printable code point, so a byte
// string can be written as text in encoder.json / vocab.bpe (the space byte is "Ġ", U+0120).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gpt2 {

// The code point byte `b` is written as.
uint32_t byte_to_codepoint(uint8_t b);

// Byte string -> the table's text form (UTF-8).
std::string bytes_to_unicode_text(std::string_view bytes);

// The table's text form -> byte string; nullopt when a character is not in the table.
std::optional<std::string> unicode_text_to_bytes(std::string_view text);

}  // namespace gpt2
