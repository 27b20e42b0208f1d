// gpt2 generate: text from a model with any strategy. One --prompt streams tokens as they
// come (beams: the prefix every beam that can still win shares); --prompts FILE.jsonl --out
// OUT.jsonl decodes in batches with a progress bar. --trace FILE.jsonl writes per-token traces.
// The jobs themselves are generate/generate_job.h; this file is flags and loading.
#include <future>
#include <iostream>

#include "commands.h"
#include "core/error.h"
#include "core/files.h"
#include "generate/generate_job.h"
#include "generate/generation_options.h"
#include "generate/model_source.h"
#include "model_options.h"
#include "tokenizer/tokenizer_config.h"
#include "tokenizer/tokenizer_io.h"

namespace gpt2::cli {

int cmd_generate(const std::vector<std::string>& argv) {
  std::string spec, adapter, prompt, prompts_path;
  GenerateJobFiles files;
  std::vector<std::string> stops;
  bool no_cache = false, ignore_eos = false, output_scores = false;
  bool prompt_given = false, prompt_lookup_given = false;  // "" is a prompt: end-of-text alone
  int64_t prompt_lookup = 0;
  ConfigArgs args;
  GenerateConfig config;  // its fields declare the --top-p etc. shorthands
  FieldFlags generate_flags(section_ref(config));
  RuntimeConfig runtime_fields;  // declares --weights (runtime.weights)
  FieldFlags weights_flag(section_ref(runtime_fields), {"weights"});
  po::options_description options("gpt2 generate");
  options.add_options()                                                                       //
      ("model,m", po::value(&spec)->required(), "model directory or preset (gpt2, tiny)")     //
      ("adapter", po::value(&adapter), "LoRA adapter directory (PEFT layout) for the model")  //
      ("prompt,p", po::value(&prompt)->notifier([&](auto&) { prompt_given = true; }),
       "prompt text (\"\" = a new document); the completion streams to stdout")              //
      ("prompts", po::value(&prompts_path), "JSONL file of {\"prompt\": ...} objects")       //
      ("out,o", po::value(&files.out), "JSONL output for --prompts")                         //
      ("trace", po::value(&files.trace), "JSONL of per-token entropy, kept, nucleus, rank")  //
      ("stop", po::value(&stops)->composing(), "stop string, repeatable (\\n newline, \\t tab)")(
          "no-cache", po::bool_switch(&no_cache), "recompute the whole sequence every step")  //
      ("ignore-eos", po::bool_switch(&ignore_eos), "do not stop at end-of-text")              //
      ("output-scores", po::bool_switch(&output_scores), "transition scores in --out")        //
      ("prompt-lookup",
       po::value(&prompt_lookup)->notifier([&](auto) { prompt_lookup_given = true; }),
       "N: speculative decoding drafting from n-grams of the text (generate.prompt_lookup_ngram)");
  generate_flags.add_to(options);
  weights_flag.add_to(options);
  add_config_options(options, args);
  if (!parse("gpt2 generate --model DIR (--prompt TEXT | --prompts IN.jsonl --out OUT.jsonl) "
             "[--strategy top_p --top-p 0.9 ...]",
             argv, options, nullptr, {"prompt"}))  // "" starts a new document
    return 0;
  require(prompt_given != !prompts_path.empty(), "give --prompt TEXT or --prompts FILE.jsonl");
  require(prompts_path.empty() || !files.out.empty(), "--prompts needs --out OUT.jsonl");
  require(!prompt_given || files.out.empty(),
          "--out writes the results of --prompts FILE.jsonl; the completion of --prompt streams "
          "to stdout (redirect it: > FILE)");

  generate_flags.collect(args);
  weights_flag.collect(args);
  if (!stops.empty()) {
    std::vector<std::string> texts;
    for (const auto& s : stops) texts.push_back(unescape_stop_string(s));
    args.assignments.push_back({"generate.stop_strings", texts, "--stop"});
  }
  if (no_cache) args.assignments.push_back({"generate.use_cache", {"false"}, "--no-cache"});
  if (ignore_eos) args.assignments.push_back({"generate.ignore_eos", {"true"}, "--ignore-eos"});
  if (output_scores)
    args.assignments.push_back({"generate.output_scores", {"true"}, "--output-scores"});
  if (prompt_lookup_given)
    args.assignments.push_back(
        {"generate.prompt_lookup_ngram", {std::to_string(prompt_lookup)}, "--prompt-lookup"});
  TokenizerConfig tokenizer_config;
  // The tokenizer loads on a thread of its own beside the weights: GPT-2's BPE files take
  // ~0.25 s, a quarter of the time to the first token.
  std::future<std::unique_ptr<Tokenizer>> tokenizer_loading;
  auto loaded = load_model_from_args(
      spec, args, {section_ref(config), section_ref(tokenizer_config)}, adapter, [&] {
        require(!tokenizer_config.path.empty() || is_directory(spec),
                "a preset model has no tokenizer: add --set tokenizer.path=DIR (e.g. a GPT-2 "
                "model directory, or the folder with encoder.json and vocab.bpe)");
        const std::string path = tokenizer_config.path.empty() ? spec : tokenizer_config.path;
        tokenizer_loading = std::async(std::launch::async, [path] { return load_tokenizer(path); });
      });
  if (!loaded.model) return 0;
  auto tokenizer = tokenizer_loading.get();
  GenerationOptions opts =
      make_generation_options(config, *tokenizer, uint64_t(loaded.runtime.seed));
  opts.trace = !files.trace.empty();
  ModelSource source(loaded.model, opts.config.use_cache);
  std::unique_ptr<ModelSource> draft;
  if (!opts.config.draft_model.empty()) {
    draft = std::make_unique<ModelSource>(load_draft_model(opts.config.draft_model, loaded.runtime),
                                          opts.config.use_cache);
    opts.draft = draft.get();
  }

  if (prompt_given) {
    generate_streamed(source, prompt, encode_prompt(*tokenizer, prompt), opts, files, std::cout,
                      std::cerr);
    return 0;
  }
  auto records = read_prompts_jsonl(prompts_path);
  std::vector<std::vector<int64_t>> prompts;
  for (const auto& r : records) prompts.push_back(encode_prompt(*tokenizer, r.prompt));
  generate_jsonl(source, records, prompts, opts, files, std::cerr);
  return 0;
}

}  // namespace gpt2::cli
