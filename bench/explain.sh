#!/bin/sh
# Time of each attribution method of `hearth explain` on this machine, for the three kinds of
# model: the demo's language model (a 25-token prompt), the Adult MLP (8 columns, KernelSHAP
# against 10 k-means centres) and, when MNIST is present, the demo's digits CNN (784 pixels;
# LIME and KernelSHAP on 49 tiles of 4x4). Each command is run twice and the second run's
# per-method times are printed (the first warms the JIT's caches on disk only; each run is a
# fresh JVM, as a user's is).
# usage: bench/explain.sh        (needs ../shared/data/adult.csv; MNIST optional)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
data=${HEARTH_DATA:-$root/../shared/data}
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
./hearth demo --home "$home" --steps 60 --conversations 2000 --no-serve > "$home/demo.log" 2>&1
lm=$(ls -d "$home"/runs/*-demo-*/checkpoints/best)
./hearth train tabular --data "$data/adult.csv" --label salary-class --out "$home/adult" > /dev/null 2>&1
prompt=$(printf '<customer> I want to return my desk lamp. How do I do that?\n<agent>')
for i in 1 2; do
  echo "--- language model, run $i"
  ./hearth explain --model "$lm" --prompt "$prompt" --out "$home/x1" 2>/dev/null
  echo "--- Adult MLP, run $i"
  ./hearth explain --model "$home/adult" --row 3 --out "$home/x2" 2>/dev/null
done
if [ -f "$data/mnist-t10k-images-idx3-ubyte.gz" ]; then
  ./hearth demo digits --home "$home" --epochs 1 --data "$data" > /dev/null 2>&1
  run=$(ls -d "$home"/runs/*digits*)
  for i in 1 2; do
    echo "--- digits CNN, run $i"
    ./hearth explain --model "$run" --mnist-index 9000 --data "$data" --out "$home/x3" 2>/dev/null
  done
fi
printf 'machine: %s, %s cores\n' "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')" "$(nproc)"
