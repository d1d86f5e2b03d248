#!/usr/bin/env bash
# Serving benchmark: starts `hearth serve` on the demo model, then runs `hearth bench serve` at
# concurrency 1 and N against it (a separate client process, as vLLM's benchmark runs), and
# prints the aggregate-throughput ratio. Needs a workspace where ./hearth demo has run (it runs
# `./hearth demo --no-serve` first when no model is registered).
# usage: [COMPUTE_CPUS=0] [SERVE_ARGS="--compute-threads 2"] bench/serve.sh [CONCURRENCY=8] [REQUESTS_PER_SLOT=8] [MAX_TOKENS=64]
# With COMPUTE_CPUS (Linux), the server binds its compute threads to those CPUs and its other threads to
# the rest (hearth serve --compute-cpus), and the client runs on the rest too (taskset), as a client on
# another machine would leave the compute cores alone.
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
auditor=$(./hearth keys create --role auditor --name "bench/serve.sh: the server's JIT" 2>/dev/null)
client_cpus=""
if [ -n "${COMPUTE_CPUS:-}" ]; then
  # the CPUs this shell may use, less the compute ones, in taskset's list form
  client_cpus=$(python3 -c 'import os, sys
compute = set()
for part in sys.argv[1].split(","):
    a, _, b = part.partition("-")
    compute.update(range(int(a), int(b or a) + 1))
rest = sorted(os.sched_getaffinity(0) - compute)
if not rest:
    sys.exit(f"COMPUTE_CPUS={sys.argv[1]} leaves no CPU for the client")
print(",".join(map(str, rest)))' "$COMPUTE_CPUS")
  SERVE_ARGS="--compute-cpus $COMPUTE_CPUS ${SERVE_ARGS:-}"
  echo "server compute threads on CPUs $COMPUTE_CPUS; its other threads and the client on CPUs $client_cpus"
fi
./hearth serve --port "$port" ${SERVE_ARGS:-} > /tmp/hearth-bench-serve.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; for k in "$key" "$auditor"; do ./hearth keys revoke "$(echo "$k" | cut -d- -f2)" > /dev/null 2>&1; done' EXIT
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$port/healthz" > /dev/null && break; sleep 1; done
run() {  # concurrency requests [client options]
  ${client_cpus:+taskset -c "$client_cpus"} ./hearth bench serve --url "http://127.0.0.1:$port" --key "$key" --model support --concurrency "$1" \
    --requests "$2" --max-tokens "$tokens" --out "/tmp/hearth-bench-serve-$1.json" "${@:3}" 2>/dev/null
}
jit_ms() {  # the server's JIT compilation time so far, from its /metrics
  curl -sf -H "Authorization: Bearer $auditor" "http://127.0.0.1:$port/metrics" \
    | awk '/^jvm_compilation_time_ms_total/ { t += $NF } END { printf "%d", t }'
}
# Warm-up, not counted: requests of the measured kind, at the measured concurrency, in rounds of
# 64 x concurrency until the server's JIT compiled for under 2% of a round's time (at most
# SERVE_WARMUP_SECONDS, default 300), or SERVE_WARMUP_REQUESTS requests when that is set. The
# JIT keeps compiling the per-request paths (JSON, HTTP, the key check, the audit row) for a
# minute or two of load; while it does, it takes a core from the batch at high concurrency but
# not from a single stream, which leaves a core free. A warm-up of other requests (a few tokens
# each) leaves profiles that the measured ones then break, and C2 recompiles inside the window.
if [ -n "${SERVE_WARMUP_REQUESTS:-}" ]; then
  run "$c" "$SERVE_WARMUP_REQUESTS" > /dev/null
else
  limit=${SERVE_WARMUP_SECONDS:-300}; begin=$SECONDS; sent=0
  while :; do
    j0=$(jit_ms); t0=$(date +%s%3N)
    run "$c" $((64 * c)) --warmup 0 > /dev/null
    sent=$((sent + 64 * c)); j1=$(jit_ms); t1=$(date +%s%3N)
    if [ $(((j1 - j0) * 50)) -lt $((t1 - t0)) ]; then
      echo "server warm-up: $sent requests in $((SECONDS - begin)) s, until its JIT settled"; break
    elif [ $((SECONDS - begin)) -ge "$limit" ]; then
      echo "server warm-up: $sent requests in $((SECONDS - begin)) s, stopped at the limit with its JIT at" \
        "$((j1 - j0)) ms in the last $((t1 - t0)) ms"; break
    fi
  done
fi
prompt_tokens() {  # the server's prompt tokens so far: all of them, and those its prefix cache held
  curl -sf -H "Authorization: Bearer $auditor" "http://127.0.0.1:$port/metrics" | awk '
    /^hearth_prompt_tokens_total/ { all += $NF } /^hearth_prompt_cached_tokens_total/ { cached += $NF }
    END { printf "%d %d", all, cached }'
}
steal() {  # jiffies the hypervisor took from this machine's CPUs so far (0 where /proc/stat has no such column)
  awk '/^cpu / { print ($9 == "" ? 0 : $9) }' /proc/stat 2>/dev/null || echo 0
}
read -r p0 q0 <<< "$(prompt_tokens)"
s0=$(steal); t0=$(date +%s%N)
run 1 "$per"
s1=$(steal); t1=$(date +%s%N)
run "$c" $((c * per))
s2=$(steal); t2=$(date +%s%N)
read -r p1 q1 <<< "$(prompt_tokens)"
echo "prompt tokens held by the server's prefix cache in the two runs (the client's warm-ups included):" \
  "$((q1 - q0)) of $((p1 - p0))" \
  "(hearth serve --prefix-cache-mb 0 turns it off)"
cpus=$(getconf _NPROCESSORS_ONLN)
pct() { python3 -c "print(f'{100 * $1 / ($2 / 1e9 * 100 * $cpus):.1f}')"; }   # jiffies are 1/100 s
echo "CPU time stolen by the hypervisor (a virtual machine's neighbours): $(pct $((s1 - s0)) $((t1 - t0)))% during the" \
  "single stream, $(pct $((s2 - s1)) $((t2 - t1)))% at concurrency $c"
python3 - "$c" <<'PY'
import json, sys
c = sys.argv[1]
one = json.load(open("/tmp/hearth-bench-serve-1.json"))
many = json.load(open(f"/tmp/hearth-bench-serve-{c}.json"))
print(f"\naggregate output tokens/s: concurrency {c} {many['output_token_throughput']:.0f} vs single stream "
      f"{one['output_token_throughput']:.0f} = {many['output_token_throughput'] / one['output_token_throughput']:.2f}x;"
      f" p99 TTFT at concurrency {c}: {many['time_to_first_token_ms']['p99']:.0f} ms")
PY
