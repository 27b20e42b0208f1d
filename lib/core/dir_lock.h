#pragma once
// One writer per folder: an advisory flock() on <dir>/.lock, which also holds "pid host" of
// the holder so that a refused second writer can say who holds it. The kernel drops the lock
// when its holder dies, so a lock left by a killed process is taken over (with a warning).
#include <optional>
#include <string>

namespace gpt2 {

struct LockHolder {
  long pid = 0;
  std::string host;
};

class DirectoryLock {
 public:
  // Takes the lock of `dir` (created when missing). Throws Error naming the holder (pid, host)
  // and `advice` (what the user can do) when another process holds it. `what` names the
  // folder in messages, e.g. "run directory".
  DirectoryLock(const std::string& dir, const std::string& what, const std::string& advice);
  ~DirectoryLock();
  DirectoryLock(const DirectoryLock&) = delete;
  DirectoryLock& operator=(const DirectoryLock&) = delete;

  // The process holding the lock of `dir` now; nullopt when nobody does.
  static std::optional<LockHolder> holder(const std::string& dir);

  static std::string lock_path(const std::string& dir) { return dir + "/.lock"; }

 private:
  int fd_ = -1;
};

// "pid 123 on host name".
std::string describe(const LockHolder& holder);

}  // namespace gpt2
