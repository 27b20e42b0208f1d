#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/files.h"
#include "test_support.h"
#include "tokenizer/byte_unicode.h"
#include "tokenizer/gpt2_bpe.h"
#include "tokenizer/pretokenizer.h"
#include "tokenizer/tokenizer_io.h"

using namespace gpt2;

namespace {
std::string openai_dir() {
  return test::gpt2_tokenizer_dir();
}

const Gpt2Bpe& openai() {
  static auto tokenizer = Gpt2Bpe::load(openai_dir());
  return *tokenizer;
}

std::vector<std::string> pieces(const std::string& text) {
  std::vector<std::string> out;
  Gpt2PreTokenizer::instance().split(text, [&](std::string_view p) { out.emplace_back(p); });
  return out;
}

using Pieces = std::vector<std::string>;
}  // namespace

TEST_CASE("bytes_to_unicode: printable bytes stay, the rest move to U+0100 on") {
  CHECK(bytes_to_unicode_text("A") == "A");
  CHECK(bytes_to_unicode_text(" ") == "\xC4\xA0");                   // U+0120 'Ġ'
  CHECK(bytes_to_unicode_text(std::string(1, '\0')) == "\xC4\x80");  // U+0100
  CHECK(bytes_to_unicode_text("\n") == "\xC4\x8A");                  // U+010A 'Ċ'
  for (int b = 0; b < 256; ++b) {
    std::string byte(1, static_cast<char>(b));
    CHECK(unicode_text_to_bytes(bytes_to_unicode_text(byte)) == byte);
  }
  CHECK_FALSE(unicode_text_to_bytes("\xE2\x82\xAC").has_value());  // '€' is not in the table
}

TEST_CASE("pre-tokeniser follows GPT-2's pattern, hand-derived cases") {
  CHECK(pieces("Hello  world") == Pieces{"Hello", " ", " world"});
  CHECK(pieces("I'm here, they'll") == Pieces{"I", "'m", " here", ",", " they", "'ll"});
  CHECK(pieces("I'M") == Pieces{"I", "'", "M"});            // contractions are lower-case only
  CHECK(pieces("a \n\n b") == Pieces{"a", " \n\n", " b"});  // \s+(?!\S) leaves one space
  CHECK(pieces("x  ") == Pieces{"x", "  "});
  CHECK(pieces("123abc!?") == Pieces{"123", "abc", "!?"});
  // U+0085 is White_Space (tiktoken) although PCRE2's own \s leaves it out: as space it splits
  // "\x85\x85!" into single whitespace pieces instead of one punctuation run.
  CHECK(pieces("\xC2\x85\xC2\x85!") == Pieces{"\xC2\x85", "\xC2\x85", "!"});
  // Invalid UTF-8 bytes are pieces of their own.
  CHECK(pieces("ab\xFF"
               "cd") == Pieces{"ab", "\xFF", "cd"});
  CHECK(pieces("").empty());
}

TEST_CASE("GPT-2 BPE: ids agree with the vocabulary files") {
  const Gpt2Bpe& bpe = openai();
  CHECK(bpe.vocab_size() == 50257);
  CHECK(bpe.kind() == "gpt2-bpe");
  CHECK(bpe.encode("Hello world") ==
        std::vector<int32_t>{bpe.piece_to_id("Hello"), bpe.piece_to_id("\xC4\xA0world")});
  CHECK(bpe.special_tokens().end_of_text == 50256);
  CHECK(bpe.id_to_piece(50256) == "<|endoftext|>");
  CHECK(bpe.piece_to_id("no-such-piece-xyz") == -1);
  CHECK_THROWS_WITH(bpe.decode(std::vector<int32_t>{50257}),
                    Catch::Contains("token id 50257 is outside the vocabulary"));
}

TEST_CASE("<|endoftext|> is special only when the caller allows it") {
  const Gpt2Bpe& bpe = openai();
  std::vector<int32_t> a = bpe.encode("a"), b = bpe.encode(" b");
  std::vector<int32_t> expected = a;
  expected.push_back(50256);
  expected.insert(expected.end(), b.begin(), b.end());
  CHECK(bpe.encode("a<|endoftext|> b", AllowedSpecial::all) == expected);
  std::vector<int32_t> plain = bpe.encode("a<|endoftext|> b");
  CHECK(std::find(plain.begin(), plain.end(), 50256) == plain.end());
  CHECK(bpe.decode(plain) == "a<|endoftext|> b");
}

TEST_CASE("invalid UTF-8: every byte round-trips, invalid bytes become byte tokens") {
  const Gpt2Bpe& bpe = openai();
  for (std::string text :
       {std::string("\xFF"), std::string("ab\xC3"), std::string("\xC3(x \xE2\x82"),
        std::string("\xED\xA0\x80 surrogate"), std::string("\xF8\x88\x80\x80\x80"),
        std::string("ok \xC0\xAF overlong"), std::string(1, '\0') + "nul"}) {
    CHECK(bpe.decode(bpe.encode(text)) == text);
  }
  CHECK(bpe.encode("\xFF") == std::vector<int32_t>{bpe.piece_to_id(bytes_to_unicode_text("\xFF"))});
}

