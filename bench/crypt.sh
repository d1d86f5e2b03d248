#!/bin/sh
# Encryption-at-rest throughput (docs/benchmarks.md, "Encryption at rest"): one file of random
# bytes, page cache warm, one thread; best of three after a warm-up.
# usage: bench/crypt.sh [scratch folder, default $TMPDIR or /tmp] [MiB, default 512]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. tools/find-jdk.sh
./mvnw -q -B -Dmaven.test.skip=true -pl bench -am package
exec "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar \
  dev.hearth.bench.CryptThroughput "${1:-${TMPDIR:-/tmp}}" "${2:-512}"
