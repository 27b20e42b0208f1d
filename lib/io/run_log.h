#pragma once
// log.jsonl read back: the rows RunDirectory::log wrote, for the run's report and the
// Hugging Face-style trainer_state.json (both are rebuilt from it, so a resumed run, whose log
// was truncated at its checkpoint, needs no state of its own).
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace gpt2 {

struct RunLogRow {
  std::string kind;  // "train", "eval", "health", "event"
  int64_t step = 0;
  std::map<std::string, double> numbers;  // null (non-finite) values are NaN
  std::map<std::string, std::string> texts;
  double number(const std::string& key) const;  // NaN when absent
};

// Rows in file order; lines that are not JSON objects with a step (a line cut short) are
// skipped. A missing file gives no rows.
std::vector<RunLogRow> read_run_log(const std::string& path);
std::vector<RunLogRow> parse_run_log(const std::string& jsonl);

}  // namespace gpt2
