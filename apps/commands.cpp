#include "commands.h"

namespace gpt2::cli {

const std::vector<Command>& commands() {
  static const std::vector<Command> all = {
      {"eval", "perplexity of models or of every checkpoint of a run on text files", cmd_eval},
      {"generate", "generate text: greedy, sampling (top-k/p, typical, ...), beam search",
       cmd_generate},
      {"info", "show a model's configuration, size and forward speed", cmd_info},
      {"init", "write a randomly initialised model directory from a preset", cmd_init},
      {"merge-adapter", "merge a LoRA adapter into its base model's weights", cmd_merge_adapter},
      {"metric", "score text: BLEU, chrF, ROUGE, diversity", cmd_metric},
      {"quantize", "store a model's weights as bf16, f16 or int8 for fast decoding", cmd_quantize},
      {"train", "train or fine-tune a model (resumable, data parallel)", cmd_train},
      {"prepare", "tokenize text files into token shards for training", cmd_prepare},
      {"tokenizer", "train, inspect and run tokenizers (SentencePiece, GPT-2 BPE)", cmd_tokenizer},
  };
  return all;
}

}  // namespace gpt2::cli
