#pragma once
// The "data" config section: where training and validation tokens come from and the batch
// shape. Pretraining reads token shards (`gpt2 prepare`); fine-tuning reads prompt/completion
// JSONL (finetune_dataset.h) instead.
#include <cstdint>
#include <string>
#include <vector>

#include "config/fields.h"
#include "core/error.h"

namespace gpt2 {

struct DataConfig {
  static constexpr const char* kSection = "data";

  std::vector<std::string> train_shards;  // paths or globs of token shards
  std::vector<std::string> val_shards;
  std::string finetune_train;  // JSONL {"prompt", "completion"}; replaces train_shards
  std::string finetune_val;
  bool pack = false;  // fine-tuning: pack examples back to back instead of padding each
  int64_t batch_size = 8;
  int64_t block_size = 1024;
  int64_t seed = 1337;

  void visit(FieldVisitor& v) {
    v.field("train_shards", train_shards, "token shards for training (paths or globs)");
    v.field("val_shards", val_shards, "token shards for validation (paths or globs)");
    v.field("finetune_train", finetune_train,
            "fine-tuning JSONL with prompt/completion (instead of train_shards)");
    v.field("finetune_val", finetune_val, "fine-tuning JSONL for validation");
    v.field("pack", pack, "fine-tuning: pack examples into full rows instead of padding");
    v.field("batch_size", batch_size, "sequences per batch (B)", Rule::positive());
    v.field("block_size", block_size, "tokens per sequence (T); at most model.n_positions",
            Rule::positive());
    v.field("seed", seed, "seed of the window sampler's own generator", Rule::non_negative());
  }
  void validate() const {
    require(train_shards.empty() || finetune_train.empty(),
            "data: set train_shards (pretraining) or finetune_train (fine-tuning), not both");
  }
};

}  // namespace gpt2
