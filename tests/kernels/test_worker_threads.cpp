// parallel_chunks (worker_threads.h): every index of [0, n) runs exactly once, in at most
// n / grain chunks (rounded up) and at most one per thread, on our workers under
// OMP_WAIT_POLICY=passive (ctest sets it) and on OpenMP's threads otherwise; nested calls and
// concurrent callers run inline; a body's exception reaches the caller.
#include <ATen/Parallel.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "kernels/worker_threads.h"

using namespace gpt2;

namespace {

// Runs parallel_chunks(n, grain) and checks each index was visited once; returns the chunks.
std::vector<std::pair<int64_t, int64_t>> visited_chunks(int64_t n, int64_t grain) {
  std::vector<std::atomic<int>> visits(static_cast<size_t>(n));
  std::mutex mutex;
  std::vector<std::pair<int64_t, int64_t>> chunks;
  parallel_chunks(n, grain, [&](int64_t first, int64_t last) {
    for (int64_t i = first; i < last; ++i) visits[size_t(i)]++;
    std::lock_guard<std::mutex> lock(mutex);
    chunks.emplace_back(first, last);
  });
  for (int64_t i = 0; i < n; ++i) {
    INFO("n " << n << " grain " << grain << " index " << i);
    REQUIRE(visits[size_t(i)].load() == 1);
  }
  return chunks;
}

}  // namespace

TEST_CASE("parallel_chunks covers every index once, in at most one chunk per thread") {
  const int threads = at::get_num_threads();
  at::set_num_threads(2);
  INFO("spinning workers: " << spinning_workers_enabled());
  for (int64_t n : {1, 2, 3, 5, 7, 64, 1001})
    for (int64_t grain : {1, 2, 4, 100}) {
      auto chunks = visited_chunks(n, grain);
      const int64_t expected = std::min<int64_t>(2, (n + grain - 1) / grain);
      CHECK(int64_t(chunks.size()) == expected);
      std::sort(chunks.begin(), chunks.end());
      for (size_t c = 0; c < chunks.size(); ++c)  // equal cuts, the last the rest
        CHECK(chunks[c].first == int64_t(c) * ((n + expected - 1) / expected));
    }
  CHECK(visited_chunks(0, 1).empty());
  at::set_num_threads(threads);
}

TEST_CASE("parallel_chunks inside a chunk runs on the calling thread") {
  const int threads = at::get_num_threads();
  at::set_num_threads(2);
  std::atomic<int> inner_chunks{0}, inner_indices{0};
  parallel_chunks(2, 1, [&](int64_t, int64_t) {
    CHECK(in_parallel_work());
    parallel_chunks(10, 1, [&](int64_t first, int64_t last) {
      inner_chunks++;
      inner_indices += int(last - first);
    });
  });
  CHECK(inner_chunks == 2);  // one whole [0, 10) per outer chunk
  CHECK(inner_indices == 20);
  CHECK_FALSE(in_parallel_work());
  at::set_num_threads(threads);
}

TEST_CASE("parallel_chunks from two threads at once gives each caller its whole range") {
  const int threads = at::get_num_threads();
  at::set_num_threads(2);
  std::atomic<int64_t> sums[2] = {{0}, {0}};
  auto caller = [&](int which) {
    for (int round = 0; round < 200; ++round)
      parallel_chunks(100, 1, [&](int64_t first, int64_t last) {
        for (int64_t i = first; i < last; ++i) sums[which] += i;
      });
  };
  std::thread a(caller, 0), b(caller, 1);
  a.join();
  b.join();
  CHECK(sums[0] == 200 * 4950);
  CHECK(sums[1] == 200 * 4950);
  at::set_num_threads(threads);
}

TEST_CASE("an exception in a chunk reaches the caller, and the workers go on") {
  const int threads = at::get_num_threads();
  at::set_num_threads(2);
  CHECK_THROWS_WITH(parallel_chunks(2, 1,
                                    [](int64_t first, int64_t) {
                                      if (first == 1) throw std::runtime_error("chunk 1 failed");
                                    }),
                    "chunk 1 failed");
  CHECK(visited_chunks(64, 1).size() == 2);
  at::set_num_threads(threads);
}
