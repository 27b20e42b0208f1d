#pragma once
// Applies RuntimeConfig to LibTorch: thread count, seed, device and dtype resolution.
#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>

#include "runtime/runtime_config.h"

namespace gpt2 {

struct Runtime {
  c10::Device device = c10::Device(c10::kCPU);
  c10::ScalarType dtype = c10::kFloat;
  int64_t threads = 1;
  int64_t seed = 0;
  // runtime.weights: kFloat, kBFloat16, kHalf, kChar; Undefined for auto (as the file stores
  // them, on the CPU with float32 activations; kFloat otherwise).
  c10::ScalarType weights = c10::kFloat;
};

// Sets torch's intra-op threads (LibTorch starts with 1 here) and seeds; resolves "auto".
// Throws Error when CUDA is asked for but not available.
Runtime apply_runtime(const RuntimeConfig& config);

c10::ScalarType parse_dtype(const std::string& name);
// runtime.weights' names: f32, bf16, f16, int8 (not auto); throws Error naming the choices.
c10::ScalarType parse_weights(const std::string& name);
std::string dtype_name(c10::ScalarType dtype);

// Keeps freed memory in the process for reuse (glibc malloc: no mmap for big blocks, no
// trimming). Tensors of tens of MB are otherwise mapped fresh for every op, and the page faults
// made elementwise ops and softmax 10-50x slower on the machines we measured. Called by
// apply_runtime(); call it first thing in programs that do not use apply_runtime().
void keep_freed_memory();

// Number of cores this process may use.
int64_t available_cores();

// The machine's physical memory in bytes (0 if unknown).
double physical_memory_bytes();

// For its lifetime, ATen's ops use `threads` threads (restoring the previous count after).
class ThreadCountScope {
 public:
  explicit ThreadCountScope(int threads);
  ~ThreadCountScope();
  ThreadCountScope(const ThreadCountScope&) = delete;
  ThreadCountScope& operator=(const ThreadCountScope&) = delete;

 private:
  int previous_;
};

}  // namespace gpt2
