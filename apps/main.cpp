// gpt2: the command-line program. Subcommands are git-style: gpt2 <command> [options].
#include <signal.h>

#include <cstdio>
#include <cstdlib>
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

// Ends the process once the command is done: every file it wrote is closed by then, and what
// returning from main would still run is the static destructors of LibTorch and its ~290
// libraries, 0.08-0.1 s after the last token (between a program's last output and its exit,
// 2-core AMD EPYC).
[[noreturn]] void finish(int code) {
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
#if defined(__SANITIZE_ADDRESS__)
  std::exit(code);  // its leak check runs at exit
#else
  std::_Exit(code);
#endif
}

int run(int argc, char** argv) {
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

}  // namespace

int main(int argc, char** argv) {
  finish(run(argc, argv));
}
