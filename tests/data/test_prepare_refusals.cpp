// Every refusal of gpt2 prepare, with the message the user sees.
#include <catch2/catch.hpp>

#include "core/files.h"
#include "data/prepare.h"
#include "openai_tokenizer.h"
#include "test_support.h"
#include "tokenizer/byte_unicode.h"
#include "tokenizer/gpt2_bpe.h"
#include "tokenizer/sentencepiece_train.h"

using namespace gpt2;

namespace {
test::CommandResult prepare(const std::string& args) {
  return test::run_cli("prepare -q -t " + test::shell_quoted(test::gpt2_tokenizer_dir()) + " " +
                       args);
}
}  // namespace

TEST_CASE("prepare refuses empty input") {
  test::TempDir dir;
  write_file_atomic(dir.file("empty.txt"), "");
  auto result = prepare("-i " + test::shell_quoted(dir.file("empty.txt")) + " -o " +
                        test::shell_quoted(dir.file("out")));
  CHECK(result.exit_code == 1);
  CHECK_THAT(result.output,
             Catch::Contains("no text in the input") && Catch::Contains("empty.txt"));
  CHECK_FALSE(file_exists(dir.file("out/train_000000.bin")));
}

TEST_CASE("prepare refuses unreadable inputs and patterns that match nothing") {
  // Library calls: the CLI prints the same messages (see the empty-input case above).
  test::TempDir dir;
  auto loaded = Gpt2Bpe::load(test::gpt2_tokenizer_dir());
  const Tokenizer& tokenizer = *loaded;
  auto refuse = [&](const std::string& input) {
    PrepareOptions o;
    o.inputs = {input};
    o.out_dir = dir.file("out");
    o.progress = false;
    prepare_shards(o, tokenizer);
  };
  CHECK_THROWS_WITH(refuse(dir.file("missing.txt")),
                    Catch::Contains("cannot read input") && Catch::Contains("missing.txt"));
  CHECK_THROWS_WITH(refuse(dir.path() + "/*.txt"),
                    Catch::Contains("no file matches the input pattern"));
  CHECK_THROWS_WITH(refuse(dir.path()), Catch::Contains("is a directory; give files or a glob"));
  write_file_atomic(dir.file("bad.jsonl"), "{\"text\": \"ok\"}\n{\"title\": \"no text\"}\n");
  CHECK_THROWS_WITH(refuse(dir.file("bad.jsonl")),
                    Catch::Contains("bad.jsonl:2: no \"text\" field"));
}

TEST_CASE("prepare refuses an output that would overwrite an input") {
  test::TempDir dir;
  write_file_atomic(dir.file("train_000000.bin"), "text that happens to have a shard's name\n");
  auto result = prepare("-i " + test::shell_quoted(dir.file("train_000000.bin")) + " -o " +
                        test::shell_quoted(dir.path()));
  CHECK(result.exit_code == 1);
  CHECK_THAT(result.output, Catch::Contains("output would overwrite input") &&
                                Catch::Contains("choose another --out"));
  CHECK(read_file(dir.file("train_000000.bin")) == "text that happens to have a shard's name\n");
}

TEST_CASE("prepare refuses ids that do not fit the chosen width") {
  // A byte-level vocabulary with 70,000 entries: the bytes plus added tokens.
  std::vector<std::string> vocab;
  for (int b = 0; b < 256; ++b) vocab.push_back(bytes_to_unicode_text(std::string(1, char(b))));
  while (vocab.size() < 70000) vocab.push_back("<|extra" + std::to_string(vocab.size()) + "|>");
  Gpt2Bpe big(vocab, {}, "test vocabulary");
  test::TempDir dir;
  write_file_atomic(dir.file("a.txt"), "some text\n");
  PrepareOptions o;
  o.inputs = {dir.file("a.txt")};
  o.out_dir = dir.file("out");
  o.progress = false;
  o.token_bits = 16;
  CHECK_THROWS_WITH(prepare_shards(o, big), Catch::Contains("70000 ids do not fit 16-bit shards") &&
                                                Catch::Contains("--token-bits 32"));
  o.token_bits = 0;  // automatic: 32-bit shards, llm.c's version 2
  o.val_fraction = 0;
  auto summary = prepare_shards(o, big);
  CHECK(summary.token_bits == 32);
}

