// gpt2-compare-sampling EXPERIMENT.yaml: every decoding setting continues the same prompts,
// and each is scored the same way (perplexity, BLEU, ROUGE, Self-BLEU, distinct-n,
// repetition, Zipf, length, speed) beside the references: a table, results.json/csv and a
// self-contained report.html.
//
//   compare: {model: runs/demo/best, text: [val.txt], num_prompts: 50}
//   generate: {batch_size: 16}          # defaults shared by every setting
//   settings:
//     - {name: greedy, strategy: greedy}
//     - {name: top-p 0.9, strategy: top_p, top_p: 0.9}
#include <yaml-cpp/yaml.h>

#include <boost/program_options.hpp>
#include <iostream>

#include "compare/comparison.h"
#include "config/loader.h"
#include "config/yaml_section.h"
#include "core/error.h"
#include "core/files.h"
#include "runtime/runtime.h"

namespace po = boost::program_options;
using namespace gpt2;

namespace {

struct Experiment {
  RuntimeConfig runtime;
  CompareConfig compare;
  YAML::Node shared_generate, settings;
  std::string path;
};

Experiment read_experiment(const std::string& path, const std::vector<std::string>& overrides) {
  Experiment e;
  e.path = path;
  YAML::Node root;
  try {
    root = YAML::Load(read_file(path));
  } catch (const YAML::Exception& error) {
    throw Error(path + ":" + std::to_string(error.mark.line + 1) +
                ": not valid YAML: " + error.msg);
  }
  require(root.IsMap(), path + ": expected sections runtime, compare, generate and settings");
  for (const auto& entry : root) {
    const std::string name = entry.first.as<std::string>();
    if (name == "runtime")
      apply_yaml_mapping(entry.second, section_ref(e.runtime), path, "runtime.");
    else if (name == "compare")
      apply_yaml_mapping(entry.second, section_ref(e.compare), path, "compare.");
    else if (name == "generate")
      e.shared_generate = entry.second;
    else if (name == "settings")
      e.settings = entry.second;
    else
      throw Error(path + ":" + std::to_string(entry.first.Mark().line + 1) +
                  ": unknown section \"" + name +
                  "\"; valid sections: runtime, compare, generate, settings");
  }
  std::vector<SectionRef> sections = {section_ref(e.runtime), section_ref(e.compare)};
  for (const auto& assignment : overrides) apply_override(sections, assignment);
  validate_config(sections);
  require(e.settings.IsSequence() && e.settings.size() > 0,
          path + ": \"settings\" must be a list of decoding settings, each with a name");
  return e;
}

std::vector<NamedSetting> read_settings(const Experiment& e) {
  std::vector<NamedSetting> settings;
  for (size_t i = 0; i < e.settings.size(); ++i) {
    const std::string where = "settings[" + std::to_string(i) + "].";
    YAML::Node node = YAML::Clone(e.settings[i]);
    require(node.IsMap() && node["name"] && node["name"].IsScalar(),
            e.path + ":" + std::to_string(e.settings[i].Mark().line + 1) + ": " + where +
                "name is missing: each setting needs a name");
    NamedSetting setting{node["name"].as<std::string>(), {}};
    node.remove("name");
    setting.generate.max_new_tokens = e.compare.reference_tokens;
    if (e.shared_generate)
      apply_yaml_mapping(e.shared_generate, section_ref(setting.generate), e.path, "generate.");
    apply_yaml_mapping(node, section_ref(setting.generate), e.path, where);
    try {
      setting.generate.validate();
    } catch (const Error& error) {
      throw Error(e.path + ": " + where + " (" + setting.name + "): " + error.what());
    }
    settings.push_back(setting);
  }
  return settings;
}

}  // namespace

int main(int argc, char** argv) {
  std::string path;
  std::vector<std::string> overrides;
  bool help = false;
  po::options_description options("gpt2-compare-sampling EXPERIMENT.yaml [options]");
  options.add_options()                                                                  //
      ("experiment", po::value(&path), "experiment file (compare, generate, settings)")  //
      ("set,s", po::value(&overrides)->composing(),
       "override: --set compare.num_prompts=10 (sections runtime, compare)")  //
      ("help,h", po::bool_switch(&help), "show this help");
  po::positional_options_description positional;
  positional.add("experiment", 1);
  try {
    po::variables_map vm;
    po::store(po::command_line_parser(argc, argv).options(options).positional(positional).run(),
              vm);
    po::notify(vm);
    if (help || path.empty()) {
      std::cout << options << "\n";
      return help ? 0 : 2;
    }
    Experiment experiment = read_experiment(path, overrides);
    auto settings = read_settings(experiment);
    apply_runtime(experiment.runtime);
    auto result = run_comparison(experiment.compare, settings);
    std::cout << comparison_table_text(result);
    write_comparison_outputs(result, experiment.compare);
    std::cout << "report: " << experiment.compare.out_dir << "/report.html\n";
    return 0;
  } catch (const po::error& e) {
    std::cerr << "gpt2-compare-sampling: error: " << e.what() << " (see --help)\n";
    return 2;
  } catch (const Error& e) {
    std::cerr << "gpt2-compare-sampling: error: " << e.what() << "\n";
    return 1;
  }
}
