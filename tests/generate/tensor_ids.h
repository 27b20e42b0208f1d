#pragma once
// A tensor of token ids as a vector (the decode tests compare ids, not tensors).
#include <ATen/ATen.h>

#include <cstdint>
#include <vector>

namespace gpt2::test {

inline std::vector<int64_t> ids_of(const at::Tensor& t) {
  auto c = t.contiguous();
  return {c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel()};
}

}  // namespace gpt2::test
