#pragma once
// Minimal UTF-8 helpers (tokenizers, metrics): validation that finds invalid bytes (which the
// GPT-2 tokenizer passes through as single-byte tokens) and code point decoding.
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace gpt2::utf8 {

// Length of the valid UTF-8 sequence starting at text[pos] (1..4), or 0 when the byte there
// does not start a valid, complete, shortest-form sequence (surrogates count as invalid).
size_t sequence_length(std::string_view text, size_t pos);

// Length of the longest valid UTF-8 prefix of text.substr(pos).
size_t valid_prefix(std::string_view text, size_t pos);

bool is_valid(std::string_view text);

// Appends code point `cp` as UTF-8.
void append(std::string& out, uint32_t cp);

// Decodes the (valid) sequence at text[pos], advancing pos.
uint32_t decode(std::string_view text, size_t& pos);

}  // namespace gpt2::utf8
