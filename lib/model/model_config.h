#pragma once
// GPT-2 hyper-parameters, named as in Hugging Face's GPT2Config so config.json maps 1:1.
#include <cstdint>
#include <string>

#include "config/fields.h"

namespace gpt2 {

struct ModelConfig {
  static constexpr const char* kSection = "model";

  int64_t vocab_size = 50257;  // tokens in the vocabulary
  int64_t n_positions = 1024;  // context length (learned position embeddings)
  int64_t n_embd = 768;        // model width
  int64_t n_layer = 12;        // transformer blocks
  int64_t n_head = 12;         // attention heads
  int64_t n_inner = 0;         // MLP hidden width; 0 = 4 * n_embd
  double layer_norm_epsilon = 1e-5;
  std::string activation_function = "gelu_new";  // tanh-approximate GELU
  double embd_pdrop = 0.0;                       // dropout on token + position embeddings
  double attn_pdrop = 0.0;                       // dropout on attention probabilities
  double resid_pdrop = 0.0;                      // dropout on each residual branch
  double initializer_range = 0.02;
  int64_t bos_token_id = 50256;
  int64_t eos_token_id = 50256;

  void visit(FieldVisitor& v) {
    v.field("vocab_size", vocab_size, "tokens in the vocabulary", Rule::positive());
    v.field("n_positions", n_positions, "context length", Rule::positive());
    v.field("n_embd", n_embd, "model width", Rule::positive());
    v.field("n_layer", n_layer, "transformer blocks", Rule::positive());
    v.field("n_head", n_head, "attention heads (must divide n_embd)", Rule::positive());
    v.field("n_inner", n_inner, "MLP hidden width (0 = 4 * n_embd)", Rule::non_negative());
    v.field("layer_norm_epsilon", layer_norm_epsilon, "LayerNorm epsilon", Rule::open_closed(0, 1));
    v.field("activation_function", activation_function, "MLP activation (tanh GELU)",
            Rule::one_of({"gelu_new", "gelu_pytorch_tanh"}));
    v.field("embd_pdrop", embd_pdrop, "embedding dropout", Rule::closed_open(0, 1));
    v.field("attn_pdrop", attn_pdrop, "attention dropout", Rule::closed_open(0, 1));
    v.field("resid_pdrop", resid_pdrop, "residual dropout", Rule::closed_open(0, 1));
    v.field("initializer_range", initializer_range, "std of the normal init", Rule::positive());
    v.field("bos_token_id", bos_token_id, "beginning-of-text id", Rule::non_negative());
    v.field("eos_token_id", eos_token_id, "end-of-text id", Rule::non_negative());
  }
  void validate() const;

  int64_t head_size() const { return n_embd / n_head; }
  int64_t inner_size() const { return n_inner > 0 ? n_inner : 4 * n_embd; }
  // Parameters, counting the tied LM head once.
  int64_t parameter_count() const;
};

}  // namespace gpt2
