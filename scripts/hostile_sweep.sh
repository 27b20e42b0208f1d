#!/usr/bin/env bash
# A generated "hostile but fair user" battery (issue 15), the systematic sibling of the
# hand-written scripts/hostile_cli.sh. Cases are generated, not listed:
#   flags   every value-taking flag of every command (parsed from its --help) x bad values
#   config  every leaf key of every YAML under configs/ x bad values (--set and a mutated copy),
#           plus an unknown sibling key, a duplicated key and a tab-indented line per file
#   model   config.json field mutations and safetensors mutations, read by info/generate/eval
#   data    bad shards, text, prompts JSONL, task files, fine-tuning JSONL, metric inputs
# Outcomes: OK-refused (exit 1-2 with a message), OK-accepted (exit 0), FAIL-signal (>= 128),
# FAIL-internal ("internal error" or a C++/ATen trace), FAIL-hang (timeout), FAIL-other-exit
# (any other status, or exit 1-2 with no message). Accepted cases are not failures: some values
# are valid for some flags; WORK_DIR/results.tsv keeps every case for review.
#
# Usage: scripts/hostile_sweep.sh GPT2_PROGRAM [WORK_DIR] [--sample N]
#   --sample N  run every k-th case only (about N cases, deterministic), e.g. for CI
# gpt2-compare-sampling and gpt2-ablate come from $GPT2_COMPARE / $GPT2_ABLATE, else from next to
# GPT2_PROGRAM or its experiments/ or ../experiments/ folder (the build tree's layout, as
# scripts/demo.sh runs them); their cases are skipped when neither finds them.
# Env: HOSTILE_TIMEOUT (s per case, 60), HOSTILE_JOBS (cases at once, 2), HOSTILE_VMEM_KB (ulimit
# -v per case, 16 GB: an accepted huge size then fails to allocate instead of swamping the host),
# GPT2_SHARED_DATA_DIR (default ../shared/data), HOSTILE_LIST_ONLY=1 (write cases.tsv, run none).
# WORK_DIR must not contain whitespace.
# Exits 1 when any case failed.
set -u
sample=0; pos=()
while [ $# -gt 0 ]; do
  case $1 in
    --sample) sample=${2:?--sample needs N}; shift 2 ;;
    -h|--help) sed -n '2,25p' "$0"; exit 0 ;;
    *) pos+=("$1"); shift ;;
  esac
