#!/bin/sh
# Tokenizer figures on tinyshakespeare.txt + zh-fortunes.txt (3.1 MB): BPE training time for an
# 8,000-token vocabulary, encode and decode MB/s on one thread, bytes per token.
# usage: bench/tokenizer.sh [data folder, default ../shared/data]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. tools/find-jdk.sh
./mvnw -q -B -Dmaven.test.skip=true -pl bench -am package
exec "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar \
  dev.hearth.bench.TokenizerThroughput "${1:-../shared/data}"
