#include "core/dir_lock.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <sstream>

#include "core/error.h"

namespace fs = std::filesystem;

namespace gpt2 {
namespace {

std::string host_name() {
  char name[256] = {0};
  if (::gethostname(name, sizeof name - 1) != 0) return "unknown";
  return name;
}

// The "pid host" line a holder wrote; pid 0 when the file is empty or unreadable.
LockHolder read_holder(int fd) {
  char buffer[512] = {0};
  ssize_t n = ::pread(fd, buffer, sizeof buffer - 1, 0);
  LockHolder holder;
  if (n <= 0) return holder;
  std::istringstream in(std::string(buffer, size_t(n)));
  in >> holder.pid >> holder.host;
  if (!in && holder.host.empty()) holder.pid = 0;
  return holder;
}

bool process_alive(long pid) {
  return pid > 0 && (::kill(pid_t(pid), 0) == 0 || errno == EPERM);
}

int open_lock_file(const std::string& dir) {
  const std::string path = DirectoryLock::lock_path(dir);
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    throw Error("cannot open the lock file " + path + ": " + std::strerror(errno) +
                " (is the folder writable?)");
  return fd;
}

}  // namespace

std::string describe(const LockHolder& holder) {
  if (holder.pid <= 0) return "an unknown process";
  return "pid " + std::to_string(holder.pid) + " on host " + holder.host;
}

DirectoryLock::DirectoryLock(const std::string& dir, const std::string& what,
                             const std::string& advice) {
  std::error_code error;
  fs::create_directories(dir, error);
  require(!error, "cannot create the " + what + " " + dir + ": " + error.message());
  fd_ = open_lock_file(dir);
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int code = errno;
    LockHolder holder = read_holder(fd_);
    ::close(fd_);
    fd_ = -1;
    if (code == EWOULDBLOCK)
      throw Error("the " + what + " " + dir + " is in use by another gpt2 process (" +
                  describe(holder) + "); " + advice);
    throw Error("cannot lock " + lock_path(dir) + ": " + std::strerror(code));
  }
  // We hold the flock, so whoever wrote the file before is gone (the kernel releases the lock
  // of a dead process) or ran on a file system without working flock.
  const LockHolder previous = read_holder(fd_);
  const std::string host = host_name();
  if (previous.pid > 0 && previous.pid != long(::getpid())) {
    if (previous.host == host && process_alive(previous.pid)) {
      // Alive but not holding the flock: a reused pid, or flock not shared with it. Refusing
      // is the safe side; the user can tell which it is.
      ::close(fd_);
      fd_ = -1;
      throw Error("the " + what + " " + dir + " is marked in use by " + describe(previous) +
                  ", which is still running; " + advice + " (if that process is not gpt2, " +
                  "delete " + lock_path(dir) + ")");
    }
    std::fprintf(stderr, "warning: taking over the stale lock of %s in %s (%s)\n",
                 describe(previous).c_str(), dir.c_str(),
                 previous.host == host ? "that process is gone" : "its lock was released");
  }
  const std::string line = std::to_string(long(::getpid())) + " " + host + "\n";
  if (::ftruncate(fd_, 0) != 0 ||
      ::pwrite(fd_, line.data(), line.size(), 0) != ssize_t(line.size()))
    std::fprintf(stderr, "warning: cannot write the holder into %s: %s\n", lock_path(dir).c_str(),
                 std::strerror(errno));
}

DirectoryLock::~DirectoryLock() {
  if (fd_ < 0) return;
  // Emptied, not deleted: unlinking would let a process that opened the old file and one
  // that creates a new one both "hold" the lock.
  if (::ftruncate(fd_, 0) != 0) {
  }
  ::close(fd_);
}

std::optional<LockHolder> DirectoryLock::holder(const std::string& dir) {
  const std::string path = lock_path(dir);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::optional<LockHolder> result;
  if (::flock(fd, LOCK_SH | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) result = read_holder(fd);
  } else {
    ::flock(fd, LOCK_UN);
  }
  ::close(fd);
  return result;
}

}  // namespace gpt2
