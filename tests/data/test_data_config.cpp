#include <catch2/catch.hpp>

#include "config/loader.h"
#include "core/files.h"
#include "data/data_config.h"
#include "test_support.h"
#include "tokenizer/tokenizer_config.h"

using namespace gpt2;

TEST_CASE("configs/data files load into DataConfig and TokenizerConfig") {
  DataConfig data;
  TokenizerConfig tokenizer;
  load_config({section_ref(data), section_ref(tokenizer)},
              {{test::source_dir() + "/configs/data/shakespeare-char.yaml"}, {}});
  CHECK(data.train_shards == std::vector<std::string>{"data/shakespeare_char/train_*.bin"});
  CHECK(data.val_shards == std::vector<std::string>{"data/shakespeare_char/val_*.bin"});
  CHECK(data.batch_size == 64);
  CHECK(data.block_size == 256);
  CHECK(tokenizer.path == "data/shakespeare_char");

  DataConfig wiki;
  load_config({section_ref(wiki)},
              {{test::source_dir() + "/configs/data/wikitext2-gpt2.yaml"}, {"data.batch_size=4"}},
              {"tokenizer"});
  CHECK(wiki.batch_size == 4);
  CHECK(wiki.block_size == 1024);
}

TEST_CASE("DataConfig rules and cross-field checks") {
  DataConfig data;
  CHECK_THROWS_WITH(load_config({section_ref(data)}, {{}, {"data.block_size=0"}}),
                    Catch::Contains("block_size") && Catch::Contains("must be > 0"));
  DataConfig both;
  CHECK_THROWS_WITH(
      load_config({section_ref(both)},
                  {{}, {"data.train_shards=[a.bin]", "data.finetune_train=ft.jsonl"}}),
      Catch::Contains("not both"));
}
