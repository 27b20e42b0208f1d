#!/usr/bin/env bash
# Renders every report kind to PNG with headless Chromium, from a tiny run made on the spot
# (about a minute on 2 cores): the training report (RUN/report.html), the evaluation report,
# the sampling comparison and the ablation sweep. A script, not a CI test: CI has no Chromium.
#
#   bash scripts/screenshot_reports.sh [OUT]   (default runs/screenshots; needs the programs
#                                               gpt2, gpt2-compare-sampling, gpt2-ablate built
#                                               in ${GPT2_BUILD_DIR:-build}, and chromium:
#                                               apt-get install -y chromium)
set -euo pipefail
cd "$(dirname "$0")/.."
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive}
build=${GPT2_BUILD_DIR:-build}
gpt2="$build/apps/gpt2"
out=${1:-runs/screenshots}
input=${GPT2_SHAKESPEARE:-../shared/data/tinyshakespeare/input.txt}
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
[ -n "$browser" ] || { echo "screenshot_reports: no chromium (apt-get install -y chromium)" >&2; exit 1; }
mkdir -p "$out/data" "$out/png"

# A character-level tokenizer and shards of the first 200 KB of TinyShakespeare.
if [ ! -f "$out/data/tokenizer/tokenizer.model" ]; then
  head -c 200000 "$input" > "$out/data/input.txt"
  "$gpt2" tokenizer train --type char --no-eos --input "$out/data/input.txt" --out "$out/data/tokenizer"
  "$gpt2" prepare -t "$out/data/tokenizer" -i "$out/data/input.txt" --val-fraction 0.1 -o "$out/data"
fi
tiny=(--set "tokenizer.path=$out/data/tokenizer"
  --set "data.train_shards=[$out/data/train_*.bin]" --set "data.val_shards=[$out/data/val_*.bin]"
  --set model.n_embd=64 --set model.n_layer=2 --set model.n_head=4 --set data.batch_size=8
  --set train.max_steps=300 --set train.warmup_steps=30 --set train.eval_interval=50
  --set train.eval_batches=4 --set train.log_interval=5 --set train.keep_last=3
  --set train.peak_flops=5e10 --set train.progress=false)

rm -rf "$out/train" "$out/eval" "$out/compare" "$out/ablate"
"$gpt2" train --config configs/train/shakespeare_char.yaml "${tiny[@]}" --set "train.out_dir=$out/train"
"$gpt2" eval --model "$out/train" --data "$out"/data/val_*.bin --stride 32 --out "$out/eval"
"$build/experiments/gpt2-compare-sampling" configs/experiments/demo_sampling.yaml \
  --set "compare.model=$out/train/best" --set "compare.shards=[$out/data/val_*.bin]" \
  --set compare.num_prompts=12 --set "compare.seeds=[1]" --set compare.bootstrap=100 \
  --set generate.batch_size=12 --set "compare.out_dir=$out/compare"
cat > "$out/ablate.yaml" <<YAML
ablation:
  base: [configs/train/shakespeare_char.yaml]
  set: [tokenizer.path=$out/data/tokenizer, "data.train_shards=[$out/data/train_*.bin]",
        "data.val_shards=[$out/data/val_*.bin]", model.n_embd=32, data.batch_size=4,
        train.max_steps=60, train.warmup_steps=10, train.eval_interval=20, train.eval_batches=2,
        train.peak_flops=5e10, train.log_interval=5]
  seeds: [1]
  out_dir: $out/ablate
  jobs: 2
axes:
  model.n_layer: [1, 2]
YAML
"$build/experiments/gpt2-ablate" "$out/ablate.yaml"

shoot() {  # shoot NAME HTML [HEIGHT]
  "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1400,${3:-2600} \
    --screenshot="$out/png/$1.png" "file://$(realpath "$2")" 2>/dev/null
  echo "screenshot_reports: $out/png/$1.png  <- $2"
}
shoot train "$out/train/report.html" 4400
shoot eval "$out/eval/report.html"
shoot compare "$out/compare/report.html"
shoot ablate "$out/ablate/report.html"
