#include "tokenizer/tokenizer_io.h"

#include <filesystem>

#include "core/error.h"
#include "core/files.h"
#include "tokenizer/gpt2_bpe.h"
#include "tokenizer/sentencepiece_tokenizer.h"

namespace gpt2 {

bool has_tokenizer(const std::string& model_dir) {
  return file_exists(model_dir + "/tokenizer.model") || Gpt2Bpe::present_in(model_dir);
}

std::unique_ptr<Tokenizer> load_tokenizer(const std::string& path) {
  if (!is_directory(path)) {
    require(file_exists(path), "tokenizer path " + path + " does not exist");
    std::filesystem::path file(path);
    std::string name = file.filename().string();
    std::string dir = file.has_parent_path() ? file.parent_path().string() : ".";
    if (file.extension() == ".model") return SentencePieceTokenizer::load(path);
    if (name == "vocab.json") return Gpt2Bpe::load_files(path, dir + "/merges.txt");
    if (name == "encoder.json") return Gpt2Bpe::load_files(path, dir + "/vocab.bpe");
    throw Error(path +
                ": not a tokenizer file (expected a directory, a .model file, "
                "vocab.json or encoder.json)");
  }
  // Prefer SentencePiece when both are present: a GPT-2 directory never has tokenizer.model.
  if (file_exists(path + "/tokenizer.model"))
    return SentencePieceTokenizer::load(path + "/tokenizer.model");
  if (Gpt2Bpe::present_in(path)) return Gpt2Bpe::load(path);
  throw Error("no tokenizer in " + path +
              ": expected tokenizer.model (SentencePiece), vocab.json + merges.txt (GPT-2 "
              "BPE) or encoder.json + vocab.bpe; train one with `gpt2 tokenizer train` or copy "
              "the files there");
}

void save_tokenizer(const Tokenizer& tokenizer, const std::string& model_dir) {
  create_folder(model_dir);
  tokenizer.save(model_dir);
}

}  // namespace gpt2
