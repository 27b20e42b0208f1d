#include "cli.h"

#include <algorithm>
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

namespace {

// The number and text fields of a section, with their help.
class ScalarFields : public FieldVisitor {
 public:
  void field(const char*, bool&, const char*) override {}
  void field(const char* key, int64_t&, const char* help, const Rule&) override { add(key, help); }
  void field(const char* key, double&, const char* help, const Rule&) override { add(key, help); }
  void field(const char* key, std::string&, const char* help, const Rule&) override {
    add(key, help);
  }
  void field(const char*, std::vector<std::string>&, const char*, const Rule&) override {}
  void field(const char*, std::vector<int64_t>&, const char*, const Rule&) override {}
  void field(const char*, std::vector<double>&, const char*, const Rule&) override {}
  std::vector<std::pair<std::string, std::string>> fields;

 private:
  void add(const char* key, const char* help) { fields.emplace_back(key, help); }
};

}  // namespace

FieldFlags::FieldFlags(const SectionRef& section, const std::vector<std::string>& keys)
    : section_(section.name) {
  ScalarFields scalars;
  section.visit(scalars);
  for (const auto& [key, help] : scalars.fields) {
    if (!keys.empty() && std::find(keys.begin(), keys.end(), key) == keys.end()) continue;
    std::string name = key;
    std::replace(name.begin(), name.end(), '_', '-');
    flags_.push_back({key, name, help + (" (" + section_ + "." + key + ")"), ""});
  }
  for (const auto& key : keys) {
    bool found = false;
    for (const auto& flag : flags_) found |= flag.key == key;
    require(found, "internal: " + section_ + "." + key + " is not a number or text field");
  }
}

void FieldFlags::add_to(po::options_description& options) {
  for (auto& flag : flags_)
    options.add_options()(flag.name.c_str(), po::value(&flag.value), flag.help.c_str());
}

void FieldFlags::collect(ConfigArgs& args) const {
  for (const auto& flag : flags_)
    if (!flag.value.empty())
      args.assignments.push_back({section_ + "." + flag.key, {flag.value}, "--" + flag.name});
}

bool parse(const std::string& usage, const std::vector<std::string>& argv,
           po::options_description& options, const po::positional_options_description* positional,
           const std::vector<std::string>& may_be_empty) {
  bool help = false;
  options.add_options()("help,h", po::bool_switch(&help), "show this help");
  po::variables_map vm;
  try {
    auto parser = po::command_line_parser(argv).options(options);
    if (positional) parser.positional(*positional);
    const po::parsed_options parsed = parser.run();
    // An empty value is a mistake, not a way to ask for the default.
    for (const auto& option : parsed.options)
      for (const auto& value : option.value)
        if (value.empty() && std::find(may_be_empty.begin(), may_be_empty.end(),
                                       option.string_key) == may_be_empty.end())
          throw Error("--" + option.string_key +
                      " was given an empty value: give one, or leave the option out for its "
                      "default");
    po::store(parsed, vm);
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
  ConfigSources sources{args.files, args.overrides, args.assignments, args.base_file};
  if (!args.threads.empty())
    sources.assignments.push_back({"runtime.threads", {args.threads}, "--threads"});
  if (!args.device.empty())
    sources.assignments.push_back({"runtime.device", {args.device}, "--device"});
  if (!args.seed.empty()) sources.assignments.push_back({"runtime.seed", {args.seed}, "--seed"});
  load_config(sections, sources, known_section_names());
  if (args.dump) {
    std::cout << dump_config(sections);
    return false;
  }
  return true;
}

}  // namespace gpt2::cli
