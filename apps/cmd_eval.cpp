// gpt2 eval --model DIR|RUN_DIR... --data FILE...: sliding-window perplexity of every model
// (every checkpoint of a run) on every file, as a table, JSON, CSV and an HTML report.
#include <iostream>

#include "cli.h"
#include "commands.h"
#include "eval/checkpoint_eval.h"
#include "runtime/runtime.h"

namespace gpt2::cli {

int cmd_eval(const std::vector<std::string>& argv) {
  std::vector<std::string> models, data;
  std::string out_dir;
  std::string stride, batch_size, context;
  bool prepend_eos = false;
  ConfigArgs config_args;
  po::options_description options("gpt2 eval");
  options.add_options()  //
      ("model,m", po::value(&models)->multitoken()->required(),
       "model directories, or run directories (every checkpoint in them)")  //
      ("data,d", po::value(&data)->multitoken()->required(),
       "text files (tokenized with each model's tokenizer) or token shards")                     //
      ("stride", po::value(&stride), "window advance in tokens (eval.stride, default 512)")      //
      ("context", po::value(&context), "window length (eval.context; default n_positions)")      //
      ("batch-size", po::value(&batch_size), "windows per forward pass (eval.batch_size)")       //
      ("prepend-eos", po::bool_switch(&prepend_eos), "score the first token after end-of-text")  //
      ("out,o", po::value(&out_dir), "write eval.json, eval.csv and report.html here");
  add_config_options(options, config_args);
  if (!parse("gpt2 eval --model DIR... --data FILE... [options]", argv, options)) return 0;
  if (!stride.empty()) config_args.overrides.push_back("eval.stride=" + stride);
  if (!context.empty()) config_args.overrides.push_back("eval.context=" + context);
  if (!batch_size.empty()) config_args.overrides.push_back("eval.batch_size=" + batch_size);
  if (prepend_eos) config_args.overrides.push_back("eval.prepend_eos=true");

  RuntimeConfig runtime_config;
  EvalConfig eval_config;
  if (!load_sections(config_args, {section_ref(runtime_config), section_ref(eval_config)}))
    return 0;
  apply_runtime(runtime_config);
  auto rows = evaluate_models(expand_model_paths(models), data, eval_config);
  std::cout << eval_table_text(rows);
  if (!out_dir.empty()) {
    write_eval_outputs(rows, out_dir);
    std::cout << "wrote " << out_dir << "/eval.json, eval.csv, report.html\n";
  }
  return 0;
}

}  // namespace gpt2::cli
