// gpt2 eval --model DIR|RUN_DIR... --data FILE...: sliding-window perplexity of every model
// (every checkpoint of a run) on every file, as a table, JSON, CSV and an HTML report.
// With --task NAME... (or eval.tasks): zero-shot tasks instead, one data file per task.
#include <iostream>

#include "cli.h"
#include "commands.h"
#include "core/error.h"
#include "core/strings.h"
#include "eval/checkpoint_eval.h"
#include "eval/tasks/task_eval.h"
#include "eval/tasks/task_output.h"
#include "runtime/runtime.h"

namespace gpt2::cli {

int cmd_eval(const std::vector<std::string>& argv) {
  std::vector<std::string> models, data;
  std::string out_dir, adapter;
  std::string stride, batch_size, context;
  bool prepend_eos = false;
  std::vector<std::string> tasks;
  std::string log_samples, limit;
  bool no_share_prefix = false;
  ConfigArgs config_args;
  po::options_description options("gpt2 eval");
  options.add_options()  //
      ("model,m", po::value(&models)->multitoken()->required(),
       "model directories, or run directories (every checkpoint in them)")                      //
      ("adapter", po::value(&adapter), "LoRA adapter directory (PEFT layout) for every model")  //
      ("data,d", po::value(&data)->multitoken(),
       "text files (tokenized with each model's tokenizer) or token shards")  //
      ("stride", po::value(&stride),
       "window advance in tokens (eval.stride; default half the window)")                        //
      ("context", po::value(&context), "window length (eval.context; default n_positions)")      //
      ("batch-size", po::value(&batch_size), "windows per forward pass (eval.batch_size)")       //
      ("prepend-eos", po::bool_switch(&prepend_eos), "score the first token after end-of-text")  //
      ("out,o", po::value(&out_dir), "write eval.json, eval.csv and report.html here");
  const std::string task_help =
      "tasks instead of perplexity, one --data file each: " + join(task_names(), ", ") +
      " (eval.tasks)";
  // Zero-shot tasks.
  options.add_options()                                                                     //
      ("task", po::value(&tasks)->multitoken(), task_help.c_str())                          //
      ("log-samples", po::value(&log_samples), "per-example scores as JSON lines (tasks)")  //
      ("limit", po::value(&limit), "first N examples of each task (eval.limit)")            //
      ("no-share-prefix", po::bool_switch(&no_share_prefix),
       "score every choice with its own context pass (eval.share_prefix=false)");
  add_config_options(options, config_args);
  if (!parse("gpt2 eval --model DIR... --data FILE... [options]", argv, options)) return 0;
  if (!stride.empty()) config_args.overrides.push_back("eval.stride=" + stride);
  if (!context.empty()) config_args.overrides.push_back("eval.context=" + context);
  if (!batch_size.empty()) config_args.overrides.push_back("eval.batch_size=" + batch_size);
  if (prepend_eos) config_args.overrides.push_back("eval.prepend_eos=true");
  if (!limit.empty()) config_args.overrides.push_back("eval.limit=" + limit);
  if (no_share_prefix) config_args.overrides.push_back("eval.share_prefix=false");

  RuntimeConfig runtime_config;
  EvalConfig eval_config;
  if (!load_sections(config_args, {section_ref(runtime_config), section_ref(eval_config)}))
    return 0;
  const Runtime runtime = apply_runtime(runtime_config);
  const InferenceWeights how{"", runtime.weights, runtime.device, runtime.dtype};
  if (!tasks.empty()) {
    eval_config.tasks = tasks;
    eval_config.task_data = data;
  }
  if (!log_samples.empty()) eval_config.log_samples = log_samples;
  require(eval_config.log_samples.empty() || !eval_config.tasks.empty(),
          "--log-samples (eval.log_samples) holds per-example scores of zero-shot tasks: give "
          "--task too (perplexity has no per-example scores)");
  if (!eval_config.tasks.empty()) {
    auto entries = expand_model_paths(models);
    for (const auto& entry : entries)
      require(adapter.empty() && entry.adapter.empty(),
              "zero-shot tasks take no LoRA adapter (" + entry.name +
                  "): merge it first with gpt2 merge-adapter");
    auto results = evaluate_tasks(entries, eval_config, how);
    std::cout << task_table_text(results);
    if (!out_dir.empty()) {
      write_task_outputs(results, out_dir);
      std::cout << "wrote " << out_dir << "/tasks.json, tasks.csv, report.html\n";
    }
    if (!eval_config.log_samples.empty()) std::cout << "wrote " << eval_config.log_samples << "\n";
    return 0;
  }
  auto entries = expand_model_paths(models);
  for (auto& entry : entries) {
    require(adapter.empty() || entry.adapter.empty(),
            "--adapter: " + entry.name + " already is a LoRA checkpoint with its own adapter");
    if (adapter.empty()) continue;
    entry.adapter = adapter;
    entry.name += " + " + adapter;
  }
  auto rows = evaluate_models(entries, data, eval_config, how);
  std::cout << eval_table_text(rows);
  if (!out_dir.empty()) {
    write_eval_outputs(rows, out_dir);
    std::cout << "wrote " << out_dir << "/eval.json, eval.csv, report.html\n";
  }
  return 0;
}

}  // namespace gpt2::cli
