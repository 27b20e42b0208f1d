#include "tokenizer/sentencepiece_train.h"

#include <unordered_map>

#include "core/error.h"
#include "core/files.h"
#include "tokenizer/sentencepiece_backend.h"

namespace gpt2 {

std::unique_ptr<SentencePieceTokenizer> train_sentencepiece(
    const SentencePieceTrainOptions& options) {
  const std::string& type = options.model_type;
  require(type == "bpe" || type == "unigram" || type == "char" || type == "word",
          "tokenizer type \"" + type + "\" is not one of bpe, unigram, char, word");
  require(!options.inputs.empty(), "no training text: give one or more --input files");
  // SentencePiece answers out-of-range values with "Internal: trainer_interface.cc(67)".
  require(options.vocab_size > 0 && options.vocab_size <= (int64_t(1) << 31) - 1,
          "vocab size " + std::to_string(options.vocab_size) +
              " is outside 1..2147483647 (char and word models ignore it but it must be valid)");
  require(options.character_coverage > 0 && options.character_coverage <= 1,
          "character coverage " + std::to_string(options.character_coverage) +
              " is outside (0, 1]: the share of characters to keep");
  require(options.max_sentences >= 0,
          "max sentences " + std::to_string(options.max_sentences) + " is negative (0 = all)");
  require(options.threads >= 1, "tokenizer training needs at least 1 thread");
  for (const auto& input : options.inputs) {
    require(!is_directory(input), input + " is a directory; give text files");
    require(file_size(input) > 0, input + " is empty; give text files with content");
  }

  std::unordered_map<std::string, std::string> args;
  args["model_type"] = type;
  args["num_threads"] = std::to_string(options.threads);
  args["character_coverage"] = std::to_string(options.character_coverage);
  args["byte_fallback"] = options.byte_fallback ? "true" : "false";
  args["max_sentence_length"] = std::to_string(1 << 20);
  if (options.max_sentences > 0) {
    args["input_sentence_size"] = std::to_string(options.max_sentences);
    args["shuffle_input_sentence"] = "true";
  }
  // Ids: <unk> 0, then the enabled control tokens in order bos, eos, pad.
  int next_id = 1;
  args["unk_id"] = "0";
  args["bos_id"] = options.bos ? std::to_string(next_id++) : "-1";
  args["eos_id"] = options.eos ? std::to_string(next_id++) : "-1";
  args["pad_id"] = options.pad ? std::to_string(next_id++) : "-1";
  std::vector<std::string> symbols = options.user_defined_symbols;
  if (options.exact) {
    args["normalization_rule_name"] = "identity";
    args["remove_extra_whitespaces"] = "false";
    args["add_dummy_prefix"] = "false";
    args["allow_whitespace_only_pieces"] = "true";
    args["split_by_whitespace"] = "true";
    symbols.insert(symbols.begin(), "\n");
  }
  std::string joined;
  for (const auto& symbol : symbols) {
    require(symbol.find(',') == std::string::npos, "user-defined symbol \"" + symbol +
                                                       "\" contains a comma, which SentencePiece "
                                                       "uses as a separator");
    joined += (joined.empty() ? "" : ",") + symbol;
  }
  if (!joined.empty()) args["user_defined_symbols"] = joined;
  if (type == "char" || type == "word") {
    // Keep every character (char) or word (word) seen: the vocabulary size follows the text.
    args["use_all_vocab"] = "true";
    args["vocab_size"] = std::to_string(next_id + static_cast<int>(symbols.size()) + 1);
    args["hard_vocab_limit"] = "false";
  } else {
    args["vocab_size"] = std::to_string(options.vocab_size);
  }
  std::string model;
  long long lines = 0;
  std::string error =
      sentencepiece_plugin().train(args, options.inputs, options.verbose ? 0 : 2, model, lines);
  require(
      error.empty(),
      "SentencePiece training failed: " + error +
          (type == "bpe" || type == "unigram" ? " (a smaller --vocab-size may fit the text)" : ""));
  require(lines > 0, "no training text: the inputs hold no non-empty lines");
  return std::make_unique<SentencePieceTokenizer>(model, "trained " + type + " model");
}

}  // namespace gpt2
