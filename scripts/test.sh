#!/usr/bin/env bash
# Sets up (packages + build) and runs every test with CTest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
build_dir=${GPT2_BUILD_DIR:-build}
ctest --test-dir "$build_dir" --output-on-failure -j2 "$@"
