// Fine-tuning a model directory on prompt/completion JSONL: the weights come from the
// directory, the loss covers completions only, and checkpoints are model directories with the
// tokenizer; the training data's epoch count (trainer_state.json's epoch).
#include <ATen/ATen.h>

#include <catch2/catch.hpp>
#include <cmath>

#include "core/files.h"
#include "data/shard_format.h"
#include "io/checkpoint.h"
#include "test_support.h"
#include "tiny_model_config.h"
#include "tokenizer/tokenizer_io.h"
#include "train/train_data.h"
#include "train/trainer.h"
#include "train_test_util.h"

using namespace gpt2;

TEST_CASE("fine-tuning a model directory on prompt/completion JSONL") {
  test::TempDir dir;
  ModelConfig config = test::tiny_model_config(50257, 32, 16, /*n_layer=*/1);
  at::manual_seed(3);
  GPT2LMHeadModel base(config);
  save_model_dir(*base, dir.file("base"));
  save_tokenizer(*load_tokenizer(test::data_path(nullptr, "gpt2")), dir.file("base"));
  std::string jsonl;
  for (int i = 0; i < 6; ++i)
    jsonl += "{\"prompt\": \"Q: what is " + std::to_string(i) +
             " + 1?\\nA:\", \"completion\": \" " + std::to_string(i + 1) + "\"}\n";
  write_file_atomic(dir.file("sft.jsonl"), jsonl);

  TrainSections s = test::tiny_sections(dir.path(), dir.file("run"));
  s.train.init_from = dir.file("base");
  s.data.train_shards.clear();
  s.data.val_shards.clear();
  s.data.finetune_train = dir.file("sft.jsonl");
  s.data.finetune_val = dir.file("sft.jsonl");
  s.data.block_size = 16;
  s.data.batch_size = 2;
  s.train.max_steps = 4;
  s.train.warmup_steps = 1;
  s.train.eval_interval = 0;
  s.train.eval_batches = 0;
  s.train.lr = 1e-2;
  std::vector<double> losses;
  TrainOptions options;
  options.on_step = [&](int64_t, double loss) { losses.push_back(loss); };
  TrainResult r = train(s, options);
  REQUIRE(losses.size() == 4);
  // A completion is 1-2 tokens + end-of-text: the first loss is that of the base model on
  // those tokens, near log(50257) = 10.8 for random weights, and training lowers it.
  CHECK(losses[0] == Approx(std::log(50257.0)).margin(0.5));
  CHECK(losses[3] < losses[0]);
  CHECK(std::isfinite(r.last_val_loss));
  const std::string checkpoint = dir.file("run/latest");
  CHECK(file_exists(checkpoint + "/config.json"));
  CHECK(has_tokenizer(checkpoint));
  CHECK(read_hf_config(checkpoint + "/config.json").n_embd == 16);
}

TEST_CASE("the training data counts its epochs: rows for fine-tuning, tokens for shards") {
  test::TempDir dir;
  auto tokenizer = load_tokenizer(test::data_path(nullptr, "gpt2"));
  std::string jsonl;
  for (int i = 0; i < 5; ++i)
    jsonl += "{\"prompt\": \"Q: " + std::to_string(i) + "?\", \"completion\": \" yes\"}\n";
  write_file_atomic(dir.file("sft.jsonl"), jsonl);
  DataConfig data;
  data.finetune_train = dir.file("sft.jsonl");
  data.block_size = 16;
  data.batch_size = 2;
  auto rows = make_train_batches(data, tokenizer.get(), 0, 1);
  REQUIRE(rows->sequences_per_epoch() == 5);  // 5 examples, one row each
  CHECK(rows->epochs_seen() == 0);
  rows->next();
  CHECK(rows->epochs_seen() == Approx(2.0 / 5));
  rows->next();
  rows->next();  // crosses into the second epoch: epoch 1, position 1
  CHECK(rows->epochs_seen() == Approx(6.0 / 5));
  auto restored = make_train_batches(data, tokenizer.get(), 0, 1);
  restored->restore(rows->state());
  CHECK(restored->epochs_seen() == Approx(6.0 / 5));
  // Rank 1 of 2 counts the rows of both ranks: 4 per micro-batch.
  auto rank1 = make_train_batches(data, tokenizer.get(), 1, 2);
  rank1->next();
  rank1->next();
  CHECK(rank1->epochs_seen() == Approx(8.0 / 5));

  std::vector<uint32_t> tokens(1000);
  for (size_t i = 0; i < tokens.size(); ++i) tokens[i] = uint32_t(i % 50);
  write_shard(dir.file("train_000000.bin"), tokens, 2);
  DataConfig shards;
  shards.train_shards = {dir.file("train_*.bin")};
  shards.block_size = 8;
  shards.batch_size = 2;
  auto windows = make_train_batches(shards, nullptr, 0, 2);
  CHECK(windows->sequences_per_epoch() == Approx(1000.0 / 8));
  for (int i = 0; i < 3; ++i) windows->next();
  // 3 micro-batches x 2 rows x 2 ranks x 8 tokens of 1000 tokens.
  CHECK(windows->epochs_seen() == Approx(3.0 * 2 * 2 * 8 / 1000));
}
