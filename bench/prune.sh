#!/bin/sh
# Pruning report: perplexity on the demo's held-out split and single-stream decode tokens/s of the
# demo model, before and after each pruning method of `hearth prune` (docs/pruning.md), and the
# effect of a short fine-tune. Prints the summary lines of each run. Then decode speed with the
# original and pruned folders taking turns in one process (PrunedGenerationSpeed, best round;
# threads: HEARTH_THREADS), for the demo model and for the 15M Llama shape (stories15M, random
# weights: speed only), pruned after calibrating on Tiny Shakespeare prepared with its tokenizer.
#
#   bench/prune.sh                               # trains the demo model first (./hearth demo --no-serve)
#   PRUNE_HOME=DIR bench/prune.sh                # a workspace where ./hearth demo --no-serve has run
#   PRUNE_STEPS=30 bench/prune.sh                # fine-tune steps for the fine-tune rows (0: none)
#   PRUNE_EVAL_TOKENS=4096 bench/prune.sh        # held-out tokens scored per perplexity
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. tools/find-jdk.sh
./mvnw -q -B -Dmaven.test.skip=true -pl bench,cli -am package
classpath="bench/target/benchmarks.jar"
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
steps=${PRUNE_STEPS:-30}
evaltokens=${PRUNE_EVAL_TOKENS:-4096}
run() {
  name=$1
  shift
  echo "=== $name"
  ./hearth prune --model "$model" --data "$data" --eval-tokens "$evaltokens" --latency-runs 3 --out "$work/$(echo "$name" | tr -c 'a-z0-9\n' _)" "$@" \
    2>/dev/null | grep -E "^(pruned|sparsity|parameters|weights|perplexity|fine-tune|decode)"
}
run "magnitude 0.5 layer" --method magnitude --sparsity 0.5
run "wanda 0.5 layer" --method wanda --sparsity 0.5 --calibration "$data"
run "magnitude 0.7 layer" --method magnitude --sparsity 0.7
run "wanda 0.7 layer" --method wanda --sparsity 0.7 --calibration "$data"
run "magnitude 0.5 global" --method magnitude --sparsity 0.5 --scope global
run "2:4 magnitude" --method 2:4
run "2:4 wanda" --method 2:4 --score wanda --calibration "$data"
run "heads 0.5" --method heads --sparsity 0.5 --calibration "$data"
run "channels 0.25" --method channels --sparsity 0.25 --calibration "$data"
run "channels 0.5" --method channels --sparsity 0.5 --calibration "$data"
if [ "$steps" -gt 0 ]; then
  run "wanda 0.5 + fine-tune" --method wanda --sparsity 0.5 --calibration "$data" --finetune-steps "$steps" --finetune-batch 4
  run "heads 0.5 + fine-tune" --method heads --sparsity 0.5 --calibration "$data" --finetune-steps "$steps" --finetune-batch 4
  run "channels 0.5 + fine-tune" --method channels --sparsity 0.5 --calibration "$data" --finetune-steps "$steps" --finetune-batch 4
fi
echo "=== decode speed, demo model: original, wanda 0.5, heads 0.5, channels 0.5 (taking turns, best of 7)"
"$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -cp "$classpath" dev.hearth.bench.PrunedGenerationSpeed 7 64 \
  "$model" "$work/wanda_0_5_layer" "$work/heads_0_5" "$work/channels_0_5" 2>/dev/null
shakespeare="$root/../shared/data/tinyshakespeare.txt"
if [ -f "$shakespeare" ]; then
  echo "=== decode speed, 15M Llama shape (random weights): original, heads 0.5, channels 0.5 (best of 5)"
  "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -cp "$classpath" dev.hearth.bench.Stories15mFolder "$work/s15" >/dev/null
  head -c 300000 "$shakespeare" > "$work/ts.txt"
  ./hearth data prepare "$work/ts.txt" --tokenizer "$work/s15/tokenizer.json" --out "$work/ts-s15" >/dev/null
  for m in heads channels; do
    ./hearth prune --model "$work/s15" --method "$m" --sparsity 0.5 --calibration "$work/ts-s15" \
      --calibration-sequences 2 --latency-runs 0 --out "$work/s15-$m" 2>/dev/null | grep -E "^parameters"
  done
  "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -cp "$classpath" dev.hearth.bench.PrunedGenerationSpeed 5 64 \
    "$work/s15" "$work/s15-heads" "$work/s15-channels" 2>/dev/null
else
  echo "=== $shakespeare is absent: the 15M-shape speed rows are skipped"
fi