done
[ ${#pos[@]} -ge 1 ] || { echo "usage: $0 GPT2_PROGRAM [WORK_DIR] [--sample N]" >&2; exit 2; }
G=$(realpath "${pos[0]}")
if [ ${#pos[@]} -ge 2 ]; then W=${pos[1]}; else W=$(mktemp -d); trap 'rm -rf "$W"' EXIT; fi
mkdir -p "$W"; W=$(realpath "$W")
here=$(cd "$(dirname "$0")" && pwd); repo=$(dirname "$here"); cfg=$repo/configs
shared=${GPT2_SHARED_DATA_DIR:-$repo/../shared/data}
TMO=${HOSTILE_TIMEOUT:-60}; JOBS=${HOSTILE_JOBS:-2}; VMEM=${HOSTILE_VMEM_KB:-16000000}
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive}

find_prog() {  # $1: env override, $2: program name
  if [ -n "$1" ]; then realpath "$1"; return; fi
  local d; for d in "$(dirname "$G")" "$(dirname "$G")/experiments" "$(dirname "$G")/../experiments"; do
    [ -x "$d/$2" ] && { realpath "$d/$2"; return; }
  done
}
CS=$(find_prog "${GPT2_COMPARE:-}" gpt2-compare-sampling); AB=$(find_prog "${GPT2_ABLATE:-}" gpt2-ablate)
[ -n "$CS" ] || echo "note: gpt2-compare-sampling not found; its cases are skipped"
[ -n "$AB" ] || echo "note: gpt2-ablate not found; its cases are skipped"

# ---------------------------------------------------------------------------------------------
# Fixtures (W/fx): valid inputs the cases break one thing of. Paths are absolute: each case runs
# in its own empty directory, so outputs never collide and relative outputs are cleaned up.
F=$W/fx; rm -rf "$F" "$W/runs" "$W/res"; mkdir -p "$F" "$W/runs" "$W/res"; cd "$F" || exit 1
die() { echo "fixture failed: $*" >&2; exit 1; }
head -c 30000 "$shared/tinyshakespeare/input.txt" >text.txt || die text
head -c 3000 text.txt >small.txt
"$G" tokenizer train --type char --input text.txt --out tok >/dev/null 2>&1 || die tokenizer
"$G" prepare -t tok -i text.txt -o shards -q >/dev/null 2>&1 || die prepare
# model: the tiny preset without a tokenizer; wt: the char tokenizer's vocabulary, with it;
# bpe: tiny with GPT-2's 50257 ids and BPE files, for configs/generate (they name GPT-2 ids).
"$G" init --model tiny --out model --seed 1 >/dev/null 2>&1 || die init
nv=$("$G" tokenizer info --tokenizer tok | sed -n 's/^vocab_size *//p')  # the model emits only its ids
"$G" init --model tiny --out wt --seed 1 --set model.vocab_size="$nv" --set model.bos_token_id=1 \
  --set model.eos_token_id=1 >/dev/null 2>&1 && cp tok/tokenizer.model wt/ || die wt
"$G" init --model tiny --out bpe --seed 1 --set model.vocab_size=50257 --set model.bos_token_id=50256 \
  --set model.eos_token_id=50256 >/dev/null 2>&1 && cp "$shared"/gpt2/{encoder.json,vocab.bpe} bpe/ || die bpe
mkdir -p emptydir; : >empty.txt
for i in $(seq 0 255); do printf "\\$(printf %03o "$i")"; done >binary.bin  # every byte value
cat >train.yaml <<EOF
model: {vocab_size: $nv, n_positions: 32, n_embd: 32, n_layer: 1, n_head: 2, bos_token_id: 1, eos_token_id: 1}
tokenizer: {path: $F/tok}
data: {train_shards: [$F/shards/train_*.bin], val_shards: [$F/shards/val_*.bin], batch_size: 2, block_size: 16}
train: {out_dir: run, max_steps: 2, warmup_steps: 0, eval_interval: 0, eval_batches: 1, log_interval: 1, progress: false}
EOF
(cd "$F" && "$G" train -c train.yaml --set train.out_dir="$F/run0" >/dev/null 2>&1) || die run0
"$G" train -c train.yaml --set train.init_from="$F/wt" --set train.out_dir="$F/lora0" --set train.adapter.type=lora \
  --set train.adapter.alpha=16 --set "train.adapter.target_modules=[c_attn, c_proj]" >/dev/null 2>&1 || die lora0
printf '{"prompt": "To be"}\n{"prompt": "or not"}\n' >prompts.jsonl
printf '{"prompt": "To be", "completion": " or not"}\n%.0s' {1..8} >sft.jsonl
printf '{"ctx_a": "To be", "ctx_b": "or", "ctx": "To be or", "activity_label": "Play", "endings": [" not", " yes"], "label": 0}\n%.0s' 1 2 >hellaswag.jsonl
printf '{"text": "To be or not to be"}\n%.0s' 1 2 >lambada.jsonl
printf '{"context": "To be or", "choices": ["not", "yes"], "label": 1}\n%.0s' 1 2 >multiple_choice.jsonl
printf '{"context": "To be or", "continuation": " not"}\n%.0s' 1 2 >loglikelihood.jsonl
printf ' = Title = \n\n The text of the article . \n' >wikitext.jsonl
printf 'the cat sat\non the mat\n' >hyps.txt; printf 'the cat sat down\non a mat\n' >refs.txt
printf '{"hyp": "the cat", "ref": "the cat"}\n' >metric.jsonl
cat >cmp.yaml <<EOF
compare: {model: $F/wt, shards: [$F/shards/val_000000.bin], num_prompts: 2, prompt_tokens: 4,
  reference_tokens: 8, seeds: [1], bootstrap: 10, out_dir: cmp}
generate: {batch_size: 2}
settings: [{name: greedy, strategy: greedy}, {name: top-k 5, strategy: top_k, top_k: 5}]
EOF
printf 'ablation: {base: [%s], seeds: [1], out_dir: abl, jobs: 1}\naxes: {train.lr: [1.0e-3]}\n' "$F/train.yaml" >sweep.yaml
cat >mut.py <<'EOF'
# Mutations of a model directory's files (bash cannot edit JSON or binary headers safely).
import json, struct, sys
kind, what, src, dst = sys.argv[1:5]
if kind == "json":                                   # what = FIELD:MODE
    field, mode = what.split(":")
    c = json.load(open(src))
    vals = {"string": "abc", "negative": -1, "zero": 0, "fraction": 0.5, "2^31": 2**31,
            "1e12": 10**12, "null": None, "bert": "bert"}
    if mode == "deleted": c.pop(field, None)
    else: c[field] = vals[mode]
    json.dump(c, open(dst, "w"), indent=2)
    sys.exit()
b = open(src, "rb").read(); n = struct.unpack("<Q", b[:8])[0]; h = json.loads(b[8:8 + n])
data = b[8 + n:]; name = sorted(k for k in h if k != "__metadata__")[0]
def pack(hd):  # re-serialise a header, keeping the data
    s = json.dumps(hd).encode(); return struct.pack("<Q", len(s)) + s + data
out = {"zero-length": b"", "trunc-4": b[:4], "trunc-8": b[:8], "trunc-header": b[:8 + n // 2],
       "trunc-data-start": b[:8 + n], "trunc-data-half": b[:8 + n + len(data) // 2],
       "trunc-last-byte": b[:-1], "trailing-bytes": b + b"\0" * 13,
       "hlen+1": struct.pack("<Q", n + 1) + b[8:], "hlen-1": struct.pack("<Q", n - 1) + b[8:],
       "hlen-2^63": struct.pack("<Q", 2**63) + b[8:], "hlen-filesize": struct.pack("<Q", len(b)) + b[8:],
       "header-garbled": b[:8] + b[8:8 + n].replace(b'"', b"'", 3) + data}
if what in out: open(dst, "wb").write(out[what]); sys.exit()
t = h[name]; a, e = t["data_offsets"]
if what == "dtype-F16": t["dtype"] = "F16"
elif what == "dtype-I64": t["dtype"] = "I64"
elif what == "dtype-unknown": t["dtype"] = "Q3"
elif what == "shape+1": t["shape"][0] += 1
elif what == "shape-negative": t["shape"][0] = -t["shape"][0]
elif what == "shape-dropped": t["shape"] = t["shape"][1:] or [1]
elif what == "offsets-past-end": t["data_offsets"] = [a, len(data) + 4]
elif what == "offsets-reversed": t["data_offsets"] = [e, a]
elif what == "offsets-overlap": t["data_offsets"] = [a + 4, e + 4]
elif what == "tensor-missing": del h[name]
elif what == "tensor-renamed": h["bogus." + name] = h.pop(name)
elif what == "data-nan": data = data[:a] + b"\x00\x00\xc0\x7f" * ((e - a) // 4) + data[e:]
open(dst, "wb").write(pack(h))
EOF

# ---------------------------------------------------------------------------------------------
# Case list: one line per case, "group<TAB>value class<TAB>shell command" (%q-quoted).
CASES=$W/cases.tsv; : >"$CASES"
add() { local g=$1 v=$2; shift 2; printf '%s\t%s\t%s\n' "$g" "$v" "$(printf '%q ' "$@")" >>"$CASES"; }
addsh() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$CASES"; }  # a raw shell line (stdin, pipes)

# 1. Flags. Values by the kind of flag: numbers, paths or words (a directory where a count goes
# tests nothing a word does not; the set is kept small for a run of ~15 minutes on 2 cores). "miss" is the flag as the last argument, with no value.
NUMV=(-1 0 nan 1e999 abc 2147483648)
# emptydir, empty.txt and binary.bin are made afresh in each case directory: a flag that writes
# (--out, --trace) must not spoil the fixtures, and run_case notes a case that wrote over them.
# nonexistent/x is relative (to the case directory): running as root, a case could create
# /nonexistent/x and change what the next case sees.
PATHV=("" nonexistent/x emptydir empty.txt binary.bin)
STRV=("" abc -1 $'\xff\xfe')
COMMON=" config set threads device seed "  # shared by init/train/eval/generate/info: swept on info
flag_kind() {
  case $1 in
    model|adapter|data|prompts|trace|log-samples|config|resume|tokenizer|input|val-input|hyps|refs|\
jsonl|baseline|experiment|sweep|draft-model|out) echo path ;;
    strategy|weights|device|save-dtype|type|metric|task|early-stopping|jsonl-field|set|option|stop|\
prompt|arg) echo word ;;
    *) echo number ;;
  esac
}
# Command: a valid invocation, "PROGRAM WORDS... || --flag value..." (flags are replaced by name).
declare -A BASE=(
  [init]="$G init || --model tiny --out o"
  [train]="$G train || --config $F/train.yaml"
  [eval]="$G eval || --model $F/wt --data $F/small.txt"
  [generate]="$G generate || --model $F/wt --prompt hi --max-new-tokens 8"
  [info]="$G info || --model $F/model --repeats 1 --seq 8"
  [prepare]="$G prepare || --tokenizer $F/tok --input $F/small.txt --out p --quiet"
  [metric]="$G metric || --metric bleu --hyps $F/hyps.txt --refs $F/refs.txt"
  [merge-adapter]="$G merge-adapter || --model $F/wt --adapter $F/lora0/best --out m"
  [quantize]="$G quantize || --model $F/model --weights int8 --out q"
  [tokenizer train]="$G tokenizer train || --type char --input $F/small.txt --out t"
  [tokenizer encode]="$G tokenizer encode || --tokenizer $F/tok --arg hello"
  [tokenizer decode]="$G tokenizer decode || --tokenizer $F/tok --arg 5"
  [tokenizer info]="$G tokenizer info || --tokenizer $F/tok"
)
[ -n "$CS" ] && BASE[compare]="$CS || --experiment $F/cmp.yaml"
[ -n "$AB" ] && BASE[ablate]="$AB || --sweep $F/sweep.yaml --jobs 1"
for name in "${!BASE[@]}"; do
  read -ra pre <<<"${BASE[$name]%%||*}"; read -ra args <<<"${BASE[$name]#*||}"
  add "flags:$name" baseline "${pre[@]}" "${args[@]}"
  for flag in $("${pre[@]}" --help 2>&1 | sed -nE 's/^  (-[a-zA-Z] \[ )?--([a-z0-9-]+)( \])? arg.*/\2/p'); do
    rest=(); i=0  # the base without this flag (--set pairs stay: they carry fixtures)
    while [ $i -lt ${#args[@]} ]; do
      if [ "${args[$i]}" = "--$flag" ] && [ "$flag" != set ]; then i=$((i + 2)); else rest+=("${args[$i]}"); i=$((i + 1)); fi
    done
    add "flags:$name" miss "${pre[@]}" "${rest[@]}" "--$flag"
    [[ $COMMON == *" $flag "* && $name != info ]] && continue
    case $(flag_kind "$flag") in path) vals=("${PATHV[@]}") ;; word) vals=("${STRV[@]}") ;; *) vals=("${NUMV[@]}") ;; esac
    for v in "${vals[@]}"; do add "flags:$name" "--$flag=${v#"$F/"}" "${pre[@]}" "${rest[@]}" "--$flag" "$v"; done
  done
done

# 2. Config keys. runner FILE sets RUN (the command that reads FILE) and OVR (--set values that
# point it at the fixtures and keep it small); the mutation comes after OVR, so it wins.
runner() {
  local f=$1 d; d=$(basename "$(dirname "$f")")
  OVR=()
  case $d/$(basename "$f") in
    generate/*) RUN=("$G" generate --model "$F/bpe" --prompt Hello -c "$f"); OVR=(generate.max_new_tokens=24) ;;  # > min_new_tokens.yaml's 20
    model/*) RUN=("$G" init --model tiny -c "$f" --out o) ;;
    eval/*) local t; t=$(basename "$f" .yaml)
      RUN=("$G" eval --model "$F/wt" -c "$f"); OVR=("eval.task_data=[$F/$t.jsonl]" eval.log_samples=s.jsonl) ;;
    experiments/ablation*) RUN=("$AB" --sweep "$f" --dry-run); OVR=("ablation.base=[$F/train.yaml]" ablation.out_dir=abl) ;;
    experiments/*) RUN=("$CS" --experiment "$f")  # sections runtime, compare, generate take --set
      OVR=(compare.model="$F/wt" "compare.shards=[$F/shards/val_000000.bin]" "compare.text=[]" compare.num_prompts=2
           compare.prompt_tokens=4 compare.reference_tokens=8 "compare.seeds=[1]" compare.bootstrap=10 compare.out_dir=c generate.batch_size=2) ;;
    *) RUN=("$G" train -c "$F/train.yaml")  # data/, train/, finetune/: layered on the tiny recipe
      [[ $f == *lora_continue* ]] && RUN+=(-c "$cfg/finetune/gpt2_lora.yaml")
      RUN+=(-c "$f")
      OVR=(tokenizer.path="$F/tok" "data.train_shards=[$F/shards/train_*.bin]" "data.val_shards=[$F/shards/val_*.bin]"
           data.batch_size=2 data.block_size=16 train.max_steps=2 train.warmup_steps=0 train.eval_interval=0
           train.eval_batches=1 train.batch_tokens=0 train.out_dir=run train.progress=false train.patience=0
           model.vocab_size="$nv" model.n_positions=32 model.n_embd=32 model.n_layer=1 model.n_head=2
           model.bos_token_id=1 model.eos_token_id=1)
      case $f in
        */finetune/*) OVR+=(train.init_from="$F/wt"); OVR=("${OVR[@]/#model.*/}") ;;
        *) OVR+=(train.init_from=scratch) ;;
      esac
      [[ $f == *prompt_completion* ]] && OVR+=(data.finetune_train="$F/sft.jsonl" data.finetune_val="$F/sft.jsonl" "data.train_shards=[]" "data.val_shards=[]")
      [[ $f == *lora_continue* ]] && OVR+=(train.adapter.init_from="$F/lora0/best")
      [[ $f == *eval_tasks* ]] && OVR+=("train.eval_tasks.task_data=[$F/hellaswag.jsonl]" train.eval_tasks.limit=2) ;;
  esac
}
sets() { local k=$1 o; shift; for o in "${OVR[@]}"; do [ -n "$o" ] && [ "${o%%=*}" != "$k" ] && printf '%s\0' --set "$o"; done; }
# Leaf keys: "file<TAB>key<TAB>line"; a key with no value is a leaf when "- " items follow it.
awk '/^[[:space:]]*(#|$)/ {next}
  { match($0, /^ */); ind = RLENGTH; line = substr($0, ind + 1)
    if (pend != "") { if (line ~ /^- /) print FILENAME "\t" pend; pend = "" }
    if (line ~ /^- /) next
    if (match(line, /^[A-Za-z_][A-Za-z0-9_.]*:/)) {
      key = substr(line, 1, RLENGTH - 1); rest = substr(line, RLENGTH + 1)
      sub(/[ \t]+#.*/, "", rest); gsub(/^[ \t]+|[ \t]+$/, "", rest)
      d = int(ind / 2); p[d] = key; full = p[0]; for (i = 1; i <= d; i++) full = full "." p[i]
      if (rest != "") print FILENAME "\t" full "\t" FNR; else pend = full "\t" FNR } }
  ENDFILE { if (pend != "") print FILENAME "\t" pend; pend = "" }' "$cfg"/*/*.yaml >"$W/keys.tsv"
# mutate FILE LINE VALUE OUT: the key on LINE gets VALUE (its "- " items, if any, are dropped).
mutate() { awk -v L="$2" -v V="$3" 'NR == L { match($0, /^ *[^:]*:/); print substr($0, 1, RLENGTH) " " V; drop = 1; next }
  drop && /^ *- / { next } { drop = 0; print }' "$1" >"$4"; }
declare -A seen
n=0
while IFS=$'\t' read -r f key line; do
  base=$(basename "$f"); [[ $base == gpt2*.yaml && $f == */model/* ]] && continue  # same keys as tiny; accepted = GBs
  [[ $f == */experiments/ablation* && -z $AB ]] && continue
  [[ $f == */experiments/* && $f != */ablation* && -z $CS ]] && continue
  runner "$f"; g="config:${f#"$cfg/"}"; mapfile -d '' S < <(sets "$key")
  if [ -z "${seen[$f]:-}" ]; then  # once per file: as is, unknown sibling, duplicate, tab indent
    seen[$f]=1; n=$((n + 1)); m=$W/fx/cfg$n
    mapfile -d '' S0 < <(sets "")  # every fixture value: the key line itself is not changed
    add "$g" baseline "${RUN[@]}" "${S0[@]}"
    awk -v L="$line" '{print} NR == L { match($0, /^ */); printf "%*sno_such_key_hostile: 1\n", RLENGTH, "" }' "$f" >"$m-unknown.yaml"
    awk -v L="$line" '{print} NR == L && !/^ *[^:]*: *$/ {print}' "$f" >"$m-dup.yaml"
    awk -v L="$line" 'NR == L { if (/^ /) sub(/^ +/, "\t"); else $0 = "\t" $0 } {print}' "$f" >"$m-tab.yaml"
    for k in unknown dup tab; do add "$g" "file:$k@$key" "${RUN[@]/#$f/$m-$k.yaml}" "${S0[@]}"; done
  fi
  [ -n "${seen[$key]:-}" ] && continue; seen[$key]=1  # each key once, in the first file naming it
  for v in abc -1 nan 1e999 "[1, 2]"; do add "$g" "--set $key=$v" "${RUN[@]}" "${S[@]}" --set "$key=$v"; done
  n=$((n + 1)); m=$W/fx/cfg$n; mutate "$f" "$line" "{a: 1}" "$m-map.yaml"
  add "$g" "file:map@$key" "${RUN[@]/#$f/$m-map.yaml}" "${S[@]}"
done <"$W/keys.tsv"

# 3. Model directories: wt (tiny, with its tokenizer) with one file broken.
use_model() {  # $1 group, $2 value class, $3 model dir, $4 "all" or "info"
  add "$1" "$2" "$G" info --model "$3" --repeats 1 --seq 8
  [ "$4" = all ] || return
  add "$1" "$2" "$G" generate --model "$3" --prompt hi --max-new-tokens 4
  add "$1" "$2" "$G" eval --model "$3" --data "$F/small.txt"
}
for field in $(/usr/bin/python3 -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))))' wt/config.json); do
  modes="deleted string negative zero fraction 2^31 1e12 null"; [ "$field" = model_type ] && modes="$modes bert"
  for mode in $modes; do
    d=$F/mj_${field}_${mode/^/p}; mkdir -p "$d"; ln -f wt/model.safetensors wt/tokenizer.model "$d/"
    /usr/bin/python3 mut.py json "$field:$mode" wt/config.json "$d/config.json"
    # info reads every field; generate and eval only for the mutations most likely to slip through
    case $mode in deleted|string|2^31) use_model "model:config.json" "$field=$mode" "$d" all ;;
      *) use_model "model:config.json" "$field=$mode" "$d" info ;; esac
  done
