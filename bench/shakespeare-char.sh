#!/bin/sh
# Quality of nanoGPT's Tiny Shakespeare CPU recipe trained by `hearth train` (defaults: GPT 4
# layers x 128, no biases, context 64, batch 12, 2,000 steps, character vocabulary, last 10% of
# the text as val). nanoGPT's README reports val loss ~1.88 for this run. Prints the evaluations,
# the best val loss, peak memory (RSS) of the training process and a sample from the best model.
# usage: bench/shakespeare-char.sh [extra train options, e.g. --seed 7 --set model.arch=llama]
# Needs ../shared/data/tinyshakespeare.txt (or HEARTH_DATA pointing at its folder).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
data=${HEARTH_DATA:-$root/../shared/data}
[ -f "$data/tinyshakespeare.txt" ] || { echo "no tinyshakespeare.txt in $data" >&2; exit 1; }
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
./hearth data prepare "$data/tinyshakespeare.txt" --home "$home" --name shakespeare-char --tokenizer char \
  --split tail > /dev/null
/usr/bin/time -f "%e %M" -o "$home/time" ./hearth train --home "$home" --data shakespeare-char "$@" \
  > "$home/train.log" 2>&1 || { cat "$home/train.log"; exit 1; }
grep -E "^(model|step [0-9]+:|finished|early)" "$home/train.log"
read -r wall rss_kb < "$home/time"
printf 'wall %s s, peak RSS %d MB, threads %s\n' "$wall" $((rss_kb / 1024)) "${HEARTH_THREADS:-$(nproc)}"
best=$(ls -d "$home"/runs/*/checkpoints/best)
echo "--- sample (best checkpoint, seed 1, temperature 0.8, 300 characters):"
./hearth generate --model "$best" --prompt "ROMEO:" --max-tokens 300 --seed 1 --temperature 0.8 --context-shift 2> /dev/null
echo
printf 'machine: %s, %s cores\n' "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')" "$(nproc)"
