#!/bin/sh
# Checks hearth plan against a real run: plans the demo's model (llama, 4 layers, width 128, 4 heads,
# 2 KV heads, context 128, batch 16, vocabulary 1,024) for STEPS steps on this machine, then runs
# that training (./hearth demo --no-serve --steps STEPS) and prints predicted and measured times.
# usage: bench/plan-check.sh [STEPS=400]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
steps=${1:-400}
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
./hearth plan --set model.arch=llama --set model.layers=4 --set model.heads=4 --set model.kv_heads=2 \
  --set model.dim=128 --set model.context=128 --set batch_size=16 --vocab 1024 --tokens $((steps * 2048)) \
  2>/dev/null | tee "$home/plan.txt"
predicted=$(sed -n 's/^  time *\([0-9.]*\) \([a-z]*\).*/\1 \2/p' "$home/plan.txt")
./hearth --home "$home" demo --no-serve --steps "$steps" 2>/dev/null | tee "$home/demo.txt" | grep -E "^   (finished|early-stopped) after"
measured=$(sed -n 's/.* after [0-9]* steps in \([0-9.]*\) s.*/\1/p' "$home/demo.txt")
echo "predicted: $predicted; measured: $measured s (training only, evaluations included)"
