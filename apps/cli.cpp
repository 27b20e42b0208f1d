#include "cli.h"

#include <iostream>

#include "config/sections.h"
#include "core/error.h"

namespace gpt2::cli {

void add_config_options(po::options_description& options, ConfigArgs& args) {
  options.add_options()  //
      ("config,c", po::value(&args.files)->composing(),
       "YAML config file; repeat to layer files left to right")  //
      ("set,s", po::value(&args.overrides)->composing(),
       "override one value: --set section.key=value")                                   //
      ("dump-config", po::bool_switch(&args.dump), "print the merged config and exit")  //
      ("threads", po::value(&args.threads), "intra-op threads (0 = all cores)")         //
      ("device", po::value(&args.device), "cpu, cuda, cuda:N or auto")                  //
      ("seed", po::value(&args.seed), "random seed");
}

bool parse(const std::string& usage, const std::vector<std::string>& argv,
           po::options_description& options, const po::positional_options_description* positional) {
  bool help = false;
  options.add_options()("help,h", po::bool_switch(&help), "show this help");
  po::variables_map vm;
  try {
    auto parser = po::command_line_parser(argv).options(options);
    if (positional) parser.positional(*positional);
    po::store(parser.run(), vm);
    if (vm.count("help") && vm["help"].as<bool>()) {
      std::cout << "usage: " << usage << "\n\n" << options << "\n";
      return false;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    throw Error(std::string(e.what()) + " (see --help)");
  }
  return true;
}

bool load_sections(const ConfigArgs& args, const std::vector<SectionRef>& sections) {
  ConfigSources sources{args.files, args.overrides};
  if (!args.threads.empty()) sources.overrides.push_back("runtime.threads=" + args.threads);
  if (!args.device.empty()) sources.overrides.push_back("runtime.device=" + args.device);
  if (!args.seed.empty()) sources.overrides.push_back("runtime.seed=" + args.seed);
  load_config(sections, sources, known_section_names());
  if (args.dump) {
    std::cout << dump_config(sections);
    return false;
  }
  return true;
}

}  // namespace gpt2::cli
