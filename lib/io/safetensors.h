#pragma once
// Our own safetensors reader and writer. The format: an 8-byte little-endian header length N,
// N bytes of JSON ({name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}}),
// then the raw little-endian tensor data. Reading memory-maps the file.
#include <ATen/core/Tensor.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace gpt2 {

struct SafetensorsEntry {
  std::string dtype;  // "F32", "F16", "BF16", "F64", "I64", "I32", "I16", "I8", "U8", "BOOL"
  std::vector<int64_t> shape;
  size_t begin = 0, end = 0;  // byte offsets into the data section
};

class SafetensorsFile {
 public:
  // Maps and validates `path`: header length, JSON, dtypes, shapes against byte sizes,
  // offsets within the file. Throws Error naming the file (and tensor) on any problem.
  explicit SafetensorsFile(const std::string& path);

  const std::string& path() const { return path_; }
  const std::map<std::string, SafetensorsEntry>& entries() const { return entries_; }
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  bool contains(const std::string& name) const { return entries_.count(name) != 0; }

  // The tensor as stored (its own dtype), sharing the mapped memory, which it keeps alive;
  // writes stay in this process (the mapping is private, copy-on-write).
  at::Tensor tensor(const std::string& name) const;

 private:
  struct Mapping;
  std::string path_;
  std::shared_ptr<Mapping> mapping_;
  const unsigned char* data_ = nullptr;
  std::map<std::string, SafetensorsEntry> entries_;
  std::map<std::string, std::string> metadata_;
};

// Writes tensors (CPU or not; converted to contiguous CPU) atomically, names sorted.
// "[2, 3]": a shape as errors print it.
std::string shape_text(at::IntArrayRef shape);

void write_safetensors(const std::string& path,
                       const std::vector<std::pair<std::string, at::Tensor>>& tensors,
                       const std::map<std::string, std::string>& metadata = {{"format", "pt"}});

}  // namespace gpt2
