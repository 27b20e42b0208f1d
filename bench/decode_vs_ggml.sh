#!/usr/bin/env bash
# Decoding beside ggml's GPT-2 examples on the same weights, whole processes, in turn (A B A B):
# batch 1 at every weight dtype (ours f32/bf16/f16/int8 against ggml f32/f16/q8_0; ours from
# `gpt2 quantize` directories), 8 streams
# (ggml gpt-2-batched, f32), and the time from process start to the first token.
#
#   bash bench/decode_vs_ggml.sh GPT2 GGML_BUILD WORK [THREADS=2] [RUNS=5] [ROWS=all|batch1|streams]
#
#   GPT2        our gpt2 program (build/apps/gpt2)
#   GGML_BUILD  a build of ggml-org/ggml with gpt-2-backend, gpt-2-batched and gpt-2-quantize:
#                 cmake -S ggml -B ggml/build -DCMAKE_BUILD_TYPE=Release -DGGML_NATIVE=ON
#                 cmake --build ggml/build -j2 --target gpt-2-backend gpt-2-batched gpt-2-quantize
#   WORK        a folder for the weights: GPT-2 124M, random (`gpt2 init --model gpt2 --seed 1`),
#               converted to ggml's format by CONVERTER (default ../shared/bench/safetensors_to_ggml.py)
#   TOKENIZER   env: the folder with GPT-2's encoder.json and vocab.bpe (default ../shared/data/gpt2)
#
# ms/token = (wall(128 new tokens) - wall(1 new token)) / 127, median of RUNS; first token =
# wall(1 new token); "128" = the whole process's wall time for 128 new tokens (start-up work
# that runs beside decoding, such as our move of the weights into huge pages, counts in the
# ms/token figure but not in the first token's: the whole-process ratio shows both). 8 streams: tokens/s = 8 * 127 / (wall(128) - wall(1)), sampling (top-k 40
# in ggml, our sampler at temperature 1) from one prompt. Ratio = ours / ggml's time: below 1 we
# are faster. Greedy on both sides: the texts of f32 should match token for token.
set -euo pipefail
G=$1 GG=$2 W=$3 TH=${4:-2} R=${5:-5} ROWS=${6:-all}
here=$(cd "$(dirname "$0")" && pwd)
tok=${TOKENIZER:-$here/../../shared/data/gpt2}
conv=${CONVERTER:-$here/../../shared/bench/safetensors_to_ggml.py}
for f in "$GG/bin/gpt-2-backend" "$GG/bin/gpt-2-batched" "$tok/encoder.json" "$conv"; do
  [ -e "$f" ] || { echo "decode_vs_ggml: $f not found (see the usage at the top of $0)" >&2; exit 2; }
done
mkdir -p "$W"
if [ ! -f "$W/m124/model.safetensors" ]; then
  "$G" init --model gpt2 --out "$W/m124" --seed 1 >/dev/null
  cp "$tok/encoder.json" "$tok/vocab.bpe" "$W/m124/"
fi
# Ours at 16 bits and int8 read directories written by `gpt2 quantize`, as ggml reads its
# converted files: both map their weights as stored, with no conversion at start-up.
for w in f16 bf16 int8; do
  [ -f "$W/m124-$w/model.safetensors" ] || "$G" quantize --model "$W/m124" --weights $w --out "$W/m124-$w" >/dev/null
done
for ft in f32 f16; do
  [ -f "$W/ggml-$ft.bin" ] || /usr/bin/python3 "$conv" "$W/m124" "$tok/encoder.json" "$W/ggml-$ft.bin" $ft >/dev/null
done
if [ ! -f "$W/ggml-q8_0.bin" ] && [ -x "$GG/bin/gpt-2-quantize" ]; then
  "$GG/bin/gpt-2-quantize" "$W/ggml-f32.bin" "$W/ggml-q8_0.bin" q8_0 >/dev/null 2>&1
fi

