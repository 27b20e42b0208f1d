#pragma once
// sacreBLEU's BLEU tokenizers (13a, intl, char, none), each followed by Python's str.split().
// 13a mimics mteval-v13a.pl; intl mimics mteval-v14.pl's international tokenization
// (punctuation and symbols by Unicode category); char makes every character a token.
#include <string>
#include <string_view>
#include <vector>

namespace gpt2::metrics {

enum class BleuTokenizer { k13a, kIntl, kChar, kNone };

// "13a" | "intl" | "char" | "none"; throws gpt2::Error naming the choices otherwise.
BleuTokenizer parse_bleu_tokenizer(const std::string& name);
const char* bleu_tokenizer_name(BleuTokenizer tokenizer);

// Tokenizes `line`. The tokens are views into `buffer`, which the call overwrites; `scratch`
// is working memory. Throws gpt2::Error on invalid UTF-8.
void tokenize_bleu(BleuTokenizer tokenizer, std::string_view line, std::string& buffer,
                   std::string& scratch, std::vector<std::string_view>& tokens);

// Convenience: the tokenized line with single spaces, as sacreBLEU's tokenizer returns it.
std::string tokenize_bleu(BleuTokenizer tokenizer, std::string_view line);

}  // namespace gpt2::metrics
