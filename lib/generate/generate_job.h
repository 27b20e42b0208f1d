#pragma once
// What `gpt2 generate` does once its model and options are loaded, kept out of the command so
// it stays wiring: one prompt streamed to a terminal, or a JSONL file of prompts decoded in
// batches with a progress bar. Both write --trace FILE.jsonl when given and print the
// speculative decoding summary.
#include <iosfwd>
#include <string>
#include <vector>

#include "generate/generator.h"
#include "generate/jsonl_io.h"

namespace gpt2 {

struct GenerateJobFiles {
  std::string out;    // results JSONL (the batch job); "" = none
  std::string trace;  // per-step traces JSONL (trace_json_lines); "" = none
};

// One prompt (`text`, encoded as `prompt`). With one sequence the prompt and its completion
// stream to `out` as tokens arrive, stop ids and stop strings held back; with several each is
// printed after the search with its score. Token counts and the speculation summary go to
// `log`. `options.trace` must be set when files.trace is.
std::vector<GenerationResult> generate_streamed(LogitsSource& model, const std::string& text,
                                                const std::vector<int64_t>& prompt,
                                                const GenerationOptions& options,
                                                const GenerateJobFiles& files, std::ostream& out,
                                                std::ostream& log);

// Every record (prompts[i] is records[i] encoded) to files.out, one result_json_line each in
// input order, with a progress bar counting prompts and tokens.
void generate_jsonl(LogitsSource& model, const std::vector<PromptRecord>& records,
                    const std::vector<std::vector<int64_t>>& prompts,
                    const GenerationOptions& options, const GenerateJobFiles& files,
                    std::ostream& log);

}  // namespace gpt2
