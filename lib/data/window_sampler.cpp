#include "data/window_sampler.h"

#include <nlohmann/json.hpp>
#include <sstream>

#include "core/error.h"
#include "core/json_error.h"

namespace gpt2 {
namespace {

void fill_row(const TokenStream& stream, int64_t start, int64_t block_size, Batch& batch,
              int64_t row) {
  std::vector<int64_t> window(block_size + 1);
  stream.read(start, block_size + 1, window.data());
  std::copy(window.begin(), window.end() - 1, batch.inputs.begin() + row * block_size);
  std::copy(window.begin() + 1, window.end(), batch.targets.begin() + row * block_size);
}

Batch empty_batch(int64_t rows, int64_t cols) {
  Batch batch;
  batch.rows = rows;
  batch.cols = cols;
  batch.inputs.assign(rows * cols, 0);
  batch.targets.assign(rows * cols, 0);
  return batch;
}

}  // namespace

uint64_t uniform_below(std::mt19937_64& engine, uint64_t n) {
  const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  uint64_t x;
  do x = engine();
  while (x >= limit);
  return x % n;
}

RandomWindows::RandomWindows(std::shared_ptr<const TokenStream> stream, int64_t batch_size,
                             int64_t block_size, uint64_t seed)
    : stream_(std::move(stream)),
      batch_size_(batch_size),
      block_size_(block_size),
      seed_(seed),
      engine_(seed) {
  require(batch_size > 0 && block_size > 0, "batch_size and block_size must be > 0");
  require(stream_->size() >= block_size + 1,
          "the token shards hold " + std::to_string(stream_->size()) +
              " tokens, fewer than one window of block_size + 1 = " +
              std::to_string(block_size + 1) + "; use a smaller block_size or more data");
}

Batch RandomWindows::next() {
  Batch batch = empty_batch(batch_size_, block_size_);
  const uint64_t starts = stream_->size() - block_size_;  // valid window starts
  for (int64_t row = 0; row < batch_size_; ++row)
    fill_row(*stream_, static_cast<int64_t>(uniform_below(engine_, starts)), block_size_, batch,
             row);
  ++batches_;
  return batch;
}

std::string RandomWindows::state() const {
  std::ostringstream engine;
  engine << engine_;
  nlohmann::json json = {{"seed", seed_}, {"batches", batches_}, {"engine", engine.str()}};
  return json.dump();
}

void RandomWindows::restore(const std::string& state) {
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(state);
    require(json.at("seed").get<uint64_t>() == seed_,
            "sampler state was saved with seed " + json.at("seed").dump() + ", this run uses " +
                std::to_string(seed_) + "; resume with the same data.seed");
    std::istringstream engine(json.at("engine").get<std::string>());
    std::mt19937_64 restored;
    engine >> restored;
    require(!engine.fail(), "sampler state: the engine field is corrupt");
    engine_ = restored;
    batches_ = json.at("batches").get<int64_t>();
  } catch (const nlohmann::json::exception& e) {
    throw Error(std::string("sampler state is not valid (") + json_error_text(e.what()) + ")");
  }
}

SequentialWindows::SequentialWindows(std::shared_ptr<const TokenStream> stream, int64_t batch_size,
                                     int64_t block_size, int64_t stride)
    : stream_(std::move(stream)),
      batch_size_(batch_size),
      block_size_(block_size),
      stride_(stride > 0 ? stride : block_size) {
  require(batch_size > 0 && block_size > 0, "batch_size and block_size must be > 0");
  int64_t n = stream_->size();
  windows_ = n >= block_size + 1 ? (n - block_size - 1) / stride_ + 1 : 0;
  require(windows_ > 0, "the token shards hold " + std::to_string(n) +
                            " tokens, fewer than one window of block_size + 1 = " +
                            std::to_string(block_size + 1));
}

bool SequentialWindows::next(Batch& batch) {
  if (next_window_ >= windows_) return false;
  int64_t rows = std::min(batch_size_, windows_ - next_window_);
  batch = empty_batch(rows, block_size_);
  for (int64_t row = 0; row < rows; ++row)
    fill_row(*stream_, (next_window_ + row) * stride_, block_size_, batch, row);
  next_window_ += rows;
  return true;
}

}  // namespace gpt2
