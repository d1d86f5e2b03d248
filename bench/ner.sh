#!/bin/sh
# Analysis speed with PERSON/LOCATION from the dictionaries, the trained name model, and both, on
# ~1 MB of mixed English and Chinese text (the corpus of bench/pii.sh, smaller), one thread.
# usage: bench/ner.sh MODEL_DIR [data folder, default ../shared/data] [corpus bytes, default 1000000]
# (MODEL_DIR: a folder written by 'hearth pii train-ner --out MODEL_DIR')
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
model=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
cd "$root"
. tools/find-jdk.sh
./mvnw -q -B -Dmaven.test.skip=true -pl bench -am package
exec "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar \
  dev.hearth.bench.NameModelThroughput "$model" "${2:-../shared/data}" "${3:-1000000}"
