#pragma once
// Self-BLEU (Zhu et al. 2018, Texygen), as the nucleus-sampling paper's metrics/self_bleu.py
// computes it: the mean over texts of NLTK's sentence_bleu of each text against all the
// other texts as references, uniform weights over orders 1..max_order and NLTK smoothing
// method1 (a zero n-gram match count becomes 0.1). Higher means less diverse.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace gpt2::metrics {

// texts: token ids (any dense or sparse ids). samples: how many texts to score (0 = all; else
// a seeded sample without replacement, like the paper's --n_sample). Needs >= 2 texts.
// Returns a value in 0..1.
double self_bleu(const std::vector<std::vector<uint32_t>>& texts, int max_order = 4,
                 size_t samples = 0, uint64_t seed = 12345);

}  // namespace gpt2::metrics
