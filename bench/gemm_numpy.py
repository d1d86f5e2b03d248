#!/usr/bin/env python3
"""GFLOP/s of numpy + OpenBLAS float32 matrix products, on the same shapes as GemmGflops.

Prints one line per shape, `shape m n k layout gflops`, like dev.hearth.bench.GemmGflops, so
bench/gemm.sh can put the two side by side. Layout: two letters for A and B, `n` for row-major,
`t` for a transposed view (numpy passes it to BLAS as a transpose flag, without a copy).

    python3 bench/gemm_numpy.py                   # the built-in shapes
    python3 bench/gemm_numpy.py --shapes FILE     # the shapes listed in GemmGflops output
    python3 bench/gemm_numpy.py --check           # only check numpy runs on OpenBLAS

Threads: set OPENBLAS_NUM_THREADS before starting Python. Exits 2 when numpy is missing and 3
when its BLAS is not OpenBLAS (a reference BLAS is 20-40x slower and no fair comparison).
"""
import argparse
import os
import sys
import time

# Keep in step with GemmGflops.SHAPES.
SHAPES = [
    ("square64", 64, 64, 64, "nn"),
    ("square256", 256, 256, 256, "nn"),
    ("square512", 512, 512, 512, "nn"),
    ("square1024", 1024, 1024, 1024, "nn"),
    ("square2048", 2048, 2048, 2048, "nn"),
    ("mlp_fwd", 1024, 1536, 384, "nt"),
    ("mlp_dx", 1024, 384, 1536, "nn"),
    ("mlp_dw", 1536, 384, 1024, "tn"),
    ("proj", 768, 384, 128, "nn"),
    ("head_qk", 64, 64, 64, "nt"),
    ("gemv_768x2304", 1, 2304, 768, "nt"),
    ("gemv_2304x768", 1, 768, 2304, "nn"),
]


def fail(code, message):
    print("gemm_numpy.py: " + message, file=sys.stderr)
    sys.exit(code)


def blas_library(np):
    """The BLAS numpy runs on, as a short description, or None when it is not OpenBLAS."""
    a = np.ones((64, 64), dtype=np.float32)
    a @ a  # make sure the BLAS library is loaded
    try:
        from threadpoolctl import threadpool_info
        for pool in threadpool_info():
            if pool.get("user_api") == "blas":
                desc = "%s %s (%s, %s threads)" % (pool.get("internal_api"), pool.get("version"),
                                                   pool.get("filepath"), pool.get("num_threads"))
                return desc if pool.get("internal_api") == "openblas" else None
    except ImportError:
        pass
    if os.path.exists("/proc/self/maps"):
        # what is really loaded (Debian's numpy links a generic libblas.so.3, which may be the
        # reference BLAS or OpenBLAS depending on the alternatives)
        with open("/proc/self/maps") as maps:
            libs = sorted({line.split()[-1] for line in maps if "blas" in line.lower() and "/" in line})
        openblas = [lib for lib in libs if "openblas" in os.path.basename(lib).lower()
                    or "openblas" in os.path.realpath(lib).lower()]
        return ("OpenBLAS: " + ", ".join(openblas)) if openblas else None
    try:
        config = np.show_config(mode="dicts")
        blas = config["Build Dependencies"]["blas"]
        if "openblas" in blas.get("name", "").lower():
            return "%s %s" % (blas.get("name"), blas.get("version"))
    except (TypeError, KeyError):
        pass
    return None


def gflops(np, m, n, k, layout, min_seconds, reps):
    rng = np.random.default_rng(42)
    # a transposed view: the transpose of a row-major k x m (or n x k) array, as GemmGflops does
    a = (rng.random((k, m), dtype=np.float32) - 0.5).T if layout[0] == "t" else rng.random((m, k), dtype=np.float32) - 0.5
    b = (rng.random((n, k), dtype=np.float32) - 0.5).T if layout[1] == "t" else rng.random((k, n), dtype=np.float32) - 0.5
    c = np.empty((m, n), dtype=np.float32)
    calls = 1
    warm_end = time.perf_counter() + 10 * min_seconds
    while True:
        t0 = time.perf_counter()
        for _ in range(calls):
            np.matmul(a, b, out=c)
        dt = time.perf_counter() - t0
        if dt >= min_seconds and time.perf_counter() > warm_end:
            break
        if dt < min_seconds:
            calls *= 2
    best = float("inf")
    for _ in range(reps):
        t0 = time.perf_counter()
        for _ in range(calls):
            np.matmul(a, b, out=c)
        best = min(best, time.perf_counter() - t0)
    return 2.0 * m * n * k * calls / best / 1e9


def read_shapes(path):
    shapes = []
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 5 and not line.startswith("#"):
                shapes.append((parts[0], int(parts[1]), int(parts[2]), int(parts[3]), parts[4]))
    return shapes


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shapes", help="GemmGflops output whose shapes to time")
    parser.add_argument("--check", action="store_true", help="only check numpy and OpenBLAS")
    parser.add_argument("--min-seconds", type=float, default=0.05)
    parser.add_argument("--reps", type=int, default=7)
    args = parser.parse_args()
    try:
        import numpy as np
    except ImportError:
        fail(2, "numpy is missing; install it (Debian: apt-get install -y python3-numpy libopenblas0-pthread)")
    blas = blas_library(np)
    if blas is None:
        fail(3, "numpy %s does not run on OpenBLAS, so it is no reference to compare with; install "
                "OpenBLAS (Debian: apt-get install -y libopenblas0-pthread) and check numpy.show_config()"
             % np.__version__)
    threads = os.environ.get("OPENBLAS_NUM_THREADS", "(OpenBLAS default)")
    print("# numpy %s, %s, OPENBLAS_NUM_THREADS %s, best of %d" % (np.__version__, blas, threads, args.reps))
    if args.check:
        return
    print("# shape m n k layout gflops")
    shapes = read_shapes(args.shapes) if args.shapes else SHAPES
    for name, m, n, k, layout in shapes:
        print("%s %d %d %d %s %.2f" % (name, m, n, k, layout, gflops(np, m, n, k, layout, args.min_seconds, args.reps)),
              flush=True)


if __name__ == "__main__":
    main()
