#include "data/file_glob.h"

#include <glob.h>

#include <algorithm>

#include "core/error.h"
#include "core/files.h"

namespace gpt2 {

std::vector<std::string> expand_file_patterns(const std::vector<std::string>& patterns,
                                              const std::string& what) {
  std::vector<std::string> files;
  for (const auto& pattern : patterns) {
    require(!pattern.empty(), "empty " + what + " path");
    glob_t matches{};
    int rc = ::glob(pattern.c_str(), GLOB_NOSORT, nullptr, &matches);
    std::vector<std::string> found(matches.gl_pathv, matches.gl_pathv + matches.gl_pathc);
    ::globfree(&matches);
    if (rc == GLOB_NOMATCH || found.empty()) {
      bool has_magic = pattern.find_first_of("*?[") != std::string::npos;
      throw Error(has_magic ? "no file matches the " + what + " pattern " + pattern
                            : "cannot read " + what + " " + pattern + ": no such file");
    }
    std::sort(found.begin(), found.end());
    for (auto& file : found) {
      require(!is_directory(file), what + " " + file +
                                       " is a directory; give files or a glob "
                                       "such as " +
                                       file + "/*.txt");
      files.push_back(std::move(file));
    }
  }
  return files;
}

}  // namespace gpt2
