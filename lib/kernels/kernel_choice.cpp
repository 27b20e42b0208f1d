#include "kernels/kernel_choice.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/error.h"
#include "core/files.h"

namespace gpt2 {

namespace {

constexpr const char* kFormat = "gpt2 kernel choices 1";

const char* layout_name(WeightLayout layout) {
  return layout == WeightLayout::in_out ? "in_out" : "out_in";
}

// The file's machines, or an empty object when it is missing; a file that is not ours is
// reported once and then treated as empty (it is a cache: measuring again loses nothing).
nlohmann::json read_machines(const std::string& file) {
  if (file.empty() || !file_exists(file)) return nlohmann::json::object();
  try {
    auto json = nlohmann::json::parse(read_file(file));
    if (!json.is_object() || json.value("format", "") != kFormat || !json.contains("machines") ||
        !json["machines"].is_object())
      throw Error("not a kernel choice file (format \"" + std::string(kFormat) + "\")");
    return json["machines"];
  } catch (const std::exception& e) {
    static std::once_flag warned;
    std::call_once(warned, [&] {
      std::fprintf(stderr, "warning: %s: %s; measuring the kernels again and rewriting it\n",
                   file.c_str(), e.what());
    });
    return nlohmann::json::object();
  }
}

}  // namespace

std::string ProductShape::key() const {
  return std::string(row_kernel_name(kernel)) + " " + layout_name(layout) + " K" +
         std::to_string(K) + " N" + std::to_string(N) + (many_rows ? " many" : " few") + " t" +
         std::to_string(threads);
}

ProductPath path_for(const ProductTimes& times) {
  return times.blas_ms * kBlasMargin < times.kernel_ms ? ProductPath::blas
                                                       : ProductPath::row_kernel;
}

KernelChoices::KernelChoices(std::string file, std::string machine)
    : file_(std::move(file)), machine_(std::move(machine)) {
  load();
}

size_t KernelChoices::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return times_.size();
}

void KernelChoices::load() {
  const auto machines = read_machines(file_);
  if (!machines.contains(machine_) || !machines[machine_].is_object()) return;
  for (const auto& [key, entry] : machines[machine_].items()) {
    if (!entry.is_object() || !entry.contains("kernel_ms") || !entry.contains("blas_ms") ||
        !entry["kernel_ms"].is_number() || !entry["blas_ms"].is_number())
      continue;  // an entry of another shape: measured again
    times_[key] = {entry["kernel_ms"].get<double>(), entry["blas_ms"].get<double>()};
  }
}

void KernelChoices::save() const {
  if (file_.empty()) return;
  // Merged with what other processes wrote since: each machine's entries are only added to.
  auto machines = read_machines(file_);
  auto& ours = machines[machine_];
  if (!ours.is_object()) ours = nlohmann::json::object();
  for (const auto& [key, times] : times_)
    ours[key] = {{"kernel_ms", times.kernel_ms},
                 {"blas_ms", times.blas_ms},
                 {"choice", path_for(times) == ProductPath::blas ? "blas" : "row_kernel"}};
  try {
    write_file_atomic(file_, nlohmann::json{{"format", kFormat}, {"machines", machines}}.dump(1));
  } catch (const std::exception& e) {
    static std::once_flag warned;
    std::call_once(warned, [&] {
      std::fprintf(stderr,
                   "warning: cannot keep the kernel choices in %s (%s); they are measured again "
                   "by each process (set GPT2_KERNEL_CACHE to a writable file)\n",
                   file_.c_str(), e.what());
    });
  }
}

ProductPath KernelChoices::choose(const ProductShape& shape,
                                  const std::function<ProductTimes()>& measure) {
  const std::string key = shape.key();
  std::lock_guard<std::mutex> lock(mutex_);
  auto found = times_.find(key);
  if (found != times_.end()) return path_for(found->second);
  const ProductTimes times = measure();
  times_[key] = times;
  save();
  return path_for(times);
}

KernelChoiceMode kernel_choice_mode() {
  static const KernelChoiceMode mode = [] {
    const char* setting = std::getenv("GPT2_KERNEL_CHOICE");
    const std::string value = setting ? setting : "measure";
    if (value == "measure" || value.empty()) return KernelChoiceMode::measure;
    if (value == "rules") return KernelChoiceMode::rules;
    throw Error("GPT2_KERNEL_CHOICE=" + value +
                ": expected measure (time the row kernel against BLAS once per weight shape) or "
                "rules (the row kernel wherever it applies)");
  }();
  return mode;
}

std::string kernel_choice_file() {
  if (const char* file = std::getenv("GPT2_KERNEL_CACHE")) return file;
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg)
    return std::string(xdg) + "/gpt2/kernel_choice.json";
  if (const char* home = std::getenv("HOME"); home && *home)
    return std::string(home) + "/.cache/gpt2/kernel_choice.json";
  return "";
}

std::string machine_description() {
  std::string model = "unknown CPU";
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line);)
    if (line.rfind("model name", 0) == 0) {
      const auto start = line.find_first_not_of(" \t", line.find(':') + 1);
      if (start != std::string::npos) model = line.substr(start);
      break;
    }
  return model + ", " + std::to_string(std::thread::hardware_concurrency()) + " cores";
}

KernelChoices& process_kernel_choices() {
  static KernelChoices choices(kernel_choice_file(), machine_description());
  return choices;
}

}  // namespace gpt2
