#include "config/presets.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <set>

#include "core/error.h"
#include "core/strings.h"

namespace fs = std::filesystem;

namespace gpt2 {

std::vector<std::string> config_search_dirs() {
  std::vector<std::string> dirs;
  if (const char* env = std::getenv("GPT2_CONFIG_DIR")) dirs.push_back(env);
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    dirs.push_back(
        (exe.parent_path().parent_path() / GPT2_INSTALL_DATADIR / "gpt2" / "configs").string());
  }
  dirs.push_back(GPT2_CONFIG_SOURCE_DIR);
  return dirs;
}

std::vector<std::string> list_presets(const std::string& kind) {
  std::set<std::string> names;
  for (const auto& dir : config_search_dirs()) {
    std::error_code ec;
    for (fs::directory_iterator it(fs::path(dir) / kind, ec), end; !ec && it != end; ++it)
      if (it->path().extension() == ".yaml") names.insert(it->path().stem().string());
  }
  return {names.begin(), names.end()};
}

std::string find_preset(const std::string& kind, const std::string& name) {
  for (const auto& dir : config_search_dirs()) {
    fs::path candidate = fs::path(dir) / kind / (name + ".yaml");
    if (fs::exists(candidate)) return candidate.string();
  }
  auto names = list_presets(kind);
  std::string message = "no " + kind + " preset named \"" + name + "\"";
  std::string suggestion = closest_match(name, names);
  if (!suggestion.empty()) message += " (did you mean \"" + suggestion + "\"?)";
  return throw Error(message + "; available: " + join(names, ", ")), std::string();
}

}  // namespace gpt2
