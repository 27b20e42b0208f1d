#pragma once
// GPT-2 as torch::nn modules, with the parameter names and layouts of Hugging Face's
// GPT2LMHeadModel (transformer.wte, transformer.h.{i}.attn.c_attn, ...). Conv1D weights are
// stored (in, out) like HF's, so checkpoints map tensor for tensor. The LM head is tied to wte.
// The model returns logits; it knows nothing of decoding.
#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>
#include <memory>

#include <c10/core/ScalarType.h>

#include "core/tokens.h"
#include "model/kv_cache.h"
#include "model/model_config.h"

namespace gpt2 {

class HugePagePlacement;

// y = x @ weight + bias with weight (in, out): Hugging Face's Conv1D.
class Conv1DImpl : public torch::nn::Module {
 public:
  Conv1DImpl(int64_t in_features, int64_t out_features);
  at::Tensor forward(const at::Tensor& x);
  at::Tensor weight;  // (in, out)
  at::Tensor bias;    // (out)
  // With an int8 weight (store_product_weights): its per-output-column scales, (out).
  at::Tensor weight_scales;
  // A LoRA adapter (model/lora.h), null without one: y += dropout(x) A^T B^T * lora_scale.
  torch::nn::Linear lora_A{nullptr}, lora_B{nullptr};  // weights (r, in), (out, r)
  double lora_scale = 0, lora_dropout = 0;
};
TORCH_MODULE(Conv1D);

// Masks and positions shared by every block of one forward pass.
struct AttentionContext {
  // Added to the attention scores: 0 where a query may attend, the most negative float where
  // not. (B, 1, T, S) or (1, 1, T, S); undefined when nothing needs masking.
  at::Tensor bias;
  KVCache* cache = nullptr;
  int64_t past = 0;  // cached positions before this call
  // The bias is exactly causal over T = S positions (no cache, no padding): fused attention
  // kernels then take is_causal instead of a mask.
  bool causal_only = false;
};

class CausalSelfAttentionImpl : public torch::nn::Module {
 public:
  CausalSelfAttentionImpl(const ModelConfig& config, int64_t layer_index);
  at::Tensor forward(const at::Tensor& x, const AttentionContext& context);

 private:
  // softmax(scale * q k^T + bias) v through LibTorch's fused kernels (flash / memory-efficient;
  // LibTorch >= 2.0 on CUDA): (B, nh, T, hs).
  at::Tensor attention_fused(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                             const AttentionContext& context, bool dropout);
  // softmax(scale * q k^T + bias) v through BLAS (training, and many queries): (B, nh, T, hs).
  at::Tensor attention_by_blas(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                               const at::Tensor& bias, double scale, bool dropout);

  int64_t n_head_, layer_index_;
  double attn_pdrop_, resid_pdrop_;
  Conv1D c_attn{nullptr}, c_proj{nullptr};
};
TORCH_MODULE(CausalSelfAttention);

class MLPImpl : public torch::nn::Module {
 public:
  explicit MLPImpl(const ModelConfig& config);
  at::Tensor forward(const at::Tensor& x);

 private:
  double resid_pdrop_;
  Conv1D c_fc{nullptr}, c_proj{nullptr};
};
TORCH_MODULE(MLP);

class BlockImpl : public torch::nn::Module {
 public:
  BlockImpl(const ModelConfig& config, int64_t layer_index);
  at::Tensor forward(const at::Tensor& x, const AttentionContext& context);

