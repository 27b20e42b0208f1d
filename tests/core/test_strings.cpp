#include <catch2/catch.hpp>

#include "core/strings.h"

using namespace gpt2;

TEST_CASE("edit_distance counts insertions, deletions and substitutions") {
  CHECK(edit_distance("", "") == 0);
  CHECK(edit_distance("kitten", "sitting") == 3);
  CHECK(edit_distance("n_layers", "n_layer") == 1);
  CHECK(edit_distance("abc", "") == 3);
}

TEST_CASE("closest_match suggests plausible typos only") {
  std::vector<std::string> keys = {"n_layer", "n_head", "n_embd", "vocab_size"};
  CHECK(closest_match("n_layers", keys) == "n_layer");
  CHECK(closest_match("n_heads", keys) == "n_head");
  CHECK(closest_match("completely_different", keys).empty());
}

TEST_CASE("split, trim and join") {
  CHECK(split("a,b,,c", ',') == std::vector<std::string>{"a", "b", "", "c"});
  CHECK(trim("  x y \n") == "x y");
  CHECK(join({"a", "b"}, ", ") == "a, b");
  CHECK(human_count(124439808) == "124.4M");
  CHECK(human_bytes(1536) == "1.5 KiB");
}
