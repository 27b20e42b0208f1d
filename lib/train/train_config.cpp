#include "train/train_config.h"

#include "core/error.h"

namespace gpt2 {

void TrainConfig::validate() const {
  require(min_lr <= lr, "config: train.min_lr (" + std::to_string(min_lr) +
                            ") must not exceed train.lr (" + std::to_string(lr) + ")");
  require(warmup_steps < max_steps || schedule == "constant",
          "config: train.warmup_steps (" + std::to_string(warmup_steps) +
              ") must be below train.max_steps (" + std::to_string(max_steps) + ")");
  require(decay_steps == 0 || decay_steps > warmup_steps,
          "config: train.decay_steps must exceed train.warmup_steps (or be 0 = max_steps)");
  require(!out_dir.empty(), "config: train.out_dir must name the run directory");
  adapter.validate();
  eval_tasks.check("config: train.eval_tasks");
  require(!adapter.enabled() || init_from != "scratch",
          "config: train.adapter.type lora adapts a trained model: set train.init_from to its "
          "model directory");
}

}  // namespace gpt2
