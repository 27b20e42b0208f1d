#!/usr/bin/env bash
# Training speed of `gpt2 train` beside nanoGPT's train.py (karpathy/nanoGPT, run with Debian's
# python3-torch), on the same machine, in turn (ours, nanoGPT, ours, ...), medians of PAIRS.
# Usage: bench/train_vs_nanogpt.sh GPT2_PROGRAM NANOGPT_DIR WORK_DIR [threads=2] [pairs=5] [rows]
#   rows: char, 124m or both (default both). NANOGPT_DIR is a checkout of karpathy/nanoGPT; its
#   data/ folders are written to. Needs apt packages python3-torch and python3-numpy.
#   char: the shakespeare_char recipe (configs/train/shakespeare_char.yaml with nanoGPT's cosine
#         schedule) for STEPS steps (default 500), evaluation every 250 steps on 20 batches on
#         both sides; whole processes, wall time.
#   124m: GPT-2 124M from scratch, batch 4 x 256, fp32, no dropout, AdamW, clip 1.0, on
#         TinyShakespeare in GPT-2 BPE; STEPS_124M steps (default 5), the median step time after
#         the first, as each program logs it (nanoGPT pads its vocabulary to 50304, as it does).
# Prints a table per row with both times and ours / nanoGPT (below 1: we are faster).
set -eu
G=$(realpath "$1"); N=$(realpath "$2"); W=$3; TH=${4:-2}; PAIRS=${5:-5}; ROWS=${6:-both}
STEPS=${STEPS:-500}; STEPS_124M=${STEPS_124M:-5}
here=$(cd "$(dirname "$0")" && pwd)
root=$here/..
shared=$root/../shared/data
export OMP_WAIT_POLICY=passive OMP_NUM_THREADS=$TH
mkdir -p "$W" && W=$(realpath "$W")
stub=$W/pystub  # nanoGPT's prepare.py imports requests only to download a file we provide
mkdir -p "$stub" && : >"$stub/requests.py"

med() { tr ' ' '\n' <<<"$*" | grep . | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
secs() { local s e; s=$(date +%s.%N); "$@" >"$W/last.log" 2>&1; e=$(date +%s.%N); echo "$e - $s" | bc; }

char_row() {
  if [ ! -f "$W/char/train_000000.bin" ]; then
    "$G" tokenizer train --type char --input "$shared/tinyshakespeare/input.txt" \
      --out "$W/char/tokenizer" >/dev/null 2>&1
    "$G" prepare -t "$W/char/tokenizer" -i "$shared/tinyshakespeare/input.txt" -o "$W/char" >/dev/null 2>&1
  fi
  cp "$shared/tinyshakespeare/input.txt" "$N/data/shakespeare_char/input.txt"
  (cd "$N/data/shakespeare_char" && PYTHONPATH=$stub /usr/bin/python3 prepare.py >/dev/null)
  ours() {
    rm -rf "$W/run_char"
    (cd "$W" && "$G" train --config "$root/configs/train/shakespeare_char.yaml" --threads "$TH" \
      --set tokenizer.path=char/tokenizer --set "data.train_shards=[char/train_*.bin]" \
      --set "data.val_shards=[char/val_*.bin]" --set train.max_steps="$STEPS" \
      --set train.schedule=cosine --set train.min_lr=1e-4 --set train.out_dir=run_char)
  }
  nano() {
    rm -rf "$W/nano_char"
    (cd "$N" && /usr/bin/python3 train.py config/train_shakespeare_char.py --device=cpu \
      --compile=False --eval_iters=20 --block_size=64 --batch_size=12 --n_layer=4 --n_head=4 \
      --n_embd=128 --max_iters="$STEPS" --lr_decay_iters="$STEPS" --dropout=0.0 \
      --out_dir="$W/nano_char")
  }
  local a="" b=""
  for _ in $(seq "$PAIRS"); do a+=" $(secs ours)"; b+=" $(secs nano)"; done
  local ma mb
  ma=$(med $a); mb=$(med $b)
  printf '| shakespeare_char, %d steps, wall s | %d | %.1f | %.1f | %.2f |\n' "$STEPS" "$TH" "$ma" "$mb" \
    "$(echo "$ma / $mb" | bc -l)"
}

m124_row() {
  if [ ! -f "$W/bpe/train_000000.bin" ]; then
    "$G" prepare -t "$shared/gpt2" -i "$shared/tinyshakespeare/input.txt" -o "$W/bpe" >/dev/null 2>&1
  fi
  mkdir -p "$N/data/bench_bpe"
  # nanoGPT reads bare uint16 ids: the shards' ids without their 1024-byte header.
  tail -c +1025 "$W/bpe/train_000000.bin" >"$N/data/bench_bpe/train.bin"
  tail -c +1025 "$W/bpe/val_000000.bin" >"$N/data/bench_bpe/val.bin"
  ours() {
    rm -rf "$W/run_124m"
    (cd "$W" && "$G" train --config "$root/configs/train/wikitext2_bpe.yaml" --threads "$TH" \
      --set train.init_from=gpt2 --set tokenizer.path="$shared/gpt2" \
      --set "data.train_shards=[bpe/train_*.bin]" --set "data.val_shards=[bpe/val_*.bin]" \
      --set data.batch_size=4 --set data.block_size=256 --set train.batch_tokens=0 \
      --set train.dropout=0 --set train.max_steps="$STEPS_124M" --set train.warmup_steps=1 \
      --set train.eval_batches=1 --set train.log_interval=1 --set train.out_dir=run_124m)
    # seconds between consecutive train rows after the first step
    /usr/bin/python3 -c 'import json,sys,statistics as s
r=[json.loads(l) for l in open(sys.argv[1])]; t=[x["seconds"] for x in r if x["kind"]=="train"]
print(s.median([b-a for a,b in zip(t[1:],t[2:])]))' "$W/run_124m/log.jsonl"
  }
  nano() {
    rm -rf "$W/nano_124m"
    (cd "$N" && /usr/bin/python3 train.py --dataset=bench_bpe --device=cpu --compile=False \
      --n_layer=12 --n_head=12 --n_embd=768 --block_size=256 --batch_size=4 \
      --gradient_accumulation_steps=1 --bias=True --dropout=0.0 --max_iters="$STEPS_124M" \
      --lr_decay_iters="$STEPS_124M" --warmup_iters=1 --eval_interval=100000 --eval_iters=1 \
      --log_interval=1 --always_save_checkpoint=False --out_dir="$W/nano_124m" --wandb_log=False) |
      grep -E '^iter [0-9]+:' | tail -n +2 | sed -E 's/.*time ([0-9.]+)ms.*/\1/' |
      awk '{printf "%f ", $1 / 1000}' | { read -r t; med $t; }
  }
  local a="" b=""
  for _ in $(seq "$PAIRS"); do a+=" $(ours 2>/dev/null | tail -1)"; b+=" $(nano 2>/dev/null)"; done
  local ma mb
  ma=$(med $a); mb=$(med $b)
  printf '| GPT-2 124M step, 4 x 256, tokens/s | %d | %.0f | %.0f | %.2f |\n' "$TH" \
    "$(echo "1024 / $ma" | bc -l)" "$(echo "1024 / $mb" | bc -l)" "$(echo "$ma / $mb" | bc -l)"
}

echo "| work | threads | gpt2 | nanoGPT | ours / nanoGPT (time) |"
echo "|---|---:|---:|---:|---:|"
case $ROWS in
  char) char_row ;;
  124m) m124_row ;;
  *) char_row; m124_row ;;
esac
