#!/bin/sh
# Heap needed to load the 15M Llama shape (llama2.c's stories15M: vocabulary 32,000, width 288,
# 6 layers, untied head; random weights, context 512) and generate 32 tokens from it, in f32, q8_0
# and q4_0. For each format: the LoadMemory figures under -Xmx512m (weights, heap in use after GC
# once loaded and once generated, sum of the heap pools' peaks), then the smallest -Xmx from a
# ladder of sizes under which the same run completes (default GC; a run that does not fit ends in
# OutOfMemoryError).
#
#   bench/load-memory.sh
#   LOAD_FORMATS="q4_0" LOAD_XMX_STEPS="16 20 24" bench/load-memory.sh
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. tools/find-jdk.sh
./mvnw -q -B -o -Dmaven.test.skip=true -pl bench,cli -am package
classpath="bench/target/benchmarks.jar"
java="$JAVA_HOME/bin/java"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$java" --add-modules jdk.incubator.vector -cp "$classpath" dev.hearth.bench.Stories15mFolder "$work/f32" 2>/dev/null
formats=${LOAD_FORMATS:-f32 q8_0 q4_0}
for f in $formats; do
  if [ "$f" != f32 ]; then
    ./hearth quantize --model "$work/f32" --format "$f" --out "$work/$f" > /dev/null
  fi
done
for f in $formats; do
  echo "=== $f: model.safetensors $(du -k "$work/$f/model.safetensors" | cut -f1) KiB"
  "$java" -Xmx512m --add-modules jdk.incubator.vector -cp "$classpath" dev.hearth.bench.LoadMemory "$work/$f" 32 \
    2>/dev/null
  fits=none
  for mb in ${LOAD_XMX_STEPS:-12 16 20 24 28 32 40 48 56 64 80 96 112 128 144 160 192 256}; do
    if "$java" -Xmx"${mb}"m --add-modules jdk.incubator.vector -cp "$classpath" dev.hearth.bench.LoadMemory \
        "$work/$f" 32 > /dev/null 2>&1; then
      fits=$mb
      break
    fi
  done
  echo "  smallest -Xmx (MB) of the ladder under which it loads and generates: $fits"
done
