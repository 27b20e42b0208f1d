#pragma once
// TensorBoard event files written natively (no protobuf, no TensorFlow): a TFRecord stream of
// hand-encoded `Event` protobufs in RUN_DIR/events.out.tfevents.<unix time>.<host>.
//
//   record := uint64 length (LE) | masked crc32c(length) | data | masked crc32c(data)
//   Event  := 1: wall_time (double) | 2: step (int64) | 3: file_version (string, first record)
//             | 5: summary { repeated 1: value { 1: tag (string), 2: simple_value (float) } }
#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

namespace gpt2 {

using Scalars = std::vector<std::pair<std::string, double>>;

class TensorBoardWriter {
 public:
  // Opens a new events file in `dir` (a resumed run adds one; TensorBoard merges the files of
  // a folder) and writes the file_version record. Throws Error when it cannot be created.
  explicit TensorBoardWriter(const std::string& dir);
  ~TensorBoardWriter();
  TensorBoardWriter(const TensorBoardWriter&) = delete;
  TensorBoardWriter& operator=(const TensorBoardWriter&) = delete;

  // One Event at `step` holding every finite value (NaN/inf are left out); flushed at once.
  void scalars(int64_t step, const Scalars& values);
  const std::string& path() const { return path_; }

 private:
  void write_record(const std::string& data);
  std::string path_;
  std::FILE* file_ = nullptr;
};

// The encodings, for tests and tools.
std::string tensorboard_record(const std::string& data);
std::string tensorboard_event(double wall_time, int64_t step, const Scalars& values);
std::string tensorboard_file_version_event(double wall_time);

// The events files of `dir` (names containing "tfevents"), sorted.
std::vector<std::string> tensorboard_event_files(const std::string& dir);

// On resume: rewrites (atomically) each events file of `dir` without the events of steps after
// `step`, and without a last record cut short by a kill, so the merged curves have no step
// twice. Returns the number of events dropped.
int64_t truncate_tensorboard_events(const std::string& dir, int64_t step);

}  // namespace gpt2
