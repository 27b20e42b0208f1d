#pragma once
// The run directory:
//   config.yaml            the merged configuration (what --resume reads back)
//   log.jsonl              one JSON object per logged step / evaluation / event
//   metrics.csv            the same numbers as a table
//   checkpoints/step_NNNNNNNN/  model directory (config.json, model.safetensors, tokenizer
//                          files) + trainer_state.json/.pt
//   latest, best           relative symlinks to checkpoints
// Checkpoints are written into a hidden temp folder and renamed into place, and the links are
// replaced by rename, so a crash at any moment leaves the previous checkpoint usable.
//   .lock                  held (flock) by the one process writing the run; see DirectoryLock
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace gpt2 {

class DirectoryLock;

struct LogRow {
  std::string kind;  // "train", "eval", "event"
  int64_t step = 0;
  std::vector<std::pair<std::string, double>> numbers;
  std::vector<std::pair<std::string, std::string>> texts;
};

class RunDirectory {
 public:
  // Creates the folder when missing. csv_columns: the metrics.csv columns after step,kind.
  // The first write (any method that changes the folder) takes the folder's lock, so only
  // the writing rank holds it and a second writer is refused (Error naming the holder).
  RunDirectory(std::string root, std::vector<std::string> csv_columns);
  ~RunDirectory();

  const std::string& root() const { return root_; }
  std::string config_path() const { return root_ + "/config.yaml"; }
  std::string log_path() const { return root_ + "/log.jsonl"; }
  std::string csv_path() const { return root_ + "/metrics.csv"; }

  void write_config(const std::string& yaml) const;
  // Appends to log.jsonl and (kinds train/eval) metrics.csv; numbers not in the columns are
  // only in the JSON. Flushed at once.
  void log(const LogRow& row) const;
  // On resume: drops rows of steps after `step` (written after the checkpoint resumed from),
  // and a last line cut short by a kill, so that the logs equal an uninterrupted run's.
  void truncate_logs(int64_t step) const;

  // Checkpoints.
  std::string checkpoint_dir(int64_t step) const;
  // A fresh, empty temp folder to write the checkpoint of `step` into.
  std::string begin_checkpoint(int64_t step) const;
  // Renames the temp folder to checkpoint_dir(step) and points `latest` at it.
  std::string commit_checkpoint(int64_t step, const std::string& temp_dir) const;
  // begin + write(temp folder) + commit. A failed write (disk full, ...) removes the temp folder
  // and throws Error "write failed for <file> (disk full?)" naming the last good checkpoint
  // and the resume command. Returns the checkpoint's folder.
  std::string write_checkpoint(int64_t step,
                               const std::function<void(const std::string&)>& write) const;
  void link_best(int64_t step) const;
  // Steps of the complete checkpoints, ascending.
  std::vector<int64_t> checkpoint_steps() const;
  // Removes all but the newest keep_last checkpoints and the `best_step` one (-1 = none).
  void rotate(int64_t keep_last, int64_t best_step) const;
  // The newest complete checkpoint; "" when there is none.
  std::string latest_checkpoint() const;

 private:
  void relink(const std::string& name, int64_t step) const;
  void claim() const;  // takes the lock on the first write

  std::string root_;
  std::vector<std::string> columns_;
  mutable std::shared_ptr<DirectoryLock> lock_;
};

}  // namespace gpt2
