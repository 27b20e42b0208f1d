#include "io/safetensors.h"

#include <ATen/ATen.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <nlohmann/json.hpp>
#include <ostream>
#include <vector>

#include "core/error.h"
#include "core/files.h"
#include "core/json_error.h"

namespace gpt2 {
namespace {

struct DtypeInfo {
  const char* name;
  at::ScalarType type;
  size_t bytes;
};

const DtypeInfo kDtypes[] = {
    {"F64", at::kDouble, 8},    {"F32", at::kFloat, 4}, {"F16", at::kHalf, 2},
    {"BF16", at::kBFloat16, 2}, {"I64", at::kLong, 8},  {"I32", at::kInt, 4},
    {"I16", at::kShort, 2},     {"I8", at::kChar, 1},   {"U8", at::kByte, 1},
    {"BOOL", at::kBool, 1},
};

const DtypeInfo* dtype_by_name(const std::string& name) {
  for (const auto& info : kDtypes)
    if (name == info.name) return &info;
  return nullptr;
}

const DtypeInfo& dtype_by_type(at::ScalarType type) {
  for (const auto& info : kDtypes)
    if (info.type == type) return info;
  throw Error(std::string("safetensors: cannot store dtype ") + c10::toString(type));
}

// Header lengths beyond this are corrupt, not real (the reference limit is 100 MB).
constexpr uint64_t kMaxHeaderBytes = 100'000'000;

}  // namespace

struct SafetensorsFile::Mapping {
  void* address = MAP_FAILED;
  size_t size = 0;
  ~Mapping() {
    if (address != MAP_FAILED && size) ::munmap(address, size);
  }
};

std::string shape_text(at::IntArrayRef shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

SafetensorsFile::SafetensorsFile(const std::string& path) : path_(path) {
  auto fail = [&](const std::string& why) -> void {
    throw Error(path + ": not a valid safetensors file: " + why);
  };
  int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) throw Error("cannot open " + path + ": " + std::strerror(errno));
  struct stat info {};
  ::fstat(fd, &info);
  mapping_ = std::make_shared<Mapping>();
  mapping_->size = static_cast<size_t>(info.st_size);
  if (mapping_->size > 0)
    // Writable but private: a model whose parameters point in here (LoadedMemory::mapping) may
    // write them; the page is then copied for this process and the file stays as it is.
    mapping_->address = ::mmap(nullptr, mapping_->size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (mapping_->size < 8) fail("file is " + std::to_string(mapping_->size) + " bytes, too short");
  if (mapping_->address == MAP_FAILED) fail(std::string("mmap failed: ") + std::strerror(errno));
  const auto* bytes = static_cast<const unsigned char*>(mapping_->address);

  uint64_t header_size = 0;
  for (int i = 7; i >= 0; --i) header_size = (header_size << 8) | bytes[i];
  if (header_size > kMaxHeaderBytes || 8 + header_size > mapping_->size)
    fail("header length " + std::to_string(header_size) + " exceeds the file size " +
         std::to_string(mapping_->size) + " (truncated or corrupt)");
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(bytes + 8, bytes + 8 + header_size);
  } catch (const nlohmann::json::exception& e) {
    fail(std::string("header is not valid JSON (") + json_error_text(e.what()) + ")");
  }
  if (!header.is_object()) fail("header is not a JSON object");
  data_ = bytes + 8 + header_size;
  const size_t data_size = mapping_->size - 8 - header_size;

  // The format's rules (as the reference implementation enforces them): integer shapes and
  // offsets, sizes that match dtype x shape, and tensors that tile the data section exactly.
  auto unsigned_integer = [](const nlohmann::json& value) {
    return value.is_number_unsigned() || (value.is_number_integer() && value.get<int64_t>() >= 0);
  };
  for (auto it = header.begin(); it != header.end(); ++it) {
    if (it.key() == "__metadata__") {
      if (!it.value().is_object()) fail("__metadata__ is not a JSON object of strings");
      for (auto m = it.value().begin(); m != it.value().end(); ++m) {
        if (!m.value().is_string()) fail("__metadata__ value \"" + m.key() + "\" is not a string");
        metadata_[m.key()] = m.value().get<std::string>();
      }
      continue;
    }
    const std::string where = "tensor \"" + it.key() + "\"";
    const auto& spec = it.value();
    if (!spec.is_object() || !spec.contains("dtype") || !spec.contains("shape") ||
        !spec.contains("data_offsets"))
      fail(where + " lacks dtype, shape or data_offsets");
    SafetensorsEntry entry;
    if (!spec["dtype"].is_string()) fail(where + " has a dtype that is not a string");
    entry.dtype = spec["dtype"].get<std::string>();
    const DtypeInfo* dtype = dtype_by_name(entry.dtype);
    if (!dtype)
      throw Error(path + ": " + where + " has unsupported dtype " + entry.dtype +
                  " (supported: F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL)");
    const auto& shape = spec["shape"];
    if (!shape.is_array()) fail(where + " has a shape that is not a list");
    uint64_t numel = 1, strides = 1;
    bool overflow = false;
    for (const auto& d : shape) {
      if (!unsigned_integer(d))
        fail(where + " has shape " + shape.dump() + "; dimensions must be non-negative integers");
      const uint64_t size = d.get<uint64_t>();
      // Also the product of the non-zero dimensions: torch's strides would overflow.
      if (size > uint64_t(INT64_MAX) || (size != 0 && numel > UINT64_MAX / size) ||
          (size != 0 && strides > uint64_t(INT64_MAX) / size))
        overflow = true;
      if (size != 0) strides *= size;
      entry.shape.push_back(static_cast<int64_t>(size));
      numel *= size;
    }
    const auto& offsets = spec["data_offsets"];
    if (!offsets.is_array() || offsets.size() != 2 || !unsigned_integer(offsets[0]) ||
        !unsigned_integer(offsets[1]))
      fail(where + " has data_offsets " + offsets.dump() +
           "; they must be two non-negative integers [begin, end]");
    const uint64_t begin = offsets[0].get<uint64_t>(), end = offsets[1].get<uint64_t>();
    if (begin > end || end > data_size)
      fail(where + " has data_offsets [" + std::to_string(begin) + ", " + std::to_string(end) +
           "] outside the data section of " + std::to_string(data_size) +
           " bytes (truncated file?)");
    if (overflow || numel > UINT64_MAX / dtype->bytes || end - begin != numel * dtype->bytes)
      fail(where + " holds " + std::to_string(end - begin) + " bytes but its shape " +
           shape.dump() + " and dtype " + entry.dtype + " need " +
           (overflow || numel > UINT64_MAX / dtype->bytes ? std::string("more than 2^64")
                                                          : std::to_string(numel * dtype->bytes)));
    entry.begin = static_cast<size_t>(begin);
    entry.end = static_cast<size_t>(end);
    entries_[it.key()] = entry;
  }
  // Sorted by offset, each tensor must start where the previous one ended, and the last end
  // at the end of the file: no gaps, no shared bytes, no trailing bytes.
  std::vector<std::pair<const std::string*, const SafetensorsEntry*>> order;
  for (const auto& [name, entry] : entries_) order.emplace_back(&name, &entry);
  std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
    return a.second->begin != b.second->begin ? a.second->begin < b.second->begin
                                              : a.second->end < b.second->end;
  });
  size_t expected = 0;
  const std::string* previous = nullptr;
  for (const auto& [name, entry] : order) {
    const std::string where = "tensor \"" + *name + "\"";
    if (entry->begin < expected)
      fail(where + " (bytes " + std::to_string(entry->begin) + " to " + std::to_string(entry->end) +
           ") overlaps tensor \"" + *previous + "\"");
    if (entry->begin > expected)
      fail(where + " starts at byte " + std::to_string(entry->begin) + " but the data before " +
           "it ends at byte " + std::to_string(expected) + " (a gap of unused bytes)");
    expected = entry->end;
    if (entry->end > entry->begin) previous = name;
  }
  if (expected != data_size)
    fail("the tensors end at byte " + std::to_string(expected) + " of a data section of " +
         std::to_string(data_size) + " bytes (" + std::to_string(data_size - expected) +
         " unused trailing bytes)");
}

