#include "compare/prompt_source.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <numeric>
#include <random>

#include "core/error.h"
#include "core/files.h"
#include "core/strings.h"
#include "data/shard_format.h"
#include "data/token_stream.h"

namespace gpt2 {

void CompareConfig::validate() const {
  int sources = int(!text.empty()) + int(!shards.empty()) + int(!jsonl.empty());
  require(!model.empty(), "config: compare.model: give the model directory to compare on");
  require(sources == 1, "config: compare: give exactly one prompt source: text, shards or jsonl");
  require(!seeds.empty(), "config: compare.seeds: give at least one seed");
}

namespace {
std::vector<int32_t> to_int32(const std::vector<int64_t>& ids, size_t begin, size_t end) {
  return std::vector<int32_t>(ids.begin() + begin, ids.begin() + end);
}
}  // namespace

std::vector<PromptPair> windows_from_tokens(const std::vector<int64_t>& tokens,
                                            const CompareConfig& config,
                                            const Tokenizer& tokenizer) {
  const int64_t length = config.prompt_tokens + config.reference_tokens;
  const int64_t slots = int64_t(tokens.size()) / length;
  require(slots >= config.num_prompts,
          "the prompt text has " + std::to_string(tokens.size()) + " tokens: room for " +
              std::to_string(slots) + " windows of " + std::to_string(length) +
              " tokens, but compare.num_prompts is " + std::to_string(config.num_prompts) +
              "; give more text or fewer/shorter prompts");
  // A seeded choice of non-overlapping slots, kept in text order.
  std::vector<int64_t> order(slots);
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 rng(uint64_t(config.window_seed));
  for (int64_t i = slots - 1; i > 0; --i) std::swap(order[i], order[rng() % uint64_t(i + 1)]);
  order.resize(config.num_prompts);
  std::sort(order.begin(), order.end());
  std::vector<PromptPair> pairs;
  for (int64_t slot : order) {
    size_t begin = size_t(slot * length), middle = begin + config.prompt_tokens,
           end = begin + length;
    PromptPair pair;
    pair.prompt.assign(tokens.begin() + begin, tokens.begin() + middle);
    pair.reference.assign(tokens.begin() + middle, tokens.begin() + end);
    pair.prompt_text = tokenizer.decode(to_int32(tokens, begin, middle));
    pair.reference_text = tokenizer.decode(to_int32(tokens, middle, end));
    pairs.push_back(pair);
  }
  return pairs;
}

std::vector<PromptPair> load_prompt_pairs(const CompareConfig& config, const Tokenizer& tokenizer) {
  if (!config.jsonl.empty()) {
    std::vector<PromptPair> pairs;
    auto lines = split(read_file(config.jsonl), '\n');
    for (size_t i = 0; i < lines.size() && int64_t(pairs.size()) < config.num_prompts; ++i) {
      if (trim(lines[i]).empty()) continue;
      const std::string where = config.jsonl + ":" + std::to_string(i + 1);
      auto json = nlohmann::json::parse(lines[i], nullptr, false);
      require(json.is_object() && json.contains("prompt") && json["prompt"].is_string() &&
                  json.contains("reference") && json["reference"].is_string(),
              where + ": expected {\"prompt\": \"...\", \"reference\": \"...\"}");
      PromptPair pair;
      pair.prompt_text = json["prompt"].get<std::string>();
      pair.reference_text = json["reference"].get<std::string>();
      for (int32_t id : tokenizer.encode(pair.prompt_text)) pair.prompt.push_back(id);
      for (int32_t id : tokenizer.encode(pair.reference_text)) pair.reference.push_back(id);
      require(!pair.prompt.empty(), where + ": the prompt is empty");
      pairs.push_back(pair);
    }
    require(!pairs.empty(), config.jsonl + " holds no prompt/reference pair");
    return pairs;
  }
  std::vector<int64_t> tokens;
  if (!config.shards.empty()) {
    auto stream = TokenStream::open(config.shards);
    tokens.resize(size_t(stream->size()));
    stream->read(0, stream->size(), tokens.data());
  } else {
    for (const auto& path : config.text) {
      // A shard given as text would be tokenized as bytes; a damaged one gets train's message.
      if (looks_like_shard(path)) {
        read_shard_header(path);
        throw Error("compare.text: " + path + " is a token shard; give it as compare.shards");
      }
      for (int32_t id : tokenizer.encode(read_file(path))) tokens.push_back(id);
    }
  }
  return windows_from_tokens(tokens, config, tokenizer);
}

}  // namespace gpt2
