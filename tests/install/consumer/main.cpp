// A project outside the tree that finds the installed package and links model, tokenizer
// and metrics: loads a model directory and a tokenizer, and checks what it computes.
#include <cstdio>

#include "io/checkpoint.h"
#include "metrics/bleu.h"
#include "tokenizer/tokenizer_io.h"

int main(int argc, char** argv) {
  if (argc != 3) return 2;
  auto model = gpt2::load_model_dir(argv[1]);
  auto tokenizer = gpt2::load_tokenizer(argv[2]);
  auto ids = tokenizer->encode("Hello world");  // GPT-2 BPE: "Hello", " world"
  double bleu = gpt2::metrics::Bleu().corpus_score({"a b c d e"}, {{"a b c d e"}}).score;
  std::printf("n_layer=%ld ids=%d,%d bleu=%.1f\n", long(model->config().n_layer), ids[0], ids[1],
              bleu);
  return model->config().n_layer == 2 && ids.size() == 2 && ids[0] == 15496 && ids[1] == 995 &&
                 bleu > 99.999
             ? 0
             : 1;
}
