#include "metrics/metric_input.h"

#include "core/error.h"
#include "core/files.h"
#include "core/json_error.h"
#include "metrics/unicode.h"

namespace gpt2::metrics {

namespace {

void check_utf8(const std::string& text, const std::string& path, size_t line) {
  size_t bad = find_invalid_utf8(text);
  if (bad != std::string::npos)
    throw Error(path + ":" + std::to_string(line) + ": invalid UTF-8 (byte " +
                std::to_string(bad + 1) + " of the line); the metrics need UTF-8 text");
}

std::string where(const std::string& path, size_t line) {
  return path + ":" + std::to_string(line) + ": ";
}

}  // namespace

std::vector<std::string> read_lines(const std::string& path) {
  std::string text = read_file(path);
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    check_utf8(lines.back(), path, lines.size());
    start = end + 1;
  }
  return lines;
}

MetricData read_line_files(const std::string& hyps_path, const std::vector<std::string>& ref_paths,
                           const std::string& baseline_path) {
  MetricData data;
  data.hyps = read_lines(hyps_path);
  auto check_aligned = [&](const std::vector<std::string>& lines, const std::string& path) {
    if (lines.size() != data.hyps.size())
      throw Error("ragged input: " + hyps_path + " has " + std::to_string(data.hyps.size()) +
                  " lines but " + path + " has " + std::to_string(lines.size()) +
                  "; files must be line-aligned");
  };
  if (!ref_paths.empty()) data.refs.assign(data.hyps.size(), {});
  for (const std::string& path : ref_paths) {
    std::vector<std::string> lines = read_lines(path);
    check_aligned(lines, path);
    for (size_t i = 0; i < lines.size(); ++i) data.refs[i].push_back(std::move(lines[i]));
  }
  if (!baseline_path.empty()) {
    data.baseline = read_lines(baseline_path);
    check_aligned(data.baseline, baseline_path);
  }
  return data;
}

MetricData read_jsonl(const std::string& path, bool refs_required) {
  std::vector<std::string> lines = read_lines(path);
  MetricData data;
  bool any_refs = false;
  for (size_t n = 0; n < lines.size(); ++n) {
    const std::string& line = lines[n];
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    nlohmann::json obj;
    try {
      obj = nlohmann::json::parse(line);
    } catch (const nlohmann::json::exception& e) {
      throw Error(where(path, n + 1) + "not valid JSON (" + json_error_text(e.what()) + ")");
    }
    if (!obj.is_object()) throw Error(where(path, n + 1) + "expected a JSON object");
    auto hyp = obj.find("hyp");
    if (hyp == obj.end() || !hyp->is_string())
      throw Error(where(path, n + 1) + "needs a string field \"hyp\"");
    data.hyps.push_back(hyp->get<std::string>());
    References refs;
    auto ref = obj.find("ref");
    auto ref_list = obj.find("refs");
    if (ref != obj.end() && ref_list != obj.end())
      throw Error(where(path, n + 1) + "give either \"ref\" or \"refs\", not both");
    if (ref != obj.end()) {
      if (!ref->is_string()) throw Error(where(path, n + 1) + "\"ref\" must be a string");
      refs.push_back(ref->get<std::string>());
    } else if (ref_list != obj.end()) {
      if (!ref_list->is_array())
        throw Error(where(path, n + 1) + "\"refs\" must be a list of strings");
      for (const auto& r : *ref_list) {
        if (r.is_null()) continue;  // a missing reference, as in sacreBLEU's streams
        if (!r.is_string()) throw Error(where(path, n + 1) + "\"refs\" must hold strings");
        refs.push_back(r.get<std::string>());
      }
    }
    if (refs.empty() && refs_required)
      throw Error(where(path, n + 1) + "no reference (\"ref\" or non-empty \"refs\")");
    any_refs = any_refs || !refs.empty();
    data.refs.push_back(std::move(refs));
  }
  if (!any_refs) data.refs.clear();
  return data;
}

std::vector<std::string> input_warnings(const MetricData& data) {
  std::vector<std::string> warnings;
  size_t empty_hyps = 0, empty_refs = 0;
  for (const std::string& h : data.hyps) empty_hyps += h.empty();
  for (const References& refs : data.refs)
    for (const std::string& r : refs) empty_refs += r.empty();
  if (empty_hyps)
    warnings.push_back(std::to_string(empty_hyps) +
                       " empty hypothesis line(s), scored as empty segments");
  if (empty_refs)
    warnings.push_back(std::to_string(empty_refs) +
                       " empty reference line(s), scored as references of length 0");
  if (data.hyps.empty()) warnings.push_back("no hypotheses: the input is empty");
  return warnings;
}

}  // namespace gpt2::metrics