done
for mode in zero-length trunc-4 trunc-8 trunc-header trunc-data-start trunc-data-half trunc-last-byte \
    trailing-bytes hlen+1 hlen-1 hlen-2^63 hlen-filesize header-garbled dtype-F16 dtype-I64 dtype-unknown \
    shape+1 shape-negative shape-dropped offsets-past-end offsets-reversed offsets-overlap tensor-missing \
    tensor-renamed data-nan; do
  d=$F/ms_${mode/^/p}; mkdir -p "$d"; cp wt/config.json wt/tokenizer.model "$d/"
  /usr/bin/python3 mut.py st "$mode" wt/model.safetensors "$d/model.safetensors"
  use_model "model:safetensors" "$mode" "$d" all
done
for t in tokenizer.model; do  # a broken tokenizer file beside good weights
  for kind in empty binary; do
    d=$F/mt_$kind; mkdir -p "$d"; ln -f wt/config.json wt/model.safetensors "$d/"
    if [ $kind = empty ]; then : >"$d/$t"; else cp binary.bin "$d/$t"; fi
    add model:tokenizer "$t=$kind" "$G" generate --model "$d" --prompt hi --max-new-tokens 4
    add model:tokenizer "$t=$kind" "$G" tokenizer info --tokenizer "$d"
  done
