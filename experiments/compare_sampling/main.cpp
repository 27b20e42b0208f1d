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
#include <boost/program_options.hpp>
#include <iostream>

#include "compare/comparison.h"
#include "config/loader.h"
#include "core/error.h"
#include "runtime/runtime.h"

namespace po = boost::program_options;
using namespace gpt2;

namespace {

struct Experiment {
  RuntimeConfig runtime;
  CompareConfig compare;
  std::vector<NamedSetting> settings;
};

// The experiment file through the one config loader: the runtime and compare sections, and
// the settings list, each entry a GenerateConfig that starts from max_new_tokens =
// compare.reference_tokens, then the file's generate section, then its own keys.
Experiment load_experiment(const std::string& path, const std::vector<std::string>& overrides) {
  Experiment e;
  VariantList settings{"settings", "generate", [&e](const std::string& name) {
                         e.settings.push_back({name, {}});
                         e.settings.back().generate.max_new_tokens = e.compare.reference_tokens;
                         return section_ref(e.settings.back().generate);
                       }};
  load_config_with_variants({section_ref(e.runtime), section_ref(e.compare)}, {{path}, overrides},
                            {settings});
  return e;
}

}  // namespace

int main(int argc, char** argv) {
  std::string path, adapter;
  std::vector<std::string> overrides;
  bool help = false;
  po::options_description options("gpt2-compare-sampling EXPERIMENT.yaml [options]");
  options.add_options()                                                                  //
      ("experiment", po::value(&path), "experiment file (compare, generate, settings)")  //
      ("adapter", po::value(&adapter), "LoRA adapter directory for compare.model")       //
      ("set,s", po::value(&overrides)->composing(),
       "override: --set compare.num_prompts=10 (sections runtime, compare, generate)")  //
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
    if (!adapter.empty()) overrides.push_back("compare.adapter=" + adapter);
    Experiment experiment = load_experiment(path, overrides);
    const Runtime runtime = apply_runtime(experiment.runtime);
    auto result = run_comparison(experiment.compare, experiment.settings,
                                 {"", runtime.weights, runtime.device, runtime.dtype});
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
