#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "tokenizer/string_id_table.h"

using gpt2::StringIdTable;

TEST_CASE("StringIdTable: the first id of a key stays, absent keys are -1, it grows as needed") {
  StringIdTable table(1);
  CHECK(table.insert("ab", 7) == 7);
  CHECK(table.insert("ab", 9) == 7);  // present: the earlier id is returned and kept
  CHECK(table.find("ab") == 7);
  CHECK(table.find("a") == -1);
  CHECK(table.find("") == -1);
  // Horner's hash gives "\0ab" and "ab" the same value; the table still tells them apart.
  const std::string zero_ab("\0ab", 3);
  CHECK(StringIdTable::hash(zero_ab) == StringIdTable::hash("ab"));
  CHECK(table.find(zero_ab) == -1);
  CHECK(table.insert(zero_ab, 3) == 3);
  CHECK(table.find(zero_ab) == 3);
  CHECK(table.find("ab") == 7);

  // Sized for one entry, given 10000: every key is found with its own id after the growth.
  std::vector<std::string> keys;
  for (int i = 0; i < 10000; ++i) keys.push_back("key" + std::to_string(i));
  StringIdTable grown(1);
  for (int i = 0; i < 10000; ++i) CHECK(grown.insert(keys[i], i) == i);
  CHECK(grown.size() == 10000);
  int found = 0;
  for (int i = 0; i < 10000; ++i) found += grown.find(keys[i]) == i;
  CHECK(found == 10000);
  CHECK(grown.find("key10000") == -1);
  CHECK(StringIdTable().find("x") == -1);  // an empty table answers too
}

TEST_CASE("StringIdTable::hash: a prefix's hash extends by one byte, as BpeRanks' search needs") {
  // hash(s + c) = hash(s) * kBase + c, and hash(c + s) = c * kBase^|s| + hash(s).
  const std::string s = "hello";
  uint64_t power = 1;
  for (size_t i = 0; i < s.size(); ++i) power *= StringIdTable::kBase;
  CHECK(StringIdTable::hash(s + "!") == StringIdTable::hash(s) * StringIdTable::kBase + '!');
  CHECK(StringIdTable::extend(StringIdTable::hash(s), '!') == StringIdTable::hash(s + "!"));
  CHECK(StringIdTable::hash("!" + s) == uint64_t('!') * power + StringIdTable::hash(s));
  CHECK(StringIdTable::hash("") == 0);
}
