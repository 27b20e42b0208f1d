// The events file decoded by a reader written here from the format's description (TFRecord
// framing, protobuf wire format), independently of the writer's encoder.
#include <catch2/catch.hpp>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "core/crc32c.h"
#include "core/files.h"
#include "io/tensorboard_writer.h"
#include "test_support.h"

using namespace gpt2;

namespace {

struct DecodedEvent {
  double wall_time = 0;
  int64_t step = 0;
  std::string file_version;
  std::map<std::string, float> values;
};

uint64_t le(const std::string& s, size_t at, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; ++i) v |= uint64_t(uint8_t(s.at(at + i))) << (8 * i);
  return v;
}

uint64_t varint(const std::string& s, size_t& at) {
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

std::vector<DecodedEvent> read_events(const std::string& path) {
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

}  // namespace

TEST_CASE("tensorboard events decode back: version record, steps, tags, values", "[tensorboard]") {
  test::TempDir dir;
  std::string path;
  {
    TensorBoardWriter writer(dir.path());
    path = writer.path();
    writer.scalars(1, {{"train/loss", 10.5}, {"lr", 6e-4}});
    writer.scalars(300, {{"val/loss", 3.25}, {"val/ppl", NAN}, {"mfu", 0.125}});
  }
  CHECK(path.find(dir.path() + "/events.out.tfevents.") == 0);
  auto events = read_events(path);
  REQUIRE(events.size() == 3);
  CHECK(events[0].file_version == "brain.Event:2");
  CHECK(events[0].step == 0);
  CHECK(events[0].wall_time > 1.6e9);
  CHECK(events[1].step == 1);
  CHECK(events[1].values.size() == 2);
  CHECK(events[1].values["train/loss"] == 10.5f);
  CHECK(events[1].values["lr"] == float(6e-4));
  CHECK(events[2].step == 300);
  CHECK(events[2].values.count("val/ppl") == 0);  // NaN left out
  CHECK(events[2].values["val/loss"] == 3.25f);
  CHECK(events[2].values["mfu"] == 0.125f);
  CHECK(events[2].wall_time >= events[1].wall_time);
}

TEST_CASE("a record's framing matches the TFRecord layout byte for byte", "[tensorboard]") {
  const std::string record = tensorboard_record("abc");
  REQUIRE(record.size() == 8 + 4 + 3 + 4);
  CHECK(le(record, 0, 8) == 3);
  CHECK(uint32_t(le(record, 8, 4)) == masked_crc32c(std::string("\x03\0\0\0\0\0\0\0", 8)));
  CHECK(record.substr(12, 3) == "abc");
  CHECK(uint32_t(le(record, 15, 4)) == masked_crc32c("abc"));
}

TEST_CASE("truncating events on resume drops later steps and a torn record", "[tensorboard]") {
  test::TempDir dir;
  std::string path;
  {
    TensorBoardWriter writer(dir.path());
    path = writer.path();
    for (int64_t step : {10, 20, 30}) writer.scalars(step, {{"train/loss", double(step)}});
  }
  // A kill in the middle of a record leaves half of it.
  const std::string torn = tensorboard_record(tensorboard_event(1.7e9, 40, {{"train/loss", 4}}));
  write_file_atomic(path, read_file(path) + torn.substr(0, torn.size() / 2));
  CHECK(truncate_tensorboard_events(dir.path(), 20) == 1);  // step 30; the torn one is not whole
  auto events = read_events(path);
  REQUIRE(events.size() == 3);
  CHECK(events[1].step == 10);
  CHECK(events[2].step == 20);
  CHECK(events[2].values["train/loss"] == 20.0f);
  {
    TensorBoardWriter second(dir.path());  // the resumed session's own file
    CHECK(second.path() != path);
    second.scalars(30, {{"train/loss", 3}});
  }
  CHECK(tensorboard_event_files(dir.path()).size() == 2);
}
