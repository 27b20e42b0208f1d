#include "metrics/bleu_tokenizers.h"

#include "core/error.h"
#include "core/strings.h"
#include "metrics/unicode.h"

namespace gpt2::metrics {

namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Python's str.replace: non-overlapping, left to right.
void replace_all(std::string& text, std::string_view from, std::string_view to) {
  size_t pos = text.find(from);
  if (pos == std::string::npos) return;
  std::string out;
  out.reserve(text.size());
  size_t last = 0;
  for (; pos != std::string::npos; pos = text.find(from, last)) {
    out.append(text, last, pos - last);
    out.append(to);
    last = pos + from.size();
  }
  out.append(text, last, std::string::npos);
  text.swap(out);
}

// mteval's "language-dependent" punctuation class [{-~[-` -&(-+:-@/] (space included), as a
// table because the first pass tests every byte.
struct PunctTable {
  bool is[256] = {};
  constexpr PunctTable() {
    for (int c = 0; c < 256; ++c)
      is[c] = (c >= '{' && c <= '~') || (c >= '[' && c <= '`') || (c >= ' ' && c <= '&') ||
              (c >= '(' && c <= '+') || (c >= ':' && c <= '@') || c == '/';
  }
};
constexpr PunctTable kPunct13a;

bool is_13a_punct(char c) {
  return kPunct13a.is[static_cast<unsigned char>(c)];
}

// The four regex passes of sacreBLEU's TokenizerRegexp, each a left-to-right scan with the
// non-overlapping semantics of re.sub. Working on bytes is equivalent to code points here:
// every class is ASCII, and a multi-byte character can only match as "not a digit". Passes
// 2-4 are skipped when their trigger characters are absent (they could not match).
void run_13a(std::string& a, std::string& b) {
  b.resize(a.size() * 3);
  char* out = b.data();
  bool has_period_comma = false, has_dash = false;
  for (char c : a) {
    if (is_13a_punct(c)) {
      *out++ = ' ', *out++ = c, *out++ = ' ';
    } else {
      *out++ = c;
      has_period_comma = has_period_comma || c == '.' || c == ',';
      has_dash = has_dash || c == '-';
    }
  }
  b.resize(out - b.data());
  if (has_period_comma) {
    // ([^0-9])([\.,]) -> \1 \2
    a.resize(b.size() * 2);
    out = a.data();
    for (size_t i = 0, n = b.size(); i < n;) {
      if (i + 1 < n && !is_digit(b[i]) && (b[i + 1] == '.' || b[i + 1] == ',')) {
        *out++ = b[i], *out++ = ' ', *out++ = b[i + 1], *out++ = ' ';
        i += 2;
      } else {
        *out++ = b[i++];
      }
    }
    a.resize(out - a.data());
    // ([\.,])([^0-9]) -> ' \1 \2'
    b.resize(a.size() * 2);
    out = b.data();
    for (size_t i = 0, n = a.size(); i < n;) {
      if (i + 1 < n && (a[i] == '.' || a[i] == ',') && !is_digit(a[i + 1])) {
        *out++ = ' ', *out++ = a[i], *out++ = ' ', *out++ = a[i + 1];
        i += 2;
      } else {
        *out++ = a[i++];
      }
    }
    b.resize(out - b.data());
  }
  // ([0-9])(-) -> \1 \2
  if (!has_dash) {
    a.swap(b);
    return;
  }
  a.resize(b.size() * 2);
  out = a.data();
  for (size_t i = 0, n = b.size(); i < n;) {
    if (i + 1 < n && is_digit(b[i]) && b[i + 1] == '-') {
      *out++ = b[i], *out++ = ' ', *out++ = '-', *out++ = ' ';
      i += 2;
    } else {
      *out++ = b[i++];
    }
  }
  a.resize(out - a.data());
}

void tokenize_13a(std::string_view line, std::string& buffer, std::string& scratch) {
  buffer.clear();
  buffer += ' ';
  buffer += line;
  bool special = false;  // only '<', '\n' and '&' start a replacement
  for (char c : line) special = special || c == '<' || c == '\n' || c == '&';
  if (special) {
    replace_all(buffer, "<skipped>", "");
    replace_all(buffer, "-\n", "");
    replace_all(buffer, "\n", " ");
    if (buffer.find('&') != std::string::npos) {
      replace_all(buffer, "&quot;", "\"");
      replace_all(buffer, "&amp;", "&");
      replace_all(buffer, "&lt;", "<");
      replace_all(buffer, "&gt;", ">");
    }
  }
  buffer += ' ';
  run_13a(buffer, scratch);
}

// mteval-v14 international: (\P{N})(\p{P}) -> '\1 \2 ', (\p{P})(\P{N}) -> ' \1 \2',
// (\p{S}) -> ' \1 ', applied one after the other like the regex module's sub().
void tokenize_intl(std::string_view line, std::string& buffer) {
  std::u32string a = to_code_points(line), b;
  b.reserve(a.size() * 2);
  for (size_t i = 0, n = a.size(); i < n;) {
    if (i + 1 < n && !is_number(a[i]) && is_punctuation(a[i + 1])) {
      b += a[i], b += U' ', b += a[i + 1], b += U' ';
      i += 2;
    } else {
      b += a[i++];
    }
  }
  a.clear();
  for (size_t i = 0, n = b.size(); i < n;) {
    if (i + 1 < n && is_punctuation(b[i]) && !is_number(b[i + 1])) {
      a += U' ', a += b[i], a += U' ', a += b[i + 1];
      i += 2;
    } else {
      a += b[i++];
    }
  }
  b.clear();
  for (char32_t c : a) {
    if (c >= 0x80 ? is_symbol(c)
                  : (c == '$' || c == '+' || c == '<' || c == '=' || c == '>' || c == '^' ||
                     c == '`' || c == '|' || c == '~')) {
      b += U' ', b += c, b += U' ';
    } else {
      b += c;
    }
  }
  buffer = to_utf8(b);
}

// ' '.join(line) then split(): every non-space code point is a token.
void tokenize_char(std::string_view line, std::string& buffer) {
  buffer.clear();
  buffer.reserve(line.size() * 2);
  for (size_t pos = 0; pos < line.size();) {
    size_t start = pos;
    auto byte = static_cast<unsigned char>(line[pos]);
    char32_t cp = byte < 0x80 ? (++pos, byte) : decode_utf8(line, pos);
    if (is_space(cp)) continue;
    buffer.append(line.substr(start, pos - start));
    buffer += ' ';
  }
}

}  // namespace

