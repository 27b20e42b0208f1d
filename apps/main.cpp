// gpt2: the command-line program. Subcommands are git-style: gpt2 <command> [options].
#include <signal.h>

#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "commands.h"
#include "core/error.h"
#include "core/strings.h"

namespace {

void print_usage() {
  std::cout << "usage: gpt2 <command> [options]   (gpt2 <command> --help for details)\n\n";
  for (const auto& command : gpt2::cli::commands())
    std::printf("  %-12s %s\n", command.name, command.summary);
}

}  // namespace

int main(int argc, char** argv) {
  // Over a file-size limit a write then fails (EFBIG) and is reported like a full disk, instead
  // of the signal killing the process mid-checkpoint.
  ::signal(SIGXFSZ, SIG_IGN);
  if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h") {
    print_usage();
    return argc < 2 ? 2 : 0;
  }
  std::string name = argv[1];
  std::vector<std::string> args(argv + 2, argv + argc);
  std::vector<std::string> names;
  for (const auto& command : gpt2::cli::commands()) {
    names.push_back(command.name);
    if (name != command.name) continue;
    try {
      return command.run(args);
    } catch (const gpt2::Error& e) {
      std::cerr << "gpt2 " << name << ": error: " << e.what() << "\n";
      return 1;
    } catch (const std::exception& e) {
      std::cerr << "gpt2 " << name << ": internal error: " << e.what() << "\n";
      return 3;
    }
  }
  std::string suggestion = gpt2::closest_match(name, names);
  std::cerr << "gpt2: unknown command \"" << name << "\""
            << (suggestion.empty() ? "" : " (did you mean \"" + suggestion + "\"?)")
            << "; run gpt2 --help\n";
  return 2;
}
