#include <catch2/catch.hpp>

#include "data/parallel_encode.h"
#include "openai_tokenizer.h"
#include "test_support.h"
#include "tokenizer/gpt2_bpe.h"

using namespace gpt2;

namespace {}  // namespace

TEST_CASE("parallel encoding cuts big documents only where the ids stay the same") {
  // Whitespace before '\n' is the trap: "\n\n" ends a chunk as one piece (token 628) but is
  // "\n", "\n" (198, 198) before a word, so no cut may fall after "p.\n\n" -- only after "c\n".
  std::string doc;
  while (doc.size() < 900000) doc += "p.\n\nQ a \n's b  \nXy c\nZ\xC2\xA0\nQ ";
  std::vector<uint32_t> expected = test::as_u32(test::openai_tokenizer().encode(doc));
  for (int threads : {1, 2})
    CHECK(encode_documents({doc}, test::openai_tokenizer(), 50256, threads) == expected);

  // Several documents: end-of-text between them, none before the first or after the last.
  std::vector<uint32_t> joined = test::as_u32(test::openai_tokenizer().encode("one"));
  joined.push_back(50256);
  for (uint32_t id : test::as_u32(test::openai_tokenizer().encode("two\n"))) joined.push_back(id);
  CHECK(encode_documents({"one", "two\n"}, test::openai_tokenizer(), 50256, 2) == joined);
}
