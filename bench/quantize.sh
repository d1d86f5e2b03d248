#!/bin/sh
# Quantization report: file size and held-out perplexity of the demo model in fp32, int8, Q8_0 and
# Q4_0, then single-stream decode speed of the 15M Llama shape (llama2.c's stories15M, random
# weights) in each format on 1 and 2 threads (HEARTH_THREADS), the formats taking turns in one process
# (QuantizedGenerationSpeed: on a shared machine their ratios hold better than separate runs), best of 5
# rounds; then each format's weights, heap in use after GC and peak RSS.
#
#   bench/quantize.sh                      # trains the demo model first (./hearth demo --no-serve)
#   QUANT_MODEL=DIR QUANT_SEED=42 bench/quantize.sh   # an existing demo model folder and its --seed
#   QUANT_SPEED=0 bench/quantize.sh        # sizes and perplexity only
#   QUANT_THREADS="1 2" QUANT_FORMATS="f32,q8_0,q4_0,int8" bench/quantize.sh
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. tools/find-jdk.sh
./mvnw -q -B -Dmaven.test.skip=true -pl bench,cli -am package
classpath="bench/target/benchmarks.jar"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
seed=${QUANT_SEED:-42}
model=${QUANT_MODEL:-}
if [ -z "$model" ]; then
  echo "=== training the demo model (./hearth demo --no-serve --seed $seed)"
  ./hearth demo --no-serve --seed "$seed" --home "$work/home" > "$work/demo.log" 2>&1 || { cat "$work/demo.log"; exit 1; }
  model=$(ls -d "$work"/home/runs/*/checkpoints/best)
fi
for f in int8 q8_0 q4_0; do
  ./hearth quantize --model "$model" --format "$f" --out "$work/$f" | grep -E "quantized|kept|weights"
done
echo "=== held-out perplexity (the demo's 400 new conversations, seed $seed + 7919)"
"$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -cp "$classpath" dev.hearth.bench.QuantizedPerplexity \
  "$seed" "$model" "$work/int8" "$work/q8_0" "$work/q4_0" 2>/dev/null
if [ "${QUANT_SPEED:-1}" = 1 ]; then
  for t in ${QUANT_THREADS:-1 2}; do
    echo "=== decode and prefill, 15M Llama shape, $t thread(s), formats taking turns"
    HEARTH_THREADS="$t" "$JAVA_HOME/bin/java" -Xmx700m --add-modules jdk.incubator.vector -cp "$classpath" \
      dev.hearth.bench.QuantizedGenerationSpeed 128 256 5 256 "${QUANT_FORMATS:-f32,q8_0,q4_0,int8}" 2>/dev/null
  done
  for f in $(echo "${QUANT_FORMATS:-f32,q8_0,q4_0,int8}" | tr , ' '); do
    echo "=== memory, $f (one process per format, -Xmx200m)"
    HEARTH_THREADS=2 "$JAVA_HOME/bin/java" -Xmx200m --add-modules jdk.incubator.vector -cp "$classpath" \
      dev.hearth.bench.GenerationSpeed 128 256 1 256 "$f" 2>/dev/null | grep -E "memory"
  done
fi
