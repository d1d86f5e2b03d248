#!/bin/sh
# Generation speed of the 15M-parameter Llama shape (llama2.c's stories15M: vocabulary 32,000,
# width 288, 6 layers, 6 heads, context 256, untied head) with random weights: a 128-token prompt,
# greedy, one stream, float32; prefill and decode tokens/s, weights' size and peak RSS, on 1 and 2
# threads (HEARTH_THREADS). The first run is the shape as it is (context 256: 128 new tokens fit);
# the second gives it a context of 384 so that 256 new tokens fit.
#
#   bench/generate.sh                 # threads 1 and 2
#   GEN_THREADS="1 2 4" bench/generate.sh
#   GEN_HEAP=200m bench/generate.sh   # the heap (default 200m: twice the weights plus the KV cache)
#   GEN_PROFILE=1 bench/generate.sh   # also a JFR recording of a decode-heavy run, summarised
#   HEARTH_BENCH_CP=/path/classes bench/generate.sh   # use these classes, skip the Maven build
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. tools/find-jdk.sh
if [ -n "${HEARTH_BENCH_CP:-}" ]; then
  classpath="$HEARTH_BENCH_CP"
else
  ./mvnw -q -B -Dmaven.test.skip=true -pl bench -am package
  classpath="bench/target/benchmarks.jar"
fi
heap="${GEN_HEAP:-200m}"
run() { # threads, then GenerationSpeed's arguments
  t=$1; shift
  HEARTH_THREADS="$t" "$JAVA_HOME/bin/java" -Xmx"$heap" --add-modules jdk.incubator.vector -cp "$classpath" \
    dev.hearth.bench.GenerationSpeed "$@" 2>/dev/null
}
for t in ${GEN_THREADS:-1 2}; do
  echo "=== $t thread(s), context 256 (128-token prompt, 128 new tokens fit)"
  run "$t" 128 256 5 256
  echo "=== $t thread(s), context 384 (128-token prompt, 256 new tokens)"
  run "$t" 128 256 5 384 | grep -E 'best|new tokens|memory'
done
if [ "${GEN_PROFILE:-0}" = 1 ]; then
  jfr="$(mktemp -d)/decode.jfr"
  echo "=== profile: 1 thread, 2-token prompt, 254 new tokens x 20 rounds (decode-bound), JFR in $jfr"
  HEARTH_THREADS=1 "$JAVA_HOME/bin/java" -Xmx"$heap" --add-modules jdk.incubator.vector \
    -XX:StartFlightRecording=filename="$jfr",settings=profile -cp "$classpath" \
    dev.hearth.bench.GenerationSpeed 2 254 20 256 2>/dev/null | grep best
  # leaf methods of the execution samples, as shares; samples inside the model's initialisation are left out
  "$JAVA_HOME/bin/jfr" print --stack-depth 64 --events jdk.ExecutionSample "$jfr" | awk '
    function flush() { if (leaf != "" && !skip) { n[leaf]++; total++ } leaf = ""; skip = 0; want = 0 }
    /jdk.ExecutionSample/ { flush() }
    /stackTrace = \[/ { want = 1; next }
    want == 1 { l = $0; sub(/^[ \t]+/, "", l); sub(/\(.*/, "", l); leaf = l; want = 2 }
    /nn\.Init\.|Tensor\.randn/ { skip = 1 }
    END { flush(); for (f in n) printf "%5.1f%%  %s\n", 100 * n[f] / total, f }' | sort -rn | head -12
fi
