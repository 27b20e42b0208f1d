// gpt2 prepare: tokenize text files / globs / JSONL into llm.c-layout token shards.
#include <algorithm>
#include <cstdio>
#include <limits>
#include <thread>

#include "cli.h"
#include "commands.h"
#include "core/error.h"
#include "core/files.h"
#include "data/prepare.h"
#include "tokenizer/tokenizer_io.h"

namespace gpt2::cli {

int cmd_prepare(const std::vector<std::string>& argv) {
  PrepareOptions o;
  std::string tokenizer_path;
  constexpr double kNotGiven = -std::numeric_limits<double>::max();
  double val_fraction = kNotGiven;
  bool quiet = false;
  po::options_description options("gpt2 prepare");
  options.add_options()  //
      ("tokenizer,t", po::value(&tokenizer_path)->required(),
       "model directory or tokenizer file (tokenizer.model, vocab.json, encoder.json)")  //
      ("input,i", po::value(&o.inputs)->multitoken()->required(),
       "text files, globs (quote them) or .jsonl files; a text file is one document")  //
      ("jsonl-field", po::value(&o.jsonl_field)->default_value("text"),
       "the text field of .jsonl lines")  //
      ("val-fraction", po::value(&val_fraction),
       "last share of the token stream kept for validation (default 0.1)")  //
      ("val-input", po::value(&o.val_inputs)->multitoken(),
       "separate validation files (instead of --val-fraction)")         //
      ("out,o", po::value(&o.out_dir)->required(), "output directory")  //
      ("shard-tokens", po::value(&o.shard_tokens)->default_value(100000000),
       "tokens per shard")  //
      ("token-bits", po::value(&o.token_bits)->default_value(0),
       "16 or 32 (0 = 16 when the vocabulary fits)")                                            //
      ("threads", po::value(&o.threads)->default_value(0), "encoding threads (0 = all cores)")  //
      ("quiet,q", po::bool_switch(&quiet), "no progress bar");
  if (!parse("gpt2 prepare -t TOKENIZER -i FILES... -o DIR [options]", argv, options)) return 0;
  require(!file_exists(o.out_dir) || is_directory(o.out_dir),
          "--out " + o.out_dir + " is a file, not a directory; give a new or existing folder");
  require(o.threads >= 0, "--threads must be 0 (all cores) or more");
  const int cores = int(std::max(1u, std::thread::hardware_concurrency()));
  if (o.threads > cores) {
    std::fprintf(stderr,
                 "gpt2 prepare: warning: --threads %d exceeds the %d cores here; using %d\n",
                 int(o.threads), cores, cores);
    o.threads = cores;
  }
  // Not given: 0.1, or 0 beside --val files; a given value is checked as given (nan, -1 too).
  o.val_fraction = val_fraction != kNotGiven ? val_fraction : (o.val_inputs.empty() ? 0.1 : 0.0);
  o.progress = !quiet;
  auto tokenizer = load_tokenizer(tokenizer_path);
  PrepareSummary summary = prepare_shards(o, *tokenizer);
  if (summary.invalid_utf8_bytes > 0)
    std::fprintf(
        stderr,
        "gpt2 prepare: warning: %lld byte(s) of the input are not valid UTF-8 (first "
        "in %s); the tokenizer encodes them as raw bytes or replaces them, so decoded "
        "text will differ there (convert the files to UTF-8, e.g. with iconv)\n",
        static_cast<long long>(summary.invalid_utf8_bytes),
        summary.invalid_utf8_file.empty() ? "the input" : summary.invalid_utf8_file.c_str());
  std::printf("%s\nwrote %s (vocab_size %lld)\n", format_summary(summary).c_str(),
              o.out_dir.c_str(), static_cast<long long>(tokenizer->vocab_size()));
  return 0;
}

}  // namespace gpt2::cli
