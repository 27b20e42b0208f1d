#!/usr/bin/env bash
# The main job: set up, then show what the toolkit does.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
build_dir=${GPT2_BUILD_DIR:-build}
gpt2="$build_dir/apps/gpt2"
out=${GPT2_DEMO_DIR:-runs/demo}
mkdir -p "$out"
echo "== gpt2 info: GPT-2 124M (random weights, forward timing on all cores)"
"$gpt2" info --model gpt2
echo
echo "== gpt2 init + info: a tiny checkpoint written in the Hugging Face layout, loaded back"
"$gpt2" init --model tiny --out "$out/tiny" --force
"$gpt2" info --model "$out/tiny"
