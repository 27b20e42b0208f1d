#pragma once
// Timing for the bench/ programs: one warm-up run, then the median of `repeats` runs (on 2
// shared cores single runs swing 10-20%).
#include <algorithm>
#include <chrono>
#include <functional>
#include <vector>

namespace gpt2::bench {

inline double median_seconds(int repeats, const std::function<void()>& work) {
  work();  // warm-up: allocations, caches, optimizer state
  std::vector<double> times;
  for (int i = 0; i < repeats; ++i) {
    auto start = std::chrono::steady_clock::now();
    work();
    times.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

}  // namespace gpt2::bench
