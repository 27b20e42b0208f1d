#!/usr/bin/env bash
# Prepares .gpu/ for scripts/gpu_check.sh on a machine that cannot install packages (a lent GPU
# machine): Debian 12's .deb files of the libraries gpt2 builds against besides LibTorch
# (downloaded with apt-get, not installed), and the reference data the CUDA tests and the recipe
# run read. About 15 MB; carry .gpu/ to that machine with the checkout.
#
#   bash scripts/gpu_stage.sh [DATA_DIR] [NANOGPT_GIT_DIR]
#     DATA_DIR: default ../shared/data; NANOGPT_GIT_DIR: a clone of karpathy/nanoGPT (bare is
#     fine) whose model.py is copied to .gpu/nanogpt/ for the peer run (not part of gpt2)
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-../shared/data}
nanogpt=${2:-}
stage=.gpu
packages=(
  libyaml-cpp-dev libyaml-cpp0.7
  libboost1.74-dev libboost-program-options1.74-dev libboost-program-options1.74.0
  libsentencepiece-dev libsentencepiece0
  libpcre2-dev libpcre2-8-0 libpcre2-16-0 libpcre2-32-0 libpcre2-posix3
  nlohmann-json3-dev catch2 libgloo-dev
)
mkdir -p "$stage/debs" "$stage/data"
missing=()
for package in "${packages[@]}"; do
  ls "$stage/debs/${package}_"*.deb >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "gpu_stage: downloading ${missing[*]}"
  (cd "$stage/debs" && apt-get download "${missing[@]}" 2>&1 | grep -v '^W: Download is performed unsandboxed' || true)
fi
for package in "${packages[@]}"; do
  ls "$stage/debs/${package}_"*.deb >/dev/null 2>&1 ||
    { echo "gpu_stage: $package could not be downloaded" >&2; exit 1; }
done
for folder in golden tinyshakespeare; do
  [ -d "$data/$folder" ] || { echo "gpu_stage: $data/$folder is missing" >&2; exit 1; }
  rm -rf "$stage/data/$folder"
  cp -r "$data/$folder" "$stage/data/$folder"
done
if [ -n "$nanogpt" ]; then
  mkdir -p "$stage/nanogpt"
  git --git-dir="$nanogpt" show HEAD:model.py >"$stage/nanogpt/model.py" 2>/dev/null ||
    git -C "$nanogpt" show HEAD:model.py >"$stage/nanogpt/model.py"
  echo "gpu_stage: nanoGPT's model.py from $nanogpt ($(git --git-dir="$nanogpt" rev-parse --short HEAD 2>/dev/null || git -C "$nanogpt" rev-parse --short HEAD))"
fi
echo "gpu_stage: $(du -shc "$stage"/debs "$stage"/data "$stage"/nanogpt 2>/dev/null | tail -1 | cut -f1) in $stage (debs: $(ls "$stage"/debs/*.deb | wc -l) packages)"
