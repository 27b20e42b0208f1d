#include "generate/model_source.h"

#include <c10/core/InferenceMode.h>

#include "model/gpt2_model.h"

namespace gpt2 {

ModelSource::ModelSource(std::shared_ptr<GPT2LMHeadModelImpl> model, bool use_cache)
    : model_(std::move(model)), cache_(std::make_unique<KVCache>()), use_cache_(use_cache) {
  model_->eval();
}

ModelSource::~ModelSource() = default;

int64_t ModelSource::vocab_size() const {
  return model_->config().vocab_size;
}

int64_t ModelSource::context_length() const {
  return model_->config().n_positions;
}

void ModelSource::start(int64_t batch_size, int64_t capacity) {
  c10::InferenceMode guard;
  *cache_ = use_cache_ ? model_->new_cache(batch_size, capacity) : KVCache{};
}

at::Tensor ModelSource::step(const StepInput& input) {
  c10::InferenceMode guard;
  const auto device = model_->transformer->wte->weight.device();
  ForwardArgs args;
  args.attention_mask = input.attention_mask.to(device);
  args.position_ids = input.position_ids.to(device);
  args.cache = use_cache_ ? cache_.get() : nullptr;
  args.last_logits_only = true;
  auto logits = model_->forward(input.input_ids.to(device), args).logits;  // (B, 1, V)
  // The decode loops work on CPU float32 rows (processors, sampling, beams): on CUDA only the
  // (B, V) logits cross, once a step.
  return logits.select(1, 0).to(at::kCPU, at::kFloat);  // (B, V)
}

void ModelSource::select_rows(const at::Tensor& index) {
  if (!use_cache_ || cache_->empty()) return;
  c10::InferenceMode guard;
  cache_->reorder(index.to(cache_->keys.front().device()));
}

}  // namespace gpt2