done

# 4. Data files. A shard is 256 int32 header words (magic 20240520, version, count) + tokens.
shard() {  # NAME MAGIC VERSION COUNT NTOKENS TOKEN [EXTRA]: a shard with a chosen header
  /usr/bin/python3 -c 'import struct,sys; m,v,c,n,t=map(int,sys.argv[2:7]); open(sys.argv[1],"wb").write(
    struct.pack("<256i", m, v, c, *[0]*253) + struct.pack("<%dH" % n, *[t]*n) + sys.argv[7].encode())' "$@" ""
}
shard sh_magic.bin 20240521 1 200 200 5;      shard sh_swapped.bin 1367798529 1 200 200 5
shard sh_version.bin 20240520 3 200 200 5;    shard sh_v2_u16.bin 20240520 2 200 200 5
shard sh_count_big.bin 20240520 1 100000 200 5; shard sh_count_small.bin 20240520 1 10 200 5
shard sh_count_neg.bin 20240520 1 -5 200 5;   shard sh_count_zero.bin 20240520 1 0 0 5
shard sh_oov.bin 20240520 1 200 200 65535;    shard sh_oov_64.bin 20240520 1 200 200 64
shard sh_odd_size.bin 20240520 1 200 200 5 x
head -c 100 shards/train_000000.bin >sh_trunc_header.bin
head -c 1023 shards/train_000000.bin >sh_trunc_1023.bin
for s in sh_*.bin; do
  add data:shard "$s" "$G" eval --model "$F/wt" --data "$F/$s"
  add data:shard "$s" "$G" train -c "$F/train.yaml" --set "data.train_shards=[$F/$s]" --set "data.val_shards=[$F/$s]"
  [ -n "$CS" ] && add data:shard "$s" "$CS" --experiment "$F/cmp.yaml" --set "compare.shards=[$F/$s]"
