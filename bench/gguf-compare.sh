#!/bin/sh
# Hearth next to llama.cpp on the same weights, exported with `hearth export gguf`:
#  1. (when a trained Llama folder is given) greedy generation of one prompt in Hearth and in llama.cpp's
#     llama-simple, f32 and Q8_0 (GGUF_GREEDY_FORMATS, e.g. "f32 q8_0 q4_0 q4_k"; each quantized folder made by
#     `hearth quantize`, exported from its blocks), printed one above the other and compared;
#  2. decode speed of the 15M Llama shape (Stories15mFolder, random weights) in f32, Q8_0 and Q4_0 (GGUF_FORMATS;
#     add q4_k with GGUF_WIDTH=256: at stories15M's width 288 only ffn_down fits Q4_K's super-blocks of 256):
#     llama-bench -p 0 -n 128 (its best repetition) and Hearth's decode of 128 tokens after a 1-token prompt
#     (QuantizedGenerationSpeed, best of 10 rounds: C2 compiles the Vector API kernels for the first few
#     seconds, and it is the steady state that is compared), at 1 and 2 threads, taking turns, best of
#     GGUF_ROUNDS sittings.
#
#   bench/gguf-compare.sh /path/to/llama.cpp/build/bin [MODEL_DIR]
#   GGUF_SPEED=0 bench/gguf-compare.sh BIN MODEL               # generation only
#   GGUF_ROUNDS=3 GGUF_THREADS="1 2" bench/gguf-compare.sh BIN  # speed only
#   GGUF_WIDTH=256 GGUF_FORMATS="f32 q8_0 q4_0 q4_k" bench/gguf-compare.sh BIN   # the shape at width 256, with Q4_K
# Environment: GGUF_PROMPT (default "ROMEO:"), GGUF_TOKENS (new tokens, default 48).
# llama.cpp is not part of Hearth: build it yourself (cmake -DGGML_NATIVE=ON -DCMAKE_BUILD_TYPE=Release, targets
# llama-simple llama-bench). Without it this script says so and stops.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bin=${1:-}
if [ -z "$bin" ] || [ ! -x "$bin/llama-bench" ] || [ ! -x "$bin/llama-simple" ]; then
  echo "skipped: give the folder holding llama.cpp's llama-simple and llama-bench" \
    "(e.g. bench/gguf-compare.sh ~/llama.cpp/build/bin)"
  exit 0
fi
model=${2:-}
. tools/find-jdk.sh
./mvnw -q -B -o -Dmaven.test.skip=true -pl bench,cli -am package
java="$JAVA_HOME/bin/java --add-modules jdk.incubator.vector"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prompt=${GGUF_PROMPT:-ROMEO:}
n=${GGUF_TOKENS:-48}

if [ -n "$model" ]; then
  for t in ${GGUF_GREEDY_FORMATS:-f32 q8_0}; do
    dir=$model
    if [ "$t" != f32 ]; then
      ./hearth quantize --model "$model" --format "$t" --out "$work/$t" > /dev/null
      dir=$work/$t
    fi
    ./hearth export gguf --model "$dir" --out "$work/$t.gguf" 2> /dev/null | head -1
    ./hearth generate --model "$dir" --prompt "$prompt" --temperature 0 --max-tokens "$n" 2> /dev/null \
      > "$work/hearth-$t.txt"
    "$bin/llama-simple" -m "$work/$t.gguf" -n "$n" "$prompt" 2> /dev/null > "$work/llama-$t.txt"
    echo "=== greedy, $t, prompt \"$prompt\", $n new tokens"
    printf 'hearth:    %s' "$prompt"; cat "$work/hearth-$t.txt"; echo
    printf 'llama.cpp: '; cat "$work/llama-$t.txt"
    # llama-simple echoes the prompt and may print one token fewer: compare the common length
    python3 - "$work/hearth-$t.txt" "$work/llama-$t.txt" "$prompt" <<'PY'
import sys
h = sys.argv[3] + open(sys.argv[1], encoding="utf-8").read().rstrip("\n")
l = open(sys.argv[2], encoding="utf-8").read().rstrip("\n")
k = min(len(h), len(l))
same = h[:k] == l[:k]
first = next((i for i in range(k) if h[i] != l[i]), k)
print(f"{'SAME' if same else 'DIFFERENT'}: {k - len(sys.argv[3])} generated characters compared"
      + ("" if same else f", first difference at character {first - len(sys.argv[3])}"))
PY
  done
fi

if [ "${GGUF_SPEED:-1}" = 1 ]; then
  width=${GGUF_WIDTH:-288}
  formats=${GGUF_FORMATS:-f32 q8_0 q4_0}
  $java -cp bench/target/benchmarks.jar dev.hearth.bench.Stories15mFolder "$work/s15m" "$width" > /dev/null
  for t in $formats; do
    ./hearth export gguf --model "$work/s15m" --out "$work/s15m-$t.gguf" --type "$t" > /dev/null 2>&1
  done
  echo "=== decode tokens/s, 15M Llama shape (width $width, random weights), 128 new tokens; best of ${GGUF_ROUNDS:-3} sittings"
  for r in $(seq "${GGUF_ROUNDS:-3}"); do
    for th in ${GGUF_THREADS:-1 2}; do
      for t in $formats; do
        "$bin/llama-bench" -m "$work/s15m-$t.gguf" -p 0 -n 128 -t "$th" -r 3 -o json 2> /dev/null \
          | python3 -c "import json,sys; d=json.load(sys.stdin)[0]; print('llama.cpp $t t=$th', max(d['samples_ts']))"
      done
      HEARTH_THREADS="$th" $java -Xmx700m -cp bench/target/benchmarks.jar dev.hearth.bench.QuantizedGenerationSpeed \
        1 128 10 256 "$(echo $formats | tr ' ' ,)" "$width" 2> /dev/null | awk -v th="$th" '/decode/ {print "hearth", $1, "t=" th, $6}'
    done
  done > "$work/speed.txt"
  python3 - "$work/speed.txt" $formats <<'PY'
import sys, collections
best = collections.defaultdict(float)
for line in open(sys.argv[1]):
    who, fmt, th, v = line.split()
    best[(fmt, th, who)] = max(best[(fmt, th, who)], float(v))
print("| format | threads | llama.cpp tok/s | Hearth tok/s | Hearth / llama.cpp |")
print("| --- | --- | --- | --- | --- |")
for fmt in sys.argv[2:]:
    for th in sorted({k[1] for k in best}):
        l, h = best.get((fmt, th, "llama.cpp"), 0), best.get((fmt, th, "hearth"), 0)
        if l and h:
            print(f"| {fmt} | {th[2:]} | {l:.1f} | {h:.1f} | {h / l:.2f}x |")
PY
fi
printf 'machine: %s, %s cores\n' "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')" "$(nproc)"
