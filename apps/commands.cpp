#include "commands.h"

namespace gpt2::cli {

const std::vector<Command>& commands() {
  static const std::vector<Command> all = {
      {"info", "show a model's configuration, size and forward speed", cmd_info},
      {"init", "write a randomly initialised model directory from a preset", cmd_init},
  };
  return all;
}

}  // namespace gpt2::cli
