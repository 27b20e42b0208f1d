#pragma once
// Runtime settings in one place: threads, device, dtype, seed.
#include <cstdint>
#include <string>

#include "config/fields.h"

namespace gpt2 {

struct RuntimeConfig {
  static constexpr const char* kSection = "runtime";

  int64_t threads = 0;            // intra-op threads; 0 = all cores
  std::string device = "auto";    // cpu | cuda | cuda:N | auto
  std::string dtype = "float32";  // parameter/compute dtype
  int64_t seed = 1337;            // seeds torch and the library's own generators
  std::string weights = "auto";   // the products' weights when decoding on the CPU

  void visit(FieldVisitor& v) {
    v.field("threads", threads, "intra-op threads (0 = all cores)", Rule::non_negative());
    v.field("device", device, "cpu, cuda, cuda:N or auto (cuda when available)");
    v.field("dtype", dtype, "parameter dtype: float32, bfloat16 or float16",
            Rule::one_of({"float32", "bfloat16", "float16"}));
    v.field("seed", seed, "random seed", Rule::non_negative());
    v.field("weights", weights,
            "dtype of the Conv1D and LM-head weights for inference on the CPU: f32, bf16, f16 or "
            "int8 (per-column scales, quantised at load; read in place by the row kernels; "
            "activations stay fp32; not for training); auto: as the model directory stores "
            "them (gpt2 quantize writes bf16, f16 and int8 directories), f32 with "
            "runtime.dtype other than float32 or off the CPU",
            Rule::one_of({"auto", "f32", "bf16", "f16", "int8"}));
  }
  void validate() const;
};

}  // namespace gpt2
