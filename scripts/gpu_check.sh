#!/usr/bin/env bash
# The GPU check as one script with a time limit, for a lent machine that has CUDA, CMake and a
# Python whose PyTorch carries LibTorch 2.x, but cannot install packages. It unpacks the Debian
# packages scripts/gpu_stage.sh put in .gpu/debs, builds against that LibTorch with every core,
# runs the CUDA tests, the bf16 / fp16 recipe runs and the GPU bench, and writes summary.md with
# the logs into the output folder. Without a GPU (or with --cpu) it builds against the system's
# LibTorch and runs the same steps on the CPU, where the CUDA tests skip: the rehearsal.
#
#   bash scripts/gpu_check.sh [--cpu] [--out DIR] [--budget SECONDS]
#   (OUT defaults to $OUT, then build-gpu-out; budget 540 s: steps that would start later are skipped)
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
mode=auto
out=${OUT:-}
budget=540
while [ $# -gt 0 ]; do
  case "$1" in
    --cpu) mode=cpu ;;
    --out) out=$2; shift ;;
    --budget) budget=$2; shift ;;
    *) echo "gpu_check: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
out=${out:-build-gpu-out}
mkdir -p "$out"
out=$(cd "$out" && pwd)
summary=$out/summary.md
start=$(date +%s)
elapsed() { echo $(( $(date +%s) - start )); }
say() { echo "$*" | tee -a "$summary"; }
: >"$summary"

# A step runs when at least `need` seconds of the budget are left; its output goes to
# $out/<name>.log and its exit status and time into the summary.
step() {
  local name=$1 need=$2
  shift 2
  local left=$(( budget - $(elapsed) ))
  if [ "$left" -lt "$need" ]; then
    say "| $name | skipped: ${left} s left of the budget, needs ${need} s | |"
    return 1
  fi
  local t0=$(date +%s) rc=0
  if declare -F "$1" >/dev/null; then  # a function of this script: run it in a child bash
    timeout "$left" bash -c "$(declare -f "$1"); \"\$@\"" _ "$@" >"$out/$name.log" 2>&1 || rc=$?
  else
    timeout "$left" "$@" >"$out/$name.log" 2>&1 || rc=$?
  fi
  local status="ok"
  [ "$rc" -eq 0 ] || status="FAILED (exit $rc; $name.log)"
  [ "$rc" -eq 124 ] && status="TIMED OUT ($name.log)"
  say "| $name | $status | $(( $(date +%s) - t0 )) s |"
  return "$rc"
}

# Python with a CUDA PyTorch: its LibTorch is the one to build against.
python=${GPT2_GPU_PYTHON:-python3}
torch_prefix=""
if [ "$mode" = auto ]; then
  if torch_prefix=$("$python" -c 'import torch; assert torch.cuda.is_available(); print(torch.utils.cmake_prefix_path)' 2>/dev/null); then
    mode=cuda
  else
    mode=cpu
    torch_prefix=""
  fi
fi
say "# gpu_check: $(date -u +%Y-%m-%dT%H:%M:%SZ), mode $mode"
say ""
if command -v nvidia-smi >/dev/null; then
  say "GPU: $(nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>/dev/null | head -1)"
fi
say "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"
[ -n "$torch_prefix" ] && say "LibTorch: $("$python" -c 'import torch; print(torch.__version__, "CUDA", torch.version.cuda)') at $torch_prefix"
say ""
say "| step | result | time |"
say "|---|---|---|"

