#pragma once
// Model weights in memory backed by 2 MiB pages (Linux transparent huge pages).
//
// Decoding streams every weight from memory each step, and the row kernels read a Conv1D
// weight a strip of columns at a time, touching a new 4 KiB page on every weight row: with
// huge pages, GPT-2 124M's decoding step on 2 threads took about 1.2 ms less at batch 1 and 8
// (15.3 -> 14.2 ms and 23.0 -> 21.7 ms). Linux backs only memory that asks for it when
// /sys/kernel/mm/transparent_hugepage/enabled is "madvise" (Debian's default).
#include <memory>

namespace torch::nn {
class Module;
}

namespace gpt2 {

// Moves the module's CPU parameters into one block of memory, aligned to 2 MiB and advised
// as huge pages, keeping their values (unless `keep_values` is false: parameters about to be
// overwritten, e.g. by loading, skip a copy of every byte), autograd settings and identity
// (tensor.set_data), so optimizers and references taken before stay valid. Does nothing for
// less than 4 MiB of parameters, off Linux, or when the environment sets GPT2_HUGE_PAGES=0.
void place_parameters_in_huge_pages(torch::nn::Module& module, bool keep_values = true);

// The same move made on a thread of its own, for a model that starts on memory it did not
// allocate (its weights file's mapping, checkpoint.h): the first token does not wait for the
// copy. In a virtual machine, memory the process touches first costs the host's page faults
// too: for GPT-2 124M, 0.3-1 s at start-up here, while decoding on 4 KiB pages is ~15% slower.
// Construct it once the parameters are final (adapters merged, dtypes set); call adopt() on the
// thread that uses the module, between uses: once the copy is done it points the parameters
// into the block and returns true. It adopts nothing when a parameter was replaced meanwhile.
class HugePagePlacement {
 public:
  explicit HugePagePlacement(torch::nn::Module& module);
  ~HugePagePlacement();  // stops the copy and waits for its thread
  HugePagePlacement(const HugePagePlacement&) = delete;
  HugePagePlacement& operator=(const HugePagePlacement&) = delete;

  bool ready() const;
  bool adopt();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace gpt2
