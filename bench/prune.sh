#!/bin/sh
# Pruning report: perplexity on the demo's held-out split and single-stream decode tokens/s of the
# demo model, before and after each pruning method of `hearth prune` (docs/pruning.md), and the
# effect of a short fine-tune. Prints the summary lines of each run; every output folder keeps its
# prune.json.
#
#   bench/prune.sh                               # trains the demo model first (./hearth demo --no-serve)
#   PRUNE_HOME=DIR bench/prune.sh                # a workspace where ./hearth demo --no-serve has run
#   PRUNE_STEPS=50 bench/prune.sh                # fine-tune steps for the fine-tune rows (0: none)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. tools/find-jdk.sh
./mvnw -q -B -Dmaven.test.skip=true -pl cli -am package
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
home=${PRUNE_HOME:-}
if [ -z "$home" ]; then
  home="$work/home"
  echo "=== training the demo model (./hearth demo --no-serve --seed 42)"
  ./hearth demo --no-serve --seed 42 --home "$home" > "$work/demo.log" 2>&1 || { cat "$work/demo.log"; exit 1; }
fi
model=$(ls -d "$home"/runs/*/checkpoints/best | head -n 1)
data="$home/datasets/support-demo"
steps=${PRUNE_STEPS:-50}
run() {
  name=$1
  shift
  echo "=== $name"
  ./hearth prune --model "$model" --data "$data" --latency-runs 5 --out "$work/$(echo "$name" | tr -c 'a-z0-9\n' _)" "$@" \
    2>/dev/null | grep -E "^(pruned|sparsity|parameters|weights|perplexity|fine-tune|decode)"
}
run "magnitude 0.5 layer" --method magnitude --sparsity 0.5
run "wanda 0.5 layer" --method wanda --sparsity 0.5 --calibration "$data"
run "magnitude 0.5 global" --method magnitude --sparsity 0.5 --scope global
run "wanda 0.5 global" --method wanda --sparsity 0.5 --scope global --calibration "$data"
run "2:4 magnitude" --method 2:4
run "2:4 wanda" --method 2:4 --score wanda --calibration "$data"
run "heads 0.25" --method heads --sparsity 0.25 --calibration "$data"
run "heads 0.5" --method heads --sparsity 0.5 --calibration "$data"
run "channels 0.25" --method channels --sparsity 0.25 --calibration "$data"
run "channels 0.5" --method channels --sparsity 0.5 --calibration "$data"
if [ "$steps" -gt 0 ]; then
  run "wanda 0.5 + fine-tune" --method wanda --sparsity 0.5 --calibration "$data" --finetune-steps "$steps" --finetune-batch 4
  run "2:4 wanda + fine-tune" --method 2:4 --score wanda --calibration "$data" --finetune-steps "$steps" --finetune-batch 4
  run "heads 0.5 + fine-tune" --method heads --sparsity 0.5 --calibration "$data" --finetune-steps "$steps" --finetune-batch 4
  run "channels 0.5 + fine-tune" --method channels --sparsity 0.5 --calibration "$data" --finetune-steps "$steps" --finetune-batch 4
fi
