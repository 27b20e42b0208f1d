#pragma once
// SHA-256 (FIPS 180-4), for signatures that pin the exact data file a number came from.
#include <string>
#include <string_view>

namespace gpt2 {

// Lowercase hex digest of `data`.
std::string sha256_hex(std::string_view data);

// Lowercase hex digest of a file's bytes; throws Error naming the file when unreadable.
std::string sha256_file(const std::string& path);

}  // namespace gpt2
