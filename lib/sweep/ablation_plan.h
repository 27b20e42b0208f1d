#pragma once
// An ablation grid: a base training config, axes of values, seeds. Every combination is one
// run, in its own directory named from its settings.
#include <cstdint>
#include <string>
#include <vector>

#include "config/fields.h"
#include "config/loader.h"  // Axis

namespace gpt2 {

// The "ablation" section of a sweep file. The axes come beside it (config/loader.h: Axis,
// read by load_config_with_axes).
struct AblationConfig {
  static constexpr const char* kSection = "ablation";

  std::vector<std::string> base;     // training config files every run starts from
  std::vector<std::string> set;      // section.key=value overrides applied to every run
  std::vector<int64_t> seeds = {1};  // each combination runs once per seed
  std::string out_dir = "runs/ablation";
  int64_t jobs = 1;                    // runs at once; threads are split between them
  std::vector<std::string> eval_data;  // text files for perplexity of each run's best model
  std::string gpt2 = "";               // the gpt2 program; "" = next to this program, then PATH

  void visit(FieldVisitor& v) {
    v.field("base", base, "training config files every run starts from");
    v.field("set", set, "section.key=value overrides for every run");
    v.field("seeds", seeds, "seeds (runtime.seed) of each combination", Rule::non_negative());
    v.field("out_dir", out_dir, "sweep directory: one run directory per combination and seed");
    v.field("jobs", jobs, "runs at once", Rule::positive());
    v.field("eval_data", eval_data, "text files: perplexity of each run's best checkpoint");
    v.field("gpt2", gpt2, "path of the gpt2 program (default: beside this one, then PATH)");
  }
  void validate() const;
};

struct RunSpec {
  std::string name;                    // directory name, e.g. "n_layer=2,lr=3e-4,seed=1"
  std::string group;                   // the same without the seed: seeds of a group average
  std::vector<std::string> overrides;  // --set arguments, the seed's included
  int64_t seed = 0;
};

// The runs of the grid, in a stable order: axes vary right-most fastest, then seeds.
std::vector<RunSpec> expand_grid(const std::vector<Axis>& axes, const std::vector<int64_t>& seeds);

}  // namespace gpt2
