#!/bin/sh
# Pruning report (docs/pruning.md): held-out perplexity before and after each method of `hearth prune`, and the
# effect of a short fine-tune.
#
# demo: the demo model. Prints the summary lines of each run. Then decode speed with the original and pruned
# folders taking turns in one process (PrunedGenerationSpeed, best round; threads: HEARTH_THREADS), for the demo
# model and for the 15M Llama shape (stories15M, random weights: speed only), pruned after calibrating on Tiny
# Shakespeare prepared with its tokenizer.
#
#   bench/prune.sh [demo]                        # trains the demo model first (./hearth demo --no-serve)
#   PRUNE_HOME=DIR bench/prune.sh                # a workspace where ./hearth demo --no-serve has run
#   PRUNE_STEPS=30 bench/prune.sh                # fine-tune steps for the fine-tune rows (0: none)
#   PRUNE_EVAL_TOKENS=4096 bench/prune.sh        # held-out tokens scored per perplexity
#
# shakespeare: a Llama trained on Tiny Shakespeare characters (hearth train --set model.arch=llama, the 2,000-step
# recipe: 4 layers x 128, 4 heads, SwiGLU 352, context 64), pruned at 50% and 70% by magnitude and Wanda, each
# ranked per matrix, per output row and (magnitude) globally, 2:4, heads and channels 0.5 with and without a
# fine-tune; each pruned folder is
# scored by `hearth eval ppl` on the whole held-out text (the val split: the last 111,540 characters of
# tinyshakespeare.txt, windows of 64). Needs ../shared/data/tinyshakespeare.txt (or HEARTH_DATA pointing at its
# folder); skips with a message without it.
#
#   bench/prune.sh shakespeare
#   PRUNE_HOME=DIR          keep the workspace (dataset, model, pruned folders, their perplexities) there; what is
#                           in it is reused (a run stopped half-way goes on where it stopped)
#   PRUNE_MODEL=DIR         prune this model instead of training one (a character model of Tiny Shakespeare, e.g.
#                           bench/distill.sh's GPT teacher; GPT-2 models skip the heads and channels rows)
#   PRUNE_TEACHER_STEPS=N   training steps of the model (default 2000)
#   PRUNE_CALIBRATION=N     calibration sequences of 64 characters from the train split (default 512)
#   PRUNE_STEPS=N           fine-tune steps of the fine-tune rows (default 100, batch 8, lr 3e-4; 0: none)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. tools/find-jdk.sh
./mvnw -q -B -Dmaven.test.skip=true -pl bench,cli -am package
classpath="bench/target/benchmarks.jar"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
shakespeare() {
  data=${HEARTH_DATA:-$root/../shared/data}
  if [ ! -f "$data/tinyshakespeare.txt" ]; then
    echo "=== $data/tinyshakespeare.txt is absent: the Tiny Shakespeare pruning rows are skipped"
    return 0
  fi
  home=${PRUNE_HOME:-$work/home}
  mkdir -p "$home/pruned"
  dataset="$home/datasets/shakespeare-char"
  if [ ! -d "$dataset" ]; then
    ./hearth --home "$home" data prepare "$data/tinyshakespeare.txt" --name shakespeare-char --tokenizer char \
      --split tail > "$home/prepare.log" 2>&1 || { cat "$home/prepare.log"; exit 1; }
  fi
  # the val split as text: the last 10% of the characters, which no model trained on
  bytes=$(wc -c < "$data/tinyshakespeare.txt")
  tail -c $((bytes - bytes * 9 / 10)) "$data/tinyshakespeare.txt" > "$home/val.txt"
  model=${PRUNE_MODEL:-}
  if [ -z "$model" ]; then
    if ! ls -d "$home"/runs/*train*/checkpoints/best > /dev/null 2>&1; then
      echo "=== training the model (hearth train --data shakespeare-char --set model.arch=llama --max-steps" \
        "${PRUNE_TEACHER_STEPS:-2000})"
      ./hearth --home "$home" train --data shakespeare-char --set model.arch=llama \
        --max-steps "${PRUNE_TEACHER_STEPS:-2000}" --eval-every 250 > "$home/train.log" 2>&1 \
        || { cat "$home/train.log"; exit 1; }
      grep -E "^(model|finished)" "$home/train.log"
    fi
    model=$(ls -d "$home"/runs/*train*/checkpoints/best | head -n 1)
  fi
  llama=1
  grep -q '"model_type" *: *"gpt2"' "$model/config.json" && llama=0
  calib=${PRUNE_CALIBRATION:-512}
  steps=${PRUNE_STEPS:-100}
  echo "=== $model: calibration $calib sequences of the train split, held-out text $home/val.txt"
  printf '%s: ' "none"
  ./hearth eval ppl --model "$model" --data "$home/val.txt" 2>/dev/null | grep -E "^perplexity"
  row() { # name, prune options
    name=$1
    shift
    out="$home/pruned/$(echo "$name" | tr -c 'a-z0-9\n' _)"
    echo "=== $name: hearth prune $*"
    if [ ! -f "$out/prune.json" ]; then
      rm -rf "$out"
      ./hearth prune --model "$model" --data "$dataset" --eval-tokens 4096 --latency-runs 0 --out "$out" "$@" \
        > "$out.log" 2>&1 || { cat "$out.log"; exit 1; }
    fi
    grep -E "^(sparsity|parameters|perplexity|fine-tune)" "$out.log"
    if [ ! -s "$out.ppl" ]; then
      ./hearth eval ppl --model "$out" --data "$home/val.txt" 2>/dev/null | grep -E "^perplexity" > "$out.ppl"
    fi
    sed 's/^perplexity: */held-out (hearth eval ppl): /' "$out.ppl"
  }
  wanda="--calibration $dataset --calibration-sequences $calib"
  for s in 0.5 0.7; do
    row "magnitude $s layer" --method magnitude --sparsity $s
    row "magnitude $s row" --method magnitude --sparsity $s --scope row
    row "magnitude $s global" --method magnitude --sparsity $s --scope global
    row "wanda $s row" --method wanda --sparsity $s $wanda
    row "wanda $s layer" --method wanda --sparsity $s --scope layer $wanda
  done
  row "2:4 magnitude" --method 2:4
  row "2:4 wanda" --method 2:4 --score wanda $wanda
  if [ "$llama" = 1 ]; then
    row "heads 0.5" --method heads --sparsity 0.5 $wanda
    row "channels 0.5" --method channels --sparsity 0.5 $wanda
  fi
  if [ "$steps" -gt 0 ]; then
    # the control: the same fine-tune of the unpruned model (it was still improving when its training stopped)
    row "none + fine-tune" --method magnitude --sparsity 0 --finetune-steps "$steps"
    row "magnitude 0.7 layer + fine-tune" --method magnitude --sparsity 0.7 --finetune-steps "$steps"
    row "wanda 0.7 row + fine-tune" --method wanda --sparsity 0.7 $wanda --finetune-steps "$steps"
    if [ "$llama" = 1 ]; then
      row "heads 0.5 + fine-tune" --method heads --sparsity 0.5 $wanda --finetune-steps "$steps"
      row "channels 0.5 + fine-tune" --method channels --sparsity 0.5 $wanda --finetune-steps "$steps"
    fi
  fi
}
which=${1:-demo}
case "$which" in
  demo) ;;
  shakespeare)
    shakespeare
    exit 0
    ;;
  *)
    echo "usage: bench/prune.sh [demo|shakespeare]" >&2
    exit 2
    ;;
esac
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