# The carried Debian packages, unpacked (not installed); pkg-config files pointed at them.
prefix=$root/build-gpu-prefix
if ls .gpu/debs/*.deb >/dev/null 2>&1; then
  export prefix
  unpack() {
    rm -rf "$prefix" && mkdir -p "$prefix"
    for deb in .gpu/debs/*.deb; do dpkg-deb -x "$deb" "$prefix" || return 1; done
    find "$prefix" -name '*.pc' -exec sed -i "s|^prefix=/usr|prefix=$prefix/usr|" {} +
  }
  step unpack 30 unpack
  export CMAKE_PREFIX_PATH="$prefix/usr${CMAKE_PREFIX_PATH:+:$CMAKE_PREFIX_PATH}"
  export PKG_CONFIG_PATH="$prefix/usr/lib/x86_64-linux-gnu/pkgconfig:$prefix/usr/share/pkgconfig"
  export LD_LIBRARY_PATH="$prefix/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  export CPATH="$prefix/usr/include${CPATH:+:$CPATH}"
else
  say "| unpack | no .gpu/debs (run scripts/gpu_stage.sh); using the system's libraries | |"
fi

data=$root/.gpu/data
[ -d "$data/golden" ] || data=$root/../shared/data
# Beside build/ (same depth), so ccache keys match a local build's and a rehearsal reuses them.
build=$root/build-gpu-$mode
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$root}
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
export TORCH_CUDA_ARCH_LIST=${TORCH_CUDA_ARCH_LIST:-9.0}
# A fresh cache each time: found paths (the unpacked packages' folder) may have moved.
rm -f "$build/CMakeCache.txt"
step configure 60 cmake -S . -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
  ${torch_prefix:+-DCMAKE_PREFIX_PATH="$torch_prefix;$prefix/usr"} \
  -DGPT2_SHARED_DATA_DIR="$data" || { say ""; say "configure failed: see configure.log"; exit 1; }
step build 120 cmake --build "$build" -j"$(nproc)" --target gpt2_cli test_cuda bench_cuda ||
  { say ""; say "build failed: see build.log"; exit 1; }

# The CUDA tests (they skip on the CPU), then the training recipe in bf16 and fp16.
export OMP_WAIT_POLICY=passive
step test_cuda 60 "$build/tests/test_cuda" --success --reporter compact
say "|  | $(grep -E '^(Passed|Failed|test cases)' "$out/test_cuda.log" | tail -1) skipped: $(grep -c 'no CUDA device: skipped' "$out/test_cuda.log") | |"
device=cpu precisions=(fp32) recipe_steps=${GPT2_RECIPE_STEPS:-150}
[ "$mode" = cuda ] && device=cuda precisions=(bf16 fp16) recipe_steps=${GPT2_RECIPE_STEPS:-2000}
export data out build device recipe_steps
recipe() {
  local precision=$1 run=$out/recipe_data
  local gpt2=$build/apps/gpt2
  if [ ! -f "$run/tokenizer/tokenizer.model" ]; then
    "$gpt2" tokenizer train --type char --no-eos --input "$data/tinyshakespeare/input.txt" \
      --out "$run/tokenizer" || return 1
    "$gpt2" prepare -t "$run/tokenizer" -i "$data/tinyshakespeare/input.txt" --val-fraction 0.1 \
      -o "$run" || return 1
  fi
  rm -rf "$out/recipe_$precision"
  "$gpt2" train --config configs/train/shakespeare_char.yaml \
    --set "tokenizer.path=$run/tokenizer" --set "data.train_shards=[$run/train_*.bin]" \
    --set "data.val_shards=[$run/val_*.bin]" --set "train.out_dir=$out/recipe_$precision" \
    --set "runtime.device=$device" --set "train.precision=$precision" \
    --set "train.max_steps=$recipe_steps"
}
for precision in "${precisions[@]}"; do
  step "recipe_$precision" 90 recipe "$precision" &&
    say "|  | $(grep -E 'val loss|best' "$out/recipe_$precision.log" | tail -1) | |"
done
# The same random 124M weights for us and the peers.
step weights 30 "$build/apps/gpt2" init --model gpt2 --out "$out/weights" --force
# LoRA on the recipe's model (here too); where PEFT is installed (the GPU image), PEFT reads our
# adapter and we read one PEFT wrote (scripts/peft_check.py).
export first_precision=${precisions[0]} python
lora_train() {
  local run=$out/recipe_data
  rm -rf "$out/lora_run"
  "$build/apps/gpt2" train --config configs/train/shakespeare_char.yaml \
    --set "tokenizer.path=$run/tokenizer" --set "data.train_shards=[$run/train_*.bin]" \
    --set "data.val_shards=[$run/val_*.bin]" --set "train.out_dir=$out/lora_run" \
    --set "runtime.device=$device" --set "train.init_from=$out/recipe_$first_precision/latest" \
    --set train.max_steps=60 --set train.warmup_steps=10 --set train.eval_interval=30 \
    --set train.adapter.type=lora --set train.adapter.r=4 \
    --set "train.adapter.target_modules=[c_attn, c_proj, c_fc]"
}
if step lora_train 60 lora_train && "$python" -c 'import peft' 2>/dev/null; then
  step peft 60 "$python" scripts/peft_check.py --gpt2 "$build/apps/gpt2" \
    --base "$out/recipe_$first_precision/latest" --ours "$out/lora_run/latest" --work "$out/peft" &&
    say "|  | $(grep 'PEFT check' "$out/peft.log" | tail -1) | |"
fi
# The GPU image has the tensorboard package: the real reader on our event files.
if "$python" -c 'import tensorboard' 2>/dev/null; then
  step tensorboard 20 "$python" scripts/read_tensorboard.py "$out/recipe_$first_precision" &&
    say "|  | $(tail -1 "$out/tensorboard.log") | |"
fi
step bench_cuda 90 "$build/bench/bench_cuda" --model-dir "$out/weights" --out "$out/bench_cuda.json"
[ -f "$out/bench_cuda.log" ] && { say ""; say '```'; cat "$out/bench_cuda.log" >>"$summary"; say '```'; }

# The peers on the same GPU and the same weights (Hugging Face; needs transformers).
if [ "$mode" = cuda ]; then
  nanogpt=()
  [ -f .gpu/nanogpt/model.py ] && nanogpt=(--nanogpt .gpu/nanogpt)
  step peers 150 "$python" scripts/gpu_peers.py --model-dir "$out/weights" \
    --ours "$out/bench_cuda.json" --out "$out/peers.json" "${nanogpt[@]}"
  [ -f "$out/peers.log" ] && { say ""; say '```'; tail -40 "$out/peers.log" >>"$summary"; say '```'; }
fi
say ""
say "total $(elapsed) s"