TEST_CASE("prepare refuses several documents without an end-of-text token, and bad options") {
  test::TempDir dir;
  write_file_atomic(dir.file("a.txt"), "one\n");
  write_file_atomic(dir.file("b.txt"), "two\n");
  auto both =
      prepare("-i " + test::shell_quoted(dir.file("a.txt")) + " --val-fraction 0.1 --val-input " +
              test::shell_quoted(dir.file("b.txt")) + " -o " + test::shell_quoted(dir.file("out")));
  CHECK_THAT(both.output, Catch::Contains("either a validation fraction or validation files"));
  write_file_atomic(dir.file("x.txt"), "x");  // one token: nothing left for validation
  auto tiny = prepare("-i " + test::shell_quoted(dir.file("x.txt")) + " -o " +
                      test::shell_quoted(dir.file("out")));
  CHECK_THAT(tiny.output, Catch::Contains("1 tokens, too few for a validation fraction"));

  // A char model trained without an end-of-text token cannot separate two documents.
  SentencePieceTrainOptions char_model;
  char_model.model_type = "char";
  char_model.eos = false;
  char_model.inputs = {dir.file("a.txt"), dir.file("b.txt")};
  auto tokenizer = train_sentencepiece(char_model);
  PrepareOptions o;
  o.inputs = {dir.file("a.txt"), dir.file("b.txt")};
  o.out_dir = dir.file("out");
  o.progress = false;
  CHECK_THROWS_WITH(prepare_shards(o, *tokenizer),
                    Catch::Contains("no end-of-text token to put between the 2 documents"));
}

TEST_CASE(
    "prepare -o naming an existing file is refused, and --threads beyond the cores is capped") {
  test::TempDir dir;
  write_file_atomic(dir.file("in.txt"), "Hello world. Hello again.\n");
  write_file_atomic(dir.file("a_file"), "x");
  auto result = prepare("-i " + test::shell_quoted(dir.file("in.txt")) + " -o " +
                        test::shell_quoted(dir.file("a_file")));
  CHECK(result.exit_code == 1);
  CHECK_THAT(result.output,
             Catch::Contains("--out " + dir.file("a_file") + " is a file, not a directory") &&
                 !Catch::Contains("filesystem error"));
  CHECK(read_file(dir.file("a_file")) == "x");

  auto capped = prepare("-i " + test::shell_quoted(dir.file("in.txt")) + " -o " +
                        test::shell_quoted(dir.file("out")) + " --val-fraction 0 --threads 1000");
  INFO(capped.output);
  CHECK(capped.exit_code == 0);
  CHECK_THAT(capped.output, Catch::Contains("warning: --threads 1000 exceeds the"));
  CHECK_THAT(capped.output, !Catch::Contains("1000 threads"));
}

TEST_CASE("prepare warns with the count of bytes that are not valid UTF-8") {
  test::TempDir dir;
  write_file_atomic(dir.file("latin1.txt"), "caf\xe9 na\xefve, and more text.\n");
  auto result = prepare("-i " + test::shell_quoted(dir.file("latin1.txt")) + " -o " +
                        test::shell_quoted(dir.file("out")) + " --val-fraction 0");
  INFO(result.output);
  CHECK(result.exit_code == 0);
  CHECK_THAT(result.output, Catch::Contains("warning: 2 byte(s) of the input are not valid UTF-8 "
                                            "(first in " +
                                            dir.file("latin1.txt") + ")"));
  write_file_atomic(dir.file("clean.txt"), "caf\xc3\xa9 na\xc3\xafve.\n");
  auto clean = prepare("-i " + test::shell_quoted(dir.file("clean.txt")) + " -o " +
                       test::shell_quoted(dir.file("out2")) + " --val-fraction 0");
  CHECK(clean.exit_code == 0);
  CHECK_THAT(clean.output, !Catch::Contains("UTF-8"));
}
