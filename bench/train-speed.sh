#!/bin/sh
# Training speed of nanoGPT's Tiny Shakespeare CPU recipe (GPT 4 layers x 128, context 64, batch
# 12, character vocabulary): `hearth train` at 1 and 2 compute threads, then PyTorch
# (bench/nanogpt_torch.py, Debian's python3-torch) at 1 and 2 threads when it is installed.
# Reports training tokens/s over the steps after the first 10, as the PyTorch script counts them
# (evaluation excluded).
# usage: bench/train-speed.sh [steps (default 300)]; ROUNDS=N repeats the four runs N times, alternating
# (the machines are noisy: compare figures from one round).
# Needs ../shared/data/tinyshakespeare.txt (or HEARTH_DATA pointing at its folder).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
steps=${1:-300}
data=${HEARTH_DATA:-$root/../shared/data}
[ -f "$data/tinyshakespeare.txt" ] || { echo "no tinyshakespeare.txt in $data" >&2; exit 1; }
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
./hearth data prepare "$data/tinyshakespeare.txt" --home "$home" --name shakespeare-char --tokenizer char \
  --split tail > /dev/null
for round in $(seq "${ROUNDS:-1}"); do
echo "round $round"
for t in 1 2; do
  HEARTH_THREADS=$t ./hearth train --home "$home" --data shakespeare-char --max-steps "$steps" \
    --eval-every 100000 --set warmup_steps=10 > "$home/train-$t.log" 2>&1 || { cat "$home/train-$t.log"; exit 1; }
  run=$(ls -td "$home"/runs/*-train-* | head -n 1)
  tps=$(sed -n 's/.*"step":\([0-9]*\),"loss".*"tokens_per_s":\([0-9.E]*\).*/\1 \2/p' "$run/metrics.jsonl" \
    | awk '$1 > 10 {n++; s += 1 / $2} END {printf "%f", n / s}')
  printf 'hearth  threads %d: %8.0f tokens/s (steps 11..%d)\n' "$t" "$tps" "$steps"
done
if /usr/bin/python3 -c 'import torch' 2> /dev/null; then
  for t in 1 2; do
    /usr/bin/python3 bench/nanogpt_torch.py --data "$data/tinyshakespeare.txt" --threads "$t" --steps "$steps" \
      --eval-every 100000 | grep -i "tokens/s" | sed "s/^/pytorch threads $t: /"
  done
fi
done
if ! /usr/bin/python3 -c 'import torch' 2> /dev/null; then
  echo "PyTorch reference skipped: install python3-torch (apt-get install python3-torch libopenblas0-pthread)"
fi
printf 'machine: %s, %s cores\n' "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')" "$(nproc)"
