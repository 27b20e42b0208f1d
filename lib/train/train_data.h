#pragma once
// The trainer's view of the data section: per-rank training micro-batches with a saveable
// position, and a fixed list of validation batches.
//
// Every rank draws the same global micro-batch (batch_size * world_size rows, from one
// generator seeded by data.seed) and keeps its own slice of rows, so a run on W ranks sees
// exactly the rows one process with W times the batch size sees, and the data position is the
// same on every rank (rank 0's checkpoint restores them all).
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "data/batch.h"
#include "data/data_config.h"
#include "tokenizer/tokenizer.h"

namespace gpt2 {

class TrainBatches {
 public:
  virtual ~TrainBatches() = default;
  // This rank's next micro-batch: (data.batch_size, data.block_size).
  virtual Batch next() = 0;
  virtual std::string state() const = 0;
  virtual void restore(const std::string& state) = 0;
  virtual std::string describe() const = 0;  // "304.2K tokens in 1 shard" for the log
  // Passes over the training data so far (all ranks together): token windows, tokens consumed /
  // tokens in the shards; fine-tuning rows, epoch + position / rows. 1.5 = one and a half.
  virtual double epochs_seen() const = 0;
  // The sequences (rows of a micro-batch) one pass holds: tokens / block_size, or the rows.
  virtual double sequences_per_epoch() const = 0;
};

// Token shards (data.train_shards) or fine-tuning JSONL (data.finetune_train; needs the
// tokenizer). Throws Error when neither is set.
std::unique_ptr<TrainBatches> make_train_batches(const DataConfig& data, const Tokenizer* tokenizer,
                                                 int rank, int world_size);

// The validation batches: max_batches (0 = all) batches from data.val_shards (windows drawn
// once with a fixed seed; all = every token once, in order) or data.finetune_val. Empty when
// the config names no validation data.
std::vector<Batch> make_val_batches(const DataConfig& data, const Tokenizer* tokenizer,
                                    int64_t max_batches);

// Rows [rank * rows, (rank + 1) * rows) of `batch`.
Batch slice_rows(const Batch& batch, int64_t first_row, int64_t rows);

}  // namespace gpt2
