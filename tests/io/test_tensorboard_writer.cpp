// The events file decoded by the tests' own reader (tests/tensorboard_test_reader.h), written
// from the format's description independently of the writer's encoder.
#include <catch2/catch.hpp>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "core/crc32c.h"
#include "core/files.h"
#include "io/tensorboard_writer.h"
#include "tensorboard_test_reader.h"
#include "test_support.h"

using namespace gpt2;

using namespace gpt2::test;

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
  // A file that is not a record stream is left alone, not emptied.
  write_file_atomic(dir.file("events.out.tfevents.notes"), "not records");
  CHECK(truncate_tensorboard_events(dir.path(), 20) == 1);  // step 30; the torn one is not whole
  CHECK(read_file(dir.file("events.out.tfevents.notes")) == "not records");
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
  CHECK(tensorboard_event_files(dir.path()).size() == 3);
}
