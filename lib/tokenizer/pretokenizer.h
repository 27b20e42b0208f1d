#pragma once
// GPT-2's pre-tokeniser: splits text into the pieces BPE runs on, with the pattern
//   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
// where \s is Unicode White_Space (as tiktoken / Python's regex module use it). PCRE2's own
// \s leaves out U+0085, so the pattern spells the White_Space set out. Compiled once with
// PCRE2's JIT (no backtracking std::regex).
//
// Invalid UTF-8: each byte that is not part of a valid sequence becomes a piece of its own
// and the valid runs around it are split as usual, so every byte still round-trips.
#include <functional>
#include <string_view>

namespace gpt2 {

class Gpt2PreTokenizer {
 public:
  // The shared, thread-safe instance.
  static const Gpt2PreTokenizer& instance();

  // Calls on_piece for each piece of `text`, in order; the pieces tile the text exactly.
  template <class Fn>
  void split(std::string_view text, Fn&& on_piece) const {
    split_impl(
        text, [](void* fn, std::string_view piece) { (*static_cast<Fn*>(fn))(piece); }, &on_piece);
  }

 private:
  Gpt2PreTokenizer();
  using Callback = void (*)(void*, std::string_view);
  void split_impl(std::string_view text, Callback callback, void* context) const;
  void split_valid(std::string_view text, Callback callback, void* context) const;

  void* code_ = nullptr;  // pcre2_code_8*
};

}  // namespace gpt2
