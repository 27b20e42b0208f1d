#!/usr/bin/env bash
# The model-directory readers' fuzz test (tests/io/test_reader_fuzz.cpp) under AddressSanitizer
# and UndefinedBehaviorSanitizer, in its own build folder (build-sanitize/, only the readers and
# their components: about 40 files). Any memory error or undefined behaviour stops it with a
# report; so does a mutant that escapes as something other than gpt2::Error.
# Usage: scripts/fuzz_sanitized.sh [ROUNDS=20] [JOBS=2]   (each round: 500 mutants)
set -eu
cd "$(dirname "$0")/.."
ROUNDS=${1:-20}; JOBS=${2:-2}
cmake -S . -B build-sanitize -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGPT2_SANITIZE=address,undefined \
  -DGPT2_BUILD_BENCH=OFF -DGPT2_BUILD_EXPERIMENTS=OFF >/dev/null
cmake --build build-sanitize -j"$JOBS" --target fuzz_readers
# LibTorch is not instrumented: its static registries look like leaks, and its operator new
# pairs are not ASan's.
export ASAN_OPTIONS=detect_leaks=0:alloc_dealloc_mismatch=0:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
GPT2_FUZZ_ROUNDS=$ROUNDS build-sanitize/tests/fuzz_readers
