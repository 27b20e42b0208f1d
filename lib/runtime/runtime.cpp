#include "runtime/runtime.h"
#include <unistd.h>

#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <malloc.h>
#include <sched.h>

#include <cstdio>
#include <limits>
#include <thread>

#include "core/error.h"
#include "core/strings.h"

namespace gpt2 {

void RuntimeConfig::validate() const {
  bool ok = device == "cpu" || device == "cuda" || device == "auto" || starts_with(device, "cuda:");
  require(ok, "config: runtime.device: value \"" + device +
                  "\" is invalid: must be cpu, cuda, cuda:N or auto");
}

int64_t available_cores() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) return CPU_COUNT(&set);
  return std::max(1u, std::thread::hardware_concurrency());
}

double physical_memory_bytes() {
  const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGE_SIZE);
  return pages > 0 && page > 0 ? double(pages) * double(page) : 0;
}

ThreadCountScope::ThreadCountScope(int threads) : previous_(at::get_num_threads()) {
  if (threads != previous_) at::set_num_threads(threads);
}

ThreadCountScope::~ThreadCountScope() {
  if (at::get_num_threads() != previous_) at::set_num_threads(previous_);
}

c10::ScalarType parse_dtype(const std::string& name) {
  if (name == "float32") return c10::kFloat;
  if (name == "bfloat16") return c10::kBFloat16;
  if (name == "float16") return c10::kHalf;
  if (name == "float64") return c10::kDouble;
  throw Error("unknown dtype \"" + name + "\": use float32, bfloat16 or float16");
}

c10::ScalarType parse_weights(const std::string& name) {
  if (name == "f32") return c10::kFloat;
  if (name == "bf16") return c10::kBFloat16;
  if (name == "f16") return c10::kHalf;
  if (name == "int8") return c10::kChar;
  throw Error("weights \"" + name + "\": choose f32, bf16, f16 or int8");
}

std::string dtype_name(c10::ScalarType dtype) {
  switch (dtype) {
    case c10::kFloat:
      return "float32";
    case c10::kBFloat16:
      return "bfloat16";
    case c10::kHalf:
      return "float16";
    case c10::kDouble:
      return "float64";
    case c10::kChar:
      return "int8";
    default:
      return c10::toString(dtype);
  }
}

void keep_freed_memory() {
  static const bool done = [] {
    mallopt(M_MMAP_MAX, 0);
    mallopt(M_TRIM_THRESHOLD, std::numeric_limits<int>::max());
    return true;
  }();
  (void)done;
}

Runtime apply_runtime(const RuntimeConfig& config) {
  config.validate();
  keep_freed_memory();
  Runtime runtime;
  runtime.threads = config.threads > 0 ? config.threads : available_cores();
  if (runtime.threads > available_cores()) {
    // More threads than cores only adds contention (commands became many times slower).
    std::fprintf(stderr, "warning: runtime.threads %ld exceeds the %ld cores here; using %ld\n",
                 long(runtime.threads), long(available_cores()), long(available_cores()));
    runtime.threads = available_cores();
  }
  at::set_num_threads(static_cast<int>(runtime.threads));
  runtime.seed = config.seed;
  at::manual_seed(static_cast<uint64_t>(config.seed));
  bool cuda = at::hasCUDA();
  if (config.device == "auto") {
    runtime.device = cuda ? c10::Device(c10::kCUDA) : c10::Device(c10::kCPU);
  } else {
    runtime.device = c10::Device(config.device);
    require(!runtime.device.is_cuda() || cuda,
            "runtime.device is \"" + config.device +
                "\" but this LibTorch has no usable CUDA device; use --device cpu");
  }
  runtime.dtype = parse_dtype(config.dtype);
  require(runtime.dtype != c10::kHalf || runtime.device.is_cuda(),
          "runtime.dtype float16 needs a CUDA device; use float32 or bfloat16 on CPU");
  const bool row_kernels = runtime.device.is_cpu() && runtime.dtype == c10::kFloat;
  runtime.weights = config.weights != "auto" ? parse_weights(config.weights)
                    : row_kernels ? c10::ScalarType::Undefined  // as stored (load_inference_model)
                                  : c10::kFloat;
  require(runtime.weights == c10::kFloat || row_kernels,
          "runtime.weights " + config.weights +
              " is for the CPU's row kernels with float32 activations: set runtime.device cpu "
              "and runtime.dtype float32 (or runtime.weights f32)");
  return runtime;
}

}  // namespace gpt2