BleuTokenizer parse_bleu_tokenizer(const std::string& name) {
  if (name == "13a") return BleuTokenizer::k13a;
  if (name == "intl") return BleuTokenizer::kIntl;
  if (name == "char") return BleuTokenizer::kChar;
  if (name == "none") return BleuTokenizer::kNone;
  std::string hint = closest_match(name, {"13a", "intl", "char", "none"});
  throw Error("unknown BLEU tokenizer \"" + name + "\"" +
              (hint.empty() ? "" : " (did you mean \"" + hint + "\"?)") +
              "; choose 13a, intl, char or none");
}

const char* bleu_tokenizer_name(BleuTokenizer tokenizer) {
  switch (tokenizer) {
    case BleuTokenizer::k13a:
      return "13a";
    case BleuTokenizer::kIntl:
      return "intl";
    case BleuTokenizer::kChar:
      return "char";
    case BleuTokenizer::kNone:
      return "none";
  }
  return "?";
}

void tokenize_bleu(BleuTokenizer tokenizer, std::string_view line, std::string& buffer,
                   std::string& scratch, std::vector<std::string_view>& tokens) {
  switch (tokenizer) {
    case BleuTokenizer::k13a:
      tokenize_13a(line, buffer, scratch);
      break;
    case BleuTokenizer::kIntl:
      tokenize_intl(line, buffer);
      break;
    case BleuTokenizer::kChar:
      tokenize_char(line, buffer);
      break;
    case BleuTokenizer::kNone:
      buffer.assign(line);
      break;
  }
  split_whitespace(buffer, tokens);
}

std::string tokenize_bleu(BleuTokenizer tokenizer, std::string_view line) {
  std::string buffer, scratch;
  std::vector<std::string_view> tokens;
  tokenize_bleu(tokenizer, line, buffer, scratch, tokens);
  std::string out;
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (i) out += ' ';
    out += tokens[i];
  }
  return out;
}

}  // namespace gpt2::metrics
