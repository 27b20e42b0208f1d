// JSON files read and written through a section's declared fields (config.json's path).
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "config/json_fields.h"
#include "core/error.h"

using namespace gpt2;
using Catch::Matchers::Contains;

namespace {

struct Sizes {
  static constexpr const char* kSection = "sizes";
  int64_t width = 8;
  double rate = 0.5;
  bool flag = false;
  std::string name = "a";
  std::vector<int64_t> dims = {1};
  void visit(FieldVisitor& v) {
    v.field("width", width, "", Rule::positive());
    v.field("rate", rate, "", Rule::closed(0, 1));
    v.field("flag", flag, "");
    v.field("name", name, "", Rule::one_of({"a", "b"}));
    v.field("dims", dims, "", Rule::positive());
  }
  void validate() const {}
};

void read(Sizes& sizes, const std::string& text) {
  read_json_fields(section_ref(sizes), nlohmann::json::parse(text), "config.json");
}

}  // namespace

TEST_CASE("JSON fields round-trip in declaration order; absent and null keys keep defaults") {
  Sizes sizes;
  sizes.width = 12;
  sizes.rate = 0.25;
  sizes.flag = true;
  sizes.name = "b";
  sizes.dims = {2, 3};
  nlohmann::ordered_json json;
  write_json_fields(section_ref(sizes), json);
  CHECK(json.dump() == R"({"width":12,"rate":0.25,"flag":true,"name":"b","dims":[2,3]})");
  Sizes back;
  read(back, json.dump());
  CHECK(back.width == 12);
  CHECK(back.rate == 0.25);
  CHECK(back.flag);
  CHECK(back.name == "b");
  CHECK(back.dims == std::vector<int64_t>({2, 3}));

  Sizes defaults;
  read(defaults, R"({"width": null, "other": "ignored", "dims": [4]})");
  CHECK(defaults.width == 8);
  CHECK(defaults.dims == std::vector<int64_t>({4}));
  read(defaults, R"({"width": 768.0})");  // an integral float is an integer
  CHECK(defaults.width == 768);
}

TEST_CASE("JSON fields refuse fractions, wrong types and rule breaks, naming file and key") {
  Sizes sizes;
  CHECK_THROWS_WITH(
      read(sizes, R"({"width": 64.5})"),
      Contains("config.json: field \"width\" has value 64.5") && Contains("must be an integer"));
  CHECK(sizes.width == 8);
  CHECK_THROWS_WITH(read(sizes, R"({"width": "8"})"), Contains("must be an integer"));
  CHECK_THROWS_WITH(read(sizes, R"({"width": 0})"), Contains("must be > 0"));
  CHECK_THROWS_WITH(read(sizes, R"({"width": 18446744073709551615})"), Contains("too large"));
  CHECK_THROWS_WITH(read(sizes, R"({"rate": 2})"), Contains("\"rate\" has value 2"));
  CHECK_THROWS_WITH(read(sizes, R"({"flag": 1})"), Contains("must be true or false"));
  CHECK_THROWS_WITH(read(sizes, R"({"name": "c"})"), Contains("must be one of: a, b"));
  CHECK_THROWS_WITH(read(sizes, R"({"dims": 3})"), Contains("must be a list"));
  CHECK_THROWS_WITH(read(sizes, R"({"dims": [1, 2.5]})"), Contains("must be an integer"));
  CHECK_THROWS_WITH(read(sizes, "[1]"), Contains("config.json: expected a JSON object"));
}
