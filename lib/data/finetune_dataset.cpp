#include "data/finetune_dataset.h"

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/files.h"
#include "core/json_error.h"
#include "core/strings.h"
#include "core/tokens.h"
#include "data/window_sampler.h"

namespace gpt2 {

FinetuneDataset FinetuneDataset::load(const std::string& path, const Tokenizer& tokenizer,
                                      const FinetuneOptions& options) {
  require(options.block_size > 0, "block_size must be > 0");
  const int32_t eot = tokenizer.special_tokens().end_of_text;
  require(eot >= 0,
          "fine-tuning needs a tokenizer with an end-of-text token, to end each "
          "completion");
  const int32_t pad = tokenizer.special_tokens().pad >= 0 ? tokenizer.special_tokens().pad : eot;
  const size_t row = options.block_size + 1;
  FinetuneDataset set;
  set.block_size_ = options.block_size;
  std::vector<int32_t> stream;  // packing
  std::vector<uint8_t> stream_mask;

  std::string content = read_file(path);
  size_t pos = 0, line_no = 0;
  while (pos < content.size()) {
    size_t end = content.find('\n', pos);
    if (end == std::string::npos) end = content.size();
    std::string line = content.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (trim(line).empty()) continue;
    const std::string where = path + ":" + std::to_string(line_no);
    nlohmann::json json;
    try {
      json = nlohmann::json::parse(line);
    } catch (const nlohmann::json::exception& e) {
      throw Error(where + ": not valid JSON (" + json_error_text(e.what()) + ")");
    }
    for (const auto& field : {options.prompt_field, options.completion_field})
      require(json.is_object() && json.contains(field) && json[field].is_string(),
              where + ": expected a string field \"" + field + "\" ({\"" + options.prompt_field +
                  "\": ..., \"" + options.completion_field + "\": ...})");
    std::vector<int32_t> ids = tokenizer.encode(json[options.prompt_field].get<std::string>());
    std::vector<uint8_t> mask(ids.size(), 0);
    tokenizer.encode_append(json[options.completion_field].get<std::string>(), ids);
    ids.push_back(eot);
    mask.resize(ids.size(), 1);
    ++set.examples_;
    if (options.pack) {
      stream.insert(stream.end(), ids.begin(), ids.end());
      stream_mask.insert(stream_mask.end(), mask.begin(), mask.end());
      continue;
    }
    if (ids.size() > row) {
      ++set.truncated_;
      ids.resize(row);
      mask.resize(row);
    }
    ids.resize(row, pad);
    mask.resize(row, 0);
    set.tokens_.push_back(std::move(ids));
    set.completion_.push_back(std::move(mask));
  }
  require(set.examples_ > 0, path + ": no examples (expected JSON lines with \"" +
                                 options.prompt_field + "\" and \"" + options.completion_field +
                                 "\")");
  if (options.pack) {
    const size_t T = options.block_size;
    for (size_t start = 0; start + 1 < stream.size(); start += T) {
      size_t n = std::min(row, stream.size() - start);
      std::vector<int32_t> ids(stream.begin() + start, stream.begin() + start + n);
      std::vector<uint8_t> mask(stream_mask.begin() + start, stream_mask.begin() + start + n);
      ids.resize(row, pad);
      mask.resize(row, 0);
      set.tokens_.push_back(std::move(ids));
      set.completion_.push_back(std::move(mask));
    }
  }
  return set;
}

Batch FinetuneDataset::batch(const std::vector<int64_t>& row_ids) const {
  Batch batch;
  batch.rows = static_cast<int64_t>(row_ids.size());
  batch.cols = block_size_;
  const size_t T = block_size_;
  batch.inputs.reserve(batch.rows * T);
  batch.targets.reserve(batch.rows * T);
  batch.loss_mask.reserve(batch.rows * T);
  for (int64_t r : row_ids) {
    require(r >= 0 && r < rows(), "fine-tuning row " + std::to_string(r) + " is outside 0.." +
                                      std::to_string(rows() - 1));
    const auto& ids = tokens_[r];
    const auto& completion = completion_[r];
    for (size_t t = 0; t < T; ++t) {
      batch.inputs.push_back(ids[t]);
      bool counts = completion[t + 1] != 0;
      batch.targets.push_back(counts ? ids[t + 1] : kIgnoreIndex);
      batch.loss_mask.push_back(counts ? 1 : 0);
    }
  }
  return batch;
}

std::vector<int64_t> FinetuneDataset::epoch_order(uint64_t seed, int64_t epoch) const {
  std::vector<int64_t> order(rows());
  for (int64_t i = 0; i < rows(); ++i) order[i] = i;
  std::mt19937_64 engine(seed ^ (0x9E3779B97F4A7C15ULL * static_cast<uint64_t>(epoch + 1)));
  for (int64_t i = rows() - 1; i > 0; --i)  // Fisher-Yates with a portable uniform draw
    std::swap(order[i], order[uniform_below(engine, static_cast<uint64_t>(i) + 1)]);
  return order;
}

}  // namespace gpt2
