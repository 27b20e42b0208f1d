// gpt2 tokenizer train|encode|decode|info: SentencePiece training and quick use from the shell.
#include <cctype>
#include <cstdio>
#include <iostream>
#include <iterator>
#include <sstream>

#include "cli.h"
#include "commands.h"
#include "core/error.h"
#include "core/files.h"
#include "tokenizer/sentencepiece_train.h"
#include "tokenizer/tokenizer_io.h"

namespace gpt2::cli {
namespace {

std::string read_stdin() {
  return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
}

int train(const std::vector<std::string>& argv) {
  SentencePieceTrainOptions o;  // its member initialisers are the flags' defaults
  std::string out;
  bool no_eos = false, sp_normalization = false;
  po::options_description options("gpt2 tokenizer train");
  options.add_options()  //
      ("type", po::value(&o.model_type)->default_value(o.model_type),
       "bpe, unigram, char or word")  //
      ("vocab-size", po::value(&o.vocab_size)->default_value(o.vocab_size),
       "vocabulary size (char/word: every character/word is kept)")                        //
      ("input", po::value(&o.inputs)->multitoken()->required(), "training text files")     //
      ("out", po::value(&out)->required(), "directory for tokenizer.model")                //
      ("byte-fallback", po::bool_switch(&o.byte_fallback), "unknown characters as bytes")  //
      ("no-eos", po::bool_switch(&no_eos), "no end-of-text token </s>")                    //
      ("bos", po::bool_switch(&o.bos), "add a <s> token")                                  //
      ("pad", po::bool_switch(&o.pad), "add a <pad> token")                                //
      ("character-coverage", po::value(&o.character_coverage)->default_value(o.character_coverage),
       "share of characters kept")  //
      ("max-sentences", po::value(&o.max_sentences)->default_value(o.max_sentences),
       "train on this many sampled lines (0 = all)")  //
      ("sp-normalization", po::bool_switch(&sp_normalization),
       "SentencePiece's NFKC and whitespace folding instead of lossless text")          //
      ("threads", po::value(&o.threads)->default_value(o.threads), "training threads")  //
      ("verbose", po::bool_switch(&o.verbose), "show SentencePiece's training log");
  if (!parse("gpt2 tokenizer train --type bpe --vocab-size 8000 --input a.txt b.txt --out DIR",
             argv, options))
    return 0;
  o.eos = !no_eos;
  o.exact = !sp_normalization;
  create_folder(out);  // a bad --out is refused before the training, not after
  auto tokenizer = train_sentencepiece(o);
  save_tokenizer(*tokenizer, out);
  auto special = tokenizer->special_tokens();
  std::printf("wrote %s/tokenizer.model: %s model, vocab_size %lld, end-of-text id %d\n",
              out.c_str(), o.model_type.c_str(), static_cast<long long>(tokenizer->vocab_size()),
              special.end_of_text);
  return 0;
}

int encode_or_decode(const std::vector<std::string>& argv, bool encode) {
  std::string path;
  std::vector<std::string> words;
  bool allow_special = false;
  po::options_description options(encode ? "gpt2 tokenizer encode" : "gpt2 tokenizer decode");
  options.add_options()  //
      ("tokenizer,t", po::value(&path)->required(),
       "model directory or tokenizer file")  //
      ("allow-special", po::bool_switch(&allow_special),
       "encode <|endoftext|> (etc.) in the text as the special token")  //
      ("arg", po::value(&words)->composing(),
       encode ? "text (default: stdin)" : "ids (default: stdin)");
  po::positional_options_description positional;
  positional.add("arg", -1);
  if (!parse(encode ? "gpt2 tokenizer encode -t DIR [TEXT...]   (stdin when no TEXT)"
                    : "gpt2 tokenizer decode -t DIR [ID...]   (stdin when no ID)",
             argv, options, &positional,
             encode ? std::vector<std::string>{"arg"} : std::vector<std::string>{}))  // "" text
    return 0;
  auto tokenizer = load_tokenizer(path);
  std::string input;
  for (size_t i = 0; i < words.size(); ++i) input += (i ? " " : "") + words[i];
  if (words.empty()) input = read_stdin();
  if (encode) {
    auto ids = tokenizer->encode(input, allow_special ? AllowedSpecial::all : AllowedSpecial::none);
    for (size_t i = 0; i < ids.size(); ++i) std::printf(i ? " %d" : "%d", ids[i]);
    std::printf("\n");
    return 0;
  }
  std::vector<int32_t> ids;
  std::istringstream in(input);
  std::string item;
  while (in >> item) {
    try {
      size_t used = 0;
      long value = std::stol(item, &used);
      require(used == item.size(), "");
      ids.push_back(static_cast<int32_t>(value));
    } catch (const std::exception&) {
      std::string shown;  // printable and short: the input may be any bytes
      for (char c : item.substr(0, 24))
        shown += std::isprint(static_cast<unsigned char>(c)) ? c : '?';
      throw Error("\"" + shown + (item.size() > 24 ? "...\"" : "\"") +
                  " is not a token id; give integers separated by spaces");
    }
  }
  std::cout << tokenizer->decode(ids);
  return 0;
}

int info(const std::vector<std::string>& argv) {
  std::string path;
  po::options_description options("gpt2 tokenizer info");
  options.add_options()("tokenizer,t", po::value(&path)->required(), "model directory or file");
  po::positional_options_description positional;
  positional.add("tokenizer", 1);
  if (!parse("gpt2 tokenizer info DIR", argv, options, &positional)) return 0;
  auto tokenizer = load_tokenizer(path);
  auto special = tokenizer->special_tokens();
  std::printf(
      "kind         %s\nvocab_size   %lld\nend_of_text  %d\nbos          %d\npad          %d\n",
      tokenizer->kind().c_str(), static_cast<long long>(tokenizer->vocab_size()),
      special.end_of_text, special.bos, special.pad);
  return 0;
}

}  // namespace

int cmd_tokenizer(const std::vector<std::string>& args) {
  const char* usage =
      "usage: gpt2 tokenizer <action> [options]   (gpt2 tokenizer <action> --help)\n\n"
      "  train    train a SentencePiece model (bpe, unigram, char, word) from text files\n"
      "  encode   print the ids of text (arguments or stdin)\n"
      "  decode   print the text of ids (arguments or stdin)\n"
      "  info     show a tokenizer's kind, vocabulary size and special tokens\n";
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::cout << usage;
    return args.empty() ? 2 : 0;
  }
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "train") return train(rest);
  if (args[0] == "encode") return encode_or_decode(rest, true);
  if (args[0] == "decode") return encode_or_decode(rest, false);
  if (args[0] == "info") return info(rest);
  throw Error("unknown action \"" + args[0] + "\"; use train, encode, decode or info");
}

}  // namespace gpt2::cli
