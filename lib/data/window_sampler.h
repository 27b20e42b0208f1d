#pragma once
// Windows of T+1 consecutive tokens from a TokenStream, as (B, T) input/target batches.
//
// RandomWindows (pretraining): each row starts at a uniformly drawn offset, from its own
// std::mt19937_64 seeded by `seed` (never a global generator), with the uniform draw written
// out here (not std::uniform_int_distribution, which differs between standard libraries), so
// a saved state() restored later continues with exactly the same batches.
// SequentialWindows (evaluation): non-overlapping windows in order, every token predicted once.
#include <cstdint>
#include <memory>
#include <random>
#include <string>

#include "data/batch.h"
#include "data/token_stream.h"

namespace gpt2 {

class RandomWindows {
 public:
  RandomWindows(std::shared_ptr<const TokenStream> stream, int64_t batch_size, int64_t block_size,
                uint64_t seed);

  Batch next();
  int64_t batches_drawn() const { return batches_; }

  // The sampler's position as one line of JSON: {"seed":..,"batches":..,"engine":".."}.
  std::string state() const;
  // Restores a state() string; throws Error when it is malformed or from another seed.
  void restore(const std::string& state);

 private:
  std::shared_ptr<const TokenStream> stream_;
  int64_t batch_size_, block_size_;
  uint64_t seed_;
  std::mt19937_64 engine_;
  int64_t batches_ = 0;
};

class SequentialWindows {
 public:
  // stride: distance between window starts; 0 = block_size (each token a target once).
  SequentialWindows(std::shared_ptr<const TokenStream> stream, int64_t batch_size,
                    int64_t block_size, int64_t stride = 0);

  // Fills the next batch (the last may have fewer rows); false when the stream is exhausted.
  bool next(Batch& batch);
  void reset() { next_window_ = 0; }
  int64_t window_count() const { return windows_; }

 private:
  std::shared_ptr<const TokenStream> stream_;
  int64_t batch_size_, block_size_, stride_, windows_, next_window_ = 0;
};

// Uniform integer in [0, n) from a 64-bit engine, by rejection (portable and unbiased).
uint64_t uniform_below(std::mt19937_64& engine, uint64_t n);

}  // namespace gpt2
