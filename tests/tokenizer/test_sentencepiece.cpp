#include <catch2/catch.hpp>
#include <set>

#include "core/error.h"
#include "core/files.h"
#include "test_support.h"
#include "tokenizer/sentencepiece_train.h"
#include "tokenizer/tokenizer_io.h"

using namespace gpt2;

namespace {
std::string shakespeare() {
  return test::data_path("GPT2_TINYSHAKESPEARE", "tinyshakespeare/input.txt");
}
std::string wikitext(const char* split) {
  return test::data_path(nullptr, std::string("wikitext-2/") + split + ".txt");
}
}  // namespace

TEST_CASE("char model keeps every character of TinyShakespeare, newlines and spaces included") {
  SentencePieceTrainOptions options;
  options.model_type = "char";
  options.eos = false;  // nanoGPT's char vocabulary has no end-of-text token
  options.inputs = {shakespeare()};
  auto sp = train_sentencepiece(options);
  std::string text = read_file(shakespeare());
  std::set<char> distinct(text.begin(), text.end());
  REQUIRE(distinct.size() == 65);     // nanoGPT's vocabulary, '\n' and ' ' included
  CHECK(sp->vocab_size() == 65 + 1);  // + <unk>
  CHECK(sp->special_tokens().end_of_text == -1);
  std::vector<int32_t> ids = sp->encode(text);
  CHECK(ids.size() == text.size());                   // one token per character
  CHECK(std::count(ids.begin(), ids.end(), 0) == 0);  // no <unk>
  CHECK(sp->decode(ids) == text);                     // the whole file round-trips
  CHECK(sp->splits_after_newline());

  test::TempDir dir;
  save_tokenizer(*sp, dir.path());
  CHECK(file_exists(dir.file("tokenizer.model")));
  auto loaded = load_tokenizer(dir.path());
  CHECK(loaded->kind() == "sentencepiece");
  CHECK(loaded->encode(text.substr(0, 5000)) ==
        std::vector<int32_t>(ids.begin(), ids.begin() + 5000));
}

TEST_CASE("BPE with byte fallback round-trips unseen text exactly") {
  SentencePieceTrainOptions options;
  options.model_type = "bpe";
  options.vocab_size = 1000;
  options.byte_fallback = true;
  options.max_sentences = 3000;
  options.inputs = {wikitext("valid")};
  auto sp = train_sentencepiece(options);
  CHECK(sp->vocab_size() == 1000);
  CHECK(sp->special_tokens().end_of_text == 1);  // <unk> 0, </s> 1
  CHECK(sp->id_to_piece(1) == "</s>");
  std::string text = read_file(wikitext("test"));
  std::vector<int32_t> ids = sp->encode(text);
  CHECK(ids.size() < text.size() / 2);  // it compresses
  CHECK(sp->decode(ids) == text);
  std::string unseen = "caf\xC3\xA9 \xE2\x82\xAC 5 \xF0\x9F\x98\x80\n";
  CHECK(sp->decode(sp->encode(unseen)) == unseen);
  // </s> in the text is the control id only when allowed.
  CHECK(sp->encode("a</s>", AllowedSpecial::all).back() == 1);
  CHECK(sp->encode("a</s>").back() != 1);
}

TEST_CASE("unigram model round-trips its training text; without byte fallback unseen is <unk>") {
  test::TempDir dir;
  std::string text = read_file(shakespeare()).substr(0, 200000);
  write_file_atomic(dir.file("part.txt"), text);
  SentencePieceTrainOptions options;
  options.model_type = "unigram";
  options.vocab_size = 500;
  options.inputs = {dir.file("part.txt")};
  auto sp = train_sentencepiece(options);
  CHECK(sp->vocab_size() == 500);
  CHECK(sp->decode(sp->encode(text)) == text);
  CHECK(sp->encode("\xE2\x82\xAC") == std::vector<int32_t>{0});  // '€' never seen: <unk>
}

TEST_CASE("training refuses bad requests with a clear message") {
  test::TempDir dir;
  write_file_atomic(dir.file("empty.txt"), "");
  SentencePieceTrainOptions options;
  options.inputs = {dir.file("empty.txt")};
  CHECK_THROWS_WITH(train_sentencepiece(options), Catch::Contains("empty.txt is empty"));
  options.inputs = {dir.file("missing.txt")};
  CHECK_THROWS_WITH(train_sentencepiece(options), Catch::Contains("missing.txt"));
  options.model_type = "wordpiece";
  CHECK_THROWS_WITH(train_sentencepiece(options), Catch::Contains("not one of bpe, unigram"));
}
