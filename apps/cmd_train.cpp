// gpt2 train --config FILE [--config FILE2] [--set section.key=value] [--adapter DIR]
//          | --resume RUN_DIR
#include <cstdio>

#include "cli.h"
#include "commands.h"
#include "config/presets.h"
#include "core/dir_lock.h"
#include "core/error.h"
#include "core/files.h"
#include "io/run_directory.h"
#include "io/trainer_state.h"
#include "train/distributed.h"
#include "train/trainer.h"

namespace gpt2::cli {
namespace {

// The model preset train.init_from names, or "" for scratch and model directories.
std::string model_preset_under(const TrainConfig& train) {
  const std::string& init = train.init_from;
  if (init == "scratch" || is_directory(init)) return "";
  require(init.find('/') == std::string::npos,
          "train.init_from: " + init +
              " is not a model directory (config.json + model.safetensors); give a model "
              "directory, a preset name or scratch");
  return find_preset("model", init);
}

// A run directory another trainer is writing is refused before the model is built (the
// trainer's RunDirectory takes the lock itself; this only fails sooner).
void refuse_locked_run_directory(const std::string& dir) {
  if (distributed_env_from_environment().rank != 0) return;
  if (auto holder = DirectoryLock::holder(dir))
    throw Error("the run directory " + dir + " is in use by another gpt2 process (" +
                describe(*holder) + "); wait for it to finish or stop it, then resume with gpt2 " +
                "train --resume " + dir + "; or choose another train.out_dir");
}

}  // namespace

int cmd_train(const std::vector<std::string>& argv) {
  std::string resume, adapter;
  ConfigArgs args;
  po::options_description options("gpt2 train");
  options.add_options()  //
      ("resume", po::value(&resume),
       "continue the run in RUN_DIR from its newest checkpoint (its config.yaml, then any "
       "--set given here)")  //
      ("adapter", po::value(&adapter),
       "start a LoRA run from the adapter in DIR (PEFT layout): train.adapter.type lora, "
       "train.adapter.init_from DIR; train.adapter's r, alpha, target_modules must match it");
  add_config_options(options, args);
  if (!parse("gpt2 train --config FILE [--config FILE2] [--set section.key=value] [--adapter "
             "DIR]\n"
             "       gpt2 train --resume RUN_DIR [--set train.max_steps=N]",
             argv, options))
    return 0;
  // A resumed LoRA run continues the adapter of its newest checkpoint; another adapter would
  // replace its weights but not its optimizer state.
  require(adapter.empty() || resume.empty(),
          "--adapter starts a new run from an adapter; --resume " + resume +
              " already continues the adapter in its newest checkpoint. Drop --adapter to "
              "resume, or start a new run: gpt2 train --config FILE --adapter " +
              adapter);
  if (!adapter.empty()) {
    args.overrides.push_back("train.adapter.type=lora");
    args.overrides.push_back("train.adapter.init_from=" + adapter);
  }
  if (!resume.empty()) {
    // The run's config.yaml is what it was trained with; another file on top would silently
    // change the model, data or schedule in the middle of the run.
    if (!args.files.empty())
      throw Error("--resume continues " + resume +
                  " with its own config.yaml; it cannot be mixed with --config " +
                  args.files.front() +
                  ". Change single values with --set (e.g. --set train.max_steps=N), or start "
                  "a new run with --config and another train.out_dir");
    require(file_exists(resume + "/config.yaml"),
            resume + " is not a run directory (no config.yaml); pass the train.out_dir of a run");
    refuse_locked_run_directory(resume);
    args.files.insert(args.files.begin(), resume + "/config.yaml");
    args.overrides.push_back("train.out_dir=" + resume);
  } else {
    require(!args.files.empty() || !args.overrides.empty(),
            "gpt2 train needs --config FILE (see configs/train/) or --resume RUN_DIR");
  }

  TrainSections sections;
  // A preset name in train.init_from is the bottom layer of the model section (a resumed run's
  // config.yaml already holds the whole model section).
  if (resume.empty()) args.base_file = [&sections] { return model_preset_under(sections.train); };
  if (!load_sections(args, train_section_refs(sections))) return 0;

  refuse_locked_run_directory(sections.train.out_dir);
  if (!resume.empty()) {
    // A finished run is left as it is: resuming it would only append another "finished"
    // event to its logs.
    const std::string latest = RunDirectory(resume, {}).latest_checkpoint();
    if (!latest.empty()) {
      const std::string state_path = latest + "/trainer_state.json";
      const TrainerState state = parse_trainer_state_json(read_file(state_path), state_path);
      if (state.step >= sections.train.max_steps) {
        std::printf(
            "%s already finished: its newest checkpoint %s is at step %ld of "
            "train.max_steps %ld; nothing to do (nothing was changed). To train on: "
            "gpt2 train --resume %s --set train.max_steps=N\n",
            resume.c_str(), latest.c_str(), long(state.step), long(sections.train.max_steps),
            resume.c_str());
        return 0;
      }
    }
  }

  TrainOptions train_options;
  train_options.resume = !resume.empty();
  TrainResult result = train(sections, train_options);
  if (distributed_env_from_environment().rank == 0) std::printf("%s", result.summary().c_str());
  return 0;
}

}  // namespace gpt2::cli
