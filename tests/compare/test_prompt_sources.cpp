// Where comparison prompts come from: a token shard named as text is refused, not tokenized.
#include <catch2/catch.hpp>

#include "compare/prompt_source.h"
#include "core/error.h"
#include "core/files.h"
#include "data/shard_format.h"
#include "test_support.h"
#include "tokenizer/sentencepiece_train.h"

using namespace gpt2;
using Catch::Matchers::Contains;

TEST_CASE("a token shard given as compare.text is refused, a damaged one with train's message") {
  test::TempDir tmp;
  write_file_atomic(tmp.file("text.txt"), std::string(2000, 'a') + "bcdefgh\n");
  SentencePieceTrainOptions options;
  options.model_type = "char";
  options.inputs = {tmp.file("text.txt")};
  auto tokenizer = train_sentencepiece(options);
  write_shard(tmp.file("good.bin"), std::vector<uint32_t>(64, 3), 2);
  std::string damaged = read_file(tmp.file("good.bin"));
  damaged[0] = 'X';
  write_file_atomic(tmp.file("damaged.bin"), damaged);

  CompareConfig config;
  config.text = {tmp.file("good.bin")};
  CHECK_THROWS_WITH(load_prompt_pairs(config, *tokenizer),
                    Contains("compare.text: " + tmp.file("good.bin") +
                             " is a token shard; give it as compare.shards"));
  config.text = {tmp.file("damaged.bin")};
  std::string train_message;
  try {
    read_shard_header(tmp.file("damaged.bin"));
  } catch (const Error& e) {
    train_message = e.what();
  }
  REQUIRE_THAT(train_message, Contains("not a token shard (magic"));
  CHECK_THROWS_WITH(load_prompt_pairs(config, *tokenizer), train_message);
}
