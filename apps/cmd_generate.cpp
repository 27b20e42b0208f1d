// gpt2 generate: text from a model with any strategy. One --prompt streams tokens as they
// come (beams: the prefix every beam that can still win shares); --prompts FILE.jsonl --out
// OUT.jsonl decodes in batches with a progress bar. --trace FILE.jsonl writes per-token traces.
#include <algorithm>
#include <iostream>

#include "commands.h"
#include "core/error.h"
#include "core/files.h"
#include "core/progress.h"
#include "core/strings.h"
#include "generate/generation_options.h"
#include "generate/generator.h"
#include "generate/jsonl_io.h"
#include "generate/model_source.h"
#include "generate/step_trace.h"
#include "generate/strategies/speculative.h"
#include "generate/text_stream.h"
#include "model_options.h"
#include "tokenizer/tokenizer_config.h"
#include "tokenizer/tokenizer_io.h"

namespace gpt2::cli {

namespace {

// --stop "\n\nQ:": a shell passes backslash-n; \n, \t and \\ stand for newline, tab and
// backslash, and everything else is taken as typed.
std::string unescaped(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    const char next = i + 1 < text.size() ? text[i + 1] : '\0';
    if (text[i] == '\\' && (next == 'n' || next == 't' || next == '\\')) {
      out += next == 'n' ? '\n' : next == 't' ? '\t' : '\\';
      ++i;
    } else {
      out += text[i];
    }
  }
  return out;
}

}  // namespace

