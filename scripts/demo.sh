#!/usr/bin/env bash
# The main job, end to end on CPU: set up, prepare TinyShakespeare, train nanoGPT's small
# character-level model, evaluate it, compare decoding strategies on held-out prompts, and
# write the reports. Each step is skipped or resumed when its output is already there.
#
#   bash scripts/demo.sh [INPUT]   INPUT: TinyShakespeare's input.txt or a folder holding it
#                                  (default ../shared/data/tinyshakespeare; downloaded when
#                                  missing and the machine is online)
set -euo pipefail
cd "$(dirname "$0")/.."
# OpenMP threads that spin-wait collapse when another process takes a core; sleep instead.
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive}
start=$(date +%s)
step() { echo; echo "== [$(( $(date +%s) - start ))s] $*"; }

step "set-up: packages and build (only the two programs the demo runs)"
bash scripts/setup.sh gpt2_cli gpt2_compare_sampling
build=${GPT2_BUILD_DIR:-build}
gpt2="$build/apps/gpt2"
out=${GPT2_DEMO_DIR:-runs/demo}
mkdir -p "$out/data"

source=${1:-../shared/data/tinyshakespeare}
input="$source"
[ -d "$source" ] && input="$source/input.txt"
if [ ! -f "$input" ]; then
  input="$out/data/input.txt"
  if [ ! -f "$input" ]; then
    echo "demo: $source has no input.txt; downloading TinyShakespeare"
    curl -fsSL -o "$input.tmp" \
      https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt &&
      mv "$input.tmp" "$input" ||
      { echo "demo: no data: pass the path of TinyShakespeare's input.txt" >&2; exit 1; }
  fi
fi

step "data: a character-level SentencePiece tokenizer and token shards (90% train, 10% val)"
if [ ! -f "$out/data/tokenizer/tokenizer.model" ]; then
  "$gpt2" tokenizer train --type char --no-eos --input "$input" --out "$out/data/tokenizer"
fi
if ! ls "$out"/data/val_*.bin >/dev/null 2>&1; then
  "$gpt2" prepare -t "$out/data/tokenizer" -i "$input" --val-fraction 0.1 -o "$out/data"
fi

step "train: nanoGPT's shakespeare_char CPU recipe (4 layers, 4 heads, 128 wide, 2000 steps; warmup-stable-decay)"
train_args=(--config configs/train/shakespeare_char.yaml
  --set "tokenizer.path=$out/data/tokenizer"
  --set "data.train_shards=[$out/data/train_*.bin]"
  --set "data.val_shards=[$out/data/val_*.bin]"
  --set "train.out_dir=$out/train"
  --set train.keep_last=8)  # every evaluation's checkpoint, for the perplexity curve
if [ -f "$out/train/log.jsonl" ] && grep -q '"finished"' "$out/train/log.jsonl"; then
  echo "already trained: $out/train"
elif [ -e "$out/train/latest" ]; then
  "$gpt2" train --resume "$out/train"
else
  "$gpt2" train "${train_args[@]}"
fi

step "eval: perplexity of every kept checkpoint on the validation split"
"$gpt2" eval --model "$out/train" --data "$out"/data/val_*.bin --stride 32 --out "$out/eval"

step "compare: decoding strategies on 50 held-out prompts, 2 seeds"
"$build/experiments/gpt2-compare-sampling" configs/experiments/demo_sampling.yaml \
  --set "compare.model=$out/train/best" --set "compare.shards=[$out/data/val_*.bin]" \
  --set "compare.out_dir=$out/compare"

step "done in $(( $(date +%s) - start ))s"
echo "report:      $out/compare/report.html"
echo "evaluation:  $out/eval/report.html"
echo "training:    $out/train (metrics.csv, log.jsonl, checkpoints)"
