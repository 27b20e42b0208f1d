#pragma once
// The few Unicode operations the metrics need, with Python 3 semantics so that results agree
// with the Python reference tools: strict UTF-8 decoding, str.isspace(), str.split(),
// str.rstrip(), str.lower() (final sigma included) and general categories for `intl`.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace gpt2::metrics {

// Decodes the code point starting at text[pos] and advances pos. Strict like Python's utf-8
// codec (no overlongs, surrogates or values past U+10FFFF); throws gpt2::Error otherwise.
char32_t decode_utf8(std::string_view text, size_t& pos);

// Appends the UTF-8 encoding of `cp`.
void append_utf8(std::string& out, char32_t cp);

// The whole string as code points; throws gpt2::Error on invalid UTF-8.
std::u32string to_code_points(std::string_view text);
std::string to_utf8(std::u32string_view text);

// Byte offset of the first invalid UTF-8 sequence, or npos when `text` is valid.
size_t find_invalid_utf8(std::string_view text);

bool is_space(char32_t cp);        // Python str.isspace()
bool is_punctuation(char32_t cp);  // general category P*
bool is_symbol(char32_t cp);       // general category S*
bool is_number(char32_t cp);       // general category N*

// Python str.split() with no argument: runs of whitespace separate tokens, none are empty.
std::vector<std::string_view> split_whitespace(std::string_view text);
// The same, into `tokens` (cleared first) to reuse its memory.
void split_whitespace(std::string_view text, std::vector<std::string_view>& tokens);
// Python str.rstrip() with no argument.
std::string_view rstrip(std::string_view text);
// Python str.lower(), including U+0130 -> "i\u0307" and the final-sigma rule.
std::string lower(std::string_view text);

// The Unicode version of the generated tables (that of the Python that generated them).
const char* unicode_version();

}  // namespace gpt2::metrics
