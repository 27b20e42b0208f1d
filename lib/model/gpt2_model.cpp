#include "model/gpt2_model.h"
#include "model/dropout.h"

#include <ATen/ATen.h>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>
#include <thread>

#include "core/error.h"
#include "kernels/attention_rows.h"
#include "kernels/huge_pages.h"
#include "kernels/matmul_rows.h"
#include "kernels/row_functions.h"
#include "kernels/trainable_rows.h"
#include "runtime/torch_compat.h"

namespace gpt2 {

Conv1DImpl::Conv1DImpl(int64_t in_features, int64_t out_features) {
  weight = register_parameter("weight", at::empty({in_features, out_features}));
  bias = register_parameter("bias", at::zeros({out_features}));
}

at::Tensor Conv1DImpl::forward(const at::Tensor& x) {
  // (..., in) -> (..., out) on the flattened rows; bias added inside the product.
  auto rows = x.reshape({-1, x.size(-1)});  // (N, in)
  auto out =
      weight_scales.defined()
          ? matmul_rows(rows, QuantizedWeight{weight, weight_scales, WeightLayout::in_out}, bias)
          : conv1d_product(rows, weight, bias);  // (N, out)
  if (lora_A) {
    // PEFT's order: dropout on the input of A, then B, then the scale.
    auto in = is_training() && lora_dropout > 0 ? model_dropout(rows, lora_dropout) : rows;
    auto low = at::matmul(in, lora_A->weight.t());                                    // (N, r)
    out = at::addmm(out, low, lora_B->weight.t(), /*beta=*/1, /*alpha=*/lora_scale);  // (N, out)
  }
  auto shape = x.sizes().vec();
  shape.back() = weight.size(1);
  return out.view(shape);  // (..., out)
}

CausalSelfAttentionImpl::CausalSelfAttentionImpl(const ModelConfig& config, int64_t layer_index)
    : n_head_(config.n_head),
      layer_index_(layer_index),
      attn_pdrop_(config.attn_pdrop),
      resid_pdrop_(config.resid_pdrop) {
  c_attn = register_module("c_attn", Conv1D(config.n_embd, 3 * config.n_embd));
  c_proj = register_module("c_proj", Conv1D(config.n_embd, config.n_embd));
}

at::Tensor CausalSelfAttentionImpl::attention_by_blas(const at::Tensor& q, const at::Tensor& k,
                                                      const at::Tensor& v, const at::Tensor& bias,
                                                      double scale, bool dropout) {
  const int64_t B = q.size(0), T = q.size(2), hs = q.size(3), S = k.size(2);
  auto q3 = q.reshape({B * n_head_, T, hs});  // (B*nh, T, hs)
  auto k3 = k.reshape({B * n_head_, S, hs});  // (B*nh, S, hs)
  auto v3 = v.reshape({B * n_head_, S, hs});  // (B*nh, S, hs)
  at::Tensor att;
  if (bias.defined() && at::GradMode::is_enabled()) {
    // Training: one BLAS call computes scale * q k^T + mask bias (separate matmul, scale and
    // masked_fill passes cost several times more here).
    auto bias3 = bias.expand({B, n_head_, T, S}).reshape({B * n_head_, T, S});
    att = at::baddbmm(bias3, q3, k3.transpose(1, 2), 1.0, scale);  // (B*nh, T, S)
  } else {
    // No graph to record: the heads are shared out over threads.
    att = batched_matmul(q3, k3.transpose(1, 2)).mul_(scale);  // (B*nh, T, S)
    if (bias.defined()) att = (att.view({B, n_head_, T, S}) + bias).view({B * n_head_, T, S});
  }
  att = at::softmax(att, -1);  // (B*nh, T, S)
  if (dropout) att = model_dropout(att, attn_pdrop_);
  return batched_matmul(att, v3).view({B, n_head_, T, hs});  // (B, nh, T, hs)
}

namespace {

// Fused attention where LibTorch has it, on CUDA; GPT2_ATTENTION=blas keeps the BLAS path there
// too (to compare the two).
bool fused_attention_applies(const at::Tensor& q) {
  if (!torch_compat::kHasScaledDotProductAttention || !q.is_cuda()) return false;
  static const bool blas_wanted = [] {
    const char* setting = std::getenv("GPT2_ATTENTION");
    return setting && std::string(setting) == "blas";
  }();
  return !blas_wanted;
}

// The most negative finite value of a floating dtype: the additive mask in q's dtype, where the
// float mask's lowest value would round to -inf (bf16, fp16) and turn masked rows into NaN.
double lowest_finite(c10::ScalarType dtype) {
  switch (dtype) {
    case at::kHalf:
      return -65504.0;
    case at::kBFloat16:
      return -3.3895313892515355e38;
    case at::kDouble:
      return std::numeric_limits<double>::lowest();
    default:
      return std::numeric_limits<float>::lowest();
  }
}

}  // namespace

at::Tensor CausalSelfAttentionImpl::attention_fused(const at::Tensor& q, const at::Tensor& k,
                                                    const at::Tensor& v,
                                                    const AttentionContext& context, bool dropout) {
  at::Tensor mask;
  if (context.bias.defined() && !context.causal_only)
    mask = context.bias.clamp_min(lowest_finite(q.scalar_type())).to(q.scalar_type());
  return torch_compat::scaled_dot_product_attention(q, k, v, mask, dropout ? attn_pdrop_ : 0.0,
                                                    context.causal_only);  // (B, nh, T, hs)
}

at::Tensor CausalSelfAttentionImpl::forward(const at::Tensor& x, const AttentionContext& context) {
  const int64_t B = x.size(0), T = x.size(1), C = x.size(2), hs = C / n_head_;
  auto qkv = c_attn(x).split(C, /*dim=*/2);                   // 3 x (B, T, C)
  auto q = qkv[0].view({B, T, n_head_, hs}).transpose(1, 2);  // (B, nh, T, hs)
  auto k = qkv[1].view({B, T, n_head_, hs}).transpose(1, 2);  // (B, nh, T, hs)
  auto v = qkv[2].view({B, T, n_head_, hs}).transpose(1, 2);  // (B, nh, T, hs)
  if (context.cache) {
    auto& cache_k = context.cache->keys[layer_index_];    // (B, nh, cap, hs)
    auto& cache_v = context.cache->values[layer_index_];  // (B, nh, cap, hs)
    cache_k.narrow(2, context.past, T).copy_(k);
    cache_v.narrow(2, context.past, T).copy_(v);
    k = cache_k.narrow(2, 0, context.past + T);  // (B, nh, S, hs)
    v = cache_v.narrow(2, 0, context.past + T);  // (B, nh, S, hs)
  }
  const double scale = 1.0 / std::sqrt(double(hs));
  at::Tensor y;
  const bool attention_dropout = is_training() && attn_pdrop_ > 0;
  if (fused_attention_applies(q)) {
    y = attention_fused(q, k, v, context, attention_dropout);  // (B, nh, T, hs)
  } else if (!attention_dropout && attention_rows_applies(q, k, v)) {
    // A few queries and no graph (decoding): head by head from the cache, no copies.
    y = attention_rows(q, k, v, context.bias, scale);  // (B, nh, T, hs)
  } else {
    y = attention_by_blas(q, k, v, context.bias, scale, attention_dropout);  // (B, nh, T, hs)
  }
  y = y.transpose(1, 2).reshape({B, T, C});  // (B, T, C)
  y = c_proj(y);                             // (B, T, C)
  if (is_training() && resid_pdrop_ > 0) y = model_dropout(y, resid_pdrop_);
  return y;
}

MLPImpl::MLPImpl(const ModelConfig& config) : resid_pdrop_(config.resid_pdrop) {
  c_fc = register_module("c_fc", Conv1D(config.n_embd, config.inner_size()));
  c_proj = register_module("c_proj", Conv1D(config.inner_size(), config.n_embd));
}

at::Tensor MLPImpl::forward(const at::Tensor& x) {
  auto hidden = gelu_tanh_rows(c_fc(x));  // (B, T, 4C)
  auto y = c_proj(hidden);                // (B, T, C)
  if (is_training() && resid_pdrop_ > 0) y = model_dropout(y, resid_pdrop_);
  return y;
}

BlockImpl::BlockImpl(const ModelConfig& config, int64_t layer_index) {
  auto ln_options = torch::nn::LayerNormOptions({config.n_embd}).eps(config.layer_norm_epsilon);
  ln_1 = register_module("ln_1", torch::nn::LayerNorm(ln_options));
  attn = register_module("attn", CausalSelfAttention(config, layer_index));
  ln_2 = register_module("ln_2", torch::nn::LayerNorm(ln_options));
  mlp = register_module("mlp", MLP(config));
}

namespace {

// ln(x) by the row functions where they apply (layer_norm_rows), as the module otherwise.
at::Tensor normalized(const torch::nn::LayerNorm& ln, const at::Tensor& x) {
  return layer_norm_rows(x, ln->weight, ln->bias, ln->options.eps());
}

}  // namespace

at::Tensor BlockImpl::forward(const at::Tensor& x, const AttentionContext& context) {
  auto h = x + attn(normalized(ln_1, x), context);  // (B, T, C)
  return h + mlp(normalized(ln_2, h));              // (B, T, C)
}

GPT2ModelImpl::GPT2ModelImpl(const ModelConfig& config, bool initialise) : config_(config) {
  auto embedding = [&](int64_t rows) {
    torch::nn::EmbeddingOptions options(rows, config.n_embd);
    if (!initialise) options._weight(at::empty({rows, config.n_embd}));  // (rows, C)
    return torch::nn::Embedding(options);
  };
  wte = register_module("wte", embedding(config.vocab_size));
  wpe = register_module("wpe", embedding(config.n_positions));
  h = register_module("h", torch::nn::ModuleList());
  for (int64_t i = 0; i < config.n_layer; ++i) h->push_back(Block(config, i));
  ln_f = register_module(
      "ln_f", torch::nn::LayerNorm(
                  torch::nn::LayerNormOptions({config.n_embd}).eps(config.layer_norm_epsilon)));
}

namespace {

// Which keys each query may attend to, as an additive bias: causal within the window, minus
// padded keys. The most negative finite value rather than -inf, so a fully masked row (a
// padding query) gives a uniform distribution instead of NaN. Undefined when nothing needs
// masking (one new token, no padding).
at::Tensor attention_bias_for(int64_t T, int64_t past, const at::Tensor& padding_mask,
                              const at::TensorOptions& options) {
  const int64_t S = past + T;
  const auto device = options.device();
  at::Tensor allowed;
  if (T > 1) {
    auto query_pos = at::arange(past, S, at::TensorOptions().dtype(at::kLong).device(device));
    auto key_pos = at::arange(S, at::TensorOptions().dtype(at::kLong).device(device));
    allowed = key_pos.unsqueeze(0).le(query_pos.unsqueeze(1)).view({1, 1, T, S});  // (1,1,T,S)
  }
  if (padding_mask.defined()) {
    auto keys = padding_mask.to(device).to(at::kBool).view({-1, 1, 1, S});  // (B, 1, 1, S)
    allowed = allowed.defined() ? allowed.logical_and(keys) : keys;         // (B, 1, T, S)
  }
  if (!allowed.defined()) return {};
  const double lowest = options.dtype() == at::kDouble ? std::numeric_limits<double>::lowest()
                                                       : std::numeric_limits<float>::lowest();
  return at::zeros(allowed.sizes(), options).masked_fill_(allowed.logical_not(), lowest);
}

}  // namespace

at::Tensor GPT2ModelImpl::forward(const at::Tensor& input_ids, const ForwardArgs& args) {
  require(input_ids.dim() == 2, "model input must be token ids of shape (B, T)");
  const int64_t B = input_ids.size(0), T = input_ids.size(1);
  AttentionContext context;
  context.cache = args.cache;
  context.past = args.cache ? args.cache->length : 0;
  const int64_t S = context.past + T;
  require(S <= config_.n_positions, "sequence of " + std::to_string(S) +
                                        " positions exceeds the model's context (n_positions = " +
                                        std::to_string(config_.n_positions) + ")");
  if (args.cache) {
    require(args.cache->batch_size() == B && S <= args.cache->capacity(),
            "KV cache has batch " + std::to_string(args.cache->batch_size()) + " and capacity " +
                std::to_string(args.cache->capacity()) + " but the input needs batch " +
                std::to_string(B) + " and " + std::to_string(S) + " positions");
  }
  if (args.attention_mask.defined()) {
    require(args.attention_mask.dim() == 2 && args.attention_mask.size(0) == B &&
                args.attention_mask.size(1) == S,
            "attention_mask must have shape (B, past + T) = (" + std::to_string(B) + ", " +
                std::to_string(S) + ")");
  }
  auto device = input_ids.device();
  at::Tensor positions = args.position_ids;
  if (!positions.defined())
    positions = at::arange(context.past, S, at::TensorOptions().dtype(at::kLong).device(device))
                    .unsqueeze(0);  // (1, T)
  // wpe, not wte: wte may be stored in 16 bits (store_product_weights); activations are fp32.
  const auto& options = wpe->weight.options();
  context.bias = attention_bias_for(T, context.past, args.attention_mask, options);
  context.causal_only = T > 1 && context.past == 0 && !args.attention_mask.defined();

  auto tokens = wte(input_ids);  // (B, T, C)
  if (tokens.scalar_type() != options.dtype()) tokens = tokens.to(options.dtype());
  if (wte_scales.defined())  // int8 rows times their scales
    tokens.mul_(at::embedding(wte_scales.view({-1, 1}), input_ids));  // (B, T, 1)
  auto x = tokens + wpe(positions);                                   // (B, T, C)
  if (is_training() && config_.embd_pdrop > 0) x = model_dropout(x, config_.embd_pdrop);
  for (const auto& block : *h) x = block->as<Block>()->forward(x, context);  // (B, T, C)
  if (args.cache) args.cache->length = S;
  return normalized(ln_f, x);  // (B, T, C)
}

GPT2LMHeadModelImpl::GPT2LMHeadModelImpl(const ModelConfig& config, ModelInit init)
    : config_(config) {
  config_.validate();
  const bool random = init == ModelInit::random;
  transformer = register_module("transformer", GPT2Model(config_, random));
  if (random) reset_parameters();
  place_parameters_in_huge_pages(*this, /*keep_values=*/random);
}

ForwardResult GPT2LMHeadModelImpl::forward(const at::Tensor& input_ids, const ForwardArgs& args) {
  // Between steps, where nothing reads the parameters. The copy starts after the first forward,
  // so that the first token does not share the cores with it, and only when the intra-op
  // threads leave a core free: measured on GPT-2 124M, 2 threads on 2 cores, the copy sharing
  // the cores with decoding added 1.1 s to a 128-token `gpt2 generate` (4.6 s against 3.45 s)
  // and pays back 1.8 ms per token only after ~600 tokens; on 1 thread it cost nothing.
  if (placement_wanted_ > 0 && --placement_wanted_ == 0) {
    const auto cores = std::thread::hardware_concurrency();
    if (cores == 0 || unsigned(at::get_num_threads()) < cores)
      placement_ = std::make_shared<HugePagePlacement>(*this);
  } else if (placement_ && placement_->adopt()) {
    placement_.reset();
  }
  auto x = transformer(input_ids, args);                         // (B, T, C)
  if (args.last_logits_only) x = x.narrow(1, x.size(1) - 1, 1);  // (B, 1, C)
  ForwardResult result;
  auto rows = x.reshape({-1, x.size(-1)});  // (B*T, C)
  const auto& wte = transformer->wte->weight;
  const auto& scales = transformer->wte_scales;
  result.logits =
      (scales.defined() ? matmul_rows(rows, QuantizedWeight{wte, scales, WeightLayout::out_in}, {})
                        : matmul_rows(rows, wte, WeightLayout::out_in, {}))
          .view({x.size(0), x.size(1), -1});  // (B, T, V)
  if (args.targets.defined()) {
    const int64_t V = result.logits.size(-1);
    result.loss = at::cross_entropy_loss(result.logits.reshape({-1, V}).to(at::kFloat),
                                         args.targets.reshape({-1}), {}, at::Reduction::Mean,
                                         args.ignore_index);
  }
  return result;
}

KVCache GPT2LMHeadModelImpl::new_cache(int64_t batch_size, int64_t capacity) const {
  const auto& weight = transformer->wpe->weight;  // the activations' dtype, whatever wte's
  return KVCache::allocate(config_, batch_size, std::min(capacity, config_.n_positions),
                           weight.options());
}

void GPT2LMHeadModelImpl::place_in_huge_pages_in_background() {
  placement_wanted_ = 2;
}

void GPT2LMHeadModelImpl::reset_parameters() {
  at::NoGradGuard no_grad;
  const double std = config_.initializer_range;
  const double residual_std = std / std::sqrt(2.0 * config_.n_layer);
  for (auto& item : named_parameters()) {
    const std::string& name = item.key();
    auto& p = item.value();
    if (name.find("ln_") != std::string::npos) {
      name.size() >= 6 && name.compare(name.size() - 6, 6, "weight") == 0 ? p.fill_(1.0)
                                                                          : p.zero_();
    } else if (name.compare(name.size() - 4, 4, "bias") == 0) {
      p.zero_();
    } else if (name.find("c_proj.weight") != std::string::npos) {
      p.normal_(0.0, residual_std);
    } else {
      p.normal_(0.0, std);
    }
  }
}

c10::ScalarType product_weights_of(const GPT2LMHeadModelImpl& model) {
  if (model.transformer->wte_scales.defined()) return at::kChar;
  return model.transformer->wte->weight.scalar_type();
}

void store_product_weights(GPT2LMHeadModelImpl& model, c10::ScalarType dtype, bool keep_values) {
  require(dtype == at::kFloat || dtype == at::kBFloat16 || dtype == at::kHalf || dtype == at::kChar,
          "product weights are stored as float32, bfloat16, float16 or int8");
  auto& wte = model.transformer->wte->weight;  // (V, C): the LM head too
  std::vector<at::Tensor> weights{wte};
  std::vector<Conv1DImpl*> convs;
  for (const auto& module : model.modules())
    if (auto* conv = module->as<Conv1DImpl>()) {
      weights.push_back(conv->weight);  // (in, out)
      convs.push_back(conv);
    }
  at::NoGradGuard no_grad;
  if (model.transformer->wte_scales.defined() && dtype != at::kChar) {
    // An int8 model (a `gpt2 quantize` directory) asked for as floats: its values times their
    // scales, the weights it stands for.
    auto dequantized = [&](at::Tensor& w, at::Tensor& scales, WeightLayout layout) {
      w.set_data(dequantize(QuantizedWeight{w, scales, layout}).to(dtype));
      scales = at::Tensor();
      if (dtype == at::kFloat) w.requires_grad_(true);  // trainable again, as loaded f32 is
    };
    dequantized(wte, model.transformer->wte_scales, WeightLayout::out_in);
    for (auto* conv : convs) dequantized(conv->weight, conv->weight_scales, WeightLayout::in_out);
    place_parameters_in_huge_pages(model, /*keep_values=*/true);
    return;
  }
  if (dtype == at::kChar) {
    // Quantised from the values the weights hold now: called after loading.
    if (model.transformer->wte_scales.defined()) return;
    auto quantize = [](at::Tensor& w, WeightLayout layout) {
      auto q = quantize_int8(w, layout);
      w.requires_grad_(false);  // before set_data: an integer tensor has no gradient
      w.set_data(q.values);
      return q.scales;
    };
    model.transformer->wte_scales = quantize(wte, WeightLayout::out_in);
    for (auto* conv : convs) conv->weight_scales = quantize(conv->weight, WeightLayout::in_out);
    place_parameters_in_huge_pages(model, /*keep_values=*/true);
    return;
  }
  bool changed = false;
  for (auto& w : weights) {
    if (w.scalar_type() == dtype) continue;
    w.set_data(keep_values ? w.to(dtype) : at::empty(w.sizes(), w.options().dtype(dtype)));
    if (dtype != at::kFloat) w.requires_grad_(false);
    changed = true;
  }
  // The new tensors are ordinary allocations: one huge-page block again for all parameters.
  if (changed) place_parameters_in_huge_pages(model, keep_values);
}

at::Tensor position_ids_from_mask(const at::Tensor& attention_mask) {
  auto mask = attention_mask.to(at::kLong);  // (B, S)
  return (mask.cumsum(1) - 1).clamp_min(0);  // (B, S)
}

}  // namespace gpt2
