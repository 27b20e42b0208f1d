// gpt2 prepare end to end: the shards must hold exactly the ids the tokenizer gives for the
// raw text (computed here independently, in one piece), split the way nanoGPT splits.
#include <catch2/catch.hpp>
#include <cmath>
#include <nlohmann/json.hpp>

#include "core/files.h"
#include "data/file_glob.h"
#include "data/prepare.h"
#include "data/shard_format.h"
#include "openai_tokenizer.h"
#include "test_support.h"
#include "tokenizer/gpt2_bpe.h"
#include "tokenizer/sentencepiece_train.h"
#include "tokenizer/tokenizer_io.h"

using namespace gpt2;

namespace {
std::string shakespeare() {
  return test::data_path("GPT2_TINYSHAKESPEARE", "tinyshakespeare/input.txt");
}
std::string wikitext(const std::string& split) {
  return test::data_path(nullptr, "wikitext-2/" + split + ".txt");
}
// All tokens of one split, shards in order.
std::vector<uint32_t> read_split(const std::string& dir, const std::string& split) {
  std::vector<uint32_t> all;
  if (!file_exists(dir + "/" + split + "_000000.bin")) return all;
  for (const auto& path : expand_file_patterns({dir + "/" + split + "_*.bin"})) {
    auto tokens = read_shard_tokens(path);
    all.insert(all.end(), tokens.begin(), tokens.end());
  }
  return all;
}

}  // namespace

TEST_CASE("prepare TinyShakespeare with GPT-2 BPE: first 90% of tokens train, last 10% val") {
  test::TempDir dir;
  auto result =
      test::run_cli("prepare -q -t " + test::shell_quoted(test::gpt2_tokenizer_dir()) + " -i " +
                    test::shell_quoted(shakespeare()) + " -o " + test::shell_quoted(dir.path()));
  INFO(result.output);
  REQUIRE(result.exit_code == 0);
  CHECK_THAT(result.output, Catch::Contains("documents 1,") && Catch::Contains("bytes/token"));
  std::vector<uint32_t> expected =
      test::as_u32(test::openai_tokenizer().encode(read_file(shakespeare())));
  size_t n_train = static_cast<size_t>(std::floor(expected.size() * 0.9));
  std::vector<uint32_t> train = read_split(dir.path(), "train");
  std::vector<uint32_t> val = read_split(dir.path(), "val");
  REQUIRE(train.size() == n_train);
  REQUIRE(val.size() == expected.size() - n_train);
  CHECK(train.front() == expected.front());
  CHECK(train.back() == expected[n_train - 1]);
  CHECK(val.front() == expected[n_train]);
  CHECK(val.back() == expected.back());
  CHECK(train == std::vector<uint32_t>(expected.begin(), expected.begin() + n_train));
  CHECK(val == std::vector<uint32_t>(expected.begin() + n_train, expected.end()));
  CHECK(read_shard_header(dir.file("train_000000.bin")).version == 1);  // uint16
  auto meta = nlohmann::json::parse(read_file(dir.file("prepare.json")));
  CHECK(meta["vocab_size"] == 50257);
  CHECK(meta["train_tokens"] == n_train);
}

TEST_CASE("prepare WikiText-2 (test + valid): end-of-text between documents, exact ids") {
  test::TempDir dir;
  auto result = test::run_cli(
      "prepare -q -t " + test::shell_quoted(test::gpt2_tokenizer_dir()) + " -i " +
      test::shell_quoted(test::data_path(nullptr, "wikitext-2") + "/*.txt") +
      " --val-fraction 0.05 --shard-tokens 200000 -o " + test::shell_quoted(dir.path()));
  INFO(result.output);
  REQUIRE(result.exit_code == 0);
  // The glob expands sorted: test.txt, then valid.txt.
  std::vector<uint32_t> expected =
      test::as_u32(test::openai_tokenizer().encode(read_file(wikitext("test"))));
  expected.push_back(50256);
  for (uint32_t id : test::as_u32(test::openai_tokenizer().encode(read_file(wikitext("valid")))))
    expected.push_back(id);
  size_t n_train = static_cast<size_t>(std::floor(expected.size() * 0.95));
  std::vector<uint32_t> train = read_split(dir.path(), "train");
  std::vector<uint32_t> val = read_split(dir.path(), "val");
  CHECK(train.size() == n_train);
  CHECK(val.size() == expected.size() - n_train);
  CHECK(train.front() == expected.front());
  CHECK(val.back() == expected.back());
  train.insert(train.end(), val.begin(), val.end());
  CHECK(train == expected);
  // 200,000-token shards: ceil(n_train / 200000) of them, all full but the last.
  auto shards = expand_file_patterns({dir.path() + "/train_*.bin"});
  CHECK(shards.size() == (n_train + 199999) / 200000);
  CHECK(read_shard_header(shards.front()).tokens == 200000);
}

