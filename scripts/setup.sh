#!/usr/bin/env bash
# Installs the Debian 12 packages gpt2 needs (only those missing), then configures and builds
# build/ (Release). Safe to run again: it only does what is left to do.
#
#   bash scripts/setup.sh [TARGET ...]   the CMake targets to build (default: all, tests too);
#                                        the demo builds only gpt2_cli and gpt2_compare_sampling
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake ninja-build ccache pkg-config git
  libtorch-dev                   # LibTorch 1.13 (CPU)
  libopenblas0-openmp            # fast BLAS for LibTorch (the reference BLAS is ~50x slower)
  libsentencepiece-dev libpcre2-dev libboost-program-options-dev libyaml-cpp-dev
  nlohmann-json3-dev catch2 libgloo-dev
)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

# LibTorch calls libblas.so.3: make sure it resolves to OpenBLAS, not the reference BLAS.
blas=$(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3 2>/dev/null || true)
case "$blas" in
  *openblas*) ;;
  *) echo "setup: warning: libblas.so.3 is $blas, not OpenBLAS; matmuls will be slow" >&2 ;;
esac

build_dir=${GPT2_BUILD_DIR:-build}
# Paths relative to the checkout in ccache's keys: another clone reuses the compiled objects.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD}
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(all)
# The expected wait, from the compile steps not yet done (object files and precompiled headers
# missing from the build folder): about 8 s of one core per step, measured on a 2-core AMD EPYC
# (Zen 4; a batch of 4 library files, or a test file, or a precompiled header); counted at 10
# s. Less when ccache already holds them. (`ninja -n` can't tell: the CONFIGURE_DEPENDS glob
# check makes every dry run stop at "Re-running CMake".)
steps=0
while read -r object; do
  [ -e "$build_dir/$object" ] || steps=$((steps + 1))
done < <(ninja -C "$build_dir" -t commands "${targets[@]}" 2>/dev/null |
  grep -oE ' -o [^ ]+\.(o|gch) ' | awk '{print $2}')
if [ "$steps" -gt 0 ]; then
  minutes=$(( (steps * 10 / $(nproc) + 59) / 60 ))
  echo "setup: building ${targets[*]}: $steps files to compile, about $minutes minutes on $(nproc) cores (much less when ccache has them)"
fi
start=$(date +%s)
cmake --build "$build_dir" -j"$(nproc)" --target "${targets[@]}"
echo "setup: built ${targets[*]} in $(( $(date +%s) - start )) s ($build_dir/apps/gpt2)"