done
printf 'To be \xff\xfe or \xc3\x28 not\n' >tx_utf8.txt; printf 'To be\0or not\n' >tx_nul.txt
printf '\n\n\n' >tx_newlines.txt; printf '\xef\xbb\xbfTo be or not\n' >tx_bom.txt; cp binary.bin tx_binary.txt
cp empty.txt tx_empty.txt; printf 'To be\r\nor not\r\n' >tx_crlf.txt
for t in tx_*.txt; do
  add data:text "$t" "$G" eval --model "$F/wt" --data "$F/$t"
  add data:text "$t" "$G" prepare --tokenizer "$F/tok" --input "$F/$t" --out p --quiet
  add data:text "$t" "$G" tokenizer train --type bpe --vocab-size 50 --input "$F/$t" --out t
  add data:text "$t" "$G" metric --metric bleu --hyps "$F/$t" --refs "$F/refs.txt"
  addsh data:text "$t" "$(printf '%q ' "$G" tokenizer encode --tokenizer "$F/tok")< $(printf %q "$F/$t")"
  addsh data:text "$t" "$(printf '%q ' "$G" tokenizer decode --tokenizer "$F/tok")< $(printf %q "$F/$t")"
done
i=0  # prompts JSONL lines, each its own file
for l in '{not json' '{"prompt": 5}' '{"text": "hi"}' '["hi"]' '"hi"' '{"prompt": ""}' '{"prompt": null}' \
    '{"prompt": "hi"} trailing' '{"prompt": "\ud800"}' $'\xff{"prompt": "hi"}' '{"prompt": "hi", "prompt": "x"}' \
    "{\"prompt\": \"$(printf 'a%.0s' {1..300})\"}" '' '{"prompt": "hi", "max_new_tokens": -1}'; do
  i=$((i + 1)); printf '%s\n' "$l" >"pr_$i.jsonl"
  add data:prompts "pr_$i: ${l:0:40}" "$G" generate --model "$F/wt" --prompts "$F/pr_$i.jsonl" --out o.jsonl --max-new-tokens 4
