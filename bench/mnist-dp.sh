#!/bin/sh
# Accuracy against epsilon for the MNIST conv net trained with DP-SGD (`./hearth demo digits --dp-epsilon`),
# next to the same net and recipe trained without privacy. One markdown row per run.
# Needs ../shared/data (or HEARTH_DATA) with the MNIST t10k files: 8,000 images train, 2,000 test.
# usage: bench/mnist-dp.sh [epsilons...]          (default: 1 2 3 8)
#   DP_OPTS   the recipe, default "--epochs 10 --batch 256 --lr 3e-3 --dp-clip 1.0"
#   DP_DELTA  default 1e-5
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
./hearth --version > /dev/null   # builds on first use, outside the timing
opts=${DP_OPTS:-"--epochs 10 --batch 256 --lr 3e-3 --dp-clip 1.0"}
delta=${DP_DELTA:-1e-5}
[ $# -eq 0 ] && set -- 1 2 3 8
echo "recipe: $opts, delta $delta; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(nproc) threads"
echo "| epsilon | noise multiplier | steps | test accuracy | clipped | wall | CPU |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
one() {
  log="$home/run.log"
  # shellcheck disable=SC2086
  /usr/bin/time -f "%e %U %S" -o "$home/time" ./hearth demo digits --home "$home" $opts "$@" > "$log" 2>&1 \
    || { cat "$log"; exit 1; }
  grep -q "MNIST from" "$log" || { echo "MNIST not found: this measured synthetic digits, not MNIST" >&2; }
  read -r wall user sys < "$home/time"
  acc=$(sed -n 's/^done: *test accuracy \([0-9.]*%\).*/\1/p' "$log")
  sigma=$(sed -n 's/^privacy: DP-SGD, noise multiplier \([0-9.]*\).*/\1/p' "$log")
  steps=$(sed -n 's/.* \([0-9,]*\) steps; delta.*/\1/p' "$log")
  eps=$(sed -n 's/^privacy: (epsilon \([0-9.]*\),.*/\1/p' "$log")
  clipped=$(sed -n 's/.*; \([0-9]*%\) of per-example gradients were clipped/\1/p' "$log")
  printf '| %s | %s | %s | %s | %s | %.0f s | %.0f s |\n' "${eps:-none (not private)}" "${sigma:--}" "${steps:--}" \
    "$acc" "${clipped:--}" "$wall" "$(echo "$user + $sys" | bc)"
}
for e in "$@"; do
  one --dp-epsilon "$e" --dp-delta "$delta"
done
one
