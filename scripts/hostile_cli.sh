#!/usr/bin/env bash
# A battery of bad inputs for every `gpt2` command, as a hostile but fair user would give them:
# unknown and malformed flags, out-of-range values, missing, empty, truncated and corrupt files,
# directories where files belong, bad YAML. Each case must exit with a status from 1 to 2
# (a refusal), print a message that is not "internal error", and die by no signal.
# Usage: scripts/hostile_cli.sh GPT2_PROGRAM [WORK_DIR]   Prints one line per failing case and
# a summary; exits 1 if any case failed.
set -u
G=$(realpath "$1")
if [ $# -ge 2 ]; then
  W=$2
else
  W=$(mktemp -d)
  trap 'rm -rf "$W"' EXIT
fi
here=$(cd "$(dirname "$0")" && pwd)
shared=$here/../../shared/data
mkdir -p "$W"
cd "$W" || exit 1

# Fixtures: a tiny model directory, a char tokenizer and shards, and broken copies of them.
"$G" init --model tiny --out model --seed 1 >/dev/null 2>&1 || { echo "init failed"; exit 1; }
printf 'To be, or not to be, that is the question.\n%.0s' {1..200} >text.txt
"$G" tokenizer train --type char --input text.txt --out tok >/dev/null 2>&1
"$G" prepare -t tok -i text.txt -o shards >/dev/null 2>&1
cp -r model trunc && head -c 1000 model/model.safetensors >trunc/model.safetensors
cp -r model badjson && printf '{"model_type": "gpt2", "n_embd": ' >badjson/config.json
cp -r model nojson && rm nojson/config.json
cp -r model huge && sed -i 's/"n_layer": [0-9]*/"n_layer": 100000000/' huge/config.json
mkdir -p emptydir
: >empty.txt
printf 'model:\n\tn_embd: 4\n' >tabs.yaml
printf 'train:\n  lr: 1e-3\n  lr: 2e-3\n' >dup.yaml
printf 'train:\n  no_such_key: 1\n' >unknown.yaml
printf 'train: [1, 2\n' >broken.yaml
printf 'train:\n  max_steps: -5\n' >negative.yaml
printf '{"prompt": 5}\n{not json\n' >bad_prompts.jsonl
head -c 100 shards/train_000000.bin >short.bin
cp -r model withtok && cp tok/tokenizer.model withtok/
printf '{"ctx": "a", "endings": ["b"]}\n' >wrong_shape.jsonl

cases=(
  "generate --model model --prompt hi --max-new-tokens -3"
  "generate --model model --prompt hi --max-new-tokens abc"
  "generate --model model --prompt hi --temperature nan"
  "generate --model model --prompt hi --temperature -1"
  "generate --model model --prompt hi --top-p 2"
  "generate --model model --prompt hi --top-k -1"
  "generate --model model --prompt hi --num-beams 0"
  "generate --model model --prompt hi --strategy no_such_strategy"
  "generate --model model --prompt hi --threads 0"
  "generate --model model --prompt hi --device tpu"
  "generate --model model --prompt hi --weights int4"
  "generate --model model --prompt hi --no-such-flag"
  "generate --model withtok --prompts bad_prompts.jsonl --out o.jsonl"
  "generate --model withtok --prompt hi --banned-words"
  "generate --model model --prompts missing.jsonl"
  "generate --model model --prompts emptydir"
  "generate --model trunc --prompt hi"
  "generate --model badjson --prompt hi"
  "generate --model nojson --prompt hi"
  "generate --model huge --prompt hi"
  "generate --model emptydir --prompt hi"
  "generate --model missing --prompt hi"
  "generate --model model --prompt hi --set generate.no_such=1"
  "generate --model model --prompt hi --set generate.temperature=[1"
  "generate --model model --prompt hi --config tabs.yaml"
  "generate --model model --prompt hi --config dup.yaml"
  "generate --model model --prompt hi --config emptydir"
  "generate --model model --prompt hi --draft-model missing"
  "generate --model model --prompt hi --adapter emptydir"
  "eval --model model --data missing.txt"
  "eval --model model --data empty.txt"
  "eval --model model --data emptydir"
  "eval --model trunc --data text.txt"
  "eval --model model --data text.txt --stride 0"
  "eval --model model --data short.bin"
  "eval --model model --task no_such_task --data text.txt"
  "eval --model withtok --task hellaswag --data text.txt"
  "eval --model withtok --task hellaswag --data wrong_shape.jsonl"
  "eval --model withtok --task multiple_choice --data bad_prompts.jsonl"
  "eval --model model --task lambada --data empty.txt"
  "info --model trunc"
  "info --model model --repeats -1"
  "info --model model --seq 100000"
  "init --model no_such_preset --out x1"
  "init --model tiny --out model"
  "init --model tiny --out empty.txt"
  "quantize --model model --weights int8 --out empty.txt"
  "tokenizer train --type char --input text.txt --out tk --character-coverage 0"
  "tokenizer train --type char --input text.txt --out tk --max-sentences -1"
  "info --model model --repeats 2147483648"
  "info --model model --repeats 1 --batch 2147483648"
  "generate --model model --prompt hi --num-beams 2147483648"
  "train --config unknown.yaml"
  "train --config broken.yaml"
  "train --config negative.yaml"
  "train --config missing.yaml"
  "train --resume emptydir"
  "train --resume missing"
  "train --set train.lr=abc"
  "train --set data.train_shards=[short.bin] --set train.out_dir=r1"
  "train --set train.init_from=trunc --set train.out_dir=r2"
  "prepare -t tok -i missing.txt -o out1"
  "prepare -t missing -i text.txt -o out2"
  "prepare -t tok -i text.txt -o text.txt"
  "tokenizer train --type char --input missing.txt --out t1"
  "tokenizer train --type no_such --input text.txt --out t2"
  "tokenizer encode -t missing hi"
  "tokenizer decode -t tok 99999999"
  "tokenizer decode -t tok -5"
  "metric --metric no_such --hyp text.txt --ref text.txt"
  "metric --metric bleu --hyp missing.txt --ref text.txt"
  "metric --metric bleu --hyp text.txt --ref text.txt --option no_such=1"
  "merge-adapter --model model --adapter emptydir --out m1"
  "merge-adapter --model trunc --adapter emptydir --out m2"
  "quantize --model model --weights f32 --out q1"
  "quantize --model model --weights int4 --out q2"
  "quantize --model trunc --weights int8 --out q3"
  "quantize --model emptydir --weights f16 --out q4"
  "quantize --model model --weights int8 --out model"
  "no_such_command"
)

failed=0
for c in "${cases[@]}"; do
  # shellcheck disable=SC2086
  out=$(timeout 120 "$G" $c 2>&1 </dev/null)
  rc=$?
  why=""
  if [ $rc -eq 0 ]; then
    why="accepted (exit 0)"
  elif [ $rc -eq 124 ]; then
    why="hung (killed after 120 s)"
  elif [ $rc -gt 128 ]; then
    why="died by signal $((rc - 128))"
  elif [ $rc -gt 2 ]; then
    why="exit $rc"
  elif grep -qi "internal error" <<<"$out"; then
    why="internal error"
  elif [ -z "$out" ]; then
    why="no message"
  fi
  if [ -n "$why" ]; then
    failed=$((failed + 1))
    printf 'FAIL %-70s %s: %s\n' "gpt2 $c" "$why" "$(tail -1 <<<"$out" | cut -c1-160)"
  fi
done
echo "${#cases[@]} cases, $failed failed"
[ $failed -eq 0 ]
