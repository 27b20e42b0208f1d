#include "generate/generate_job.h"

#include <algorithm>
#include <ostream>

#include "core/error.h"
#include "core/files.h"
#include "core/progress.h"
#include "core/strings.h"
#include "generate/step_trace.h"
#include "generate/strategies/speculative.h"
#include "generate/text_stream.h"

namespace gpt2 {

std::vector<GenerationResult> generate_streamed(LogitsSource& model, const std::string& text,
                                                const std::vector<int64_t>& prompt,
                                                const GenerationOptions& options,
                                                const GenerateJobFiles& files, std::ostream& out,
                                                std::ostream& log) {
  require(files.trace.empty() || options.trace, "internal: a trace file needs options.trace");
  const bool stream = options.config.num_return_sequences == 1;
  const auto stop_ids = resolved_stop_ids(options);
  TextStreamer streamer(options.decode, options.config.stop_strings);
  GenerateCallbacks callbacks;
  if (stream) {
    out << text << std::flush;
    callbacks.on_token = [&](const TokenEvent& e) {
      if (std::find(stop_ids.begin(), stop_ids.end(), e.token) == stop_ids.end())
        out << streamer.push(e.token) << std::flush;
    };
  }
  auto results = generate(model, {prompt}, options, callbacks)[0];
  if (!files.trace.empty()) write_file_atomic(files.trace, trace_json_lines(0, results));
  if (stream) {
    out << streamer.finish(results[0].text) << "\n";
    log << "[" << results[0].tokens.size() << " tokens, " << to_string(results[0].reason) << "]\n";
  }
  SpeculationStats stats;
  for (const auto& r : results) stats.add(r);
  log << stats.summary();
  for (size_t i = 0; !stream && i < results.size(); ++i)
    out << "=== " << i + 1 << " (score " << results[i].score << ", " << to_string(results[i].reason)
        << ")\n"
        << text << results[i].text << "\n";
  return results;
}

void generate_jsonl(LogitsSource& model, const std::vector<PromptRecord>& records,
                    const std::vector<std::vector<int64_t>>& prompts,
                    const GenerationOptions& options, const GenerateJobFiles& files,
                    std::ostream& log) {
  require(records.size() == prompts.size(), "internal: one encoded prompt per record");
  require(!files.out.empty(), "internal: the batch job needs an output file");
  require(files.trace.empty() || options.trace, "internal: a trace file needs options.trace");
  ProgressBar bar("generate", double(records.size()), "prompts");
  std::vector<std::string> lines(records.size()), traces(records.size());
  double done = 0, tokens = 0;
  SpeculationStats stats;
  GenerateCallbacks callbacks;
  callbacks.on_result = [&](int64_t index, const std::vector<GenerationResult>& results) {
    const auto i = static_cast<size_t>(index);
    // Top-K scores come with the chosen tokens' transition scores.
    lines[i] =
        result_json_line(records[i], results,
                         options.config.output_scores || options.config.output_scores_top_k > 0);
    if (!files.trace.empty()) traces[i] = trace_json_lines(index, results);
    for (const auto& r : results) {
      tokens += double(r.tokens.size());
      stats.add(r);
    }
    bar.set_rate_units("tok", tokens);
    bar.update(++done);
  };
  generate(model, prompts, options, callbacks);
  bar.finish();
  log << stats.summary();
  write_file_atomic(files.out, join(lines, "\n") + "\n");
  if (!files.trace.empty()) write_file_atomic(files.trace, join(traces, ""));
  log << "wrote " << records.size() << " results to " << files.out << "\n";
}

}  // namespace gpt2
