#!/bin/sh
# PERSON/LOCATION precision, recall and F2 on real text (our own labels of names in the first 700
# lines of tinyshakespeare.txt, bench/eval/shakespeare-names.labels.jsonl), for names from the
# dictionaries, the trained name model, and both. The repository holds only line numbers and spans.
# usage: bench/ner-real.sh MODEL_DIR [data folder, default ../shared/data]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
model=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
cd "$root"
. tools/find-jdk.sh
./mvnw -q -B -Dmaven.test.skip=true -pl bench -am package
exec "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar \
  dev.hearth.bench.RealTextNames "$model" bench/eval/shakespeare-names.labels.jsonl "${2:-../shared/data}"
