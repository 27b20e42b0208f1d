#include "train/train_data.h"

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/json_error.h"
#include "core/strings.h"
#include "data/finetune_dataset.h"
#include "data/token_stream.h"
#include "data/window_sampler.h"

namespace gpt2 {
namespace {

// Validation windows are drawn from their own generator so they never depend on training.
constexpr uint64_t kValSeedOffset = 0x5eed;

class ShardBatches : public TrainBatches {
 public:
  ShardBatches(const DataConfig& data, int rank, int world_size)
      : stream_(TokenStream::open(data.train_shards)),
        sampler_(stream_, data.batch_size * world_size, data.block_size,
                 static_cast<uint64_t>(data.seed)),
        rows_(data.batch_size),
        rank_(rank),
        world_(world_size),
        block_size_(data.block_size) {}

  Batch next() override { return slice_rows(sampler_.next(), rank_ * rows_, rows_); }
  std::string state() const override { return sampler_.state(); }
  void restore(const std::string& state) override { sampler_.restore(state); }
  std::string describe() const override {
    return human_count(double(stream_->size())) + " training tokens in " +
           std::to_string(stream_->shard_count()) + " shard(s)";
  }
  // Windows are drawn at random offsets, so a "pass" is the data's size in tokens, not every
  // token seen once.
  double epochs_seen() const override {
    return double(sampler_.batches_drawn()) * double(rows_ * world_) / sequences_per_epoch();
  }
  double sequences_per_epoch() const override {
    return double(stream_->size()) / double(block_size_);
  }

 private:
  std::shared_ptr<const TokenStream> stream_;
  RandomWindows sampler_;
  int64_t rows_, rank_, world_, block_size_;
};

FinetuneOptions finetune_options(const DataConfig& data) {
  FinetuneOptions options;
  options.block_size = data.block_size;
  options.pack = data.pack;
  return options;
}

// Epochs of shuffled rows; the global micro-batch takes the next batch_size * world rows and
// crosses into the next epoch's order when one ends.
class FinetuneBatches : public TrainBatches {
 public:
  FinetuneBatches(const DataConfig& data, const Tokenizer& tokenizer, int rank, int world_size)
      : dataset_(FinetuneDataset::load(data.finetune_train, tokenizer, finetune_options(data))),
        seed_(static_cast<uint64_t>(data.seed)),
        rows_(data.batch_size),
        rank_(rank),
        world_(world_size) {
    require(dataset_.rows() > 0, data.finetune_train + ": no fine-tuning examples");
    order_ = dataset_.epoch_order(seed_, epoch_);
  }

  Batch next() override {
    std::vector<int64_t> ids;
    for (int64_t i = 0; i < rows_ * world_; ++i) {
      if (position_ >= static_cast<int64_t>(order_.size())) {
        order_ = dataset_.epoch_order(seed_, ++epoch_);
        position_ = 0;
      }
      int64_t row = order_[position_++];
      if (i / rows_ == rank_) ids.push_back(row);
    }
    return dataset_.batch(ids);
  }
  std::string state() const override {
    return nlohmann::json{{"seed", seed_}, {"epoch", epoch_}, {"position", position_}}.dump();
  }
  void restore(const std::string& state) override {
    try {
      auto json = nlohmann::json::parse(state);
      require(json.at("seed").get<uint64_t>() == seed_,
              "fine-tuning data state was saved with another data.seed; resume with the same "
              "seed");
      epoch_ = json.at("epoch").get<int64_t>();
      position_ = json.at("position").get<int64_t>();
      order_ = dataset_.epoch_order(seed_, epoch_);
    } catch (const nlohmann::json::exception& e) {
      throw Error(std::string("fine-tuning data state is not valid (") + json_error_text(e.what()) +
                  ")");
    }
  }
  std::string describe() const override {
    return std::to_string(dataset_.examples()) + " fine-tuning examples in " +
           std::to_string(dataset_.rows()) + " rows (" + std::to_string(dataset_.truncated()) +
           " truncated)";
  }
  double epochs_seen() const override {
    return double(epoch_) + double(position_) / double(order_.size());
  }
  double sequences_per_epoch() const override { return double(order_.size()); }

 private:
  FinetuneDataset dataset_;
  uint64_t seed_;
  int64_t rows_, rank_, world_, epoch_ = 0, position_ = 0;
  std::vector<int64_t> order_;
};

}  // namespace

Batch slice_rows(const Batch& batch, int64_t first_row, int64_t rows) {
  if (first_row == 0 && rows == batch.rows) return batch;
  Batch out;
  out.rows = rows;
  out.cols = batch.cols;
  const int64_t begin = first_row * batch.cols, end = (first_row + rows) * batch.cols;
  out.inputs.assign(batch.inputs.begin() + begin, batch.inputs.begin() + end);
  out.targets.assign(batch.targets.begin() + begin, batch.targets.begin() + end);
  if (!batch.loss_mask.empty())
    out.loss_mask.assign(batch.loss_mask.begin() + begin, batch.loss_mask.begin() + end);
  return out;
}

std::unique_ptr<TrainBatches> make_train_batches(const DataConfig& data, const Tokenizer* tokenizer,
                                                 int rank, int world_size) {
  if (!data.finetune_train.empty()) {
    require(tokenizer != nullptr,
            "data.finetune_train needs a tokenizer: set tokenizer.path or fine-tune from a model "
            "directory that holds one");
    return std::make_unique<FinetuneBatches>(data, *tokenizer, rank, world_size);
  }
  require(!data.train_shards.empty(),
          "no training data: set data.train_shards (token shards from `gpt2 prepare`) or "
          "data.finetune_train (prompt/completion JSONL)");
  return std::make_unique<ShardBatches>(data, rank, world_size);
}

std::vector<Batch> make_val_batches(const DataConfig& data, const Tokenizer* tokenizer,
                                    int64_t max_batches) {
  std::vector<Batch> batches;
  if (!data.finetune_val.empty()) {
    require(tokenizer != nullptr, "data.finetune_val needs a tokenizer (set tokenizer.path)");
    auto dataset = FinetuneDataset::load(data.finetune_val, *tokenizer, finetune_options(data));
    for (int64_t start = 0; start < dataset.rows(); start += data.batch_size) {
      if (max_batches > 0 && int64_t(batches.size()) >= max_batches) break;
      std::vector<int64_t> ids;
      for (int64_t r = start; r < std::min(dataset.rows(), start + data.batch_size); ++r)
        ids.push_back(r);
      batches.push_back(dataset.batch(ids));
    }
    return batches;
  }
  if (data.val_shards.empty()) return batches;
  auto stream = TokenStream::open(data.val_shards);
  if (max_batches > 0) {
    RandomWindows windows(stream, data.batch_size, data.block_size,
                          static_cast<uint64_t>(data.seed) + kValSeedOffset);
    for (int64_t i = 0; i < max_batches; ++i) batches.push_back(windows.next());
  } else {
    SequentialWindows windows(stream, data.batch_size, data.block_size);
    Batch batch;
    while (windows.next(batch)) batches.push_back(batch);
  }
  return batches;
}

}  // namespace gpt2
