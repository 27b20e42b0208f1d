#pragma once
// A TensorBoard events-file reader for the tests, written from the format's description
// (TFRecord framing, protobuf wire format) independently of lib/io's encoder: every record's
// two CRCs are checked (REQUIRE) and each Event is decoded into its fields.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "core/crc32c.h"
#include "core/files.h"

namespace gpt2::test {

struct DecodedEvent {
  double wall_time = 0;
  int64_t step = 0;
  std::string file_version;
  std::map<std::string, float> values;
};

inline uint64_t le(const std::string& s, size_t at, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; ++i) v |= uint64_t(uint8_t(s.at(at + i))) << (8 * i);
  return v;
}

inline uint64_t varint(const std::string& s, size_t& at) {
  uint64_t v = 0;
  for (int shift = 0;; shift += 7) {
    uint8_t b = uint8_t(s.at(at++));
    v |= uint64_t(b & 0x7F) << shift;
    if (!(b & 0x80)) return v;
  }
}

// Calls on_field(field, wire_type, at, length) for every field of a message; varints and
// fixed values are passed by position, length-delimited ones by their slice.
template <class F>
void fields(const std::string& m, F on_field) {
  size_t at = 0;
  while (at < m.size()) {
    const uint64_t key = varint(m, at);
    const int field = int(key >> 3), wire = int(key & 7);
    if (wire == 0) {
      size_t start = at;
      varint(m, at);
      on_field(field, wire, m.substr(start, at - start));
    } else if (wire == 1) {
      on_field(field, wire, m.substr(at, 8));
      at += 8;
    } else if (wire == 5) {
      on_field(field, wire, m.substr(at, 4));
      at += 4;
    } else {
      REQUIRE(wire == 2);
      const uint64_t n = varint(m, at);
      on_field(field, wire, m.substr(at, n));
      at += n;
    }
  }
}

inline std::vector<DecodedEvent> read_events(const std::string& path) {
  const std::string s = read_file(path);
  std::vector<DecodedEvent> events;
  size_t at = 0;
  while (at < s.size()) {
    const uint64_t length = le(s, at, 8);
    REQUIRE(uint32_t(le(s, at + 8, 4)) == masked_crc32c(s.substr(at, 8)));
    const std::string data = s.substr(at + 12, length);
    REQUIRE(uint32_t(le(s, at + 12 + length, 4)) == masked_crc32c(data));
    at += 16 + length;
    DecodedEvent e;
    fields(data, [&](int field, int wire, const std::string& bytes) {
      if (field == 1) {
        REQUIRE(wire == 1);
        uint64_t bits = le(bytes, 0, 8);
        std::memcpy(&e.wall_time, &bits, 8);
      } else if (field == 2) {
        REQUIRE(wire == 0);
        size_t p = 0;
        e.step = int64_t(varint(bytes, p));
      } else if (field == 3) {
        e.file_version = bytes;
      } else if (field == 5) {
        fields(bytes, [&](int f, int w, const std::string& value) {
          REQUIRE((f == 1 && w == 2));
          std::string tag;
          float simple = NAN;
          fields(value, [&](int vf, int vw, const std::string& b) {
            if (vf == 1) tag = b;
            if (vf == 2) {
              REQUIRE(vw == 5);
              uint32_t bits = uint32_t(le(b, 0, 4));
              std::memcpy(&simple, &bits, 4);
            }
          });
          e.values[tag] = simple;
        });
      }
    });
    events.push_back(e);
  }
  REQUIRE(at == s.size());
  return events;
}

}  // namespace gpt2::test