done
i=0  # task files of the wrong shape: each task reads each bad row
for l in '{not json' '{}' '{"context": "a", "choices": [], "label": 0}' '{"context": "a", "choices": ["b"], "label": 5}' \
    '{"context": "a", "choices": ["b", "c"], "label": "0"}' '{"context": "a", "choices": ["b"], "label": -1}' \
    '{"ctx_a": "a", "ctx_b": "b", "ctx": "a b", "activity_label": "x", "endings": "b", "label": 0}' \
    '{"ctx_a": "a", "ctx_b": "b", "ctx": "a b", "activity_label": "x", "endings": ["b", "c"], "label": 9}' \
    '{"text": ""}' '{"text": "oneword"}' '{"context": "", "continuation": ""}' '{"context": 1, "continuation": [2]}'; do
  i=$((i + 1)); printf '%s\n' "$l" >"tk_$i.jsonl"
  for task in hellaswag lambada multiple_choice loglikelihood; do
    add "data:task:$task" "tk_$i: ${l:0:40}" "$G" eval --model "$F/wt" --task "$task" --data "$F/tk_$i.jsonl"
  done
done
for t in empty.txt binary.bin tx_utf8.txt; do
  add data:task:wikitext "$t" "$G" eval --model "$F/wt" --task wikitext --data "$F/$t"
  add data:sft "$t" "$G" train -c "$F/train.yaml" --set train.init_from="$F/wt" --set data.finetune_train="$F/$t" --set "data.train_shards=[]" --set "data.val_shards=[]"
