#include "train/distributed.h"

#include <ATen/ATen.h>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#ifdef USE_C10D_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include <chrono>
#include <cstdlib>
#include <string>

#include "core/error.h"
#include "runtime/torch_compat.h"

namespace gpt2 {
namespace {

// Runs one collective; c10d's errors (a peer's socket closed, a timeout) become an Error that
// says what the user can do: when one rank stops (bad data, a held lock, a full disk), the
// others see only a closed connection.
template <class Collective>
void run_collective(const char* what, int rank, Collective&& collective) {
  try {
    collective();
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    std::string reason = e.what();
    reason = reason.substr(0, reason.find('\n'));
    throw Error(std::string("distributed: ") + what + " failed on rank " + std::to_string(rank) +
                " (" + reason +
                "): another rank has stopped or is unreachable; its own output says why");
  }
}

const char* env_value(const char* name) {
  const char* v = std::getenv(name);
  return v && *v ? v : nullptr;
}

int env_int(const char* name, const char* fallback, int default_value) {
  const char* v = env_value(name);
  const char* used = name;
  if (!v && fallback) {
    v = env_value(fallback);
    used = fallback;
  }
  if (!v) return default_value;
  char* end = nullptr;
  long value = std::strtol(v, &end, 10);
  require(end && *end == '\0' && value >= 0, std::string("environment variable ") + used + "=\"" +
                                                 v + "\" is not a non-negative integer");
  return static_cast<int>(value);
}

bool is_loopback(const std::string& addr) {
  return addr == "localhost" || addr.rfind("127.", 0) == 0 || addr == "::1";
}

// Buckets of consecutive tensors (in the given order) of at most `bytes` each and one dtype.
std::vector<std::vector<at::Tensor>> make_buckets(const std::vector<at::Tensor>& tensors,
                                                  double bytes) {
  std::vector<std::vector<at::Tensor>> buckets;
  double filled = 0;
  for (const auto& t : tensors) {
    double size = double(t.numel()) * t.element_size();
    if (buckets.empty() || filled + size > bytes ||
        buckets.back().front().scalar_type() != t.scalar_type() ||
        buckets.back().front().device() != t.device()) {
      buckets.emplace_back();
      filled = 0;
    }
    buckets.back().push_back(t);
    filled += size;
  }
  return buckets;
}

at::Tensor flatten(const std::vector<at::Tensor>& tensors) {
  std::vector<at::Tensor> flat;
  for (const auto& t : tensors) flat.push_back(t.reshape({-1}));
  return at::cat(flat);  // (sum of numel)
}

void unflatten_into(const at::Tensor& flat, const std::vector<at::Tensor>& tensors) {
  int64_t offset = 0;
  for (const auto& t : tensors) {
    t.copy_(flat.narrow(0, offset, t.numel()).view(t.sizes()));
    offset += t.numel();
  }
}

}  // namespace

DistributedEnv distributed_env_from_environment() {
  DistributedEnv env;
  env.world_size = std::max(1, env_int("WORLD_SIZE", "SLURM_NTASKS", 1));
  env.rank = env_int("RANK", "SLURM_PROCID", 0);
  env.local_rank = env_int("LOCAL_RANK", "SLURM_LOCALID", 0);
  require(env.rank < env.world_size, "RANK (" + std::to_string(env.rank) +
                                         ") must be below WORLD_SIZE (" +
                                         std::to_string(env.world_size) + ")");
  if (const char* addr = env_value("MASTER_ADDR"))
    env.master_addr = addr;
  else
    require(env.world_size == 1,
            "WORLD_SIZE is " + std::to_string(env.world_size) +
                " but MASTER_ADDR is not set; export MASTER_ADDR (rank 0's host) and "
                "MASTER_PORT, as torchrun does");
  env.master_port = env_int("MASTER_PORT", nullptr, 29500);
  require(env.master_port > 0 && env.master_port < 65536, "MASTER_PORT must be in 1..65535");
  return env;
}

struct Distributed::Impl {
  c10::intrusive_ptr<c10d::Store> store;
#if GPT2_TORCH_AT_LEAST(2, 0)
  c10::intrusive_ptr<c10d::Backend> group;  // 2.0 split ProcessGroup into a wrapper + Backends
#else
  c10::intrusive_ptr<c10d::ProcessGroup> group;
#endif
};

Distributed::Distributed(const DistributedEnv& env, const std::string& backend, c10::Device device,
                         double timeout_seconds)
    : env_(env), impl_(std::make_unique<Impl>()) {
  backend_ = backend == "auto" ? (device.is_cuda() ? "nccl" : "gloo") : backend;
  if (!env.active() && !env.form_group_alone) return;
  grouped_ = true;
  const auto timeout = std::chrono::milliseconds(static_cast<int64_t>(timeout_seconds * 1000));
  c10d::TCPStoreOptions options;
  options.port = static_cast<uint16_t>(env.master_port);
  options.isServer = env.rank == 0;
  options.numWorkers = env.world_size;
  options.timeout = timeout;
  try {
    impl_->store = c10::make_intrusive<c10d::TCPStore>(env.master_addr, options);
  } catch (const std::exception& e) {
    throw Error("distributed: cannot reach the TCP store at " + env.master_addr + ":" +
                std::to_string(env.master_port) + " as rank " + std::to_string(env.rank) + " (" +
                e.what() + "); check MASTER_ADDR/MASTER_PORT and the firewall");
  }
  if (backend_ == "nccl") {
#ifdef USE_C10D_NCCL
    require(device.is_cuda(), "distributed: the nccl backend needs runtime.device cuda");
    auto nccl_options = c10d::ProcessGroupNCCL::Options::create();
    nccl_options->timeout = timeout;
    impl_->group = c10::make_intrusive<c10d::ProcessGroupNCCL>(impl_->store, env.rank,
                                                               env.world_size, nccl_options);
    return;
#else
    throw Error(
        "distributed: train.backend is nccl but this LibTorch was built without NCCL; use "
        "train.backend: gloo");
#endif
  }
  require(backend_ == "gloo", "distributed: unknown backend \"" + backend_ + "\"");
  auto gloo_options = c10d::ProcessGroupGloo::Options::create(timeout);
  if (const char* ifname = env_value("GLOO_SOCKET_IFNAME"))
    gloo_options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(ifname));
  else if (is_loopback(env.master_addr))
    gloo_options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
  else
    gloo_options->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
  gloo_options->threads = 2;
  try {
    impl_->group = c10::make_intrusive<c10d::ProcessGroupGloo>(impl_->store, env.rank,
                                                               env.world_size, gloo_options);
  } catch (const std::exception& e) {
    throw Error(
        std::string("distributed: Gloo rendezvous failed (") + e.what() +
        "): another rank has stopped (see its error), or the ranks share no network; then set "
        "GLOO_SOCKET_IFNAME to the interface they share");
  }
}

