#include "tokenizer/sentencepiece_backend.h"

#include <dlfcn.h>

#include <cstdlib>
#include <mutex>

#include "core/error.h"
#include "core/files.h"
#include "core/strings.h"

namespace gpt2 {

const SentencePiecePlugin& sentencepiece_plugin() {
  static const SentencePiecePlugin* plugin = nullptr;
  static std::once_flag once;
  static std::string failure;
  std::call_once(once, [] {
    std::vector<std::string> candidates;
    if (const char* env = std::getenv("GPT2_SENTENCEPIECE_PLUGIN")) candidates.push_back(env);
    candidates.push_back(GPT2_SENTENCEPIECE_PLUGIN_BUILD_PATH);
    candidates.push_back(GPT2_SENTENCEPIECE_PLUGIN_INSTALL_PATH);
    std::vector<std::string> tried;
    for (const auto& path : candidates) {
      if (!file_exists(path)) {
        tried.push_back(path + " (missing)");
        continue;
      }
      void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
      if (!handle) {
        tried.push_back(path + " (" + ::dlerror() + ")");
        continue;
      }
      using Entry = const SentencePiecePlugin* (*)();
      auto entry = reinterpret_cast<Entry>(::dlsym(handle, "gpt2_sentencepiece_plugin"));
      if (entry && (plugin = entry())) return;
      tried.push_back(path + " (no gpt2_sentencepiece_plugin symbol)");
    }
    failure = "cannot load the SentencePiece plugin libgpt2_sentencepiece.so; tried: " +
              join(tried, "; ") + ". Set GPT2_SENTENCEPIECE_PLUGIN to its path.";
  });
  if (!plugin) throw Error(failure);
  return *plugin;
}

}  // namespace gpt2
