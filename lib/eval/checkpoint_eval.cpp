#include "eval/checkpoint_eval.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/files.h"
#include "data/shard_format.h"
#include "io/adapter.h"
#include "io/checkpoint.h"
#include "io/inference_model.h"
#include "report/html.h"
#include "report/svg_chart.h"
#include "report/table.h"
#include "tokenizer/tokenizer_io.h"

namespace fs = std::filesystem;

namespace gpt2 {
namespace {

bool is_plain_model_dir(const fs::path& dir) {
  return fs::exists(dir / "config.json") && fs::exists(dir / "model.safetensors");
}

// A LoRA checkpoint: an adapter directory whose base model is a directory here.
std::string adapter_base(const fs::path& dir) {
  if (!is_adapter_dir(dir.string()) || !fs::exists(dir / kAdapterWeights)) return "";
  const std::string base = read_adapter_config(dir.string()).base_model;
  return is_plain_model_dir(base) ? base : "";
}

bool is_model_dir(const fs::path& dir) {
  return is_plain_model_dir(dir) || !adapter_base(dir).empty();
}

ModelEntry model_entry(const fs::path& dir, std::string name, int64_t step) {
  if (is_plain_model_dir(dir)) return {dir.string(), std::move(name), step, ""};
  return {adapter_base(dir), std::move(name), step, dir.string()};
}

// The last run of digits in a folder name: "step_000200" -> 200.
int64_t step_from_name(const std::string& name) {
  size_t end = name.find_last_of("0123456789");
  if (end == std::string::npos) return -1;
  size_t begin = name.find_last_not_of("0123456789", end);
  begin = begin == std::string::npos ? 0 : begin + 1;
  return std::stoll(name.substr(begin, end - begin + 1));
}

std::string number_or_dash(double value, int decimals) {
  return std::isnan(value) ? "-" : format_number(value, decimals);
}

}  // namespace

std::vector<ModelEntry> expand_model_paths(const std::vector<std::string>& paths) {
  std::vector<ModelEntry> models;
  for (const auto& path : paths) {
    if (is_model_dir(path)) {
      models.push_back(model_entry(path, path, -1));
      continue;
    }
    require(is_directory(path), path + " is neither a model directory nor a run directory");
    std::vector<ModelEntry> found;
    for (auto it = fs::recursive_directory_iterator(path); it != fs::recursive_directory_iterator();
         ++it) {
      // Links such as RUN/best and RUN/latest point at checkpoints listed on their own.
      if (it->is_symlink() || !it->is_directory() || !is_model_dir(it->path())) continue;
      std::string name = fs::relative(it->path(), path).string();
      found.push_back(
          model_entry(it->path(), name, step_from_name(it->path().filename().string())));
      it.disable_recursion_pending();
    }
    require(!found.empty(), path + " holds no model directory (config.json + model.safetensors)");
    std::sort(found.begin(), found.end(), [](const ModelEntry& a, const ModelEntry& b) {
      return a.step != b.step ? a.step < b.step : a.name < b.name;
    });
    models.insert(models.end(), found.begin(), found.end());
  }
  return models;
}

std::vector<EvalRow> evaluate_models(const std::vector<ModelEntry>& models,
                                     const std::vector<std::string>& data_files,
                                     const EvalConfig& config, const InferenceWeights& how) {
  require(!models.empty(), "no model to evaluate: give --model DIR");
  require(!data_files.empty(), "no data to evaluate on: give --data FILE");
  std::vector<EvalRow> rows;
  for (const auto& entry : models) {
    InferenceWeights entry_how = how;
    entry_how.adapter = entry.adapter;
    auto model = load_inference_model(entry.dir, entry_how);
    const std::string tokenizer_dir =
        !entry.adapter.empty() && has_tokenizer(entry.adapter) ? entry.adapter : entry.dir;
    const int64_t context = config.context > 0 ? config.context : model->config().n_positions;
    for (const auto& data : data_files) {
      EvalRow row{entry, data, "", {}};
      std::vector<int64_t> ids;
      std::string tokenizer_kind = "shard";
      if (looks_like_shard(data)) {  // a damaged shard is refused, not read as text
        for (uint32_t id : read_shard_tokens(data)) ids.push_back(id);
      } else {
        auto tokenizer = load_tokenizer(tokenizer_dir);
        tokenizer_kind = tokenizer->kind();
        std::string text = read_file(data);
        require(!text.empty(), data + " is empty");
        auto special = tokenizer->special_tokens();
        if (config.prepend_eos) {
          require(special.end_of_text >= 0, entry.dir +
                                                ": the tokenizer has no end-of-text "
                                                "token to prepend; drop prepend_eos");
          ids.push_back(special.end_of_text);
        }
        for (int32_t id : tokenizer->encode(text)) ids.push_back(id);
        row.result.bytes = int64_t(text.size());
        row.result.words = count_words(text);
      }
      for (int64_t id : ids)
        require(id < model->config().vocab_size,
                data + ": token id " + std::to_string(id) + " is outside the model's vocabulary (" +
                    std::to_string(model->config().vocab_size) + ")");
      auto scored = evaluate_perplexity(*model, ids, config, entry.name + " on " + data);
      row.result.nll_sum = scored.nll_sum;
      row.result.tokens = scored.tokens;
      row.signature = perplexity_signature(context, config, tokenizer_kind);
      rows.push_back(row);
    }
  }
  return rows;
}

namespace {
Table eval_table(const std::vector<EvalRow>& rows) {
  Table table{{"model", "step", "data", "tokens", "NLL", "ppl", "bits/byte", "word ppl"}, {}};
  for (const auto& row : rows) {
    table.add_row({row.model.name, row.model.step >= 0 ? std::to_string(row.model.step) : "-",
                   fs::path(row.data).filename().string(), std::to_string(row.result.tokens),
                   format_number(row.result.mean_nll(), 4),
                   format_number(row.result.perplexity(), 3),
                   number_or_dash(row.result.bits_per_byte(), 4),
                   number_or_dash(row.result.word_perplexity(), 3)});
  }
  return table;
}
}  // namespace

std::string eval_table_text(const std::vector<EvalRow>& rows) {
  std::string text = eval_table(rows).to_text();
  std::map<std::string, int> signatures;
  for (const auto& row : rows) signatures[row.signature]++;
  for (const auto& [signature, count] : signatures) text += "signature: " + signature + "\n";
  return text;
}

void write_eval_outputs(const std::vector<EvalRow>& rows, const std::string& out_dir) {
  nlohmann::ordered_json json = nlohmann::ordered_json::array();
  for (const auto& row : rows) {
    auto nan_to_null = [](double v) {
      return std::isnan(v) ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(v);
    };
    json.push_back(
        {{"model", row.model.dir},
         {"name", row.model.name},
         {"step", row.model.step >= 0 ? nlohmann::ordered_json(row.model.step) : nullptr},
         {"data", row.data},
         {"signature", row.signature},
         {"tokens", row.result.tokens},
         {"bytes", row.result.bytes},
         {"words", row.result.words},
         {"nll_sum", row.result.nll_sum},
         {"mean_nll", row.result.mean_nll()},
         {"perplexity", row.result.perplexity()},
         {"bits_per_byte", nan_to_null(row.result.bits_per_byte())},
         {"word_perplexity", nan_to_null(row.result.word_perplexity())}});
  }
  Table table = eval_table(rows);

  HtmlReport report("Perplexity");
  report.table(table);
  std::map<std::string, Series> curves;  // one curve per data file, over checkpoints with steps
  for (const auto& row : rows) {
    if (row.model.step < 0) continue;
    auto& series = curves[row.data];
    series.name = fs::path(row.data).filename().string();
    series.x.push_back(double(row.model.step));
    series.y.push_back(row.result.perplexity());
  }
  if (!curves.empty()) {
    std::vector<Series> series;
    for (auto& [data, s] : curves) series.push_back(s);
    ChartOptions options;
    options.title = "Perplexity against training step";
    options.x_label = "step";
    options.y_label = "perplexity";
    options.log_y = true;
    report.svg(line_chart_svg(series, options));
  }
  std::map<std::string, int> signatures;
  for (const auto& row : rows) signatures[row.signature]++;
  for (const auto& [signature, count] : signatures) report.paragraph("signature: " + signature);
  // All or nothing (a full disk leaves no eval.json without its report).
  write_files_atomic({{out_dir + "/eval.json", json.dump(2) + "\n"},
                      {out_dir + "/eval.csv", table.to_csv()},
                      {out_dir + "/report.html", report.html()}});
}

}  // namespace gpt2
