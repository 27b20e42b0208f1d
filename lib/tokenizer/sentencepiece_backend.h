#pragma once
// libsentencepiece carries its own copy of protobuf and exports those symbols; LibTorch loads
// libprotobuf.so as well, and with both in one process SentencePiece crashes at start-up. So
// libsentencepiece is only loaded inside a plugin, libgpt2_sentencepiece.so, opened with
// RTLD_DEEPBIND so that it binds to its own protobuf. The library talks to the plugin through
// these interfaces: virtual calls need no symbol lookup across the boundary.
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace gpt2 {

// One loaded SentencePiece model. Methods that can fail return "" on success or the message.
class SentencePieceProcessorApi {
 public:
  virtual ~SentencePieceProcessorApi() = default;
  virtual std::string load_serialized(const std::string& model) = 0;
  virtual std::string encode(std::string_view text, std::vector<int>& ids) const = 0;
  virtual std::string decode(const std::vector<int>& ids, std::string& text) const = 0;
  virtual int piece_size() const = 0;
  virtual int unk_id() const = 0;
  virtual int bos_id() const = 0;
  virtual int eos_id() const = 0;
  virtual int pad_id() const = 0;
  virtual std::string id_to_piece(int id) const = 0;
  virtual int piece_to_id(std::string_view piece) const = 0;
};

class SentencePiecePlugin {
 public:
  virtual ~SentencePiecePlugin() = default;
  virtual std::unique_ptr<SentencePieceProcessorApi> create_processor() const = 0;
  // Trains on the non-empty lines of `files` with SentencePiece's key=value arguments; fills
  // `model` with the serialized model and `lines` with the count of lines used.
  virtual std::string train(const std::unordered_map<std::string, std::string>& args,
                            const std::vector<std::string>& files, int min_log_level,
                            std::string& model, long long& lines) const = 0;
};

// The plugin, loaded on first use. Throws gpt2::Error saying where it looked when missing.
const SentencePiecePlugin& sentencepiece_plugin();

}  // namespace gpt2

// The plugin's one exported symbol.
extern "C" const gpt2::SentencePiecePlugin* gpt2_sentencepiece_plugin();
