#include <catch2/catch.hpp>
#include <set>

#include "core/error.h"
#include "data/shard_format.h"
#include "data/token_stream.h"
#include "data/window_sampler.h"
#include "test_support.h"

using namespace gpt2;

namespace {
// Two shards holding the stream 0, 1, ..., n-1 (token value == stream position).
std::shared_ptr<const TokenStream> counting_stream(const test::TempDir& dir, uint32_t n) {
  std::vector<uint32_t> a, b;
  for (uint32_t i = 0; i < n; ++i) (i < n / 3 ? a : b).push_back(i);
  write_shard(dir.file("s_000000.bin"), a, 4);
  write_shard(dir.file("s_000001.bin"), b, 4);
  return TokenStream::open({dir.path() + "/s_*.bin"});
}

bool same(const Batch& x, const Batch& y) {
  return x.inputs == y.inputs && x.targets == y.targets;
}
}  // namespace

TEST_CASE("token stream: memory-mapped shards read as one stream") {
  test::TempDir dir;
  auto stream = counting_stream(dir, 3000);
  CHECK(stream->shard_count() == 2);
  CHECK(stream->size() == 3000);
  std::vector<int64_t> out(10);
  stream->read(995, 10, out.data());  // crosses the boundary at 1000
  for (int i = 0; i < 10; ++i) CHECK(out[i] == 995 + i);
  CHECK_THROWS_WITH(stream->read(2995, 10, out.data()), Catch::Contains("outside the 3000-token"));
  CHECK_THROWS_WITH(TokenStream::open({dir.path() + "/none_*.bin"}),
                    Catch::Contains("no file matches the token shard pattern"));
}

TEST_CASE("random windows: contiguous (B, T+1) windows, targets shifted by one") {
  test::TempDir dir;
  auto stream = counting_stream(dir, 3000);
  RandomWindows sampler(stream, 4, 16, 42);
  std::set<int64_t> starts;
  for (int step = 0; step < 50; ++step) {
    Batch batch = sampler.next();
    REQUIRE(batch.rows == 4);
    REQUIRE(batch.cols == 16);
    CHECK(batch.loss_mask.empty());
    for (int64_t r = 0; r < 4; ++r) {
      int64_t start = batch.at(batch.inputs, r, 0);
      starts.insert(start);
      CHECK(start + 16 < 3000);
      for (int64_t t = 0; t < 16; ++t) {
        CHECK(batch.at(batch.inputs, r, t) == start + t);
        CHECK(batch.at(batch.targets, r, t) == start + t + 1);
      }
    }
  }
  CHECK(starts.size() > 150);  // 200 draws over 2984 starts: nearly all distinct
  CHECK(sampler.batches_drawn() == 50);
}

TEST_CASE("random windows: seeded, and a saved state resumes exactly") {
  test::TempDir dir;
  auto stream = counting_stream(dir, 5000);
  RandomWindows a(stream, 3, 8, 7), b(stream, 3, 8, 7), other(stream, 3, 8, 8);
  CHECK(same(a.next(), b.next()));
  CHECK_FALSE(same(a.next(), other.next()));
  a.next();
  std::string state = a.state();
  Batch fourth = a.next(), fifth = a.next();

  RandomWindows resumed(stream, 3, 8, 7);
  resumed.restore(state);
  CHECK(resumed.batches_drawn() == 3);
  CHECK(same(resumed.next(), fourth));
  CHECK(same(resumed.next(), fifth));

  RandomWindows wrong_seed(stream, 3, 8, 9);
  CHECK_THROWS_WITH(wrong_seed.restore(state), Catch::Contains("saved with seed 7"));
  CHECK_THROWS_WITH(resumed.restore("{not json"), Catch::Contains("sampler state is not valid"));
}

TEST_CASE("uniform_below is unbiased in range and portable") {
  std::mt19937_64 engine(1);
  std::vector<int> counts(3, 0);
  for (int i = 0; i < 30000; ++i) ++counts[uniform_below(engine, 3)];
  for (int c : counts) CHECK(std::abs(c - 10000) < 500);
  // mt19937_64's 10000th output is fixed by the C++ standard, so the draws are too.
  std::mt19937_64 standard;
  standard.discard(9999);
  CHECK(standard() == 9981545732273789042ULL);
}

TEST_CASE("sequential windows: every token a target once, last batch short") {
  test::TempDir dir;
  auto stream = counting_stream(dir, 1000);
  SequentialWindows windows(stream, 4, 64);
  // Starts 0, 64, ..., while start + 65 <= 1000: (1000 - 65) / 64 + 1 = 15 windows.
  CHECK(windows.window_count() == 15);
  Batch batch;
  std::vector<int64_t> targets;
  int batches = 0;
  while (windows.next(batch)) {
    ++batches;
    targets.insert(targets.end(), batch.targets.begin(), batch.targets.end());
    if (batches == 4) CHECK(batch.rows == 3);
  }
  CHECK(batches == 4);
  REQUIRE(targets.size() == 15 * 64);
  for (size_t i = 0; i < targets.size(); ++i) CHECK(targets[i] == static_cast<int64_t>(i + 1));
  windows.reset();
  CHECK(windows.next(batch));
  CHECK(batch.inputs.front() == 0);
  CHECK_THROWS_WITH(SequentialWindows(stream, 1, 1000), Catch::Contains("fewer than one window"));
}
