#!/usr/bin/env bash
# Compiles every source file (syntax only) against LibTorch 2.x headers, to catch API changes
# on a machine whose LibTorch is Debian 12's 1.13. The headers come from Debian 13's
# libtorch-dev .deb (LibTorch 2.6, downloaded once, unpacked, not installed); deprecated calls
# count as errors, since later 2.x releases remove them. Needs a configured build/ (for
# compile_commands.json).
#
#   bash scripts/check_torch2.sh [-j N] [FILE_FILTER]
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=1
if [ "${1:-}" = "-j" ]; then jobs=$2; shift 2; fi
filter=${1:-}
build_dir=${GPT2_BUILD_DIR:-build}
cache=${GPT2_TORCH2_HEADERS:-$HOME/.cache/gpt2/libtorch2-headers}
deb_url=http://deb.debian.org/debian/pool/main/p/pytorch/libtorch-dev_2.6.0+dfsg-7_amd64.deb

[ -f "$build_dir/compile_commands.json" ] ||
  { echo "check_torch2: no $build_dir/compile_commands.json; run scripts/setup.sh first" >&2; exit 2; }
if [ ! -f "$cache/usr/include/torch/csrc/api/include/torch/version.h" ]; then
  echo "check_torch2: fetching LibTorch 2.6 headers ($deb_url)"
  mkdir -p "$cache"
  curl -fsSL -o "$cache/libtorch-dev.deb" "$deb_url"
  dpkg -x "$cache/libtorch-dev.deb" "$cache"
fi
headers=$cache/usr/include
version=$(sed -n 's/^#define TORCH_VERSION_\(MAJOR\|MINOR\) \([0-9]*\)/\2/p' \
  "$headers/torch/csrc/api/include/torch/version.h" | paste -sd.)
echo "check_torch2: LibTorch $version headers from $headers"

# One command per translation unit: Debian's torch include dirs swapped for the 2.x ones, no
# object written. Bench/tests/apps included: they use the API too.
/usr/bin/python3 - "$build_dir/compile_commands.json" "$headers" "$filter" >"$build_dir/torch2_commands.txt" <<'PY'
import json, shlex, sys
entries, headers, flt = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3]
for e in entries:
    if flt and flt not in e["file"]:
        continue
    args = shlex.split(e["command"])
    out, skip = [], False
    for a in args:
        if skip:
            skip = False
            continue
        if a in ("-o", "-c"):
            skip = True
            continue
        if a.startswith("/usr/include/torch/csrc/api/include"):
            a = headers + "/torch/csrc/api/include"
        out.append(a)
    out[1:1] = ["-isystem", headers]
    out += ["-fsyntax-only", "-Werror=deprecated-declarations", e["file"]]
    print(e["directory"] + "\t" + shlex.join(out))
PY
total=$(wc -l <"$build_dir/torch2_commands.txt")
echo "check_torch2: $total files, $jobs at a time"
log=$build_dir/torch2_errors.log
: >"$log"
check_one() {
  local dir=${1%%$'\t'*} command=${1#*$'\t'}
  local file=${command##* } tmp
  tmp=$(mktemp)
  if ! (cd "$dir" && eval "$command") >"$tmp" 2>&1; then
    { echo "== $file"; grep -E "error" "$tmp" | head -20; } >>"$log"
    echo "FAIL $file"
  fi
  rm -f "$tmp"
}
export -f check_one
export log
tr '\n' '\0' <"$build_dir/torch2_commands.txt" | xargs -0 -P "$jobs" -I{} bash -c 'check_one "$@"' _ {}
failures=$(grep -c '^== ' "$log" || true)
echo "check_torch2: $failures of $total files fail against LibTorch $version (details: $log)"
[ "$failures" -eq 0 ]