Distributed::~Distributed() = default;

void Distributed::broadcast(const std::vector<at::Tensor>& tensors, double bucket_bytes) {
  if (!grouped_) return;
  at::NoGradGuard no_grad;
  for (const auto& bucket : make_buckets(tensors, bucket_bytes)) {
    std::vector<at::Tensor> flat = {flatten(bucket)};
    c10d::BroadcastOptions options;
    options.rootRank = 0;
    run_collective("broadcast", env_.rank, [&] { impl_->group->broadcast(flat, options)->wait(); });
    unflatten_into(flat[0], bucket);
  }
}

void Distributed::average_gradients(const std::vector<at::Tensor>& params, double bucket_bytes) {
  if (!grouped_) return;
  at::NoGradGuard no_grad;
  std::vector<at::Tensor> grads;
  for (auto it = params.rbegin(); it != params.rend(); ++it) {
    at::Tensor p = *it;
    if (!p.grad().defined()) p.mutable_grad() = at::zeros_like(p);
    grads.push_back(p.grad());
  }
  auto buckets = make_buckets(grads, bucket_bytes);
  std::vector<std::vector<at::Tensor>> flats;
  std::vector<c10::intrusive_ptr<c10d::Work>> works;
  flats.reserve(buckets.size());
  for (const auto& bucket : buckets) {
    flats.push_back({flatten(bucket)});
    run_collective("gradient all-reduce", env_.rank, [&] {
      works.push_back(impl_->group->allreduce(flats.back()));  // launched together, waited below
    });
  }
  for (size_t i = 0; i < buckets.size(); ++i) {
    run_collective("gradient all-reduce", env_.rank, [&] { works[i]->wait(); });
    flats[i][0].div_(env_.world_size);
    unflatten_into(flats[i][0], buckets[i]);
  }
}

void Distributed::all_reduce_sum(at::Tensor& tensor) {
  if (!grouped_) return;
  std::vector<at::Tensor> tensors = {tensor};
  run_collective("all-reduce", env_.rank, [&] { impl_->group->allreduce(tensors)->wait(); });
}

void Distributed::barrier() {
  if (!grouped_) return;
  run_collective("barrier", env_.rank, [&] { impl_->group->barrier()->wait(); });
}

}  // namespace gpt2