export OMP_WAIT_POLICY=passive
P="Once upon a time"
secs() {
  local s e
  s=$(date +%s.%N)
  "$@" >/dev/null 2>&1 || { echo "decode_vs_ggml: failed: $*" >&2; exit 1; }
  e=$(date +%s.%N)
  echo "$e - $s" | bc
}
ours() {  # ours N DTYPE [STREAMS]
  local dir="$W/m124"
  [ "$2" = f32 ] || dir="$W/m124-$2"
  if [ "${3:-1}" = 1 ]; then
    "$G" generate --model "$dir" --prompt "$P" --strategy greedy --max-new-tokens "$1" \
      --ignore-eos --threads "$TH" --weights "$2"
  else
    "$G" generate --model "$dir" --prompt "$P" --strategy sample --num-return-sequences "$3" \
      --max-new-tokens "$1" --ignore-eos --threads "$TH" --weights "$2" --seed 42
  fi
}
ggml() {  # ggml N DTYPE [STREAMS]
  if [ "${3:-1}" = 1 ]; then
    "$GG/bin/gpt-2-backend" -m "$W/ggml-$2.bin" -p "$P" -n "$1" -t "$TH" --top_k 1 -s 42 --ignore-eos
  else
    "$GG/bin/gpt-2-batched" -m "$W/ggml-$2.bin" -p "$P" -n "$1" -t "$TH" -np "$3" -s 42 --ignore-eos
  fi
}
med() { tr ' ' '\n' <<<"$*" | grep . | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# Pairs: "label|our dtype|ggml dtype|streams".
pairs=()
if [ "$ROWS" != streams ]; then
  pairs+=("batch 1, f32 vs ggml f32|f32|f32|1" "batch 1, f16 vs ggml f16|f16|f16|1"
    "batch 1, bf16 vs ggml f16|bf16|f16|1")
  [ -f "$W/ggml-q8_0.bin" ] && pairs+=("batch 1, int8 vs ggml q8_0|int8|q8_0|1"
    "batch 1, int8 vs ggml f16|int8|f16|1")
fi
[ "$ROWS" != batch1 ] && pairs+=("8 streams, f32 vs ggml f32|f32|f32|8" "8 streams, f16 vs ggml f16|f16|f16|8")

declare -A S
floor=""  # LibTorch's own start (loading its ~290 shared libraries, registering its operators)
for r in $(seq "$R"); do
  floor+=" $(secs "$G" --help)"
  for pair in "${pairs[@]}"; do
    IFS='|' read -r label mine theirs streams <<<"$pair"
    for n in 1 128; do
      S[$label,ours,$n]+=" $(secs ours $n "$mine" "$streams")"
      S[$label,ggml,$n]+=" $(secs ggml $n "$theirs" "$streams")"
    done
  done
done

echo "GPT-2 124M decoding, $TH thread(s), median of $R runs each, in turn ($(lscpu | sed -n 's/^Model name: *//p'))"
echo "start-up floor: \`gpt2 --help\` (LibTorch's libraries and operator registration) $(med $floor) s"
printf '%-30s %12s %12s %6s   %8s %8s %6s   %8s %8s %6s\n' work ours ggml ratio "1st ours" "1st ggml" ratio \
  "128 ours" "128 ggml" ratio
for pair in "${pairs[@]}"; do
  IFS='|' read -r label mine theirs streams <<<"$pair"
  o1=$(med ${S[$label,ours,1]}) o128=$(med ${S[$label,ours,128]})
  g1=$(med ${S[$label,ggml,1]}) g128=$(med ${S[$label,ggml,128]})
  if [ "$streams" = 1 ]; then
    ours_v=$(echo "($o128 - $o1) * 1000 / 127" | bc -l) ggml_v=$(echo "($g128 - $g1) * 1000 / 127" | bc -l)
    unit="ms/tok"
    ratio=$(echo "$ours_v / $ggml_v" | bc -l)
  else
    ours_v=$(echo "$streams * 127 / ($o128 - $o1)" | bc -l) ggml_v=$(echo "$streams * 127 / ($g128 - $g1)" | bc -l)
    unit="tok/s"
    ratio=$(echo "$ggml_v / $ours_v" | bc -l)  # time ratio: ours / ggml
  fi
  printf '%-30s %6.1f %-5s %6.1f %-5s %6.2f   %6.2f s %6.2f s %6.2f   %6.2f s %6.2f s %6.2f\n' \
    "$label" "$ours_v" "$unit" "$ggml_v" "$unit" "$ratio" "$o1" "$g1" "$(echo "$o1 / $g1" | bc -l)" \
    "$o128" "$g128" "$(echo "$o128 / $g128" | bc -l)"
done
