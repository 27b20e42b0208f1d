#include "model/model_config.h"

#include "core/error.h"

namespace gpt2 {

void ModelConfig::validate() const {
  require(n_embd % n_head == 0, "config: model.n_head (" + std::to_string(n_head) +
                                    ") must divide model.n_embd (" + std::to_string(n_embd) + ")");
  require(bos_token_id < vocab_size && eos_token_id < vocab_size,
          "config: model.bos_token_id and model.eos_token_id must be < vocab_size (" +
              std::to_string(vocab_size) + ")");
}

int64_t ModelConfig::parameter_count() const {
  int64_t C = n_embd, H = inner_size();
  int64_t per_block = 2 * 2 * C            // ln_1, ln_2
                      + C * 3 * C + 3 * C  // c_attn
                      + C * C + C          // attn.c_proj
                      + C * H + H          // c_fc
                      + H * C + C;         // mlp.c_proj
  return vocab_size * C + n_positions * C + n_layer * per_block + 2 * C;
}

}  // namespace gpt2
