#!/bin/sh
# Distillation report (docs/distillation.md): a teacher; a student of about a quarter of its parameters
# trained on the labels only (hearth distill --alpha 0: the teacher is not consulted); the same student
# distilled from the teacher (--alpha 0.5 --temperature 2), with the same steps, seed and batches; then the
# held-out perplexity of each and its single-stream decode speed (hearth eval ppl --latency 5).
#
#   bench/distill.sh demo            # the demo corpus; trains the teacher first (./hearth demo --no-serve --seed 42)
#   bench/distill.sh shakespeare     # Tiny Shakespeare characters; trains a GPT teacher first (nanoGPT's recipe,
#                                    # DISTILL_TEACHER_STEPS steps, default 600)
#   DISTILL_HOME=DIR                 # keep the workspace (teacher, runs, students) there instead of a temporary one;
#                                    # a teacher already in it is reused
#   DISTILL_STEPS=N                  # student steps (default: the demo's 400; 600 for Tiny Shakespeare)
#   DISTILL_INIT=1                   # also a distilled student started from the teacher's layers (shakespeare:
#                                    # same width, 1 of 4 blocks)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. tools/find-jdk.sh
./mvnw -q -B -Dmaven.test.skip=true -pl bench,cli -am package
home=${DISTILL_HOME:-}
if [ -z "$home" ]; then
  home=$(mktemp -d)
  trap 'rm -rf "$home"' EXIT
fi
mkdir -p "$home/students"
which=${1:-demo}
case "$which" in
  demo)
    if ! ls -d "$home"/runs/*demo*/checkpoints/best > /dev/null 2>&1; then
      echo "=== training the teacher (./hearth demo --no-serve --seed 42)"
      ./hearth --home "$home" demo --no-serve --seed 42 > "$home/demo.log" 2>&1 || { cat "$home/demo.log"; exit 1; }
    fi
    teacher=$(ls -d "$home"/runs/*demo*/checkpoints/best | head -n 1)
    steps=${DISTILL_STEPS:-400}
    # 3 blocks of width 64 (4 heads, 2 key/value heads): a quarter of the teacher's 4 blocks of width 128
    set -- --data support-demo --student-layers 3 --student-dim 64 --max-steps "$steps" --batch-size 16 --lr 2e-3 \
      --eval-every 50 --seed 42 --set min_lr=2e-4 --set warmup_steps=30 --set eval_batches=8
    head -n 20 "$home/corpora/support-conversations.jsonl" > "$home/latency.jsonl"
    latency="$home/latency.jsonl"
    ;;
  shakespeare)
    if [ ! -d "$home/datasets/shakespeare-char" ]; then
      ./hearth --home "$home" data prepare ../shared/data/tinyshakespeare.txt --name shakespeare-char --tokenizer char \
        --split tail > /dev/null
    fi
    if ! ls -d "$home"/runs/*train*/checkpoints/best > /dev/null 2>&1; then
      echo "=== training the teacher (hearth train --data shakespeare-char --max-steps ${DISTILL_TEACHER_STEPS:-600})"
      ./hearth --home "$home" train --data shakespeare-char --max-steps "${DISTILL_TEACHER_STEPS:-600}" \
        --eval-every 200 > "$home/teacher.log" 2>&1 || { cat "$home/teacher.log"; exit 1; }
    fi
    teacher=$(ls -d "$home"/runs/*train*/checkpoints/best | head -n 1)
    steps=${DISTILL_STEPS:-600}
    # 1 block of width 128: a quarter of the teacher's 4 blocks (0.21M of 0.80M parameters)
    set -- --data shakespeare-char --student-layers 1 --max-steps "$steps" --eval-every 200
    # the val split: the last 10% of the characters, which no model trained on
    tail -c 111540 ../shared/data/tinyshakespeare.txt > "$home/val.txt"
    latency="$home/val.txt"
    ;;
  *)
    echo "usage: bench/distill.sh demo|shakespeare" >&2
    exit 2
    ;;
esac
students=""
run() { # name, extra distill options
  name=$1
  shift
  if [ ! -f "$home/students/$name/config.json" ]; then
    echo "=== $name: hearth distill $*"
    ./hearth --home "$home" distill --teacher "$teacher" "$@" --out "$home/students/$name" > "$home/$name.log" 2>&1 \
      || { cat "$home/$name.log"; exit 1; }
    grep -E "^(student|teacher|loss|init):|after" "$home/$name.log"
  fi
  students="$students $home/students/$name"
}
run "$which-labels-only" "$@" --alpha 0
run "$which-distilled" "$@" --alpha 0.5 --temperature 2
if [ "${DISTILL_INIT:-0}" = 1 ]; then
  run "$which-distilled-init" "$@" --alpha 0.5 --temperature 2 --init-from-teacher
fi
echo "=== held-out perplexity"
if [ "$which" = demo ]; then
  echo "(teacher = best)"
  "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar \
    dev.hearth.bench.QuantizedPerplexity 42 "$teacher" $students 2>/dev/null
else
  for m in "$teacher" $students; do
    printf '%s: ' "$m"
    ./hearth eval ppl --model "$m" --data "$home/val.txt" 2>/dev/null | grep -E "perplexity"
  done
fi
echo "=== decode speed (hearth eval ppl --latency 5: 64-token prefill, then 64 decode steps, 5 runs)"
for round in 1 2; do
  for m in "$teacher" $students; do
    printf 'round %s, %s: ' "$round" "$m"
    ./hearth eval ppl --model "$m" --data "$latency" --latency 5 2>/dev/null | grep -E "^decode"
  done
done
