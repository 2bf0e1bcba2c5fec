#!/usr/bin/env python3
"""The course's CPU-bound work (sessions 13 and 17) in Python, timed beside the Rust lab.

Python runs the course's `do_math` over 50,000,000 positions two ways, as the course does:
  * threads: one threading.Thread per core (the GIL lets one run Python at a time);
  * pool:    multiprocessing.Pool(), one apply_async per core, then close/join and get().
With --with-rust, the same run also times `session-11-threads cpu` (1 thread and every core),
so every figure comes from the same machine at the same moment.

Run (from the workspace root):
    python3 session-11-threads/lab/bench_cpu.py                  # Python only
    cargo build --release -p session-11-threads
    python3 session-11-threads/lab/bench_cpu.py --with-rust target/release/session-11-threads
    python3 session-11-threads/lab/bench_cpu.py --with-rust target/release/session-11-threads --json

The Rust lab's work is its own (the sum of sqrt(k) for k = 1..N): one square root per number,
like do_math's, over the same N. `--json` prints one object:
    {"n", "python_threads_s", "python_pool_s", "rust": [{"threads", "seconds"}]}
Needs Python 3.8+ and nothing else.
"""

import argparse
import json
import math
import multiprocessing
import os
import signal
import statistics
import subprocess
import sys
import threading
import time

OFFSET = 1_000_000  # the course's `random_number`


def do_math_discard(start, end):
    """The threaded version's work: each square root is computed and thrown away."""
    position = start
    while position < end:
        position += 1
        math.sqrt((position - OFFSET) ** 2)


def do_math_average(start, end):
    """The pool version's work: the same roots, averaged (over `end`, as the course does)."""
    position = start
    avg = 0
    while position < end:
        position += 1
        avg += math.sqrt((position - OFFSET) ** 2) / end
    return int(avg)


def slices(n, workers):
    # True division, as in the course: the bounds (and so `position`) are floats.
    return [(n * (i - 1) / workers, n * i / workers) for i in range(1, workers + 1)]


def python_threads(n, workers):
    t0 = time.perf_counter()
    threads = [threading.Thread(target=do_math_discard, args=s, daemon=True) for s in slices(n, workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - t0


def python_pool(n, workers):
    t0 = time.perf_counter()
    pool = multiprocessing.Pool(workers)
    try:
        results = [pool.apply_async(do_math_average, args=s) for s in slices(n, workers)]
        pool.close()
        pool.join()
        values = [r.get() for r in results]  # session 18: the results come back
        elapsed = time.perf_counter() - t0
    finally:
        # Also on Ctrl-C or SIGTERM: no worker process outlives the script.
        pool.terminate()
    if len(values) != workers:
        sys.exit(f"error: the pool returned {len(values)} results for {workers} workers")
    return elapsed


def rust(binary, n):
    """One `cpu --json` run of the Rust lab: [{"threads", "seconds"}] (median of 1 run each)."""
    command = [binary, "cpu", "--n", str(n), "--repeat", "1", "--json"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as err:
        sys.exit(f"error: could not run {binary}: {err}; build it with `cargo build --release -p session-11-threads`")
    if done.returncode != 0:
        sys.exit(f"error: {binary} failed: {done.stderr.strip()}")
    report = json.loads(done.stdout)
    if report.get("debug_build"):
        print(f"warning: {binary} is a debug build; its figures mean little (use target/release)", file=sys.stderr)
    return [{"threads": r["threads"], "seconds": r["seconds"]} for r in report["runs"]]


def progress(text):
    if sys.stderr.isatty():
        print(f"\r{text:<60}", end="", file=sys.stderr, flush=True)


def measure(n, workers, repeat, binary):
    """`repeat` rounds, each running every contender once; medians per contender.

    Interleaving the contenders means a burst of load from other programs slows all of them,
    so the ratios within one run stay comparable."""
    threads_s, pool_s, rust_s = [], [], {}
    for r in range(1, repeat + 1):
        progress(f"round {r}/{repeat}: Python threads...")
        threads_s.append(python_threads(n, workers))
        progress(f"round {r}/{repeat}: Python pool...")
        pool_s.append(python_pool(n, workers))
        if binary:
            progress(f"round {r}/{repeat}: Rust...")
            for run in rust(binary, n):
                rust_s.setdefault(run["threads"], []).append(run["seconds"])
    progress("")
    return {
        "n": n,
        "python_threads_s": statistics.median(threads_s),
        "python_pool_s": statistics.median(pool_s),
        "rust": [{"threads": t, "seconds": statistics.median(s)} for t, s in sorted(rust_s.items())],
    }


def table(result, workers, repeat):
    n = result["n"]
    print(f"do_math over {n:,} positions, {workers} worker(s), median of {repeat} round(s)")
    rows = [
        (f"Python, {workers} threads (the GIL)", result["python_threads_s"]),
        (f"Python, multiprocessing.Pool({workers})", result["python_pool_s"]),
    ]
    rows += [(f"Rust cpu, {r['threads']} thread(s) (sum of sqrt)", r["seconds"]) for r in result["rust"]]
    for name, secs in rows:
        print(f"  {name:<42} {secs:9.3f} s")
    if result["rust"]:
        best = result["rust"][-1]
        print(f"Rust on {best['threads']} threads is {result['python_pool_s'] / best['seconds']:.0f}x faster "
              f"than the Python pool in this run")
    print("The course measured about 8 s with threads and about 1.5 s with the pool.")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=50_000_000, help="positions in all (default: the course's 50,000,000)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="threads and pool processes (default: one per core)")
    parser.add_argument("--repeat", type=int, default=1, help="rounds; each figure is the median (default 1)")
    parser.add_argument("--with-rust", metavar="BINARY", help="the release build of session-11-threads, timed in the same rounds")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    args = parser.parse_args()
    if not 1 <= args.n <= 1_000_000_000:
        parser.error("--n must be between 1 and 1,000,000,000")
    if not 1 <= args.workers <= 256:
        parser.error("--workers must be between 1 and 256")
    if not 1 <= args.repeat <= 100:
        parser.error("--repeat must be between 1 and 100")
    result = measure(args.n, args.workers, args.repeat, args.with_rust)
    if args.json:
        print(json.dumps(result))
    else:
        table(result, args.workers, args.repeat)
    sys.stdout.flush()


if __name__ == "__main__":
    # SIGTERM unwinds like Ctrl-C, so the pool and the Rust child are stopped on the way out.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    try:
        main()
    except BrokenPipeError:
        # The reader went away (`| head -1`): stop quietly, and keep Python from complaining
        # again when it flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except KeyboardInterrupt:
        sys.exit(130)
    except OSError as err:  # e.g. stdout on a full disk
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(f"error: could not write the results: {err.strerror}")