TEST_CASE("merge loop: lowest rank first, leftmost on ties, short and long pieces alike") {
  // A hand-made vocabulary: the 256 bytes (id = byte), then "aa", "aaaa", "ab".
  std::vector<std::string> vocab;
  for (int b = 0; b < 256; ++b) vocab.push_back(bytes_to_unicode_text(std::string(1, char(b))));
  vocab.insert(vocab.end(), {"aa", "aaaa", "ab"});
  Gpt2Bpe bpe(vocab, {{"a", "a"}, {"aa", "aa"}, {"a", "b"}}, "hand-made");
  // aaaaaaaaa b: (a,a) merges pairwise from the left -> aa aa aa aa a b; (aa,aa) next ->
  // aaaa aaaa a b; then (a,b) -> aaaa aaaa ab.
  CHECK(bpe.encode("aaaaaaaaab") == std::vector<int32_t>{257, 257, 258});
  // 101 a's + b is past the short-piece limit (heap path): 25 x aaaa, then ab.
  std::vector<int32_t> expected(25, 257);
  expected.push_back(258);
  CHECK(bpe.encode(std::string(101, 'a') + "b") == expected);
  CHECK(bpe.encode("ba") == std::vector<int32_t>{'b', 'a'});
}

TEST_CASE("save writes vocab.json + merges.txt that load back identically") {
  test::TempDir dir;
  save_tokenizer(openai(), dir.path());
  REQUIRE(file_exists(dir.file("vocab.json")));
  REQUIRE(file_exists(dir.file("merges.txt")));
  // Same content as OpenAI's files: equal JSON objects, byte-identical merges.
  CHECK(nlohmann::json::parse(read_file(dir.file("vocab.json"))) ==
        nlohmann::json::parse(read_file(openai_dir() + "/encoder.json")));
  CHECK(read_file(dir.file("merges.txt")) == read_file(openai_dir() + "/vocab.bpe"));
  auto loaded = load_tokenizer(dir.path());
  CHECK(loaded->kind() == "gpt2-bpe");
  std::string text = "Loaded from the model directory: 12,345 tokens\n\n  ok";
  CHECK(loaded->encode(text) == openai().encode(text));
}

TEST_CASE("load_tokenizer explains what it looked for") {
  test::TempDir dir;
  CHECK_THROWS_WITH(load_tokenizer(dir.path()), Catch::Contains("no tokenizer in " + dir.path()) &&
                                                    Catch::Contains("vocab.json + merges.txt"));
  write_file_atomic(dir.file("vocab.json"), "{\"a\": 0, \"b\": 0}");
  write_file_atomic(dir.file("merges.txt"), "#version: 0.2\n");
  CHECK_THROWS_WITH(load_tokenizer(dir.path()), Catch::Contains("id 0 is used twice"));
  write_file_atomic(dir.file("merges.txt"), "#version: 0.2\na b c\n");
  write_file_atomic(dir.file("vocab.json"), "{\"a\": 0}");
  CHECK_THROWS_WITH(load_tokenizer(dir.path()), Catch::Contains("merges.txt:2"));
}

TEST_CASE("vocab.json: each way of being wrong gets its own message") {
  test::TempDir dir;
  write_file_atomic(dir.file("merges.txt"), "#version: 0.2\n");
  const std::string vocab = dir.file("vocab.json");
  const std::string not_a_map = vocab + ": expected a JSON object mapping each token to its id";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"[0, 1]", not_a_map},
      {"{}", not_a_map},
      {"7", not_a_map},
      {"{\"a\": {\"b\": 0}}", not_a_map},
      {"{\"a\": \"0\"}", vocab + ": the id of \"a\" is not an integer"},
      {"{\"a\": 1.5}", vocab + ": the id of \"a\" is not an integer"},
      {"{\"a\": [0]}", vocab + ": the id of \"a\" is not an integer"},
      {"{\"a\": 0, \"b\": 2}", vocab + ": id 2 of \"b\" is outside 0..1 (ids must be dense)"},
      {"{\"a\": -1}", vocab + ": id -1 of \"a\" is outside 0..0 (ids must be dense)"},
      {"{\"a\": 18446744073709551615}", "is outside 0..0"},
      {"{\"a\": 0, \"a\": 1}",
       vocab + " + " + dir.file("merges.txt") + ": token \"a\" appears twice (ids 0 and 1)"},
      {"{\"a\": 0", vocab + ": not valid JSON (parse error at line 1, column 8: syntax error while "
                            "parsing object - unexpected end of input"},
  };
  for (const auto& [text, message] : cases) {
    INFO(text);
    write_file_atomic(vocab, text);
    CHECK_THROWS_WITH(load_tokenizer(dir.path()), Catch::Contains(message));
  }
}
