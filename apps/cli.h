#pragma once
// Shared command-line plumbing for the gpt2 subcommands: --help, --config (repeatable, layered
// left to right), --set section.key=value, --dump-config, and the runtime flags --threads,
// --device and --seed, which are shorthands for --set runtime.<key>=value.
#include <boost/program_options.hpp>
#include <functional>
#include <string>
#include <vector>

#include "config/fields.h"
#include "config/loader.h"

namespace gpt2::cli {

namespace po = boost::program_options;

struct ConfigArgs {
  std::vector<std::string> files;
  std::vector<std::string> overrides;
  std::vector<FieldAssignment> assignments;  // flags bound to fields (FieldFlags), applied last
  std::function<std::string()> base_file;    // ConfigSources::base_file (a preset under files)
  bool dump = false;
  std::string threads, device, seed;  // empty = not given
};

void add_config_options(po::options_description& options, ConfigArgs& args);

// A --flag VALUE for each number and text field of a section (the key with '-' for '_'),
// with the field's own help, bound to the field after the config files and --set. Keeps the
// CLI's shorthands in step with the fields they set: a new field is a new flag.
class FieldFlags {
 public:
  // `keys` limits the flags to those fields; empty = every number and text field.
  explicit FieldFlags(const SectionRef& section, const std::vector<std::string>& keys = {});
  void add_to(po::options_description& options);
  // The flags given, as assignments.
  void collect(ConfigArgs& args) const;

 private:
  struct Flag {
    std::string key, name, help, value;
  };
  std::string section_;
  std::vector<Flag> flags_;  // sized once: po binds to each value's address
};

// Parses `argv` (the subcommand's own arguments). Prints usage and returns false on --help.
// Throws gpt2::Error on bad arguments, among them an empty value ("--adapter ''", a variable
// that was never set) for any option not named in `may_be_empty` (a prompt, a text to encode).
bool parse(const std::string& usage, const std::vector<std::string>& argv,
           po::options_description& options,
           const po::positional_options_description* positional = nullptr,
           const std::vector<std::string>& may_be_empty = {});

// Loads the sections from the config files and overrides (runtime flags last). When --dump-config
// was given, prints the merged YAML and returns false.
bool load_sections(const ConfigArgs& args, const std::vector<SectionRef>& sections);

}  // namespace gpt2::cli
