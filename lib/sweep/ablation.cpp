#include "sweep/ablation.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/dir_lock.h"
#include "core/error.h"
#include "core/files.h"
#include "core/strings.h"
#include "report/table.h"
#include "sweep/process_pool.h"

namespace fs = std::filesystem;

namespace gpt2 {

std::string done_marker(const std::string& run_dir) {
  return run_dir + "/ablation_done.json";
}

namespace {
// A run can resume once its trainer wrote a checkpoint (RUN/latest points at it).
bool has_checkpoint(const std::string& run_dir) {
  return fs::exists(fs::path(run_dir) / "latest" / "model.safetensors");
}

std::string best_model(const std::string& run_dir) {
  for (const char* name : {"best", "latest"})
    if (fs::exists(fs::path(run_dir) / name / "model.safetensors")) return run_dir + "/" + name;
  return "";
}

const char* state_name(RunState state) {
  switch (state) {
    case RunState::done:
      return "done";
    case RunState::resume:
      return "resume";
    default:
      return "new";
  }
}
}  // namespace

std::vector<PlannedRun> plan_ablation(const AblationConfig& config, const std::vector<Axis>& axes) {
  std::vector<PlannedRun> runs;
  for (auto& spec : expand_grid(axes, config.seeds)) {
    PlannedRun run{spec, config.out_dir + "/" + spec.name, RunState::fresh};
    if (file_exists(done_marker(run.dir)))
      run.state = RunState::done;
    else if (has_checkpoint(run.dir))
      run.state = RunState::resume;
    runs.push_back(run);
  }
  return runs;
}

std::string plan_text(const std::vector<PlannedRun>& runs) {
  Table table{{"run", "state", "overrides"}, {}};
  for (const auto& run : runs)
    table.add_row({run.spec.name, state_name(run.state), join(run.spec.overrides, " ")});
  return table.to_text();
}

bool run_ablation(const AblationConfig& config, const std::vector<PlannedRun>& runs,
                  const std::string& gpt2_program, int64_t threads) {
  require(!gpt2_program.empty() && file_exists(gpt2_program),
          "cannot find the gpt2 program" +
              (gpt2_program.empty() ? std::string() : " at " + gpt2_program) +
              "; set ablation.gpt2 to its path");
  const int64_t jobs_at_once = std::max<int64_t>(1, config.jobs);
  const std::string per_job_threads = std::to_string(std::max<int64_t>(1, threads / jobs_at_once));

  std::vector<ProcessJob> train_jobs;
  std::vector<const PlannedRun*> train_runs;
  bool skipped = false;
  for (const auto& run : runs) {
    if (run.state == RunState::done) continue;
    // A trainer left from an earlier sweep may still be writing it: not a second one.
    if (auto holder = DirectoryLock::holder(run.dir)) {
      std::fprintf(stderr,
                   "sweep: skip %s: its run directory is in use by %s; start the sweep again "
                   "once that process is done\n",
                   run.spec.name.c_str(), describe(*holder).c_str());
      skipped = true;
      continue;
    }
    ProcessJob job{{gpt2_program, "train"}, run.dir + "/train.log", run.spec.name};
    if (run.state == RunState::resume) {
      job.argv.insert(job.argv.end(), {"--resume", run.dir});
    } else {
      for (const auto& file : config.base) job.argv.insert(job.argv.end(), {"--config", file});
      for (const auto& set : config.set) job.argv.insert(job.argv.end(), {"--set", set});
      for (const auto& set : run.spec.overrides) job.argv.insert(job.argv.end(), {"--set", set});
      job.argv.insert(job.argv.end(), {"--set", "train.out_dir=" + run.dir});
    }
    job.argv.insert(job.argv.end(), {"--set", "runtime.threads=" + per_job_threads, "--set",
                                     "train.progress=false"});
    fs::create_directories(run.dir);
    train_jobs.push_back(job);
    train_runs.push_back(&run);
  }

  bool all_ok = !skipped;
  std::vector<ProcessJob> eval_jobs;
  std::vector<const PlannedRun*> eval_runs;
  auto codes = run_processes(train_jobs, jobs_at_once, [&](size_t index, int code) {
    const PlannedRun& run = *train_runs[index];
    if (code != 0) return;
    if (config.eval_data.empty() || processes_interrupted()) {
      if (!processes_interrupted())
        write_file_atomic(done_marker(run.dir), nlohmann::json{{"run", run.spec.name}}.dump());
      return;
    }
    ProcessJob job{{gpt2_program, "eval", "--model", best_model(run.dir), "--data"},
                   run.dir + "/eval.log",
                   run.spec.name + " (eval)"};
    for (const auto& data : config.eval_data) job.argv.push_back(data);
    job.argv.insert(job.argv.end(), {"--out", run.dir + "/eval", "--threads", per_job_threads});
    eval_jobs.push_back(job);
    eval_runs.push_back(&run);
  });
  for (int code : codes) all_ok &= code == 0;
  if (processes_interrupted()) return false;
  auto eval_codes = run_processes(eval_jobs, jobs_at_once, [&](size_t index, int code) {
    if (code == 0 && !processes_interrupted())
      write_file_atomic(done_marker(eval_runs[index]->dir),
                        nlohmann::json{{"run", eval_runs[index]->spec.name}}.dump());
  });
  for (int code : eval_codes) all_ok &= code == 0;
  return all_ok && !processes_interrupted();
}

}  // namespace gpt2
