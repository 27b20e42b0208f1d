#include "io/trainer_state.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Context.h>
#include <torch/optim/optimizer.h>
#include <torch/serialize/archive.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/error.h"
#include "core/files.h"
#include "core/json_error.h"

namespace gpt2 {
namespace {

constexpr int kFormatVersion = 1;

// JSON has no infinity: an unset best loss is written as null.
nlohmann::json finite_or_null(double x) {
  return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(nullptr);
}

}  // namespace

std::string trainer_state_json(const TrainerState& s) {
  nlohmann::ordered_json json;
  json["format_version"] = kFormatVersion;
  json["step"] = s.step;
  json["tokens_seen"] = s.tokens_seen;
  json["best_val_loss"] = finite_or_null(s.best_val_loss);
  json["best_step"] = s.best_step;
  json["evals_since_best"] = s.evals_since_best;
  json["nonfinite_in_row"] = s.nonfinite_in_row;
  json["nonfinite_total"] = s.nonfinite_total;
  json["loss_scale"] = s.loss_scale;
  json["loss_scale_growth"] = s.loss_scale_growth;
  json["elapsed_seconds"] = s.elapsed_seconds;
  json["world_size"] = s.world_size;
  json["data_state"] = s.data_state;
  return json.dump(2) + "\n";
}

TrainerState parse_trainer_state_json(const std::string& text, const std::string& where) {
  TrainerState s;
  try {
    auto json = nlohmann::json::parse(text);
    require(
        json.value("format_version", 0) == kFormatVersion,
        where + ": unsupported format_version (expected " + std::to_string(kFormatVersion) + ")");
    s.step = json.at("step").get<int64_t>();
    s.tokens_seen = json.at("tokens_seen").get<int64_t>();
    if (!json.at("best_val_loss").is_null()) s.best_val_loss = json["best_val_loss"].get<double>();
    s.best_step = json.at("best_step").get<int64_t>();
    s.evals_since_best = json.at("evals_since_best").get<int64_t>();
    s.nonfinite_in_row = json.at("nonfinite_in_row").get<int64_t>();
    s.nonfinite_total = json.at("nonfinite_total").get<int64_t>();
    s.loss_scale = json.at("loss_scale").get<double>();
    s.loss_scale_growth = json.at("loss_scale_growth").get<int64_t>();
    s.elapsed_seconds = json.at("elapsed_seconds").get<double>();
    s.world_size = json.at("world_size").get<int64_t>();
    s.data_state = json.at("data_state").get<std::string>();
  } catch (const nlohmann::json::exception& e) {
    throw Error(where + ": not a valid trainer state (" + json_error_text(e.what()) + ")");
  }
  return s;
}

void save_trainer_state(const std::string& dir, const TrainerState& state,
                        torch::optim::Optimizer& optimizer) {
  torch::serialize::OutputArchive archive;
  optimizer.save(archive);
  archive.write("rng_cpu", at::detail::getDefaultCPUGenerator().get_state(), /*is_buffer=*/true);
  if (at::hasCUDA()) {
    auto cuda = at::globalContext().defaultGenerator(c10::Device(c10::kCUDA, 0));
    archive.write("rng_cuda0", cuda.get_state(), /*is_buffer=*/true);
  }
  write_file_atomic(dir + "/trainer_state.pt", [&](std::ostream& out) {
    // torch's zip writer throws from its destructor after a short write (std::terminate on a
    // full disk), so it is told every write succeeded; write_file_atomic checks the stream.
    archive.save_to([&](const void* data, size_t bytes) {
      out.write(static_cast<const char*>(data), static_cast<std::streamsize>(bytes));
      return bytes;
    });
  });
  write_file_atomic(dir + "/trainer_state.json", trainer_state_json(state));
}

TrainerState load_trainer_state(const std::string& dir, torch::optim::Optimizer& optimizer,
                                c10::Device device) {
  const std::string json_path = dir + "/trainer_state.json", pt_path = dir + "/trainer_state.pt";
  require(file_exists(json_path) && file_exists(pt_path),
          dir +
              " has no trainer state (trainer_state.json and trainer_state.pt); it is a model "
              "directory, not a training checkpoint");
  TrainerState state = parse_trainer_state_json(read_file(json_path), json_path);
  torch::serialize::InputArchive archive;
  try {
    archive.load_from(pt_path, device);
    optimizer.load(archive);
  } catch (const c10::Error& e) {
    throw Error(pt_path + ": cannot restore the optimizer (" + e.what_without_backtrace() +
                "); was it written by a different model or optimizer?");
  }
  at::Tensor rng;
  if (archive.try_read("rng_cpu", rng)) {
    at::Generator cpu = at::detail::getDefaultCPUGenerator();
    cpu.set_state(rng.cpu());  // the archive was mapped to the parameters' device
  }
  if (at::hasCUDA() && archive.try_read("rng_cuda0", rng)) {
    at::Generator cuda = at::globalContext().defaultGenerator(c10::Device(c10::kCUDA, 0));
    cuda.set_state(rng.cpu());
  }
  return state;
}

}  // namespace gpt2
