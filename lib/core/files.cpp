#include "core/files.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.h"

namespace fs = std::filesystem;

namespace gpt2 {

std::string read_file(const std::string& path) {
  // A folder opens as a stream on Linux and reads as empty: say so instead.
  if (is_directory(path)) throw Error("cannot read " + path + ": it is a folder, not a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot read " + path + ": " + std::strerror(errno));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::string read_file_prefix(const std::string& path, size_t bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot read " + path + ": " + std::strerror(errno));
  std::string prefix(bytes, '\0');
  in.read(prefix.data(), static_cast<std::streamsize>(bytes));
  prefix.resize(static_cast<size_t>(in.gcount()));
  return prefix;
}

namespace {
std::string temp_name_for(const std::string& path) {
  static std::atomic<int> counter{0};
  return path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++);
}

// fsync, so that a write error the kernel only reports late (delayed allocation on a full
// disk) is caught here, before the rename makes the file look complete.
bool fsync_path(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) return false;
  const bool ok = ::fsync(fd) == 0;
  ::close(fd);
  return ok;
}

std::string disk_full(const std::string& path, const std::string& reason) {
  return "write failed for " + path + " (disk full?)" + (reason.empty() ? "" : ": " + reason);
}
}  // namespace

void write_file_atomic(const std::string& path, const std::function<void(std::ostream&)>& write) {
  fs::path target(path);
  const std::string temp = temp_name_for(path);
  try {
    if (target.has_parent_path()) fs::create_directories(target.parent_path());
    {
      std::ofstream out(temp, std::ios::binary | std::ios::trunc);
      if (!out) throw Error("cannot write " + temp + ": " + std::strerror(errno));
      write(out);
      out.flush();
      if (!out) throw Error(disk_full(path, std::strerror(errno)));
      out.close();
      if (!out) throw Error(disk_full(path, std::strerror(errno)));
    }
    if (!fsync_path(temp)) throw Error(disk_full(path, std::strerror(errno)));
    fs::rename(temp, target);
  } catch (...) {
    std::error_code ignored;
    fs::remove(temp, ignored);
    // One message for every way a write fails: a stream writer (torch's archive writer throws
    // c10::Error "unexpected pos" when its stream fails), folders, the rename.
    try {
      throw;
    } catch (const Error&) {
      throw;
    } catch (const fs::filesystem_error& e) {
      throw Error(disk_full(path, e.code().message()));
    } catch (const std::bad_alloc&) {
      throw;
    } catch (const std::exception& e) {
      const std::string what = e.what();
      throw Error(disk_full(path, what.substr(0, what.find('\n'))));
    }
  }
}

void write_file_atomic(const std::string& path, const std::string& content) {
  write_file_atomic(path, [&](std::ostream& out) { out.write(content.data(), content.size()); });
}

void write_files_atomic(const std::vector<std::pair<std::string, std::string>>& files) {
  std::vector<std::string> temps, names;
  for (const auto& file : files) names.push_back(file.first);
  auto name_list = [&names]() {
    std::string text;
    for (size_t i = 0; i < names.size(); ++i) text += (i ? ", " : "") + names[i];
    return text;
  };
  try {
    for (const auto& [path, content] : files) {
      temps.push_back(temp_name_for(path));
      write_file_atomic(temps.back(), content);
    }
  } catch (const Error& e) {
    std::error_code ignored;
    for (const auto& temp : temps) fs::remove(temp, ignored);
    // The message names the file meant, not its temp file.
    std::string what = e.what();
    const std::string& temp = temps.back();
    for (size_t at = what.find(temp); at != std::string::npos; at = what.find(temp, at))
      what.replace(at, temp.size(), files[temps.size() - 1].first);
    throw Error(what + "; none of " + name_list() +
                " was written (earlier versions, if any, are unchanged)");
  }
  for (size_t i = 0; i < files.size(); ++i) {
    std::error_code error;
    fs::rename(temps[i], files[i].first, error);
    if (error) {
      std::error_code ignored;
      for (size_t j = i; j < files.size(); ++j) fs::remove(temps[j], ignored);
      std::string written;
      for (size_t j = 0; j < i; ++j) written += (j ? ", " : "") + files[j].first;
      throw Error("cannot rename " + temps[i] + " to " + files[i].first + ": " + error.message() +
                  "; written: " + (written.empty() ? "none" : written) + ", missing: the rest");
    }
  }
}

bool file_exists(const std::string& path) {
  std::error_code ec;
  return fs::exists(path, ec);
}

void create_folder(const std::string& dir) {
  require(!dir.empty(), "an output folder is needed: the path given is empty");
  require(!file_exists(dir) || is_directory(dir),
          dir + " is a file, not a folder; give a new or existing folder");
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw Error("cannot create folder " + dir + ": " + ec.message());
}

bool is_directory(const std::string& path) {
  std::error_code ec;
  return fs::is_directory(path, ec);
}

std::uintmax_t file_size(const std::string& path) {
  std::error_code ec;
  auto size = fs::file_size(path, ec);
  if (ec) throw Error("cannot stat " + path + ": " + ec.message());
  return size;
}

}  // namespace gpt2
