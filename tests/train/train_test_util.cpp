#include "train_test_util.h"

#include <ATen/ATen.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "core/error.h"
#include "core/files.h"
#include "data/shard_format.h"
#include "io/checkpoint.h"

namespace gpt2::test {

void write_tiny_shards(const std::string& dir) {
  // A noisy counter: token t+1 is usually (t + 3) % 64, so a model can learn it.
  std::mt19937 engine(7);
  auto stream = [&](size_t n) {
    std::vector<uint32_t> tokens(n);
    uint32_t t = 0;
    for (auto& token : tokens) {
      t = engine() % 5 == 0 ? engine() % 64 : (t + 3) % 64;
      token = t;
    }
    return tokens;
  };
  write_shard(dir + "/train_000000.bin", stream(20000), 2);
  write_shard(dir + "/val_000000.bin", stream(4000), 2);
}

TrainSections tiny_sections(const std::string& data_dir, const std::string& out_dir) {
  TrainSections s;
  s.runtime.threads = 1;
  s.runtime.device = "cpu";
  s.runtime.seed = 5;
  s.model.vocab_size = 64;
  s.model.n_positions = 16;
  s.model.n_embd = 32;
  s.model.n_layer = 2;
  s.model.n_head = 2;
  s.model.bos_token_id = s.model.eos_token_id = 0;
  s.data.train_shards = {data_dir + "/train_*.bin"};
  s.data.val_shards = {data_dir + "/val_*.bin"};
  s.data.batch_size = 4;
  s.data.block_size = 16;
  s.data.seed = 11;
  s.train.out_dir = out_dir;
  s.train.max_steps = 8;
  s.train.lr = 3e-3;
  s.train.min_lr = 3e-4;
  s.train.warmup_steps = 2;
  s.train.eval_interval = 4;
  s.train.eval_batches = 2;
  s.train.log_interval = 1;
  s.train.peak_flops = 1e9;  // skips the matmul measurement
  s.train.progress = false;
  return s;
}

std::string tiny_yaml(const std::string& data_dir) {
  return "runtime: {threads: 1, device: cpu, seed: 5}\n"
         "model: {vocab_size: 64, n_positions: 16, n_embd: 32, n_layer: 2, n_head: 2, "
         "bos_token_id: 0, eos_token_id: 0}\n"
         "data:\n  train_shards: [" +
         data_dir + "/train_*.bin]\n  val_shards: [" + data_dir +
         "/val_*.bin]\n  batch_size: 4\n  block_size: 16\n  seed: 11\n"
         "train: {max_steps: 8, lr: 3.0e-3, min_lr: 3.0e-4, warmup_steps: 2, eval_interval: 4, "
         "eval_batches: 2, log_interval: 1, peak_flops: 1.0e9, progress: false}\n";
}

std::string cli_path() {
  namespace fs = std::filesystem;
  fs::path self = fs::read_symlink("/proc/self/exe");
  fs::path cli = self.parent_path().parent_path() / "apps" / "gpt2";
  require(fs::exists(cli), "the gpt2 program is not at " + cli.string() + "; build gpt2_cli");
  return cli.string();
}

int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t size = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
  int port = ntohs(address.sin_port);
  ::close(fd);
  return port;
}

int shell(const std::string& command, std::string& output) {
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return -1;
  std::array<char, 4096> buffer;
  size_t n;
  output.clear();
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
    output.append(buffer.data(), n);
  int status = ::pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::vector<std::pair<int64_t, double>> logged_losses(const std::string& run_dir) {
  std::vector<std::pair<int64_t, double>> losses;
  std::istringstream in(read_file(run_dir + "/log.jsonl"));
  std::string line;
  while (std::getline(in, line)) {
    auto json = nlohmann::json::parse(line);
    if (json["kind"] == "train")
      losses.emplace_back(json["step"].get<int64_t>(), json["loss"].get<double>());
  }
  return losses;
}

std::vector<double> flat_parameters(const std::string& model_dir) {
  auto model = load_model_dir(model_dir);
  std::vector<double> values;
  for (const auto& p : model->parameters()) {
    auto flat = p.detach().to(at::kDouble).reshape({-1}).contiguous();
    values.insert(values.end(), flat.data_ptr<double>(), flat.data_ptr<double>() + flat.numel());
  }
  return values;
}

}  // namespace gpt2::test
