#pragma once
// The gpt2 subcommands. Each lives in its own cmd_<name>.cpp and is registered by one line
// in commands.cpp.
#include <string>
#include <vector>

namespace gpt2::cli {

using CommandFn = int (*)(const std::vector<std::string>& args);

struct Command {
  const char* name;
  const char* summary;
  CommandFn run;
};

const std::vector<Command>& commands();

int cmd_eval(const std::vector<std::string>& args);
int cmd_generate(const std::vector<std::string>& args);
int cmd_info(const std::vector<std::string>& args);
int cmd_init(const std::vector<std::string>& args);
int cmd_merge_adapter(const std::vector<std::string>& args);
int cmd_quantize(const std::vector<std::string>& args);
int cmd_metric(const std::vector<std::string>& args);
int cmd_train(const std::vector<std::string>& args);
int cmd_prepare(const std::vector<std::string>& args);
int cmd_tokenizer(const std::vector<std::string>& args);

}  // namespace gpt2::cli