TEST_CASE("prepare TinyShakespeare char-level: one token per character, nanoGPT's split") {
  test::TempDir dir;
  SentencePieceTrainOptions options;
  options.model_type = "char";
  options.eos = false;
  options.inputs = {shakespeare()};
  save_tokenizer(*train_sentencepiece(options), dir.path());
  PrepareOptions prepare;
  prepare.inputs = {shakespeare()};
  prepare.out_dir = dir.path();
  prepare.progress = false;
  PrepareSummary summary = prepare_shards(prepare, *load_tokenizer(dir.path()));
  std::string text = read_file(shakespeare());
  size_t n_train = static_cast<size_t>(text.size() * 0.9);  // nanoGPT: int(n * 0.9)
  CHECK(summary.train_tokens == static_cast<int64_t>(n_train));
  CHECK(summary.val_tokens == static_cast<int64_t>(text.size() - n_train));
  auto tokenizer = load_tokenizer(dir.path());
  std::vector<uint32_t> train = read_split(dir.path(), "train");
  std::vector<uint32_t> val = read_split(dir.path(), "val");
  CHECK(train.front() == static_cast<uint32_t>(tokenizer->piece_to_id(text.substr(0, 1))));
  CHECK(val.back() == static_cast<uint32_t>(tokenizer->piece_to_id("\n")));
  std::vector<int32_t> all(train.begin(), train.end());
  all.insert(all.end(), val.begin(), val.end());
  CHECK(tokenizer->decode(all) == text);
  CHECK(tokenizer->decode(std::vector<int32_t>(val.begin(), val.end())) == text.substr(n_train));
}

TEST_CASE("prepare: same shards with 1 and 2 threads; separate validation files; JSONL field") {
  test::TempDir dir;
  PrepareOptions o;
  o.inputs = {shakespeare()};
  o.progress = false;
  o.out_dir = dir.file("one");
  o.threads = 1;
  prepare_shards(o, test::openai_tokenizer());
  o.out_dir = dir.file("two");
  o.threads = 2;
  prepare_shards(o, test::openai_tokenizer());
  CHECK(read_split(dir.file("one"), "train") == read_split(dir.file("two"), "train"));
  CHECK(read_split(dir.file("one"), "val") == read_split(dir.file("two"), "val"));

  PrepareOptions split;
  split.inputs = {wikitext("valid")};
  split.val_inputs = {wikitext("test")};
  split.val_fraction = 0;
  split.progress = false;
  split.out_dir = dir.file("split");
  prepare_shards(split, test::openai_tokenizer());
  CHECK(read_split(split.out_dir, "train") ==
        test::as_u32(test::openai_tokenizer().encode(read_file(wikitext("valid")))));
  CHECK(read_split(split.out_dir, "val") ==
        test::as_u32(test::openai_tokenizer().encode(read_file(wikitext("test")))));

  write_file_atomic(dir.file("docs.jsonl"),
                    "{\"body\": \"First doc.\", \"id\": 1}\n\n{\"body\": \"Second\\ndoc\"}\n");
  PrepareOptions jsonl;
  jsonl.inputs = {dir.file("docs.jsonl")};
  jsonl.jsonl_field = "body";
  jsonl.val_fraction = 0;
  jsonl.progress = false;
  jsonl.out_dir = dir.file("jsonl");
  PrepareSummary summary = prepare_shards(jsonl, test::openai_tokenizer());
  CHECK(summary.documents == 2);
  std::vector<uint32_t> expected = test::as_u32(test::openai_tokenizer().encode("First doc."));
  expected.push_back(50256);
  for (uint32_t id : test::as_u32(test::openai_tokenizer().encode("Second\ndoc")))
    expected.push_back(id);
  CHECK(read_split(jsonl.out_dir, "train") == expected);
  CHECK(read_split(jsonl.out_dir, "val").empty());
}

TEST_CASE("prepare removes shards of an earlier, bigger run") {
  test::TempDir dir;
  PrepareOptions o;
  o.inputs = {shakespeare()};
  o.progress = false;
  o.out_dir = dir.path();
  o.shard_tokens = 100000;
  prepare_shards(o, test::openai_tokenizer());
  CHECK(file_exists(dir.file("train_000003.bin")));
  o.shard_tokens = 1000000;
  auto summary = prepare_shards(o, test::openai_tokenizer());
  CHECK(summary.train_shards.size() == 1);
  CHECK_FALSE(file_exists(dir.file("train_000001.bin")));
  CHECK(expand_file_patterns({dir.path() + "/train_*.bin"}).size() == 1);
}
