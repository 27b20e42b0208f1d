// Every line of golden.jsonl (ids from tiktoken's "gpt2" encoding) must encode to exactly the
// reference ids and decode back to its text. File overridable with GPT2_TOKENIZER_GOLDEN.
#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>

#include "test_support.h"
#include "tokenizer/gpt2_bpe.h"

using namespace gpt2;

namespace {
const Gpt2Bpe& openai_tokenizer() {
  static auto tokenizer = Gpt2Bpe::load(test::gpt2_tokenizer_dir());
  return *tokenizer;
}

std::string show(const std::vector<int32_t>& ids) {
  std::string s;
  for (size_t i = 0; i < ids.size() && i < 40; ++i) s += std::to_string(ids[i]) + " ";
  return s + (ids.size() > 40 ? "..." : "");
}
}  // namespace

TEST_CASE("GPT-2 BPE matches tiktoken on every golden line") {
  std::string path = test::data_path("GPT2_TOKENIZER_GOLDEN", "gpt2/golden.jsonl");
  std::ifstream in(path);
  REQUIRE(in.good());
  const Gpt2Bpe& tokenizer = openai_tokenizer();
  std::string line;
  int lines = 0, encode_failures = 0, decode_failures = 0, specials = 0;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    auto json = nlohmann::json::parse(line);
    std::string text = json.at("text");
    std::vector<int32_t> expected = json.at("ids").get<std::vector<int32_t>>();
    std::string mode = json.at("allowed_special");
    REQUIRE((mode == "none" || mode == "all"));
    specials += mode == "all";
    auto allowed = mode == "all" ? AllowedSpecial::all : AllowedSpecial::none;
    std::vector<int32_t> ids = tokenizer.encode(text, allowed);
    ++lines;
    if (ids != expected && ++encode_failures <= 5)
      FAIL_CHECK("line " << lines << " (" << json.value("source", "")
                         << "): " << text.substr(0, 200) << "\n  expected " << show(expected)
                         << "\n  got      " << show(ids));
    if (tokenizer.decode(ids) != text && ++decode_failures <= 5)
      FAIL_CHECK("decode(encode(x)) != x on line " << lines);
  }
  INFO(lines << " lines, " << specials << " with allowed_special=all");
  CHECK(lines > 0);
  CHECK(encode_failures == 0);
  CHECK(decode_failures == 0);
}
