#include "tokenizer/pretokenizer.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <memory>
#include <string>

#include "core/error.h"
#include "core/utf8.h"

namespace gpt2 {
namespace {

// Unicode White_Space, written out (PCRE2's \s with UCP misses U+0085).
constexpr const char* kSpace =
    "\\t\\n\\x{0B}\\f\\r\\x{20}\\x{85}\\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}"
    "\\x{202F}\\x{205F}\\x{3000}";

std::string gpt2_pattern() {
  const std::string s = kSpace;
  return "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^" + s + "\\p{L}\\p{N}]+|[" + s +
         "]+(?![^" + s + "])|[" + s + "]+";
}

// Per-thread match data and JIT stack: pcre2 code is shareable, match state is not.
struct MatchState {
  pcre2_match_data* data = nullptr;
  pcre2_match_context* context = nullptr;
  pcre2_jit_stack* stack = nullptr;
  MatchState(const pcre2_code* code) {
    data = pcre2_match_data_create_from_pattern(code, nullptr);
    context = pcre2_match_context_create(nullptr);
    // Look-ahead after long whitespace runs backtracks; 32 KiB default stack is too small.
    stack = pcre2_jit_stack_create(64 * 1024, 8 * 1024 * 1024, nullptr);
    pcre2_jit_stack_assign(context, nullptr, stack);
  }
  ~MatchState() {
    pcre2_match_data_free(data);
    pcre2_match_context_free(context);
    pcre2_jit_stack_free(stack);
  }
};

}  // namespace

const Gpt2PreTokenizer& Gpt2PreTokenizer::instance() {
  static const Gpt2PreTokenizer pre;
  return pre;
}

Gpt2PreTokenizer::Gpt2PreTokenizer() {
  std::string pattern = gpt2_pattern();
  int error = 0;
  PCRE2_SIZE offset = 0;
  pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.c_str()), pattern.size(),
                                   PCRE2_UTF | PCRE2_UCP, &error, &offset, nullptr);
  if (!code) {
    PCRE2_UCHAR message[256];
    pcre2_get_error_message(error, message, sizeof message);
    throw Error("GPT-2 pre-tokeniser pattern does not compile: " +
                std::string(reinterpret_cast<char*>(message)));
  }
  if (pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) != 0)
    throw Error("PCRE2 JIT is unavailable; the GPT-2 pre-tokeniser needs it for speed");
  code_ = code;
}

void Gpt2PreTokenizer::split_impl(std::string_view text, Callback callback, void* context) const {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t valid = utf8::valid_prefix(text, pos);
    if (valid > 0) split_valid(text.substr(pos, valid), callback, context);
    pos += valid;
    if (pos < text.size()) callback(context, text.substr(pos++, 1));  // one invalid byte
  }
}

void Gpt2PreTokenizer::split_valid(std::string_view text, Callback callback, void* context) const {
  const auto* code = static_cast<const pcre2_code*>(code_);
  thread_local std::unique_ptr<MatchState> state;
  if (!state) state = std::make_unique<MatchState>(code);
  const auto* subject = reinterpret_cast<PCRE2_SPTR>(text.data());
  PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(state->data);
  size_t pos = 0;
  while (pos < text.size()) {
    // The text is known valid, so PCRE2's own UTF check (O(n) per call) is skipped.
    int rc = pcre2_jit_match(code, subject, text.size(), pos, PCRE2_NO_UTF_CHECK, state->data,
                             state->context);
    size_t start = pos, end;
    if (rc > 0 && ovector[0] == pos && ovector[1] > pos) {
      end = ovector[1];
    } else if (rc == PCRE2_ERROR_NOMATCH || rc > 0) {
      // Cannot happen for this pattern (every character matches some branch); keep going.
      end = pos + utf8::sequence_length(text, pos);
    } else {
      PCRE2_UCHAR message[256];
      pcre2_get_error_message(rc, message, sizeof message);
      throw Error("GPT-2 pre-tokeniser failed: " + std::string(reinterpret_cast<char*>(message)));
    }
    callback(context, text.substr(start, end - start));
    pos = end;
  }
}

}  // namespace gpt2
