#pragma once
// Counter-based random numbers, one stream per sequence: the n-th draw of sequence s under
// seed k is a pure function of (k, s, n) (SplitMix64 of a keyed counter). A sequence's samples
// therefore do not depend on which other sequences share its batch, nor on their order.
#include <cstdint>

namespace gpt2 {

class RandomStream {
 public:
  RandomStream(uint64_t seed, uint64_t sequence);
  uint64_t next_u64();
  double uniform();       // [0, 1)
  double uniform_open();  // (0, 1): safe under log
  double gumbel();        // standard Gumbel: -log(-log(U))
  uint64_t draws() const { return counter_; }

 private:
  uint64_t key_;
  uint64_t counter_ = 0;
};

// Index i with probability weights[i] / sum(weights), by inverse CDF with u in [0, 1).
// Zero weights are never drawn.
int64_t sample_index(const float* weights, int64_t n, double u);

}  // namespace gpt2
