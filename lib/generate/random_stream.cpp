#include "generate/random_stream.h"

#include <cmath>

#include "core/error.h"

namespace gpt2 {

namespace {

uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

constexpr uint64_t kGamma = 0x9e3779b97f4a7c15ULL;

}  // namespace

RandomStream::RandomStream(uint64_t seed, uint64_t sequence)
    : key_(mix64(mix64(seed + kGamma) ^ mix64(sequence * 0xd1b54a32d192ed03ULL + 1))) {}

uint64_t RandomStream::next_u64() {
  return mix64(key_ + (++counter_) * kGamma);
}

double RandomStream::uniform() {
  return static_cast<double>(next_u64() >> 11) * 0x1.0p-53;
}

double RandomStream::uniform_open() {
  return (static_cast<double>(next_u64() >> 11) + 0.5) * 0x1.0p-53;
}

double RandomStream::gumbel() {
  return -std::log(-std::log(uniform_open()));
}

int64_t sample_index(const float* weights, int64_t n, double u) {
  double total = 0;
  for (int64_t i = 0; i < n; ++i) total += weights[i];
  require(total > 0 && std::isfinite(total),
          "cannot sample: the probabilities sum to " + std::to_string(total));
  double target = u * total, running = 0;
  int64_t last_positive = -1;
  for (int64_t i = 0; i < n; ++i) {
    if (weights[i] <= 0) continue;
    running += weights[i];
    last_positive = i;
    if (target < running) return i;
  }
  return last_positive;  // rounding left target at the very end
}

}  // namespace gpt2
