#!/usr/bin/env bash
# Trains the models bench_speculative compares, with the toolkit itself, on TinyShakespeare
# characters: a 6-layer, 192-wide target and a 2-layer, 64-wide draft sharing one tokenizer
# (context 256). Short runs: a few minutes each on one thread of a small machine.
# Usage (from the repository root, after building gpt2 and bench_speculative):
#   bench/speculative_setup.sh [OUT=runs/speculative] [TARGET_STEPS=600] [DRAFT_STEPS=600]
#   build/bench/bench_speculative OUT/target/best OUT/draft/best
set -euo pipefail
OUT=${1:-runs/speculative}
TARGET_STEPS=${2:-600}
DRAFT_STEPS=${3:-600}
GPT2=${GPT2:-build/apps/gpt2}
DATA=${GPT2_SHARED_DATA_DIR:-../shared/data}
THREADS=${THREADS:-1}
export OMP_WAIT_POLICY=passive

mkdir -p "$OUT"
if [ ! -e "$OUT/tokenizer" ]; then
  "$GPT2" tokenizer train --type char --input "$DATA/tinyshakespeare/input.txt" --out "$OUT/tokenizer"
fi
if ! ls "$OUT"/data/train_*.bin >/dev/null 2>&1; then
  "$GPT2" prepare -t "$OUT/tokenizer" -i "$DATA/tinyshakespeare/input.txt" -o "$OUT/data"
fi

train() {  # name layers width heads steps
  [ -e "$OUT/$1/best" ] && return
  "$GPT2" train --config configs/train/shakespeare_char.yaml --threads "$THREADS" \
    --set model.n_layer="$2" --set model.n_embd="$3" --set model.n_head="$4" \
    --set model.n_positions=256 --set data.block_size=256 --set data.batch_size=8 \
    --set train.max_steps="$5" --set train.warmup_steps=50 --set train.eval_interval="$5" \
    --set train.log_interval=50 \
    --set tokenizer.path="$OUT/tokenizer" \
    --set "data.train_shards=[$OUT/data/train_*.bin]" --set "data.val_shards=[$OUT/data/val_*.bin]" \
    --set train.out_dir="$OUT/$1"
}
time train target 6 192 6 "$TARGET_STEPS"
time train draft 2 64 2 "$DRAFT_STEPS"
echo "models: $OUT/target/best $OUT/draft/best"
