#include "io/hf_trainer_state.h"

#include <cmath>
#include <nlohmann/json.hpp>

namespace gpt2 {
namespace {

// HF names for our log's numbers.
const std::pair<const char*, const char*> kTrainNames[] = {
    {"loss", "loss"}, {"lr", "learning_rate"}, {"grad_norm", "grad_norm"}};
const std::pair<const char*, const char*> kEvalNames[] = {{"val_loss", "eval_loss"},
                                                          {"val_ppl", "eval_perplexity"}};

template <size_t N>
nlohmann::json entry(const RunLogRow& row, const std::pair<const char*, const char*> (&names)[N]) {
  nlohmann::json out = nlohmann::json::object();
  out["step"] = row.step;
  for (const auto& [ours, theirs] : names) {
    const double value = row.number(ours);
    if (std::isfinite(value)) out[theirs] = value;
  }
  return out;
}

}  // namespace

std::string hf_trainer_state_json(const HfTrainerStateInfo& info,
                                  const std::vector<RunLogRow>& log) {
  nlohmann::json history = nlohmann::json::array();
  for (const RunLogRow& row : log) {
    if (row.kind == "train") history.push_back(entry(row, kTrainNames));
    if (row.kind == "eval") history.push_back(entry(row, kEvalNames));
  }
  nlohmann::json json;  // std::map keys: sorted, as HF's sort_keys=True
  json["epoch"] = info.epoch;
  json["global_step"] = info.global_step;
  json["max_steps"] = info.max_steps;
  json["logging_steps"] = info.logging_steps;
  json["eval_steps"] = info.eval_steps;
  json["save_steps"] = info.save_steps;
  json["train_batch_size"] = info.train_batch_size;
  json["num_train_epochs"] = info.num_train_epochs;
  json["num_input_tokens_seen"] = info.num_input_tokens_seen;
  json["total_flos"] = info.total_flos;
  json["log_history"] = history;
  json["best_metric"] =
      std::isfinite(info.best_metric) ? nlohmann::json(info.best_metric) : nlohmann::json(nullptr);
  json["best_global_step"] =
      info.best_global_step >= 0 ? nlohmann::json(info.best_global_step) : nlohmann::json(nullptr);
  json["best_model_checkpoint"] = info.best_model_checkpoint.empty()
                                      ? nlohmann::json(nullptr)
                                      : nlohmann::json(info.best_model_checkpoint);
  json["is_local_process_zero"] = true;
  json["is_world_process_zero"] = true;
  json["is_hyper_param_search"] = false;
  json["trial_name"] = nullptr;
  json["trial_params"] = nullptr;
  json["stateful_callbacks"] = nlohmann::json::object();
  return json.dump(2) + "\n";
}

}  // namespace gpt2