done
for l in '{"prompt": "a"}' '{"prompt": 1, "completion": 2}' '{not json'; do
  i=$((i + 1)); printf '%s\n' "$l" >"ft_$i.jsonl"
  add data:sft "ft_$i: $l" "$G" train -c "$F/train.yaml" --set train.init_from="$F/wt" --set data.finetune_train="$F/ft_$i.jsonl" --set "data.train_shards=[]" --set "data.val_shards=[]"
done
printf 'one line\n' >short_refs.txt; printf '{"hyp": "a"}\n' >mj_1.jsonl; printf '{"hyp": 1, "ref": [2]}\n' >mj_2.jsonl
add data:metric "refs shorter" "$G" metric --metric bleu --hyps "$F/hyps.txt" --refs "$F/short_refs.txt"
add data:metric "baseline shorter" "$G" metric --metric bleu --hyps "$F/hyps.txt" --refs "$F/refs.txt" --baseline "$F/short_refs.txt"
for m in bleu chrf rouge diversity; do
  for j in mj_1.jsonl mj_2.jsonl; do add data:metric "$m $j" "$G" metric --metric "$m" --jsonl "$F/$j"; done
  for o in no_such=1 tokenize=zz smooth=nan max_n=-1 char_order=0 types=[] lowercase=maybe; do
    add data:metric "$m --option $o" "$G" metric --metric "$m" --hyps "$F/hyps.txt" --refs "$F/refs.txt" --option "$o"
  done
