#pragma once
// Named presets are YAML files under configs/<kind>/<name>.yaml (e.g. configs/model/gpt2.yaml).
// They are looked up in $GPT2_CONFIG_DIR, then the installed share/gpt2/configs next to the
// program, then the source tree's configs/.
#include <string>
#include <vector>

namespace gpt2 {

std::vector<std::string> config_search_dirs();

// Path of configs/<kind>/<name>.yaml; throws Error listing the available presets otherwise.
std::string find_preset(const std::string& kind, const std::string& name);

// Names of the presets of one kind, sorted.
std::vector<std::string> list_presets(const std::string& kind);

}  // namespace gpt2
