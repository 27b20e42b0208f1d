// gpt2-ablate SWEEP.yaml: train every combination of the axes (x seeds) with `gpt2 train`,
// resuming interrupted runs, then aggregate the final validation losses into a table,
// results.csv/json and report.html.
//
//   ablation:
//     base: [configs/train/shakespeare_char.yaml]
//     seeds: [1, 2]
//   axes:
//     model.n_layer: [2, 4]
//     train.lr: [3e-4, 1e-3]
#include <yaml-cpp/yaml.h>

#include <boost/program_options.hpp>
#include <iostream>
#include <thread>

#include "config/loader.h"
#include "config/yaml_section.h"
#include "core/dir_lock.h"
#include "core/error.h"
#include "core/files.h"
#include "sweep/ablation.h"
#include "sweep/ablation_report.h"
#include "sweep/process_pool.h"

namespace po = boost::program_options;
using namespace gpt2;

namespace {

// The sweep file: an "ablation" section and an "axes" mapping of section.key to values.
std::vector<Axis> read_sweep_file(const std::string& path, AblationConfig& config) {
  YAML::Node root;
  try {
    root = YAML::Load(read_file(path));
  } catch (const YAML::Exception& e) {
    throw Error(path + ":" + std::to_string(e.mark.line + 1) + ": not valid YAML: " + e.msg);
  }
  reject_duplicate_keys(root, path);
  require(root.IsMap(), path + ": expected the sections \"ablation\" and \"axes\"");
  std::vector<Axis> axes;
  for (const auto& entry : root) {
    const std::string name = entry.first.as<std::string>();
    if (name == "ablation") {
      apply_yaml_mapping(entry.second, section_ref(config), path, "ablation.");
    } else if (name == "axes") {
      require(entry.second.IsMap(), path + ":" + std::to_string(entry.second.Mark().line + 1) +
                                        ": axes must map section.key to a list of values");
      for (const auto& axis : entry.second) {
        Axis parsed{axis.first.as<std::string>(), {}};
        require(axis.second.IsSequence(), path + ":" + std::to_string(axis.second.Mark().line + 1) +
                                              ": axes." + parsed.key +
                                              " must be a list, e.g. [2, 4]");
        for (const auto& value : axis.second) parsed.values.push_back(value.as<std::string>());
        axes.push_back(parsed);
      }
    } else {
      throw Error(path + ":" + std::to_string(entry.first.Mark().line + 1) +
                  ": unknown section \"" + name + "\"; valid sections: ablation, axes");
    }
  }
  return axes;
}

}  // namespace

int main(int argc, char** argv) {
  std::string sweep_file;
  std::vector<std::string> overrides;
  bool dry_run = false, report_only = false, help = false;
  int64_t threads = 0;
  po::options_description options("gpt2-ablate SWEEP.yaml [options]");
  options.add_options()                                                                     //
      ("sweep", po::value(&sweep_file), "sweep file (ablation + axes)")                     //
      ("set,s", po::value(&overrides)->composing(), "override: --set ablation.jobs=2")      //
      ("jobs,j", po::value<int64_t>(), "runs at once (ablation.jobs)")                      //
      ("threads", po::value(&threads)->default_value(0), "cores for all runs (0 = all)")    //
      ("dry-run", po::bool_switch(&dry_run), "list the runs and their state, run nothing")  //
      ("report-only", po::bool_switch(&report_only), "aggregate what is on disk")           //
      ("help,h", po::bool_switch(&help), "show this help");
  po::positional_options_description positional;
  positional.add("sweep", 1);
  try {
    po::variables_map vm;
    po::store(po::command_line_parser(argc, argv).options(options).positional(positional).run(),
              vm);
    po::notify(vm);
    if (help || sweep_file.empty()) {
      std::cout << options << "\n";
      return help ? 0 : 2;
    }
    if (vm.count("jobs"))
      overrides.push_back("ablation.jobs=" + std::to_string(vm["jobs"].as<int64_t>()));
    AblationConfig config;
    auto axes = read_sweep_file(sweep_file, config);
    for (const auto& assignment : overrides) apply_override({section_ref(config)}, assignment);
    validate_config({section_ref(config)});

    auto runs = plan_ablation(config, axes);
    std::cout << plan_text(runs);
    if (dry_run) return 0;
    // One sweep at a time in a sweep directory (each trainer locks its own run directory).
    DirectoryLock lock(config.out_dir, "sweep directory",
                       "wait for that gpt2-ablate to finish or stop it (its runs resume when "
                       "the sweep is started again), or choose another ablation.out_dir");
    bool complete = true;
    if (!report_only) {
      std::string program = config.gpt2.empty() ? find_sibling_program("gpt2") : config.gpt2;
      if (threads <= 0) threads = int64_t(std::max(1u, std::thread::hardware_concurrency()));
      complete = run_ablation(config, runs, program, threads);
      runs = plan_ablation(config, axes);
    }
    std::cout << "\n" << write_ablation_report(runs, config.out_dir);
    std::cout << "report: " << config.out_dir << "/report.html\n";
    if (!complete) {
      std::cerr << "gpt2-ablate: not every run finished; run the same command again to resume\n";
      return 1;
    }
    return 0;
  } catch (const po::error& e) {
    std::cerr << "gpt2-ablate: error: " << e.what() << " (see --help)\n";
    return 2;
  } catch (const Error& e) {
    std::cerr << "gpt2-ablate: error: " << e.what() << "\n";
    return 1;
  }
}
