#include <catch2/catch.hpp>
#include <cstring>

#include "core/error.h"
#include "core/files.h"
#include "data/shard_format.h"
#include "test_support.h"

using namespace gpt2;

namespace {
// Reads header word i straight from the bytes, independent of read_shard_header.
int32_t header_word(const std::string& bytes, int i) {
  int32_t v;
  std::memcpy(&v, bytes.data() + 4 * i, 4);
  return v;
}
}  // namespace

TEST_CASE("shards use llm.c's layout: 256 int32 header, then uint16 or uint32 tokens") {
  test::TempDir dir;
  std::vector<uint32_t> tokens = {0, 1, 50256, 65535};
  write_shard(dir.file("a.bin"), tokens, 2);
  std::string bytes = read_file(dir.file("a.bin"));
  REQUIRE(bytes.size() == 1024 + 4 * 2);
  CHECK(header_word(bytes, 0) == 20240520);
  CHECK(header_word(bytes, 1) == 1);
  CHECK(header_word(bytes, 2) == 4);
  for (int i = 3; i < 256; ++i) CHECK(header_word(bytes, i) == 0);
  uint16_t third;
  std::memcpy(&third, bytes.data() + 1024 + 4, 2);
  CHECK(third == 50256);
  CHECK(read_shard_tokens(dir.file("a.bin")) == tokens);

  std::vector<uint32_t> wide = {70000, 3};
  write_shard(dir.file("b.bin"), wide, 4);
  std::string wide_bytes = read_file(dir.file("b.bin"));
  CHECK(wide_bytes.size() == 1024 + 2 * 4);
  CHECK(header_word(wide_bytes, 1) == 2);
  CHECK(read_shard_tokens(dir.file("b.bin")) == wide);
  CHECK(token_bytes_for_vocab(50257) == 2);
  CHECK(token_bytes_for_vocab(65535) == 2);
  CHECK(token_bytes_for_vocab(65536) == 4);
}

TEST_CASE("an id that does not fit uint16 is refused") {
  test::TempDir dir;
  std::vector<uint32_t> tokens = {5, 65536};
  CHECK_THROWS_WITH(write_shard(dir.file("c.bin"), tokens, 2),
                    Catch::Contains("token id 65536 does not fit uint16"));
  CHECK_FALSE(file_exists(dir.file("c.bin")));
}

TEST_CASE("truncated or foreign files are refused with the file named") {
  test::TempDir dir;
  write_shard(dir.file("t.bin"), std::vector<uint32_t>{1, 2, 3}, 2);
  std::string bytes = read_file(dir.file("t.bin"));
  write_file_atomic(dir.file("cut.bin"), bytes.substr(0, bytes.size() - 1));
  CHECK_THROWS_WITH(read_shard_header(dir.file("cut.bin")),
                    Catch::Contains("cut.bin") && Catch::Contains("truncated"));
  write_file_atomic(dir.file("text.bin"), std::string(2000, 'x'));
  CHECK_THROWS_WITH(read_shard_header(dir.file("text.bin")), Catch::Contains("not a token shard"));
}
