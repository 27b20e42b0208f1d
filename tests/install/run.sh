#!/usr/bin/env bash
# cmake --install, then a separate project finds the package with find_package(gpt2) and links
# gpt2::model, gpt2::tokenizer and gpt2::metrics. Usage: run.sh BUILD_DIR SHARED_DATA_DIR
set -euo pipefail
build=$1 data=$2
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" >/dev/null
cmake -S "$here/consumer" -B "$work/consumer" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/consumer" >/dev/null
"$work/consumer/consumer" "$data/golden/tiny-gpt2" "$data/gpt2"
