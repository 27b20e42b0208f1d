#include "sweep/ablation_plan.h"

#include "core/error.h"
#include "core/strings.h"

namespace gpt2 {

void AblationConfig::validate() const {
  require(!base.empty(), "config: ablation.base: give at least one training config file");
  require(!seeds.empty(), "config: ablation.seeds: give at least one seed");
}

namespace {
// The part of a key shown in run names: "model.n_layer" -> "n_layer".
std::string short_key(const std::string& key) {
  size_t dot = key.rfind('.');
  return dot == std::string::npos ? key : key.substr(dot + 1);
}

// Characters that are awkward in folder names become '_'.
std::string safe_name(const std::string& text) {
  std::string out;
  for (char c : text)
    out += (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_' ||
            c == '=' || c == ',')
               ? c
               : '_';
  return out;
}
}  // namespace

std::vector<RunSpec> expand_grid(const std::vector<Axis>& axes, const std::vector<int64_t>& seeds) {
  for (const auto& axis : axes) {
    require(axis.key.find('.') != std::string::npos,
            "ablation axis \"" + axis.key + "\" must be section.key, e.g. model.n_layer");
    require(!axis.values.empty(), "ablation axis \"" + axis.key + "\" has no values");
  }
  std::vector<RunSpec> runs;
  std::vector<size_t> index(axes.size(), 0);
  while (true) {
    std::vector<std::string> parts, overrides;
    for (size_t a = 0; a < axes.size(); ++a) {
      parts.push_back(short_key(axes[a].key) + "=" + axes[a].values[index[a]]);
      overrides.push_back(axes[a].key + "=" + axes[a].values[index[a]]);
    }
    std::string group = safe_name(parts.empty() ? std::string("base") : join(parts, ","));
    for (int64_t seed : seeds) {
      RunSpec run;
      run.group = group;
      run.seed = seed;
      run.name = group + ",seed=" + std::to_string(seed);
      run.overrides = overrides;
      run.overrides.push_back("runtime.seed=" + std::to_string(seed));
      runs.push_back(run);
    }
    // Odometer over the axes, right-most fastest.
    size_t a = axes.size();
    while (a > 0 && ++index[a - 1] == axes[a - 1].values.size()) index[--a] = 0;
    if (a == 0) break;
  }
  return runs;
}

}  // namespace gpt2