done

# ---------------------------------------------------------------------------------------------
# Run: every k-th case with --sample, JOBS at a time, each in its own directory and time limit.
total=$(wc -l <"$CASES"); step=1
[ -n "${HOSTILE_LIST_ONLY:-}" ] && { echo "$total cases in $CASES"; exit 0; }
[ "$sample" -gt 0 ] && [ "$sample" -lt "$total" ] && step=$(( (total + sample - 1) / sample ))
classify() {  # $1 rc, $2 output file -> category
  if [ "$1" -eq 124 ] || [ "$1" -eq 137 ]; then echo FAIL-hang
  elif [ "$1" -ge 128 ]; then echo FAIL-signal
  elif grep -qE 'internal error|Exception raised from|frame #[0-9]+|terminate called' "$2"; then echo FAIL-internal
  elif [ "$1" -eq 0 ]; then echo OK-accepted
  elif [ "$1" -le 2 ] && [ -s "$2" ]; then echo OK-refused
  else echo FAIL-other-exit; fi
}
run_case() {  # $1 id, $2 group, $3 value class, $4 command
  local d=$W/runs/$1 rc out cat
  mkdir -p "$d/emptydir"; : >"$d/empty.txt"; cp "$F/binary.bin" "$d/"; out=$W/res/$1.out
  (cd "$d" && ulimit -v "$VMEM" && exec timeout -k 5 "$TMO" bash -c "$4") </dev/null >"$out" 2>&1; rc=$?
  cat=$(classify "$rc" "$out"); head -c 4000 "$out" >"$out.t" && mv "$out.t" "$out"
  local note=""  # input files the case changed: a sign of silent acceptance
  [ -s "$d/empty.txt" ] || [ -d "$d/empty.txt" ] && note+="changed empty.txt "
  cmp -s "$d/binary.bin" "$F/binary.bin" || note+="changed binary.bin "
  [ -n "$(ls -A "$d/emptydir" 2>/dev/null)" ] && note+="wrote into emptydir "
  rm -rf "$d"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$cat" "$rc" "$2" "$3" "${4//$F\//fx/}" \
    "$(head -3 "$out" | tr '\t\n\r' '   ' | cut -c1-300)" "$note" >"$W/res/$1.tsv"
}
echo "$total cases generated; running every ${step}th ($(( (total + step - 1) / step ))), $JOBS at a time, ${TMO}s each"
id=0
while IFS=$'\t' read -r g v c; do
  id=$((id + 1)); [ $(((id - 1) % step)) -eq 0 ] || continue
  while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n; done
  run_case "$id" "$g" "$v" "$c" &
done <"$CASES"
wait
{ printf 'id\toutcome\trc\tgroup\tvalue\tcommand\toutput (first 3 lines)\tnote\n'; cat "$W"/res/*.tsv | sort -n; } >"$W/results.tsv"
tail -n +2 "$W/results.tsv" | awk -F'\t' '$2 ~ /^FAIL/ { printf "%s rc=%s [%s] %s\n    %s\n", $2, $3, $4, $6, substr($7, 1, 200) }'
echo; echo "outcome by command group (results: $W/results.tsv)"
table() {  # rows: group, then one count per outcome
  awk -F'\t' -v cats="OK-refused OK-accepted FAIL-signal FAIL-internal FAIL-hang FAIL-other-exit" '
    BEGIN { nc = split(cats, c, " "); printf "%-24s", "group"; for (i = 1; i <= nc; i++) printf " %15s", c[i]; print "" }
    { g = $4; sub(/\/.*/, "", g); n[g, $2]++; t[$2]++; gs[g] }
    END { for (g in gs) { l = sprintf("%-24s", g); for (i = 1; i <= nc; i++) l = l sprintf(" %15d", n[g, c[i]]); print l | "sort" }
          close("sort"); printf "%-24s", "TOTAL"; for (i = 1; i <= nc; i++) printf " %15d", t[c[i]]; print "" }'
}
tail -n +2 "$W/results.tsv" | table
! tail -n +2 "$W/results.tsv" | cut -f2 | grep -q '^FAIL'
