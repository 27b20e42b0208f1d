#pragma once
// Encodes many documents into one token stream on several threads, with ids identical to a
// single-threaded encode: work is split at document boundaries, and inside big documents only
// where the tokenizer guarantees the split does not change the ids (after a '\n' between
// printable ASCII characters; see Tokenizer::splits_after_newline).
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "tokenizer/tokenizer.h"

namespace gpt2 {

// `separator` (>= 0) goes between consecutive documents. on_progress(bytes encoded so far) is
// called now and then from the calling thread.
std::vector<uint32_t> encode_documents(const std::vector<std::string>& documents,
                                       const Tokenizer& tokenizer, int32_t separator, int threads,
                                       const std::function<void(int64_t)>& on_progress = {});

}  // namespace gpt2
