// A data file that looks like a token shard but fails the shard checks is refused by gpt2 eval
// (and prepare) with the message gpt2 train gives, instead of being tokenized as text.
#include <catch2/catch.hpp>
#include <cstring>

#include "core/error.h"
#include "core/files.h"
#include "data/shard_format.h"
#include "test_support.h"

using namespace gpt2;
using Catch::Matchers::Contains;

namespace {

// A 1024-byte llm.c header with `magic`, version 1 and 4 tokens, then the 4 uint16 tokens.
std::string shard_bytes(int32_t magic) {
  std::string bytes(kShardHeaderBytes + 8, '\0');
  int32_t header[3] = {magic, 1, 4};
  std::memcpy(bytes.data(), header, sizeof header);
  return bytes;
}

std::string train_message(const std::string& path) {
  try {
    read_shard_header(path);  // what gpt2 train's shard reader says
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("gpt2 eval and prepare refuse damaged shards with gpt2 train's message") {
  test::TempDir dir;
  const std::string model = test::golden_model_dir();
  const std::string wrong_magic = dir.file("val_000000.bin");
  write_file_atomic(wrong_magic, shard_bytes(12345));
  const std::string near_miss = dir.file("tokens.dat");  // no .bin, llm.c model-file magic
  write_file_atomic(near_miss, shard_bytes(20240326));
  const std::string truncated = dir.file("short.bin");
  write_file_atomic(truncated, shard_bytes(kShardMagic).substr(0, kShardHeaderBytes + 4));
  const std::string text = dir.file("text.dat");  // long enough for a header, but text
  write_file_atomic(text, std::string(2000, 'a'));

  CHECK(looks_like_shard(wrong_magic));
  CHECK(looks_like_shard(near_miss));
  CHECK(looks_like_shard(truncated));
  CHECK_FALSE(looks_like_shard(text));

  for (const auto& path : {wrong_magic, near_miss, truncated}) {
    const std::string message = train_message(path);
    INFO(path << ": " << message);
    REQUIRE(!message.empty());
    auto eval = test::run_cli("eval --model " + model + " --data " + path);
    INFO(eval.output);
    CHECK(eval.exit_code == 1);
    CHECK_THAT(eval.output, Contains("gpt2 eval: error: " + message));
    auto prepare = test::run_cli("prepare -q -t " + test::gpt2_tokenizer_dir() + " -i " + path +
                                 " -o " + dir.file("out"));
    CHECK(prepare.exit_code == 1);
    CHECK_THAT(prepare.output, Contains("gpt2 prepare: error: " + message));
  }
  CHECK_THAT(train_message(wrong_magic), Contains("not a token shard (magic 12345"));
  CHECK_THAT(train_message(truncated), Contains("the shard is truncated or corrupt"));
}
