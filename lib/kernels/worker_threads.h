#pragma once
// Threads for the row kernels' short parallel jobs (a decoding step runs ~60 of them, each
// 50-500 us). Under OMP_WAIT_POLICY=passive, which shared machines want so that idle OpenMP
// threads do not spin forever, OpenMP puts its workers to sleep after every region, and waking
// one costs ~100 us on a VM (measured, GPT-2 124M's decoding products on 2 threads: 17.1 ms per
// step under passive, 11.8 ms under active). So under passive these jobs run on workers of our
// own that wait for the next job by spinning a short while (GPT2_SPIN_US, default 300 us), then
// sleep: a decoding step never sleeps, and an idle or busy machine loses at most that much CPU
// time per job. Under any other policy OpenMP's threads already spin (libgomp's default spins
// for a while too), so the jobs run on them (at::parallel_for): two sets of spinning threads
// would share the cores.
//
// Only for bodies that call no LibTorch operation and no BLAS: those would start OpenMP teams
// of their own inside a worker. Products by BLAS keep at::parallel_for.
#include <cstdint>

namespace gpt2 {

// Runs body(first, last) on chunks covering [0, n), as at::parallel_for(0, n, grain, body) does:
// at most ceil(n / grain) chunks and one per intra-op thread, cut equally (the last takes the
// rest), the caller running the first.
// Runs body(0, n) on the calling thread when one chunk is all there is, when called from inside
// parallel work (a worker, an OpenMP region), or when another thread holds the workers.
template <typename Body>
void parallel_chunks(int64_t n, int64_t grain, const Body& body);

// Whether the calling thread is inside parallel work: a job on these workers or an OpenMP
// region (at::in_parallel_region()). Work there runs on the calling thread alone.
bool in_parallel_work();

// Whether jobs run on our workers: OMP_WAIT_POLICY is passive (as libgomp reads it) and
// GPT2_SPIN_US is not 0.
bool spinning_workers_enabled();

// How long (microseconds) an idle worker spins before it sleeps: GPT2_SPIN_US, default 300.
int64_t worker_spin_microseconds();

namespace detail {
using ChunkFunction = void (*)(const void* body, int64_t first, int64_t last);
void run_chunks(int64_t n, int64_t grain, ChunkFunction function, const void* body);
}  // namespace detail

template <typename Body>
void parallel_chunks(int64_t n, int64_t grain, const Body& body) {
  detail::run_chunks(
      n, grain,
      [](const void* b, int64_t first, int64_t last) {
        (*static_cast<const Body*>(b))(first, last);
      },
      &body);
}

}  // namespace gpt2
