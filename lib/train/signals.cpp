#include "train/signals.h"

#include <unistd.h>

#include <atomic>
#include <csignal>

namespace gpt2 {
namespace {

std::atomic<bool> g_stop{false};
std::atomic<int> g_signal{0};
struct sigaction g_old_int, g_old_term;
int g_installed = 0;

void on_signal(int signal) {
  if (g_stop.exchange(true)) _exit(128 + signal);  // second signal: give up at once
  g_signal = signal;
  const char message[] = "\nstop requested: saving a checkpoint, then exiting\n";
  ssize_t ignored = ::write(STDERR_FILENO, message, sizeof message - 1);
  (void)ignored;
}

}  // namespace

StopSignalGuard::StopSignalGuard() {
  if (g_installed++ > 0) return;
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, &g_old_int);
  sigaction(SIGTERM, &action, &g_old_term);
}

StopSignalGuard::~StopSignalGuard() {
  if (--g_installed > 0) return;
  sigaction(SIGINT, &g_old_int, nullptr);
  sigaction(SIGTERM, &g_old_term, nullptr);
}

bool stop_requested() {
  return g_stop.load();
}
int stop_signal() {
  return g_signal.load();
}
void request_stop() {
  g_stop = true;
}
void clear_stop_request() {
  g_stop = false;
  g_signal = 0;
}

}  // namespace gpt2
