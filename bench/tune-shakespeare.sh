#!/bin/sh
# Does TPE find a better Tiny Shakespeare config than random search within the same budget?
# Runs `hearth tune` over bench/tune-shakespeare.yaml (a small char-level GPT, 100 steps a trial,
# context 32, 4 heads) once per sampler and seed, each study TRIALS trials, one trial at a time on
# one thread, two studies side by side; prints each study's best val loss and the seconds its trials
# took, then the mean and the sample standard deviation of the best value per sampler. Studies
# already in the workspace (TUNE_BENCH_HOME) are not run again.
# usage: bench/tune-shakespeare.sh [TRIALS [SEEDS [SAMPLERS]]]   (defaults: 25, "1 2 3 4", "random tpe")
# Needs ../shared/data/tinyshakespeare.txt (or HEARTH_DATA pointing at its folder). HEARTH_CMD may name
# another launcher (e.g. a wrapper around a copy of hearth.jar, so editing sources mid-run cannot rebuild it).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
trials=${1:-25}
seeds=${2:-1 2 3 4}
samplers=${3:-random tpe}
data=${HEARTH_DATA:-$root/../shared/data}
[ -f "$data/tinyshakespeare.txt" ] || { echo "no tinyshakespeare.txt in $data" >&2; exit 1; }
hearth=${HEARTH_CMD:-./hearth}
home=${TUNE_BENCH_HOME:-$(mktemp -d)}
mkdir -p "$home"
[ -d "$home/datasets/shakespeare-char" ] || $hearth data prepare "$data/tinyshakespeare.txt" --home "$home" \
  --name shakespeare-char --tokenizer char --split tail > /dev/null
study() { # sampler seed
  HEARTH_THREADS=1 $hearth tune --home "$home" --space bench/tune-shakespeare.yaml --data shakespeare-char \
    --sampler "$1" --seed "$2" --trials "$trials" --name "$1-$2" \
    --set max_steps=100 --set eval_every=50 --set eval_batches=8 --set model.context=32 --set model.heads=4 \
    --set seed=1337 > "$home/$1-$2.log" 2>&1 || { cat "$home/$1-$2.log" >&2; return 1; }
}
start=$(date +%s)
pids=""
for seed in $seeds; do
  for s in $samplers; do
    [ -f "$home/studies/$s-$seed/study.json" ] && continue
    study "$s" "$seed" &
    pids="$pids $!"
    # two studies at a time: one per core
    if [ "$(echo $pids | wc -w)" -ge 2 ]; then wait $pids; pids=""; fi
  done
done
[ -z "$pids" ] || wait $pids
for s in $samplers; do
  for seed in $seeds; do
    f="$home/studies/$s-$seed/study.json"
    best=$(sed -n '/"best" : {/,/"params"/p' "$f" | grep -o '"value" : [0-9.]*' | awk '{print $3}')
    secs=$(grep -o '"seconds" : [0-9.]*' "$f" | awk '{s+=$3} END {printf "%.0f", s}')
    echo "$s seed $seed best $best trial-seconds $secs"
  done
done | tee "$home/summary.txt"
awk '{v[$1]=v[$1]" "$5} END {for (s in v) {n=split(v[s],a," "); m=0; for(i=1;i<=n;i++) m+=a[i]; m/=n; q=0;
  for(i=1;i<=n;i++) q+=(a[i]-m)^2; sd=(n>1)?sqrt(q/(n-1)):0; printf "%-7s best val loss %.4f ± %.4f (mean ± sd over %d seeds)\n", s, m, sd, n}}' \
  "$home/summary.txt"
printf 'wall %d s; machine: %s, %s cores; workspace %s\n' $(( $(date +%s) - start )) \
  "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')" "$(nproc)" "$home"
