#pragma once
// Expands file patterns ("data/train_*.bin", "corpus/**" is not supported) into sorted paths.
#include <string>
#include <vector>

namespace gpt2 {

// Each pattern expands with glob(3), sorted; a plain path passes through. Throws Error naming
// the pattern when it matches no file, and for a directory (asking for a glob instead).
std::vector<std::string> expand_file_patterns(const std::vector<std::string>& patterns,
                                              const std::string& what = "input");

}  // namespace gpt2
