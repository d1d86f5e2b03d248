#!/bin/sh
# Personal-data detection and scrubbing speed on ~30 MB of mixed English and Chinese text
# (tinyshakespeare.txt, zh-fortunes.txt and synthetic lines full of personal data): analysis MB/s
# on one thread with every recognizer on, and `data scrub` MB/s on 1 and 2 threads.
# usage: bench/pii.sh [data folder, default ../shared/data] [corpus bytes, default 30000000]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. tools/find-jdk.sh
./mvnw -q -B -Dmaven.test.skip=true -pl bench -am package
exec "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar \
  dev.hearth.bench.PiiThroughput "${1:-../shared/data}" "${2:-30000000}"
