#include "metrics/unicode.h"

#include <algorithm>

#include "core/error.h"
#include "core/utf8.h"
#include "metrics/unicode_tables.h"

namespace gpt2::metrics {

namespace ut = unicode_tables;

namespace {

bool in_ranges(char32_t cp, const ut::Range* table, size_t size) {
  const ut::Range* end = table + size;
  const ut::Range* it =
      std::upper_bound(table, end, cp, [](char32_t c, const ut::Range& r) { return c < r.lo; });
  return it != table && cp <= (it - 1)->hi;
}

bool is_cased_not_ignorable(char32_t cp) {
  return in_ranges(cp, ut::kCasedNotIgnorable, ut::kCasedNotIgnorableSize);
}
bool is_case_ignorable(char32_t cp) {
  return in_ranges(cp, ut::kCaseIgnorable, ut::kCaseIgnorableSize);
}

// Python lowercases capital sigma to final sigma when a cased letter precedes it and none
// follows it, skipping case-ignorable characters on both sides.
bool is_final_sigma(const std::u32string& text, size_t i) {
  size_t j = i;
  while (j > 0 && is_case_ignorable(text[j - 1])) --j;
  if (j == 0 || !is_cased_not_ignorable(text[j - 1])) return false;
  size_t k = i + 1;
  while (k < text.size() && is_case_ignorable(text[k])) ++k;
  return k == text.size() || !is_cased_not_ignorable(text[k]);
}

char32_t lower_one(char32_t cp) {
  const ut::CaseMap* end = ut::kLower + ut::kLowerSize;
  const ut::CaseMap* it = std::lower_bound(
      ut::kLower, end, cp, [](const ut::CaseMap& m, char32_t c) { return m.from < c; });
  return it != end && it->from == cp ? it->to : cp;
}

}  // namespace

char32_t decode_utf8(std::string_view text, size_t& pos) {
  if (utf8::sequence_length(text, pos) == 0)
    throw Error("invalid UTF-8 at byte " + std::to_string(pos) + " of \"" +
                std::string(text.substr(0, std::min<size_t>(text.size(), 60))) + "\"");
  return utf8::decode(text, pos);
}

void append_utf8(std::string& out, char32_t cp) {
  utf8::append(out, cp);
}

std::u32string to_code_points(std::string_view text) {
  std::u32string out;
  out.reserve(text.size());
  for (size_t pos = 0; pos < text.size();) {
    auto b = static_cast<unsigned char>(text[pos]);
    if (b < 0x80) {
      out += b;
      ++pos;
    } else {
      out += decode_utf8(text, pos);
    }
  }
  return out;
}

std::string to_utf8(std::u32string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char32_t cp : text) append_utf8(out, cp);
  return out;
}

size_t find_invalid_utf8(std::string_view text) {
  size_t valid = utf8::valid_prefix(text, 0);
  return valid == text.size() ? std::string_view::npos : valid;
}

bool is_space(char32_t cp) {
  if (cp < 0x80) return cp == ' ' || (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x1F);
  return in_ranges(cp, ut::kSpace, ut::kSpaceSize);
}
bool is_punctuation(char32_t cp) {
  return in_ranges(cp, ut::kPunctuation, ut::kPunctuationSize);
}
bool is_symbol(char32_t cp) {
  return in_ranges(cp, ut::kSymbol, ut::kSymbolSize);
}
bool is_number(char32_t cp) {
  if (cp < 0x80) return cp >= '0' && cp <= '9';
  return in_ranges(cp, ut::kNumber, ut::kNumberSize);
}

std::vector<std::string_view> split_whitespace(std::string_view text) {
  std::vector<std::string_view> tokens;
  split_whitespace(text, tokens);
  return tokens;
}

void split_whitespace(std::string_view text, std::vector<std::string_view>& tokens) {
  tokens.clear();
  size_t start = std::string_view::npos;
  for (size_t pos = 0; pos < text.size();) {
    size_t here = pos;
    auto b = static_cast<unsigned char>(text[pos]);
    bool space;
    if (b < 0x80) {
      ++pos;
      space = b == ' ' || (b >= 0x09 && b <= 0x0D) || (b >= 0x1C && b <= 0x1F);
    } else {
      space = is_space(decode_utf8(text, pos));
    }
    if (space) {
      if (start != std::string_view::npos) tokens.push_back(text.substr(start, here - start));
      start = std::string_view::npos;
    } else if (start == std::string_view::npos) {
      start = here;
    }
  }
  if (start != std::string_view::npos) tokens.push_back(text.substr(start));
}

std::string_view rstrip(std::string_view text) {
  // Fast path: trailing ASCII; a non-ASCII byte sends us to the forward scan below, because
  // UTF-8 cannot be decoded backwards safely.
  size_t end = text.size();
  while (end > 0) {
    auto b = static_cast<unsigned char>(text[end - 1]);
    if (b >= 0x80) break;
    if (!is_space(b)) return text.substr(0, end);
    --end;
  }
  if (end == 0) return text.substr(0, 0);
  size_t last = 0;
  for (size_t pos = 0; pos < text.size();) {
    auto b = static_cast<unsigned char>(text[pos]);
    char32_t cp = b < 0x80 ? (++pos, b) : decode_utf8(text, pos);
    if (!is_space(cp)) last = pos;
  }
  return text.substr(0, last);
}

std::string lower(std::string_view text) {
  bool ascii = std::all_of(text.begin(), text.end(),
                           [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  std::string out(text);
  if (ascii) {
    for (char& c : out)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
  }
  std::u32string cps = to_code_points(text);
  out.clear();
  for (size_t i = 0; i < cps.size(); ++i) {
    char32_t cp = cps[i];
    if (cp == 0x130) {
      out += 'i';
      append_utf8(out, 0x307);
    } else if (cp == 0x3A3) {
      append_utf8(out, is_final_sigma(cps, i) ? 0x3C2 : 0x3C3);
    } else {
      append_utf8(out, lower_one(cp));
    }
  }
  return out;
}

const char* unicode_version() {
  return ut::kUnicodeVersion;
}

}  // namespace gpt2::metrics
