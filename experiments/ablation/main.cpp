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
#include <boost/program_options.hpp>
#include <iostream>
#include <thread>

#include "config/loader.h"
#include "config/sections.h"
#include "core/dir_lock.h"
#include "core/error.h"
#include "core/files.h"
#include "sweep/ablation.h"
#include "sweep/ablation_report.h"
#include "sweep/process_pool.h"
#include "train/trainer.h"  // TrainSections: the fields and rules the axes are checked against

namespace po = boost::program_options;
using namespace gpt2;

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
    ConfigSources sources{{sweep_file}, overrides, {}};
    if (vm.count("jobs"))
      sources.assignments.push_back(
          {"ablation.jobs", {std::to_string(vm["jobs"].as<int64_t>())}, "--jobs"});
    AblationConfig config;
    TrainSections scratch;  // only checks each axis value against its field's rule
    const std::vector<Axis> axes = load_config_with_axes({section_ref(config)}, sources,
                                                         {"axes", train_section_refs(scratch)});

    auto runs = plan_ablation(config, axes);
    // Each run's whole training config (base files, ablation.set, its axis values), checked
    // now rather than by its trainer once the sweep is under way.
    for (const auto& run : runs) {
      std::vector<std::string> sets = config.set;
      sets.insert(sets.end(), run.spec.overrides.begin(), run.spec.overrides.end());
      sets.push_back("train.out_dir=" + run.dir);
      TrainSections check;
      try {
        load_config(train_section_refs(check), ConfigSources{config.base, sets, {}},
                    known_section_names());
      } catch (const Error& e) {
        throw Error("run " + run.spec.name + ": " + e.what());
      }
    }
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
