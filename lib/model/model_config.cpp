#include "model/model_config.h"

#include <cstdio>

#include "core/error.h"
#include "core/strings.h"
#include "runtime/runtime.h"

namespace gpt2 {

void ModelConfig::validate() const {
  // Before anything is allocated: absurd sizes (2^31 tokens, 1e12 positions, 1e9 blocks) would
  // otherwise end in bad_alloc or the OOM killer. Counted in double, as int64 could overflow.
  const double C = double(n_embd), H = n_inner > 0 ? double(n_inner) : 4 * C;
  const double per_block = 4 * C + 3 * C * C + 3 * C + C * C + C + 2 * C * H + H + C;
  const double parameters =
      double(vocab_size) * C + double(n_positions) * C + double(n_layer) * per_block + 2 * C;
  const double bytes = parameters * 4;  // float32 weights, as the model is built
  const double memory = physical_memory_bytes();
  if (memory > 0 && bytes > memory) {
    char needed[64];
    std::snprintf(needed, sizeof needed, "%.4g", bytes);
    throw Error("config: the model (vocab_size " + std::to_string(vocab_size) + ", n_positions " +
                std::to_string(n_positions) + ", n_embd " + std::to_string(n_embd) + ", n_layer " +
                std::to_string(n_layer) + ") has " + human_count(parameters) +
                " parameters, which need " + needed + " bytes (" + human_bytes(bytes) +
                ") as float32, more than this machine's " + human_bytes(memory) +
                " of memory; check these sizes");
  }
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
