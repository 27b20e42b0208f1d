// Unicode helpers, BLEU tokenizers and the Porter stemmer against hand-checked values.
#include <catch2/catch.hpp>

#include "core/error.h"
#include "metrics/bleu_tokenizers.h"
#include "metrics/porter_stemmer.h"
#include "metrics/unicode.h"

using namespace gpt2::metrics;

TEST_CASE("split_whitespace and rstrip follow Python's str.split / str.rstrip") {
  // NBSP, EM SPACE and U+001F are whitespace to Python; ZERO WIDTH SPACE is not.
  auto tokens = split_whitespace("a\u00a0b\u2003c \x1f d\u200be ");
  REQUIRE(tokens.size() == 4);
  CHECK(tokens[0] == "a");
  CHECK(tokens[2] == "c");
  CHECK(tokens[3] == "d\u200be");
  CHECK(split_whitespace("   ").empty());
  CHECK(rstrip("abc \t\u3000\n") == "abc");
  CHECK(rstrip("\u00e9 ") == "\u00e9");
  CHECK(rstrip(" x") == " x");
}

TEST_CASE("lower follows Python's str.lower, final sigma included") {
  CHECK(lower("ABC def") == "abc def");
  CHECK(lower("\u00c4\u00c9\u0130") == "\u00e4\u00e9i\u0307");             // ÄÉİ -> äéi̇
  CHECK(lower("\u039f\u0394\u039f\u03a3") == "\u03bf\u03b4\u03bf\u03c2");  // ΟΔΟΣ -> οδος
  CHECK(lower("\u03a3\u0391") == "\u03c3\u03b1");                          // initial sigma stays σ
  CHECK(lower("\u03a3") == "\u03c3");                                      // alone: σ
  CHECK(lower("\u212a") == "k");                                           // KELVIN SIGN
}

TEST_CASE("invalid UTF-8 is rejected with a clear error") {
  CHECK(find_invalid_utf8("ok \u00e9") == std::string::npos);
  CHECK(find_invalid_utf8("ab\xff") == 2);
  CHECK(find_invalid_utf8("\xc0\xaf") == 0);       // overlong '/'
  CHECK(find_invalid_utf8("x\xed\xa0\x80") == 1);  // surrogate
  CHECK(find_invalid_utf8("\xe2\x82") == 0);       // truncated
  CHECK_THROWS_AS(to_code_points("bad \xfe"), gpt2::Error);
  CHECK_THROWS_WITH(split_whitespace("a \x80"), Catch::Contains("invalid UTF-8"));
}

TEST_CASE("general categories used by the intl tokenizer") {
  CHECK(is_punctuation(U'!'));
  CHECK(is_punctuation(U'\u3002'));  // 。
  CHECK(is_punctuation(U'\u2014'));  // em dash
  CHECK_FALSE(is_punctuation(U'$'));
  CHECK(is_symbol(U'$'));
  CHECK(is_symbol(U'\u20ac'));      // €
  CHECK(is_symbol(U'\U0001F600'));  // emoji
  CHECK(is_number(U'7'));
  CHECK(is_number(U'\u0663'));  // Arabic-Indic three
  CHECK(is_number(U'\u00bd'));  // ½ (No)
  CHECK_FALSE(is_number(U'a'));
}

TEST_CASE("13a tokenizer reproduces mteval-v13a") {
  auto t = [](const char* s) { return tokenize_bleu(BleuTokenizer::k13a, s); };
  CHECK(t("Hello, world!") == "Hello , world !");
  CHECK(t("It costs $3.50, or 1,000 yen.") == "It costs $ 3.50 , or 1,000 yen .");
  CHECK(t("a-b 1-2") == "a-b 1 - 2");
  CHECK(t("&quot;x&quot; &amp; &lt;b&gt;") == "\" x \" & < b >");
  CHECK(t("line-\nbreak<skipped>\nnext") == "linebreak next");
  CHECK(t("U.S. (1990)") == "U . S . ( 1990 )");
  CHECK(t("don't") == "don't");
}

TEST_CASE("intl, char and none tokenizers") {
  CHECK(tokenize_bleu(BleuTokenizer::kIntl, "a,b 1,000 \u20ac5 end.") ==
        "a , b 1,000 \u20ac 5 end .");
  CHECK(tokenize_bleu(BleuTokenizer::kIntl, "in 1990.") == "in 1990.");  // mteval-v14 quirk
  CHECK(tokenize_bleu(BleuTokenizer::kIntl, "\u00bfQu\u00e9?") == "\u00bf Qu\u00e9 ?");
  CHECK(tokenize_bleu(BleuTokenizer::kChar, "ab c\u00e9") == "a b c \u00e9");
  CHECK(tokenize_bleu(BleuTokenizer::kNone, " a  b,c ") == "a b,c");
  CHECK_THROWS_WITH(parse_bleu_tokenizer("13b"), Catch::Contains("did you mean \"13a\""));
}

TEST_CASE("Porter stemmer agrees with NLTK's PorterStemmer (NLTK_EXTENSIONS)") {
  // NLTK's documented example.
  std::vector<std::pair<const char*, const char*>> cases = {
      {"caresses", "caress"},
      {"flies", "fli"},
      {"dies", "die"},
      {"mules", "mule"},
      {"denied", "deni"},
      {"died", "die"},
      {"agreed", "agre"},
      {"owned", "own"},
      {"humbled", "humbl"},
      {"sized", "size"},
      {"meeting", "meet"},
      {"stating", "state"},
      {"siezing", "siez"},
      {"itemization", "item"},
      {"sensational", "sensat"},
      {"traditional", "tradit"},
      {"reference", "refer"},
      {"colonizer", "colon"},
      {"plotted", "plot"},
      // Irregular forms and short words are NLTK-specific.
      {"skies", "sky"},
      {"dying", "die"},
      {"news", "news"},
      {"is", "is"},
      {"running", "run"},
      {"happy", "happi"}};
  for (const auto& [word, stem] : cases) {
    INFO(word);
    CHECK(porter_stem(word) == stem);
  }
}
