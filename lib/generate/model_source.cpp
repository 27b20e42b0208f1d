#include "generate/model_source.h"

#include <c10/core/InferenceMode.h>

#include <algorithm>

#include "core/error.h"
#include "kernels/matmul_rows.h"
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

namespace {

// A step's mask and positions on the model's device, with the cache when kept.
ForwardArgs forward_args(const StepInput& input, c10::Device device, KVCache* cache) {
  ForwardArgs args;
  args.attention_mask = input.attention_mask.to(device);
  args.position_ids = input.position_ids.to(device);
  args.cache = cache;
  return args;
}

}  // namespace

at::Tensor ModelSource::step(const StepInput& input) {
  c10::InferenceMode guard;
  const auto device = model_->transformer->wte->weight.device();
  ForwardArgs args = forward_args(input, device, use_cache_ ? cache_.get() : nullptr);
  args.last_logits_only = true;
  auto logits = model_->forward(input.input_ids.to(device), args).logits;  // (B, 1, V)
  // The decode loops work on CPU float32 rows (processors, sampling, beams): on CUDA only the
  // (B, V) logits cross, once a step.
  return logits.select(1, 0).to(at::kCPU, at::kFloat);  // (B, V)
}

namespace {

// The LM head over hidden states (B, T, C), as GPT2LMHeadModelImpl::forward computes it (tied
// wte, possibly int8 with per-row scales): contrastive search needs both outputs of one pass.
at::Tensor head_logits(GPT2LMHeadModelImpl& model, const at::Tensor& x) {
  auto rows = x.reshape({-1, x.size(-1)});  // (B*T, C)
  const auto& wte = model.transformer->wte->weight;
  const auto& scales = model.transformer->wte_scales;
  auto logits = scales.defined()
                    ? matmul_rows(rows, QuantizedWeight{wte, scales, WeightLayout::out_in}, {})
                    : matmul_rows(rows, wte, WeightLayout::out_in, {});
  return logits.view({x.size(0), x.size(1), -1});  // (B, T, V)
}

}  // namespace

StepOutput ModelSource::step_all(const StepInput& input, bool hidden) {
  c10::InferenceMode guard;
  const auto device = model_->transformer->wte->weight.device();
  const ForwardArgs args = forward_args(input, device, use_cache_ ? cache_.get() : nullptr);
  const auto ids = input.input_ids.to(device);
  const auto cpu = [](const at::Tensor& t) { return t.to(at::kCPU, at::kFloat); };
  if (!hidden) return {cpu(model_->forward(ids, args).logits), {}};  // (B, T, V)
  auto x = model_->transformer->forward(ids, args);                  // (B, T, C)
  return {cpu(head_logits(*model_, x)), cpu(x)};                     // (B, T, V), (B, T, C)
}

void ModelSource::rollback(const std::vector<int64_t>& lengths) {
  if (!use_cache_ || cache_->empty() || lengths.empty()) return;
  const int64_t keep = *std::max_element(lengths.begin(), lengths.end());
  require(keep >= 0 && keep <= cache_->length, "rollback to " + std::to_string(keep) +
                                                   " positions, but the cache holds " +
                                                   std::to_string(cache_->length));
  cache_->length = keep;
}

void ModelSource::gather_positions(const at::Tensor& index) {
  if (!use_cache_ || cache_->empty()) return;
  c10::InferenceMode guard;
  const int64_t B = index.size(0), S = index.size(1);
  require(B == cache_->batch_size() && S <= cache_->length,
          "gather_positions: index does not fit the cache");
  for (auto* layers : {&cache_->keys, &cache_->values})
    for (auto& t : *layers) {
      auto at_device = index.to(t.device()).view({B, 1, S, 1});  // (B, 1, S', 1)
      auto moved =
          t.narrow(2, 0, cache_->length)
              .gather(2, at_device.expand({B, t.size(1), S, t.size(3)}));  // (B, nh, S', hs)
      t.narrow(2, 0, S).copy_(moved);
    }
  cache_->length = S;
}

void ModelSource::select_rows(const at::Tensor& index) {
  if (!use_cache_ || cache_->empty()) return;
  c10::InferenceMode guard;
  cache_->reorder(index.to(cache_->keys.front().device()));
}

}  // namespace gpt2