at::Tensor SafetensorsFile::tensor(const std::string& name) const {
  auto it = entries_.find(name);
  if (it == entries_.end()) throw Error(path_ + ": no tensor named \"" + name + "\"");
  const auto& entry = it->second;
  const DtypeInfo* dtype = dtype_by_name(entry.dtype);
  auto keep_alive = mapping_;
  void* address = const_cast<unsigned char*>(data_ + entry.begin);
  auto options = at::TensorOptions().dtype(dtype->type);
  if (reinterpret_cast<uintptr_t>(address) % dtype->bytes != 0) {
    // Misaligned data (a header not padded to 8 bytes): copy to aligned memory.
    auto aligned = at::empty(entry.shape, options);
    std::memcpy(aligned.data_ptr(), address, entry.end - entry.begin);
    return aligned;
  }
  return at::from_blob(
      address, entry.shape, [keep_alive](void*) {}, options);
}

void write_safetensors(const std::string& path,
                       const std::vector<std::pair<std::string, at::Tensor>>& tensors,
                       const std::map<std::string, std::string>& metadata) {
  std::vector<std::pair<std::string, at::Tensor>> sorted;
  for (const auto& [name, tensor] : tensors)
    sorted.emplace_back(name, tensor.detach().to(at::kCPU).contiguous());
  std::sort(sorted.begin(), sorted.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  nlohmann::json header = nlohmann::json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  size_t offset = 0;
  for (const auto& [name, tensor] : sorted) {
    size_t bytes = tensor.numel() * tensor.element_size();
    header[name] = {{"dtype", dtype_by_type(tensor.scalar_type()).name},
                    {"shape", tensor.sizes().vec()},
                    {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }
  std::string header_text = header.dump();
  // Pad with spaces so the data section starts 8-byte aligned, as the reference writer does.
  header_text.append((8 - header_text.size() % 8) % 8, ' ');
  write_file_atomic(path, [&](std::ostream& out) {
    uint64_t n = header_text.size();
    unsigned char length[8];
    for (int i = 0; i < 8; ++i) length[i] = static_cast<unsigned char>(n >> (8 * i));
    out.write(reinterpret_cast<const char*>(length), 8);
    out.write(header_text.data(), header_text.size());
    for (const auto& item : sorted) {
      const auto& tensor = item.second;
      out.write(static_cast<const char*>(tensor.data_ptr()),
                tensor.numel() * tensor.element_size());
    }
  });
}

}  // namespace gpt2