 private:
  torch::nn::LayerNorm ln_1{nullptr}, ln_2{nullptr};
  CausalSelfAttention attn{nullptr};
  MLP mlp{nullptr};
};
TORCH_MODULE(Block);

// random: GPT-2's initialisation (initializer_range, scaled residual projections).
// uninitialised: parameters allocated but not written, for load_model_dir to fill; it
// saves drawing (and then overwriting) every weight at start-up.
enum class ModelInit { random, uninitialised };

struct ForwardArgs {
  at::Tensor attention_mask;  // (B, past + T): 1 = real token, 0 = padding; undefined = all real
  at::Tensor position_ids;    // (B, T); undefined = past + arange(T)
  KVCache* cache = nullptr;   // attend to its past keys/values and append this call's
  at::Tensor targets;         // (B, T) next-token ids; entries == ignore_index are not scored
  int64_t ignore_index = kIgnoreIndex;
  bool last_logits_only = false;  // logits of the last position only: (B, 1, V)
};

struct ForwardResult {
  at::Tensor logits;  // (B, T, V), or (B, 1, V) with last_logits_only
  at::Tensor loss;    // scalar mean cross-entropy over scored targets; undefined without targets
};

// The trunk: embeddings, blocks, final LayerNorm ("transformer" in the HF state dict).
class GPT2ModelImpl : public torch::nn::Module {
 public:
  // initialise = false leaves the embeddings uninitialised (for loading weights over them).
  explicit GPT2ModelImpl(const ModelConfig& config, bool initialise = true);
  // Returns hidden states (B, T, C).
  at::Tensor forward(const at::Tensor& input_ids, const ForwardArgs& args);

  torch::nn::Embedding wte{nullptr}, wpe{nullptr};
  torch::nn::ModuleList h{nullptr};
  torch::nn::LayerNorm ln_f{nullptr};
  // With an int8 wte (store_product_weights): one scale per token row, (V); the LM head's
  // per-output-column scales too.
  at::Tensor wte_scales;

 private:
  ModelConfig config_;
};
TORCH_MODULE(GPT2Model);

class GPT2LMHeadModelImpl : public torch::nn::Module {
 public:
  explicit GPT2LMHeadModelImpl(const ModelConfig& config, ModelInit init = ModelInit::random);
  ForwardResult forward(const at::Tensor& input_ids, const ForwardArgs& args = {});

  const ModelConfig& config() const { return config_; }
  // A cache for `batch_size` sequences of up to `capacity` positions, on the model's device
  // and dtype.
  KVCache new_cache(int64_t batch_size, int64_t capacity) const;
  // GPT-2 initialisation: normal(0, initializer_range), residual projections scaled by
  // 1/sqrt(2 n_layer), zero biases, unit LayerNorm weights. Draws from torch's default RNG.
  void reset_parameters();
  // Moves the CPU parameters into one huge-page block on a thread of its own
  // (HugePagePlacement), started at the second forward() (not beside the first token's) and
  // adopted at the start of a later one: for a model whose weights start on its file's
  // mapping (load_model_dir). Call it once the weights are final. The copy is skipped when the
  // intra-op threads use every core (it would slow the decoding it runs beside).
  void place_in_huge_pages_in_background();

  GPT2Model transformer{nullptr};

 private:
  ModelConfig config_;
  int placement_wanted_ = 0;                      // forwards until the copy starts
  std::shared_ptr<HugePagePlacement> placement_;  // until adopted
};
TORCH_MODULE(GPT2LMHeadModel);

// Stores the products' weights, every Conv1D weight and the tied wte / LM head, as `dtype`
// (kFloat, kBFloat16, kHalf, or kChar: int8 quantised from the current values, symmetric, one
// scale per output column, quantize_int8) for decoding: the row kernels read them in place
// (matmul_rows.h), halving the bytes each decoding step streams. LayerNorms, biases and
// positions stay fp32, and so do activations and logits. Converted weights stop requiring grad:
// a 16-bit model is for inference, training keeps fp32. keep_values = false skips converting
// values about to be overwritten (a model built uninitialised, then loaded). Parameters are
// placed in huge pages again afterwards. An int8 model stored in another dtype is dequantised
// (values times scales).
void store_product_weights(GPT2LMHeadModelImpl& model, c10::ScalarType dtype,
                           bool keep_values = true);
// The dtype the products' weights are stored in: kFloat, kBFloat16, kHalf or kChar (int8).
c10::ScalarType product_weights_of(const GPT2LMHeadModelImpl& model);

// Position ids for left-padded batches: the running count of real tokens minus one (0 at pads).
at::Tensor position_ids_from_mask(const at::Tensor& attention_mask);

}  // namespace gpt2
