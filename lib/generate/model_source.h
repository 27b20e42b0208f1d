#pragma once
// GPT-2 as a LogitsSource: the decode loops' view of GPT2LMHeadModel, with its KV cache.
// The header stays free of torch::nn so decoding code compiles quickly.
#include <memory>

#include "generate/logits_source.h"

namespace gpt2 {

class GPT2LMHeadModelImpl;
struct KVCache;

class ModelSource : public LogitsSource {
 public:
  // use_cache = false recomputes the whole sequence each step (for checking the cache).
  ModelSource(std::shared_ptr<GPT2LMHeadModelImpl> model, bool use_cache);
  ~ModelSource() override;

  int64_t vocab_size() const override;
  int64_t context_length() const override;
  bool incremental() const override { return use_cache_; }
  void start(int64_t batch_size, int64_t capacity) override;
  at::Tensor step(const StepInput& input) override;
  void select_rows(const at::Tensor& index) override;
  StepOutput step_all(const StepInput& input, bool hidden) override;
  void rollback(const std::vector<int64_t>& lengths) override;
  void gather_positions(const at::Tensor& index) override;

 private:
  std::shared_ptr<GPT2LMHeadModelImpl> model_;
  std::unique_ptr<KVCache> cache_;
  bool use_cache_;
};

}  // namespace gpt2
