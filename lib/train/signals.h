#pragma once
// SIGINT/SIGTERM as a stop request: the trainer checks stop_requested() between steps, saves a
// checkpoint and returns normally. A second signal while stopping exits at once.
namespace gpt2 {

// Installs the handlers (idempotent); the previous handlers are restored by the guard.
class StopSignalGuard {
 public:
  StopSignalGuard();
  ~StopSignalGuard();
  StopSignalGuard(const StopSignalGuard&) = delete;
  StopSignalGuard& operator=(const StopSignalGuard&) = delete;
};

bool stop_requested();
// The signal that asked to stop (0 = none, or requested programmatically).
int stop_signal();
// Asks the running trainer to stop as if a signal had arrived (tests, embedding programs).
void request_stop();
void clear_stop_request();

}  // namespace gpt2
