#!/bin/sh
# Report for each weight format on a Tiny Shakespeare Llama (characters): size of model.safetensors and of the
# exported GGUF, held-out perplexity and its change against fp32, and decode tokens/s (hearth eval ppl --latency:
# 32-token prompt, 32 greedy decode steps, RUNS runs), for fp32, int8, Q8_0 and Q4_0.
#
#   bench/quantize-shakespeare.sh MODEL_DIR VAL_TEXT      # an existing model and its held-out text
#   bench/quantize-shakespeare.sh                         # trains one first: hearth data prepare --tokenizer char
#                                                         #   --split tail, hearth train --set model.arch=llama
#                                                         #   (2,000 steps); the val text is the last 10% of the file
# Environment: QS_RUNS (latency runs, default 20), HEARTH_THREADS (default: the cores).
# Needs ../shared/data/tinyshakespeare.txt (or HEARTH_DATA pointing at its folder) when it trains.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
model=${1:-}
text=${2:-}
if [ -z "$model" ]; then
  data=${HEARTH_DATA:-$root/../shared/data}
  [ -f "$data/tinyshakespeare.txt" ] || { echo "no tinyshakespeare.txt in $data" >&2; exit 1; }
  ./hearth data prepare "$data/tinyshakespeare.txt" --home "$work/home" --name shakespeare-char --tokenizer char \
    --split tail > /dev/null 2>&1
  echo "=== training a Llama on Tiny Shakespeare characters (hearth train --set model.arch=llama)"
  ./hearth train --home "$work/home" --data shakespeare-char --set model.arch=llama 2>&1 | grep -E "^(model|finished)"
  model=$(ls -d "$work"/home/runs/*/checkpoints/best)
  bytes=$(wc -c < "$data/tinyshakespeare.txt")
  tail -c $((bytes / 10)) "$data/tinyshakespeare.txt" > "$work/val.txt"
  text=$work/val.txt
fi
ctx=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['max_position_embeddings'])" "$model/config.json")
echo "=== $model on $text (windows of $ctx, stride $((ctx / 2))), decode speed over ${QS_RUNS:-20} runs"
echo "| format | model.safetensors | GGUF | held-out perplexity | change vs fp32 | decode tok/s |"
echo "| --- | --- | --- | --- | --- | --- |"
base=""
for f in fp32 int8 q8_0 q4_0; do
  dir=$model
  if [ "$f" != fp32 ]; then
    dir=$work/$f
    ./hearth quantize --model "$model" --format "$f" --out "$dir" > /dev/null 2>&1
  fi
  gguf="-"
  if [ "$f" != int8 ]; then
    ./hearth export gguf --model "$dir" --out "$work/$f.gguf" > /dev/null 2>&1
    gguf=$(wc -c < "$work/$f.gguf")
  fi
  size=$(wc -c < "$dir/model.safetensors")
  ./hearth eval ppl --model "$dir" --data "$text" --stride $((ctx / 2)) --json --latency "${QS_RUNS:-20}" \
    2> /dev/null > "$work/$f.json"
  line=$(python3 - "$work/$f.json" "$f" "$size" "$gguf" "$base" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
f, size, gguf, base = sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
p = d["perplexity"]
change = "" if not base else "%+.4f (%+.2f%%)" % (p - float(base), 100 * (p / float(base) - 1))
g = gguf if gguf == "-" else "{:,} B".format(int(gguf))
print("| %s | {:,} B | %s | %.4f | %s | %.0f |".format(size) % (f, g, p, change, d["latency"]["decode_tokens_per_second"]))
print("PPL", p)
PY
)
  echo "$line" | grep -v '^PPL'
  [ -z "$base" ] && base=$(echo "$line" | grep '^PPL' | cut -d' ' -f2)
done
printf 'machine: %s, %s cores, HEARTH_THREADS=%s\n' "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')" \
  "$(nproc)" "${HEARTH_THREADS:-all}"
