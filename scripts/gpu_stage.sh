#!/usr/bin/env bash
# Prepares .gpu/ for scripts/gpu_check.sh on a machine that cannot install packages (a lent GPU
# machine): Debian 12's .deb files of the libraries gpt2 builds against besides LibTorch
# (downloaded with apt-get, not installed), and the reference data the CUDA tests and the recipe
# run read. About 15 MB; carry .gpu/ to that machine with the checkout.
#
#   bash scripts/gpu_stage.sh [DATA_DIR]   DATA_DIR: default ../shared/data
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-../shared/data}
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
echo "gpu_stage: $(du -sh "$stage" | cut -f1) in $stage (debs: $(ls "$stage"/debs/*.deb | wc -l) packages)"
