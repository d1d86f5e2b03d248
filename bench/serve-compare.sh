#!/usr/bin/env bash
# Hearth's server next to llama.cpp's llama-server, on the same model, under the same load from the same client.
# The workspace's "support" model (registered by bench/serve.sh; the demo's model) is exported with
# `hearth export gguf` (f32) and served by llama-server with continuous batching (--parallel N slots, each with
# the model's context; its default sampler chain; -t 2, or LLAMA_THREADS). Each server in turn is warmed up and
# loaded by `hearth bench serve` exactly as bench/serve.sh loads Hearth (SERVE_WARMUP_REQUESTS at concurrency N,
# then one stream, then N streams), and the ratio of aggregate output tokens/s is printed. The servers take
# turns for SERVE_ROUNDS rounds (default 2): the machine's speed drifts between sittings.
#   bench/serve-compare.sh /path/to/llama.cpp/build/bin [CONCURRENCY=8] [REQUESTS_PER_SLOT=32] [MAX_TOKENS=64]
# llama.cpp is not part of Hearth: build it yourself (cmake -DGGML_NATIVE=ON -DCMAKE_BUILD_TYPE=Release, target
# llama-server). Without it this script says so and stops.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-}
if [ -z "$bin" ] || [ ! -x "$bin/llama-server" ]; then
  echo "skipped: give the folder holding llama.cpp's llama-server (e.g. bench/serve-compare.sh ~/llama.cpp/build/bin)"
  exit 0
fi
c=${2:-8}; per=${3:-32}; tokens=${4:-64}
threads=${LLAMA_THREADS:-2}
export HEARTH_HOME=${HEARTH_HOME:-$PWD/.hearth}
port=${PORT:-18080}
if ! ./hearth models list 2>/dev/null | grep -q '^support'; then
  ./hearth demo --no-serve > /dev/null
  ./hearth models register "$(ls -d "$HEARTH_HOME"/runs/*-demo-*/checkpoints/best | tail -1)" --name support
fi
work=$(mktemp -d)
server=
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
version=$(./hearth models list 2>/dev/null | awk '/^support$/ {m = 1; next} /^[^ ]/ {m = 0} m && /\[champion/ {print $1}')
./hearth export gguf --model "$HEARTH_HOME/models/support/$version" --type f32 --out "$work/support.gguf" > /dev/null
context=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['max_position_embeddings'])" \
  "$HEARTH_HOME/models/support/$version/config.json")
key=$(./hearth keys create --role user --name "bench/serve-compare.sh" 2>/dev/null)

wait_up() {
  for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$port/$1" > /dev/null && return; sleep 1; done
  echo "the server did not come up; its log: $work/server.log" >&2; exit 1
}
load() {  # concurrency requests -> output tokens/s and p99 TTFT (ms)
  # llama-server now and then answers a request with 500 ("The model produced output that does not match the
  # expected Content-only format": its output parser and this small model's odd text); the client stops when a
  # warm-up request fails, so a run is tried up to three times.
  for try in 1 2 3; do
    ./hearth bench serve --url "http://127.0.0.1:$port" --key "$key" --model support --concurrency "$1" \
      --requests "$2" --max-tokens "$tokens" --out "$work/run.json" > "$work/client.log" 2>&1 && break
    [ "$try" = 3 ] && { echo "hearth bench serve failed three times:" >&2; cat "$work/client.log" >&2; exit 1; }
    echo "(retrying a run: $(grep -m1 error "$work/client.log"))" >&2
  done
  python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print('%.0f %.0f %d' % (r['output_token_throughput'],
    r['time_to_first_token_ms']['p99'], r['failed']))" "$work/run.json"
}
measure() {  # name: warm up, then one stream and c streams
  load "$c" "${SERVE_WARMUP_REQUESTS:-$((64 * c))}" > /dev/null
  read -r one _ failed1 <<< "$(load 1 "$per")"
  read -r many ttft failed <<< "$(load "$c" $((c * per)))"
  python3 -c "import sys; n,o,m,t,c,f=sys.argv[1:]; print(f'{n:10s} single stream {float(o):6.0f} tok/s, concurrency {c}'
    f' {float(m):6.0f} tok/s = {float(m)/float(o):.2f}x; p99 TTFT {t} ms' + (f'; {f} failed requests' if f != '0' else
    ''))" "$1" "$one" "$many" "$ttft" "$c" $((failed1 + failed))
}
for _ in $(seq 1 "${SERVE_ROUNDS:-2}"); do
  ./hearth serve --port "$port" > "$work/server.log" 2>&1 &
  server=$!
  wait_up healthz
  measure hearth
  kill $server; wait $server 2>/dev/null || true
  "$bin/llama-server" -m "$work/support.gguf" -c $((c * context)) -np "$c" -t "$threads" -tb "$threads" --threads-http $((4 * c)) \
    --host 127.0.0.1 --port "$port" > "$work/server.log" 2>&1 &
  server=$!
  wait_up health
  measure llama.cpp
  kill $server; wait $server 2>/dev/null || true
done
./hearth keys revoke "$(echo "$key" | cut -d- -f2)" > /dev/null 2>&1 || true
