#pragma once
// Data parallelism over LibTorch's c10d: ProcessGroupGloo on CPU, ProcessGroupNCCL on CUDA
// (when this LibTorch has it), rendezvous over a TCP store at MASTER_ADDR:MASTER_PORT.
// Ranks come from the environment torchrun sets (RANK, WORLD_SIZE, LOCAL_RANK), else Slurm's
// (SLURM_PROCID, SLURM_NTASKS, SLURM_LOCALID). c10d stays out of this header.
#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <memory>
#include <string>
#include <vector>

namespace gpt2 {

struct DistributedEnv {
  int rank = 0;
  int world_size = 1;
  int local_rank = 0;
  std::string master_addr = "127.0.0.1";
  int master_port = 29500;
  // Form a process group even at world size 1 (to check a backend on one device).
  bool form_group_alone = false;
  bool active() const { return world_size > 1; }
};

// Reads the variables above; world size 1 when none are set. Throws Error naming the variable
// when one is malformed or inconsistent (RANK >= WORLD_SIZE, no MASTER_ADDR with WORLD_SIZE >
// 1).
DistributedEnv distributed_env_from_environment();

class Distributed {
 public:
  // world_size 1: every collective is a no-op. backend: auto (nccl on CUDA, else gloo), gloo,
  // nccl. Blocks until every rank has joined (or timeout_seconds pass).
  Distributed(const DistributedEnv& env, const std::string& backend, c10::Device device,
              double timeout_seconds = 600);
  ~Distributed();
  Distributed(const Distributed&) = delete;
  Distributed& operator=(const Distributed&) = delete;

  int rank() const { return env_.rank; }
  int world_size() const { return env_.world_size; }
  bool is_main() const { return env_.rank == 0; }
  const std::string& backend() const { return backend_; }

  // Copies rank 0's tensors to every rank (in place), in buckets of bucket_bytes.
  void broadcast(const std::vector<at::Tensor>& tensors, double bucket_bytes = 25 << 20);
  // Replaces each parameter's gradient by its mean over ranks; gradients are flattened into
  // buckets of about bucket_bytes (last parameters first, the order backward produces them).
  // A missing gradient counts as zeros.
  void average_gradients(const std::vector<at::Tensor>& params, double bucket_bytes);
  // Sums `tensor` over ranks in place.
  void all_reduce_sum(at::Tensor& tensor);
  void barrier();

 private:
  struct Impl;
  DistributedEnv env_;
  std::string backend_;
  std::unique_ptr<Impl> impl_;
  bool grouped_ = false;  // a process group exists (world size > 1, or form_group_alone)
};

}  // namespace gpt2
