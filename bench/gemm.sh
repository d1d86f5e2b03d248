#!/usr/bin/env bash
# Hearth's sgemm against numpy + OpenBLAS on the same shapes and thread counts, in one run.
#
#   bench/gemm.sh                    # 1 and 2 threads, 2 alternating rounds, best per shape
#   GEMM_THREADS="1 4" bench/gemm.sh
#   GEMM_ROUNDS=3 bench/gemm.sh
#   HEARTH_BENCH_CP=/path/classes bench/gemm.sh   # use these classes, skip the Maven build
#
# Prints one table: threads, shape, m n k, layout, Hearth GFLOP/s, OpenBLAS GFLOP/s, ratio.
# The machines are shared and noisy, so Java and numpy run alternately, GEMM_ROUNDS times, and
# each keeps its best figure per shape: compare ratios from one run, not figures across days.
# Exits non-zero when numpy is missing or does not run on OpenBLAS.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
. tools/find-jdk.sh

threads_list="${GEMM_THREADS:-1 2}"
rounds="${GEMM_ROUNDS:-2}"

# The reference: Debian's numpy on libopenblas0-pthread (/usr/bin/python3) as the issue asks,
# unless GEMM_PYTHON names another interpreter; without numpy on OpenBLAS there is nothing to
# compare with.
python="${GEMM_PYTHON:-}"
if [ -z "$python" ]; then
  if /usr/bin/python3 -c 'import numpy' 2>/dev/null; then python=/usr/bin/python3; else python=python3; fi
fi
if ! "$python" bench/gemm_numpy.py --check; then
  echo "bench/gemm.sh: no numpy + OpenBLAS to compare with (see the message above); stopping." >&2
  exit 1
fi

if [ -n "${HEARTH_BENCH_CP:-}" ]; then
  classpath="$HEARTH_BENCH_CP"
else
  ./mvnw -q -B -DskipTests -pl bench -am package
  classpath="bench/target/benchmarks.jar"
fi

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

# CPU time stolen by the hypervisor (Linux /proc/stat), as total and steal jiffies: on a shared
# virtual machine spinning threads lose their CPU, and two-thread figures with them.
cpu_times() {
  if [ -r /proc/stat ]; then awk '/^cpu /{t=0; for (i=2;i<=NF;i++) t+=$i; print t, $9}' /proc/stat; else echo "0 0"; fi
}
read -r total0 steal0 <<< "$(cpu_times)"

for t in $threads_list; do
  for r in $(seq 1 "$rounds"); do
    echo "threads $t, round $r of $rounds ..." >&2
    HEARTH_THREADS="$t" "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector \
      -cp "$classpath" dev.hearth.bench.GemmGflops 2>/dev/null > "$out/hearth-$t-$r.txt"
    OPENBLAS_NUM_THREADS="$t" OMP_NUM_THREADS="$t" \
      "$python" bench/gemm_numpy.py --shapes "$out/hearth-$t-$r.txt" > "$out/openblas-$t-$r.txt"
  done
done

read -r total1 steal1 <<< "$(cpu_times)"
if [ "$total1" -gt "$total0" ]; then
  echo "# hypervisor steal during the run: $(( 100 * (steal1 - steal0) / (total1 - total0) ))% of CPU time"
fi

python3 - "$out" $threads_list <<'PY'
import glob, os, sys

out, threads = sys.argv[1], sys.argv[2:]

def best(pattern):
    """shape -> (m, n, k, layout, best GFLOP/s over the rounds), in first-seen order."""
    table = {}
    for path in sorted(glob.glob(os.path.join(out, pattern))):
        with open(path) as f:
            for line in f:
                p = line.split()
                if line.startswith("#") or len(p) < 6:
                    continue
                g = float(p[5])
                if p[0] not in table or g > table[p[0]][4]:
                    table[p[0]] = (p[1], p[2], p[3], p[4], g)
    return table

def comments(pattern):
    for path in sorted(glob.glob(os.path.join(out, pattern)))[:1]:
        with open(path) as f:
            return [line.rstrip() for line in f if line.startswith("#") and "shape" not in line]
    return []

for line in comments("hearth-%s-1.txt" % threads[0]) + comments("openblas-%s-1.txt" % threads[0]):
    print(line)
print("%-7s %-15s %5s %5s %5s %-6s %9s %9s %6s" % ("threads", "shape", "m", "n", "k", "layout",
                                                  "hearth", "openblas", "ratio"))
for t in threads:
    hearth, ref = best("hearth-%s-*.txt" % t), best("openblas-%s-*.txt" % t)
    for shape, (m, n, k, layout, g) in hearth.items():
        r = ref.get(shape, (0, 0, 0, 0, float("nan")))[4]
        print("%-7s %-15s %5s %5s %5s %-6s %9.1f %9.1f %6.2f" % (t, shape, m, n, k, layout, g, r, g / r))
PY