int cmd_generate(const std::vector<std::string>& argv) {
  std::string spec, adapter, prompt, prompts_path, out_path, trace_path;
  std::vector<std::string> stops;
  bool no_cache = false, ignore_eos = false, output_scores = false;
  int64_t prompt_lookup = -1;
  ConfigArgs args;
  GenerateConfig config;  // its fields declare the --top-p etc. shorthands
  FieldFlags generate_flags(section_ref(config));
  RuntimeConfig runtime_fields;  // declares --weights (runtime.weights)
  FieldFlags weights_flag(section_ref(runtime_fields), {"weights"});
  po::options_description options("gpt2 generate");
  options.add_options()                                                                       //
      ("model,m", po::value(&spec)->required(), "model directory or preset (gpt2, tiny)")     //
      ("adapter", po::value(&adapter), "LoRA adapter directory (PEFT layout) for the model")  //
      ("prompt,p", po::value(&prompt), "prompt text; the completion streams to stdout")       //
      ("prompts", po::value(&prompts_path), "JSONL file of {\"prompt\": ...} objects")        //
      ("out,o", po::value(&out_path), "JSONL output for --prompts")                           //
      ("trace", po::value(&trace_path), "JSONL of per-token entropy, kept, nucleus, rank")    //
      ("stop", po::value(&stops)->composing(), "stop string, repeatable (\\n newline, \\t tab)")(
          "no-cache", po::bool_switch(&no_cache), "recompute the whole sequence every step")  //
      ("ignore-eos", po::bool_switch(&ignore_eos), "do not stop at end-of-text")              //
      ("output-scores", po::bool_switch(&output_scores), "transition scores in --out")        //
      ("prompt-lookup", po::value(&prompt_lookup),
       "N: speculative decoding drafting from n-grams of the text (generate.prompt_lookup_ngram)");
  generate_flags.add_to(options);
  weights_flag.add_to(options);
  add_config_options(options, args);
  if (!parse("gpt2 generate --model DIR (--prompt TEXT | --prompts IN.jsonl --out OUT.jsonl) "
             "[--strategy top_p --top-p 0.9 ...]",
             argv, options))
    return 0;
  require(prompt.empty() != prompts_path.empty(), "give --prompt TEXT or --prompts FILE.jsonl");
  require(prompts_path.empty() || !out_path.empty(), "--prompts needs --out OUT.jsonl");

  generate_flags.collect(args);
  weights_flag.collect(args);
  if (!stops.empty()) {
    std::vector<std::string> texts;
    for (const auto& s : stops) texts.push_back(unescaped(s));
    args.assignments.push_back({"generate.stop_strings", texts, "--stop"});
  }
  if (no_cache) args.assignments.push_back({"generate.use_cache", {"false"}, "--no-cache"});
  if (ignore_eos) args.assignments.push_back({"generate.ignore_eos", {"true"}, "--ignore-eos"});
  if (output_scores)
    args.assignments.push_back({"generate.output_scores", {"true"}, "--output-scores"});
  if (prompt_lookup >= 0)
    args.assignments.push_back(
        {"generate.prompt_lookup_ngram", {std::to_string(prompt_lookup)}, "--prompt-lookup"});
  TokenizerConfig tokenizer_config;
  auto loaded = load_model_from_args(spec, args,
                                     {section_ref(config), section_ref(tokenizer_config)}, adapter);
  if (!loaded.model) return 0;

  require(!tokenizer_config.path.empty() || is_directory(spec),
          "a preset model has no tokenizer: add --set tokenizer.path=DIR (e.g. a GPT-2 model "
          "directory, or the folder with encoder.json and vocab.bpe)");
  auto tokenizer = load_tokenizer(tokenizer_config.path.empty() ? spec : tokenizer_config.path);
  GenerationOptions opts =
      make_generation_options(config, *tokenizer, uint64_t(loaded.runtime.seed));
  opts.trace = !trace_path.empty();
  std::vector<std::string> traces;  // per prompt
  auto encode = [&](const std::string& text) { return encode_prompt(*tokenizer, text); };
  ModelSource source(loaded.model, opts.config.use_cache);
  std::unique_ptr<ModelSource> draft;
  GenerationOptions spec_opts = opts;
  if (!opts.config.draft_model.empty()) {
    draft = std::make_unique<ModelSource>(load_draft_model(opts.config.draft_model, loaded.runtime),
                                          opts.config.use_cache);
    spec_opts.draft = draft.get();
  }

  if (!prompt.empty()) {
    const bool stream = opts.config.num_return_sequences == 1;
    const auto stop_ids = resolved_stop_ids(opts);
    TextStreamer streamer(opts.decode, opts.config.stop_strings);
    GenerateCallbacks callbacks;
    if (stream) {
      std::cout << prompt << std::flush;
      callbacks.on_token = [&](const TokenEvent& e) {
        if (std::find(stop_ids.begin(), stop_ids.end(), e.token) == stop_ids.end())
          std::cout << streamer.push(e.token) << std::flush;
      };
    }
    auto results = generate(source, {encode(prompt)}, spec_opts, callbacks)[0];
    if (opts.trace) write_file_atomic(trace_path, trace_json_lines(0, results));
    if (stream) {
      std::cout << streamer.finish(results[0].text) << "\n";
      std::cerr << "[" << results[0].tokens.size() << " tokens, " << to_string(results[0].reason)
                << "]\n";
    }
    SpeculationStats stats;
    for (const auto& r : results) stats.add(r);
    std::cerr << stats.summary();
    for (size_t i = 0; !stream && i < results.size(); ++i)
      std::cout << "=== " << i + 1 << " (score " << results[i].score << ", "
                << to_string(results[i].reason) << ")\n"
                << prompt << results[i].text << "\n";
    return 0;
  }

  auto records = read_prompts_jsonl(prompts_path);
  std::vector<std::vector<int64_t>> prompts;
  for (const auto& r : records) prompts.push_back(encode(r.prompt));
  ProgressBar bar("generate", double(records.size()), "prompts");
  std::vector<std::string> lines(records.size());
  traces.resize(records.size());
  double done = 0, tokens = 0;
  SpeculationStats stats;
  GenerateCallbacks callbacks;
  callbacks.on_result = [&](int64_t index, const std::vector<GenerationResult>& results) {
    lines[static_cast<size_t>(index)] =
        result_json_line(records[static_cast<size_t>(index)], results, opts.config.output_scores);
    if (opts.trace) traces[static_cast<size_t>(index)] = trace_json_lines(index, results);
    for (const auto& r : results) {
      tokens += double(r.tokens.size());
      stats.add(r);
    }
    bar.set_rate_units("tok", tokens);
    bar.update(++done);
  };
  generate(source, prompts, spec_opts, callbacks);
  bar.finish();
  std::cerr << stats.summary();
  write_file_atomic(out_path, join(lines, "\n") + "\n");
  if (opts.trace) write_file_atomic(trace_path, join(traces, ""));
  std::cerr << "wrote " << records.size() << " results to " << out_path << "\n";
  return 0;
}

}  // namespace gpt2::cli
