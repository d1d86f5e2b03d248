#!/bin/sh
# Trains the MNIST conv net the way `./hearth demo digits` does and reports test accuracy, wall time and
# CPU time (user + system). Target (engine issue): >= 97% test accuracy in < 3 minutes of CPU on
# 2 cores. Needs ../shared/data (or HEARTH_DATA) with the MNIST t10k files.
# usage: bench/mnist-cnn.sh [extra demo options, e.g. --epochs 3 --seed 7]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
./hearth --version > /dev/null   # builds on first use, outside the timing
log="$home/demo.log"
if [ -x /usr/bin/time ]; then
  /usr/bin/time -f "%e %U %S" -o "$home/time" ./hearth demo digits --home "$home" "$@" > "$log" 2>&1 || { cat "$log"; exit 1; }
  read -r wall user sys < "$home/time"
else
  start=$(date +%s.%N)
  ./hearth demo digits --home "$home" "$@" > "$log" 2>&1 || { cat "$log"; exit 1; }
  wall=$(echo "$(date +%s.%N) - $start" | bc); user=NA; sys=NA
fi
grep -q "MNIST from" "$log" || { echo "MNIST not found: this measured synthetic digits, not MNIST" >&2; }
grep -E "^(data|model|compute|epoch|done)" "$log"
result=$(find "$home/runs" -name result.json | head -n 1)
acc=$(sed -n 's/.*"test_accuracy" *: *\([0-9.]*\).*/\1/p' "$result")
cpu=$(echo "$user + $sys" | bc 2>/dev/null || echo NA)
echo "----"
printf 'test accuracy %s, wall %s s, CPU %s s (user %s + system %s), threads %s, %s\n' \
  "$acc" "$wall" "$cpu" "$user" "$sys" "${HEARTH_THREADS:-$(nproc)}" "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
