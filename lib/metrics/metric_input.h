#pragma once
// Reading evaluation data for `gpt2 metric`, with clear errors for bad input.
//
// Line files: one segment per '\n'-terminated line, like sacreBLEU's readers (a '\r' before the
// '\n' stays in the segment; BLEU right-strips it, chrF and ROUGE treat it as whitespace); a
// final newline does not start an extra line. Empty lines are empty segments (scored, not
// skipped). All files must have the same number of lines, and be valid UTF-8.
//
// JSONL: one object per non-blank line with "hyp" (string) and either "ref" (string) or "refs"
// (list of strings; null entries are dropped, so hypotheses may have different numbers of
// references, which BLEU reports as nrefs:var).
#include <string>
#include <vector>

#include "metrics/registry.h"

namespace gpt2::metrics {

// The lines of a text file; throws gpt2::Error naming file and line on invalid UTF-8.
std::vector<std::string> read_lines(const std::string& path);

// hyps plus any number of reference files (reference k of line i = line i of refs[k]) and an
// optional baseline system file ("" for none).
MetricData read_line_files(const std::string& hyps_path, const std::vector<std::string>& ref_paths,
                           const std::string& baseline_path = "");

// "hyp" and "ref"/"refs" fields per line; refs_required: whether lines without references are
// an error (they are for reference-based metrics).
MetricData read_jsonl(const std::string& path, bool refs_required);

// Things worth telling the user that are not errors (e.g. empty hypothesis lines).
std::vector<std::string> input_warnings(const MetricData& data);

}  // namespace gpt2::metrics
