#include "io/tensorboard_writer.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>

#include "core/crc32c.h"
#include "core/error.h"
#include "core/files.h"

namespace fs = std::filesystem;

namespace gpt2 {
namespace {

double unix_time() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

void put_fixed(std::string& out, uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out += char((value >> (8 * i)) & 0xFF);  // little endian
}

uint64_t get_fixed(const std::string& in, size_t at, int bytes) {
  uint64_t value = 0;
  for (int i = 0; i < bytes; ++i) value |= uint64_t(uint8_t(in[at + i])) << (8 * i);
  return value;
}

void put_varint(std::string& out, uint64_t value) {
  while (value >= 0x80) {
    out += char((value & 0x7F) | 0x80);
    value >>= 7;
  }
  out += char(value);
}

// Protobuf wire types: 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32.
void put_key(std::string& out, int field, int wire_type) {
  put_varint(out, uint64_t(field) << 3 | uint64_t(wire_type));
}

void put_bytes(std::string& out, int field, const std::string& bytes) {
  put_key(out, field, 2);
  put_varint(out, bytes.size());
  out += bytes;
}

void put_double(std::string& out, int field, double value) {
  uint64_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  put_key(out, field, 1);
  put_fixed(out, bits, 8);
}

void put_float(std::string& out, int field, float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  put_key(out, field, 5);
  put_fixed(out, bits, 4);
}

std::string event_header(double wall_time, int64_t step) {
  std::string event;
  put_double(event, 1, wall_time);
  if (step != 0) {  // proto3 leaves default values out
    put_key(event, 2, 0);
    put_varint(event, uint64_t(step));
  }
  return event;
}

bool get_varint(const std::string& in, size_t& at, uint64_t& value) {
  value = 0;
  for (int shift = 0; shift < 64 && at < in.size(); shift += 7) {
    const uint8_t byte = uint8_t(in[at++]);
    value |= uint64_t(byte & 0x7F) << shift;
    if (!(byte & 0x80)) return true;
  }
  return false;
}

// The step of an Event (0 when absent); false when the bytes are not a well-formed message.
bool event_step(const std::string& event, int64_t& step) {
  step = 0;
  size_t at = 0;
  while (at < event.size()) {
    uint64_t key, value;
    if (!get_varint(event, at, key)) return false;
    switch (key & 7) {
      case 0:
        if (!get_varint(event, at, value)) return false;
        if ((key >> 3) == 2) step = int64_t(value);
        break;
      case 1:
        at += 8;
        break;
      case 5:
        at += 4;
        break;
      case 2:
        if (!get_varint(event, at, value) || value > event.size() - std::min(at, event.size()))
          return false;
        at += value;
        break;
      default:
        return false;
    }
    if (at > event.size()) return false;
  }
  return true;
}

std::string host_name() {
  char buffer[256] = {0};
  if (::gethostname(buffer, sizeof buffer - 1) != 0 || buffer[0] == 0) return "localhost";
  return buffer;
}

}  // namespace

std::string tensorboard_record(const std::string& data) {
  std::string header;
  put_fixed(header, data.size(), 8);
  std::string record = header;
  put_fixed(record, masked_crc32c(header), 4);
  record += data;
  put_fixed(record, masked_crc32c(data), 4);
  return record;
}

std::string tensorboard_event(double wall_time, int64_t step, const Scalars& values) {
  std::string summary;
  for (const auto& [tag, value] : values) {
    if (!std::isfinite(value)) continue;
    std::string entry;
    put_bytes(entry, 1, tag);
    put_float(entry, 2, float(value));
    put_bytes(summary, 1, entry);
  }
  std::string event = event_header(wall_time, step);
  put_bytes(event, 5, summary);
  return event;
}

std::string tensorboard_file_version_event(double wall_time) {
  std::string event = event_header(wall_time, 0);
  put_bytes(event, 3, "brain.Event:2");
  return event;
}

TensorBoardWriter::TensorBoardWriter(const std::string& dir) {
  const double now = unix_time();
  const std::string base =
      dir + "/events.out.tfevents." + std::to_string(int64_t(now)) + "." + host_name();
  path_ = base;
  // A resume within the same second must not append to the previous session's file.
  for (int k = 1; file_exists(path_); ++k) path_ = base + "." + std::to_string(k);
  file_ = std::fopen(path_.c_str(), "wb");
  require(file_ != nullptr, "cannot create the TensorBoard events file " + path_ + ": " +
                                std::strerror(errno) +
                                "; check that the run directory is "
                                "writable");
  write_record(tensorboard_file_version_event(now));
}

TensorBoardWriter::~TensorBoardWriter() {
  if (file_) std::fclose(file_);
}

void TensorBoardWriter::scalars(int64_t step, const Scalars& values) {
  write_record(tensorboard_event(unix_time(), step, values));
}

void TensorBoardWriter::write_record(const std::string& data) {
  const std::string record = tensorboard_record(data);
  const bool ok = std::fwrite(record.data(), 1, record.size(), file_) == record.size() &&
                  std::fflush(file_) == 0;
  require(ok, "write failed for " + path_ + " (disk full?)");
}

std::vector<std::string> tensorboard_event_files(const std::string& dir) {
  std::vector<std::string> files;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(dir, error))
    if (entry.is_regular_file() &&
        entry.path().filename().string().find("tfevents") != std::string::npos)
      files.push_back(entry.path().string());
  std::sort(files.begin(), files.end());
  return files;
}

int64_t truncate_tensorboard_events(const std::string& dir, int64_t step) {
  int64_t dropped = 0;
  for (const std::string& path : tensorboard_event_files(dir)) {
    const std::string text = read_file(path);
    std::string kept;
    size_t at = 0;
    bool changed = false;
    while (at + 12 <= text.size()) {
      const std::string header = text.substr(at, 8);
      const uint64_t length = get_fixed(text, at, 8);
      if (uint32_t(get_fixed(text, at + 8, 4)) != masked_crc32c(header) || at + 16 > text.size() ||
          length > text.size() - at - 16)
        break;  // cut short by a kill, or not a record: the rest goes
      const std::string data = text.substr(at + 12, length);
      if (uint32_t(get_fixed(text, at + 12 + length, 4)) != masked_crc32c(data)) break;
      int64_t event_step_value = 0;
      if (event_step(data, event_step_value) && event_step_value > step) {
        ++dropped;
        changed = true;
      } else {
        kept += text.substr(at, 16 + length);
      }
      at += 16 + length;
    }
    // A file with no record read is not an events file this code wrote: left as it is.
    if (at > 0 && (changed || at != text.size())) write_file_atomic(path, kept);
  }
  return dropped;
}

}  // namespace gpt2
