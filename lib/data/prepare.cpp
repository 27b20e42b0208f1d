#include "data/prepare.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <thread>

#include "core/error.h"
#include "core/files.h"
#include "core/progress.h"
#include "core/strings.h"
#include "core/utf8.h"
#include "data/documents.h"
#include "data/file_glob.h"
#include "data/parallel_encode.h"
#include "data/shard_format.h"

namespace fs = std::filesystem;

namespace gpt2 {
namespace {

const std::regex& output_name() {
  static const std::regex name(R"((train|val)_\d{6}\.bin|prepare\.json)");
  return name;
}

// Refuses before any work when an input lies where prepare writes: a file in out_dir named
// like an output (a shard of this or an earlier run, or prepare.json).
void refuse_overwriting_inputs(const std::vector<std::string>& inputs, const std::string& out) {
  std::error_code ec;
  fs::path out_dir = fs::weakly_canonical(out, ec);
  for (const auto& input : inputs) {
    fs::path path = fs::weakly_canonical(input, ec);
    if (path.parent_path() == out_dir && std::regex_match(path.filename().string(), output_name()))
      throw Error("output would overwrite input " + input +
                  ": prepare writes train_*.bin, "
                  "val_*.bin and prepare.json in " +
                  out + "; choose another --out");
  }
}

std::string shard_name(const std::string& out, const char* split, size_t index) {
  char name[32];
  std::snprintf(name, sizeof name, "%s_%06zu.bin", split, index);
  return out + "/" + name;
}

std::vector<std::string> write_split(const std::string& out, const char* split,
                                     const uint32_t* tokens, size_t count, int64_t shard_tokens,
                                     int token_bytes) {
  std::vector<std::string> paths;
  for (size_t start = 0; start < count; start += shard_tokens) {
    paths.push_back(shard_name(out, split, paths.size()));
    write_shard(paths.back(), tokens + start, std::min<size_t>(shard_tokens, count - start),
                token_bytes);
  }
  return paths;
}

// Shards of an earlier, bigger run would otherwise join this run's in a train_*.bin glob.
void remove_stale_shards(const std::string& out, const std::vector<std::string>& written) {
  for (const auto& entry : fs::directory_iterator(out)) {
    std::string name = entry.path().filename().string();
    if (name == "prepare.json" || !std::regex_match(name, output_name())) continue;
    std::string path = out + "/" + name;
    if (std::find(written.begin(), written.end(), path) == written.end()) fs::remove(entry.path());
  }
}

std::vector<uint32_t> encode_split(const DocumentSet& docs, const Tokenizer& tokenizer, int threads,
                                   bool progress, const char* label) {
  int32_t eot = tokenizer.special_tokens().end_of_text;
  require(eot >= 0 || docs.texts.size() <= 1,
          "the tokenizer has no end-of-text token to put between the " +
              std::to_string(docs.texts.size()) +
              " documents; train it with an end-of-text token (eos) or give one document");
  std::optional<ProgressBar> bar;
  if (progress) bar.emplace(label, docs.bytes / 1e6, "MB");
  auto tokens = encode_documents(docs.texts, tokenizer, eot, threads, [&](int64_t bytes) {
    if (bar) bar->update(bytes / 1e6);
  });
  if (bar) bar->finish(human_count(static_cast<double>(tokens.size())) + " tokens");
  return tokens;
}

}  // namespace

PrepareSummary prepare_shards(const PrepareOptions& options, const Tokenizer& tokenizer) {
  require(!options.out_dir.empty(), "no output directory: give --out DIR");
  require(!options.inputs.empty(), "no input: give --input FILE (files, globs or .jsonl)");
  require(options.val_fraction >= 0 && options.val_fraction < 1,  // false for nan too
          "val_fraction must be in [0, 1), got " + std::to_string(options.val_fraction));
  require(options.val_inputs.empty() || options.val_fraction == 0,
          "give either a validation fraction or validation files (--val-input), not both");
  require(options.shard_tokens > 0, "shard_tokens must be > 0");
  require(options.token_bits == 0 || options.token_bits == 16 || options.token_bits == 32,
          "token width must be 16 or 32 bits, not " + std::to_string(options.token_bits));
  const int64_t vocab = tokenizer.vocab_size();
  int token_bytes = options.token_bits ? options.token_bits / 8 : token_bytes_for_vocab(vocab);
  require(token_bytes == 4 || vocab <= 65536, "the tokenizer's " + std::to_string(vocab) +
                                                  " ids do not fit 16-bit shards (largest id " +
                                                  std::to_string(vocab - 1) +
                                                  " > 65535); use --token-bits 32");

  std::vector<std::string> train_files = expand_file_patterns(options.inputs);
  std::vector<std::string> val_files;
  if (!options.val_inputs.empty()) val_files = expand_file_patterns(options.val_inputs);
  std::vector<std::string> all_files = train_files;
  all_files.insert(all_files.end(), val_files.begin(), val_files.end());
  refuse_overwriting_inputs(all_files, options.out_dir);
  for (const auto& file : all_files)
    if (!is_jsonl_file(file) && looks_like_shard(file)) {
      read_shard_header(file);  // a damaged shard: the same message as gpt2 train gives
      throw Error(file +
                  " is a token shard already, not text; train on it with "
                  "data.train_shards, or give the text it was made from");
    }

  PrepareSummary summary;
  summary.threads =
      options.threads > 0 ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  auto start = std::chrono::steady_clock::now();
  DocumentSet docs = read_documents(train_files, options.jsonl_field);
  require(!docs.texts.empty(), "no text in the input (" + join(train_files, ", ") +
                                   "): every file or JSONL text field is empty");
  DocumentSet val_docs;
  if (!val_files.empty()) {
    val_docs = read_documents(val_files, options.jsonl_field);
    require(!val_docs.texts.empty(),
            "no text in the validation input (" + join(val_files, ", ") + ")");
  }
  for (const DocumentSet* set : {&docs, &val_docs})
    for (size_t i = 0; i < set->texts.size(); ++i) {
      const std::string_view text = set->texts[i];
      int64_t invalid = 0;
      for (size_t pos = 0; pos < text.size();) {
        const size_t length = utf8::sequence_length(text, pos);
        invalid += length == 0;
        pos += length == 0 ? 1 : length;
      }
      // files[] matches texts[] one to one when every input is a non-empty text file.
      if (invalid > 0 && summary.invalid_utf8_file.empty() &&
          set->files.size() == set->texts.size())
        summary.invalid_utf8_file = set->files[i];
      summary.invalid_utf8_bytes += invalid;
    }
  summary.documents = docs.texts.size();
  summary.val_documents = val_docs.texts.size();
  summary.bytes = docs.bytes + val_docs.bytes;

  std::vector<uint32_t> train =
      encode_split(docs, tokenizer, summary.threads, options.progress, "prepare");
  std::vector<uint32_t> val;
  if (!val_files.empty())
    val = encode_split(val_docs, tokenizer, summary.threads, options.progress, "prepare val");
  docs = {};
  val_docs = {};

  size_t train_count = train.size();
  if (options.val_fraction > 0) {
    // nanoGPT: train = data[:int(n * 0.9)], val = the rest.
    train_count = static_cast<size_t>(std::floor(train.size() * (1.0 - options.val_fraction)));
    require(train_count < train.size() && train_count > 0,
            "the input has " + std::to_string(train.size()) +
                " tokens, too few for a validation fraction of " +
                std::to_string(options.val_fraction));
  }
  const uint32_t* val_tokens = val_files.empty() ? train.data() + train_count : val.data();
  size_t val_count = val_files.empty() ? train.size() - train_count : val.size();

  create_folder(options.out_dir);
  summary.train_shards = write_split(options.out_dir, "train", train.data(), train_count,
                                     options.shard_tokens, token_bytes);
  summary.val_shards =
      write_split(options.out_dir, "val", val_tokens, val_count, options.shard_tokens, token_bytes);
  std::vector<std::string> written = summary.train_shards;
  written.insert(written.end(), summary.val_shards.begin(), summary.val_shards.end());
  remove_stale_shards(options.out_dir, written);

  summary.train_tokens = train_count;
  summary.val_tokens = val_count;
  summary.token_bits = token_bytes * 8;
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  nlohmann::json meta = {
      {"tokenizer", tokenizer.kind()},    {"vocab_size", vocab},
      {"token_bits", summary.token_bits}, {"inputs", train_files},
      {"val_inputs", val_files},          {"val_fraction", options.val_fraction},
      {"documents", summary.documents},   {"val_documents", summary.val_documents},
      {"bytes", summary.bytes},           {"train_tokens", summary.train_tokens},
      {"val_tokens", summary.val_tokens}, {"train_shards", summary.train_shards},
      {"val_shards", summary.val_shards}};
  write_file_atomic(options.out_dir + "/prepare.json", meta.dump(2) + "\n");
  return summary;
}

std::string format_summary(const PrepareSummary& s) {
  int64_t tokens = s.train_tokens + s.val_tokens;
  char line[512];
  std::snprintf(line, sizeof line,
                "documents %lld%s, tokens %lld (train %lld in %zu shard%s, val %lld in %zu "
                "shard%s), %.2f bytes/token, %s in %.2f s (%.1f MB/s, %d threads), uint%d",
                static_cast<long long>(s.documents),
                s.val_documents ? (" + " + std::to_string(s.val_documents) + " val").c_str() : "",
                static_cast<long long>(tokens), static_cast<long long>(s.train_tokens),
                s.train_shards.size(), s.train_shards.size() == 1 ? "" : "s",
                static_cast<long long>(s.val_tokens), s.val_shards.size(),
                s.val_shards.size() == 1 ? "" : "s", tokens ? double(s.bytes) / tokens : 0.0,
                human_bytes(static_cast<double>(s.bytes)).c_str(), s.seconds,
                s.seconds > 0 ? s.bytes / 1e6 / s.seconds : 0.0, s.threads, s.token_bits);
  return line;
}

}  // namespace gpt2
