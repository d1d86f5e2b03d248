#!/usr/bin/env bash
# Serving benchmark: starts `hearth serve` on the demo model, then runs `hearth bench serve` at
# concurrency 1 and N against it (a separate client process, as vLLM's benchmark runs), and
# prints the aggregate-throughput ratio. Needs a workspace where ./hearth demo has run (it runs
# `./hearth demo --no-serve` first when no model is registered).
# usage: [SERVE_ARGS="--compute-threads 2"] bench/serve.sh [CONCURRENCY=8] [REQUESTS_PER_SLOT=8] [MAX_TOKENS=64]
# With SERVE_MODEL_DIR=DIR, that model folder is registered as "support" instead of the demo's
# model (use a HEARTH_HOME of its own), e.g. the 15M Llama shape of
# dev.hearth.bench.Stories15mFolder (see docs/benchmarks.md).
set -euo pipefail
cd "$(dirname "$0")/.."
c=${1:-8}; per=${2:-8}; tokens=${3:-64}
export HEARTH_HOME=${HEARTH_HOME:-$PWD/.hearth}
port=${PORT:-18080}
if ! ./hearth models list 2>/dev/null | grep -q '^support' && [ -n "${SERVE_MODEL_DIR:-}" ]; then
  ./hearth models register "$SERVE_MODEL_DIR" --name support
elif ! ./hearth models list 2>/dev/null | grep -q '^support'; then
  ./hearth demo --no-serve > /dev/null
  ./hearth models register "$(ls -d "$HEARTH_HOME"/runs/*-demo-*/checkpoints/best | tail -1)" --name support
fi
key=$(./hearth keys create --role user --name "bench/serve.sh" 2>/dev/null)
./hearth serve --port "$port" ${SERVE_ARGS:-} > /tmp/hearth-bench-serve.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; ./hearth keys revoke "$(echo "$key" | cut -d- -f2)" > /dev/null 2>&1' EXIT
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$port/healthz" > /dev/null && break; sleep 1; done
run() {
  ./hearth bench serve --url "http://127.0.0.1:$port" --key "$key" --model support --concurrency "$1" \
    --requests "$2" --max-tokens "$tokens" --out "/tmp/hearth-bench-serve-$1.json" 2>/dev/null
}
# Warm-up, not counted: requests of the measured kind, at the measured concurrency. The JIT keeps
# compiling the per-request paths (JSON, HTTP, the key check, the audit row) for hundreds of
# requests; a warm-up of other requests (a few tokens each) leaves profiles that the measured ones
# then break, and C2 recompiles inside the window.
run "$c" "${SERVE_WARMUP_REQUESTS:-$((64 * c))}" > /dev/null
run 1 "$per"
run "$c" $((c * per))
python3 - "$c" <<'PY'
import json, sys
c = sys.argv[1]
one = json.load(open("/tmp/hearth-bench-serve-1.json"))
many = json.load(open(f"/tmp/hearth-bench-serve-{c}.json"))
print(f"\naggregate output tokens/s: concurrency {c} {many['output_token_throughput']:.0f} vs single stream "
      f"{one['output_token_throughput']:.0f} = {many['output_token_throughput'] / one['output_token_throughput']:.2f}x;"
      f" p99 TTFT at concurrency {c}: {many['time_to_first_token_ms']['p99']:.0f} ms")
PY
