// KVCache::reorder keeps the filled positions of the selected rows, for beam permutations
// (rows repeated and dropped) and for a new batch size.
#include <ATen/ATen.h>

#include <catch2/catch.hpp>

#include "model/kv_cache.h"
#include "tiny_model_config.h"

using namespace gpt2;

namespace {

KVCache filled_cache(int64_t batch, int64_t capacity, int64_t length) {
  ModelConfig config = test::tiny_model_config(50257, 16, 8);
  auto cache = KVCache::allocate(config, batch, capacity, at::kFloat);
  for (auto& t : cache.keys) t.normal_();
  for (auto& t : cache.values) t.normal_();
  cache.length = length;
  return cache;
}

void check_rows(const KVCache& before, const KVCache& after, const std::vector<int64_t>& index) {
  REQUIRE(after.batch_size() == int64_t(index.size()));
  REQUIRE(after.capacity() == before.capacity());
  for (size_t layer = 0; layer < before.keys.size(); ++layer)
    for (size_t row = 0; row < index.size(); ++row) {
      INFO("layer " << layer << " row " << row);
      auto filled = [&](const at::Tensor& t, int64_t r) {
        return t[r].narrow(1, 0, before.length);
      };
      CHECK(filled(after.keys[layer], row).equal(filled(before.keys[layer], index[row])));
      CHECK(filled(after.values[layer], row).equal(filled(before.values[layer], index[row])));
    }
}

KVCache copy_of(const KVCache& cache) {
  KVCache copy = cache;
  for (auto& t : copy.keys) t = t.clone();
  for (auto& t : copy.values) t = t.clone();
  return copy;
}

}  // namespace

TEST_CASE("KV cache reorder: beam permutations and new batch sizes keep the filled rows") {
  auto cache = filled_cache(4, 10, 3);
  auto before = copy_of(cache);
  std::vector<int64_t> beams = {2, 0, 0, 1};  // row 3 dropped, row 0 twice
  cache.reorder(at::tensor(beams));
  check_rows(before, cache, beams);

  auto identity_before = copy_of(cache);
  cache.reorder(at::arange(4, at::kLong));
  check_rows(identity_before, cache, {0, 1, 2, 3});

  auto expand_before = copy_of(cache);
  std::vector<int64_t> expand = {1, 1, 1};  // one prompt expanded to three beams
  cache.reorder(at::tensor(expand));
  check_rows(expand_before, cache, expand);
  CHECK(cache.length == 3);
}
