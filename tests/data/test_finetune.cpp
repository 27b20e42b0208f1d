#include <catch2/catch.hpp>
#include <set>

#include "core/files.h"
#include "data/finetune_dataset.h"
#include "openai_tokenizer.h"
#include "test_support.h"
#include "tokenizer/gpt2_bpe.h"

using namespace gpt2;

namespace {
std::vector<int32_t> ids(const std::string& text) {
  return test::openai_tokenizer().encode(text);
}

// prompt ids, then completion ids + <|endoftext|>, and which of them count in the loss.
void example(const std::string& prompt, const std::string& completion, std::vector<int32_t>& tokens,
             std::vector<uint8_t>& counts) {
  for (int32_t id : ids(prompt)) tokens.push_back(id), counts.push_back(0);
  for (int32_t id : ids(completion)) tokens.push_back(id), counts.push_back(1);
  tokens.push_back(50256), counts.push_back(1);
}
}  // namespace

TEST_CASE("fine-tuning with padding: the loss covers only completion tokens and end-of-text") {
  test::TempDir dir;
  write_file_atomic(dir.file("ft.jsonl"),
                    "{\"prompt\": \"Q: 2+2?\", \"completion\": \" A: 4\"}\n"
                    "{\"prompt\": \"Translate: chat\", \"completion\": \" cat\"}\n");
  FinetuneOptions options;
  options.block_size = 16;
  auto set = FinetuneDataset::load(dir.file("ft.jsonl"), test::openai_tokenizer(), options);
  REQUIRE(set.rows() == 2);
  CHECK(set.truncated() == 0);
  Batch batch = set.batch({0, 1});
  REQUIRE(batch.rows == 2);
  REQUIRE(batch.cols == 16);
  const char* prompts[] = {"Q: 2+2?", "Translate: chat"};
  const char* completions[] = {" A: 4", " cat"};
  for (int r = 0; r < 2; ++r) {
    std::vector<int32_t> tokens;
    std::vector<uint8_t> counts;
    example(prompts[r], completions[r], tokens, counts);
    tokens.resize(17, 50256);  // padded with <|endoftext|> (GPT-2 has no pad token)
    counts.resize(17, 0);
    for (int t = 0; t < 16; ++t) {
      CHECK(batch.at(batch.inputs, r, t) == tokens[t]);
      CHECK(batch.loss_mask[r * 16 + t] == counts[t + 1]);
      CHECK(batch.at(batch.targets, r, t) == (counts[t + 1] ? tokens[t + 1] : kIgnoreIndex));
    }
  }
}

TEST_CASE("fine-tuning with packing: examples back to back, windows every T tokens") {
  test::TempDir dir;
  std::string lines;
  std::vector<int32_t> stream;
  std::vector<uint8_t> counts;
  for (int i = 0; i < 5; ++i) {
    std::string prompt = "Question number " + std::to_string(i) + "?";
    std::string completion = " Answer " + std::to_string(i * 7) + ".";
    lines += "{\"prompt\": \"" + prompt + "\", \"completion\": \"" + completion + "\"}\n";
    example(prompt, completion, stream, counts);
  }
  write_file_atomic(dir.file("ft.jsonl"), lines);
  FinetuneOptions options;
  options.block_size = 8;
  options.pack = true;
  auto set = FinetuneDataset::load(dir.file("ft.jsonl"), test::openai_tokenizer(), options);
  CHECK(set.examples() == 5);
  CHECK(set.rows() == static_cast<int64_t>((stream.size() - 2) / 8 + 1));
  for (int64_t r = 0; r < set.rows(); ++r)
    for (int t = 0; t < 9 && r * 8 + t < static_cast<int64_t>(stream.size()); ++t) {
      CHECK(set.row_tokens(r)[t] == stream[r * 8 + t]);
      CHECK(set.row_completion(r)[t] == counts[r * 8 + t]);
    }

  options.pack = false;
  options.block_size = 4;
  auto cut = FinetuneDataset::load(dir.file("ft.jsonl"), test::openai_tokenizer(), options);
  CHECK(cut.truncated() == 5);  // every example is longer than 5 tokens
}

TEST_CASE("fine-tuning epochs: a deterministic shuffle per (seed, epoch)") {
  test::TempDir dir;
  std::string lines;
  for (int i = 0; i < 20; ++i) lines += "{\"prompt\": \"p\", \"completion\": \"c\"}\n";
  write_file_atomic(dir.file("ft.jsonl"), lines);
  FinetuneOptions options;
  options.block_size = 8;
  auto set = FinetuneDataset::load(dir.file("ft.jsonl"), test::openai_tokenizer(), options);
  auto order = set.epoch_order(1, 0);
  CHECK(std::set<int64_t>(order.begin(), order.end()).size() == 20);
  CHECK(set.epoch_order(1, 0) == order);
  CHECK(set.epoch_order(1, 1) != order);
  CHECK(set.epoch_order(2, 0) != order);
}

TEST_CASE("fine-tuning refuses lines without prompt and completion") {
  test::TempDir dir;
  write_file_atomic(dir.file("bad.jsonl"),
                    "{\"prompt\": \"p\", \"completion\": \"c\"}\n{\"q\": 1}\n");
  CHECK_THROWS_WITH(FinetuneDataset::load(dir.file("bad.jsonl"), test::openai_tokenizer(), {}),
                    Catch::Contains("bad.jsonl:2: expected a string field \"prompt\""));
}
