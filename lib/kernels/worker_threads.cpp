#include "kernels/worker_threads.h"

#include <ATen/Parallel.h>
#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace gpt2 {

namespace {

thread_local bool t_in_job = false;

// Marks the calling thread as running a chunk, for the guard's lifetime (nested calls inline).
class InJob {
 public:
  InJob() : was_(t_in_job) { t_in_job = true; }
  ~InJob() { t_in_job = was_; }
  InJob(const InJob&) = delete;
  InJob& operator=(const InJob&) = delete;

 private:
  bool was_;
};

void relax() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#else
  std::this_thread::yield();
#endif
}

using Clock = std::chrono::steady_clock;

// Spins on `done()` for `budget`, checking the clock every 256 pauses, then yields the core
// between checks until done() (waiting for other threads' share of a job that is under way).
template <typename Done>
bool spin_until(const Done& done, std::chrono::microseconds budget) {
  const auto deadline = Clock::now() + budget;
  for (int i = 1;; ++i) {
    if (done()) return true;
    relax();
    if (i % 256 == 0 && Clock::now() >= deadline) return false;
  }
}

// One job at a time: the caller publishes it by bumping `generation_`; every worker runs its
// own chunk (worker w: chunk w + 1, the caller chunk 0) and counts itself out of `pending_`.
// The caller returns only once every worker has, so a job's fields are never rewritten while
// a worker still reads them.
class WorkerPool {
 public:
  // Runs the job, or returns false when another thread is using the workers.
  bool try_run(int64_t n, int64_t chunk, int chunks, detail::ChunkFunction function,
               const void* body) {
    std::unique_lock<std::mutex> use(use_mutex_, std::try_to_lock);
    if (!use.owns_lock()) return false;
    grow_to(chunks - 1);
    n_ = n;
    chunk_ = chunk;
    chunks_ = chunks;
    function_ = function;
    body_ = body;
    error_ = nullptr;
    pending_.store(int(workers_.size()));
    generation_.fetch_add(1);  // seq_cst, paired with a sleeper's count (see wait_for_job)
    if (sleepers_.load() > 0) {
      std::lock_guard<std::mutex> lock(sleep_mutex_);
      wake_.notify_all();
    }
    std::exception_ptr own_error;
    try {
      InJob in_job;
      function(body, 0, std::min(n, chunk));
    } catch (...) {
      own_error = std::current_exception();
    }
    if (!spin_until([&] { return pending_.load(std::memory_order_acquire) == 0; },
                    std::chrono::microseconds(worker_spin_microseconds())))
      while (pending_.load(std::memory_order_acquire) != 0) std::this_thread::yield();
    if (own_error) std::rethrow_exception(own_error);
    if (error_) std::rethrow_exception(error_);
    return true;
  }

 private:
  void grow_to(int count) {
    while (int(workers_.size()) < count) {
      const int index = int(workers_.size());
      const uint64_t seen = generation_.load();
      workers_.emplace_back([this, index, seen] { work(index, seen); });
    }
  }

  uint64_t wait_for_job(uint64_t seen) {
    uint64_t now = seen;
    const auto budget = std::chrono::microseconds(worker_spin_microseconds());
    if (spin_until([&] { return (now = generation_.load(std::memory_order_acquire)) != seen; },
                   budget))
      return now;
    std::unique_lock<std::mutex> lock(sleep_mutex_);
    sleepers_.fetch_add(1);  // seq_cst: either the caller sees a sleeper or we see its job
    wake_.wait(lock, [&] { return (now = generation_.load()) != seen; });
    sleepers_.fetch_sub(1);
    return now;
  }

  void work(int index, uint64_t seen) {
    for (;;) {
      seen = wait_for_job(seen);
      const int64_t first = (index + 1) * chunk_;
      if (index + 1 < chunks_) {
        try {
          InJob in_job;
          function_(body_, first, std::min(n_, first + chunk_));
        } catch (...) {
          std::lock_guard<std::mutex> lock(error_mutex_);
          if (!error_) error_ = std::current_exception();
        }
      }
      pending_.fetch_sub(1, std::memory_order_release);
    }
  }

  std::mutex use_mutex_;
  std::vector<std::thread> workers_;  // never joined: the pool lives as long as the process
  int64_t n_ = 0, chunk_ = 0;
  int chunks_ = 0;
  detail::ChunkFunction function_ = nullptr;
  const void* body_ = nullptr;
  std::mutex error_mutex_;
  std::exception_ptr error_;
  std::atomic<uint64_t> generation_{0};
  std::atomic<int> pending_{0};
  std::mutex sleep_mutex_;
  std::condition_variable wake_;
  std::atomic<int> sleepers_{0};
};

// Never destroyed: workers may still be waiting when the process exits. A forked child has none
// of the parent's threads, so it starts a pool of its own.
WorkerPool* g_pool = nullptr;

WorkerPool& pool() {
  static const bool created = [] {
    g_pool = new WorkerPool();
    pthread_atfork(nullptr, nullptr, [] { g_pool = new WorkerPool(); });
    return true;
  }();
  (void)created;
  return *g_pool;
}

}  // namespace

bool in_parallel_work() {
  return t_in_job || at::in_parallel_region();
}

bool spinning_workers_enabled() {
  static const bool enabled = [] {
    const char* policy = std::getenv("OMP_WAIT_POLICY");
    if (!policy || !*policy) return false;
    std::string text(policy);
    for (auto& c : text) c = char(std::tolower(static_cast<unsigned char>(c)));
    return text == "passive" && worker_spin_microseconds() > 0;
  }();
  return enabled;
}

int64_t worker_spin_microseconds() {
  static const int64_t spin = [] {
    const char* text = std::getenv("GPT2_SPIN_US");
    if (!text || !*text) return int64_t(300);
    char* end = nullptr;
    const long long value = std::strtoll(text, &end, 10);
    return end && *end == '\0' && value >= 0 ? int64_t(value) : int64_t(300);
  }();
  return spin;
}

namespace detail {

void run_chunks(int64_t n, int64_t grain, ChunkFunction function, const void* body) {
  if (n <= 0) return;
  if (!spinning_workers_enabled()) {
    at::parallel_for(0, n, grain,
                     [&](int64_t first, int64_t last) { function(body, first, last); });
    return;
  }
  grain = std::max<int64_t>(grain, 1);
  const int64_t wanted = std::min<int64_t>(at::get_num_threads(), (n + grain - 1) / grain);
  if (wanted > 1 && !in_parallel_work()) {
    const int64_t chunk = (n + wanted - 1) / wanted;
    const int chunks = int((n + chunk - 1) / chunk);  // none empty
    if (chunks > 1 && pool().try_run(n, chunk, chunks, function, body)) return;
  }
  InJob in_job;  // what the body calls runs here too
  function(body, 0, n);
}

}  // namespace detail

}  // namespace gpt2
