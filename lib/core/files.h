#pragma once
// File helpers: whole-file reads with clear errors, and atomic writes (temp file + rename) so
// an interrupted run never leaves a half-written file behind.
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>
#include <utility>
#include <vector>

namespace gpt2 {

// Reads a whole file; throws Error naming the file when it cannot be read.
std::string read_file(const std::string& path);

// The first `bytes` bytes of a file (fewer when it is shorter); throws Error when unreadable.
std::string read_file_prefix(const std::string& path, size_t bytes);

// Writes `content` to `path` atomically: write to a temp file in the same folder, flush,
// fsync, rename over `path`. Creates missing parent folders.
void write_file_atomic(const std::string& path, const std::string& content);

// Same, for writers that stream: `write` fills the stream of the temp file.
void write_file_atomic(const std::string& path, const std::function<void(std::ostream&)>& write);

// Writes several files all-or-nothing: each goes to a temp file first, and only when every one
// is written are they renamed into place. On a failure the temp files are removed and the Error
// names the file that failed and says that none of them was written (old ones unchanged).
void write_files_atomic(const std::vector<std::pair<std::string, std::string>>& files);

// Creates folder `dir` and its parents (an existing folder is fine); throws Error naming it when
// the path is empty, is a file, or cannot be created.
void create_folder(const std::string& dir);

bool file_exists(const std::string& path);
bool is_directory(const std::string& path);
std::uintmax_t file_size(const std::string& path);

}  // namespace gpt2
