#!/usr/bin/env python3
"""This project's queue benchmark for Session 8: asyncio's own event loop against uvloop.

The course (session 8) swaps asyncio's loop for uvloop with one line and says the code gets
about "2 to 4 times" faster; it gives no benchmark and no timings. This benchmark and every
figure it prints are this project's own, not the course's. Two producers each put ITEMS items on
an asyncio.Queue, one consumer takes them all, and every put and every get is followed by
`await asyncio.sleep(0)`, a yield to the event loop. The Rust crate beside this script runs the
same workload on six Rust runtimes.

Run (from the crate folder):
    pip install uvloop                     # once; uvloop does not run on Windows
    python3 lab/bench_queue.py             # asyncio and uvloop, 250000 items, median of 5
    python3 lab/bench_queue.py --items 1000 --repeat 1 --json
    # one table of asyncio, uvloop and every Rust runtime, measured in the same rounds:
    cargo build --release -p session-08-runtimes
    python3 lab/bench_queue.py --with-rust ../target/release/session-08-runtimes

Needs Python 3.8+. If uvloop is missing, the script says so and measures asyncio only
(or fails, when `--loop uvloop` asks for uvloop explicitly).
"""

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import time

PRODUCERS = 2
MAX_ITEM_RUNS = 10_000_000


async def producer(queue, items):
    for item in range(items):
        await queue.put(item)
        await asyncio.sleep(0)
    await queue.put(None)  # this producer is done


async def consumer(queue):
    processed = 0
    finished = 0
    while finished < PRODUCERS:
        item = await queue.get()
        await asyncio.sleep(0)
        if item is None:
            finished += 1
        else:
            processed += 1
    return processed


async def main(items):
    start = time.perf_counter()
    queue = asyncio.Queue()
    producers = [asyncio.create_task(producer(queue, items)) for _ in range(PRODUCERS)]
    consumer_task = asyncio.create_task(consumer(queue))
    await asyncio.gather(*producers)
    processed = await consumer_task
    return processed, time.perf_counter() - start


# ANCHOR: use_loop
def use_loop(loop_name):
    if loop_name == "uvloop":
        import uvloop

        # The course's one line: every asyncio.run() after it uses uvloop's loop.
        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    else:
        asyncio.set_event_loop_policy(None)  # back to asyncio's own loop
# ANCHOR_END: use_loop


def run_python(loop_name, items):
    """One run on one loop: (processed, seconds)."""
    use_loop(loop_name)
    processed, elapsed = asyncio.run(main(items))
    if processed != PRODUCERS * items:
        sys.exit(f"error: {loop_name} processed {processed} items, expected {PRODUCERS * items}")
    return processed, elapsed


def run_rust(binary, items):
    """One run of every Rust runtime through the crate's binary: {runtime: (processed, seconds)}."""
    command = [binary, "--workload", "queue", "--items", str(items), "--repeat", "1", "--json"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    except OSError as err:
        sys.exit(f"error: could not run {binary}: {err.strerror}; build it with `cargo build --release -p session-08-runtimes`")
    if done.returncode != 0:
        sys.exit(f"error: {binary} failed: {done.stderr.strip()}")
    report = json.loads(done.stdout)
    if report["build"] != "release":
        print(f"warning: {binary} is a {report['build']} build; its figures mean little", file=sys.stderr)
    return {r["runtime"]: (r["processed"], r["median_s"]) for r in report["results"]}


def progress(text):
    if sys.stderr.isatty():
        print(f"\r{text:<60}", end="", file=sys.stderr, flush=True)


def measure(loops, items, repeat, rust_binary):
    """Run every loop (and every Rust runtime) once per round, `repeat` rounds.

    Rounds interleave the contenders, so a burst of load on a shared machine slows all of them
    rather than one; the medians and ratios are then comparable.
    """
    runs = {}
    processed = {}
    for round_number in range(1, repeat + 1):
        for name in loops:
            progress(f"  round {round_number}/{repeat}: {name}...")
            processed[name], elapsed = run_python(name, items)
            runs.setdefault(name, []).append(elapsed)
        if rust_binary:
            progress(f"  round {round_number}/{repeat}: Rust runtimes...")
            for name, (count, elapsed) in run_rust(rust_binary, items).items():
                processed[name] = count
                runs.setdefault(name, []).append(elapsed)
    progress("")
    if sys.stderr.isatty():
        print("\r", end="", file=sys.stderr, flush=True)
    return [
        {
            "runtime": name,
            "median_s": statistics.median(times),
            "processed": processed[name],
            "rate_per_s": 2 * processed[name] / statistics.median(times),
            "runs_s": times,
        }
        for name, times in runs.items()
    ]


def positive(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number")
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not 1 or more")
    return value


def uvloop_installed():
    try:
        import uvloop  # noqa: F401
    except ImportError:
        return False
    return True


def cli():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=positive, default=250_000, help="items per producer (default 250000)")
    parser.add_argument("--repeat", type=positive, default=5, help="runs per loop; the median is shown (default 5)")
    parser.add_argument("--loop", choices=["both", "asyncio", "uvloop"], default="both", help="which event loop (default both)")
    parser.add_argument(
        "--with-rust",
        metavar="BINARY",
        help="also run this session-08-runtimes binary (a --release build) in every round, for one table",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    args = parser.parse_args()
    # A million items take Python about 5-10 s per loop: keep a run to minutes, not hours.
    if args.items * args.repeat > MAX_ITEM_RUNS:
        parser.error(
            f"--items {args.items} x --repeat {args.repeat} is more than {MAX_ITEM_RUNS} items per loop: "
            "that would run for a very long time; lower one of them"
        )

    loops = ["asyncio", "uvloop"] if args.loop == "both" else [args.loop]
    if "uvloop" in loops and not uvloop_installed():
        message = "uvloop is NOT installed (pip install uvloop; it does not run on Windows)"
        if args.loop == "uvloop":
            # Asked for explicitly: a missing uvloop is an error, not a silent fallback.
            sys.exit(f"error: {message}")
        print(f"warning: {message}: measuring asyncio only", file=sys.stderr)
        loops = ["asyncio"]

    results = measure(loops, args.items, args.repeat, args.with_rust)
    build = f"python {platform.python_version()}"
    if args.json:
        print(json.dumps({"workload": "queue", "build": build, "results": results}))
        return
    print(f"queue: {PRODUCERS} producers x {args.items} items, 1 consumer, a yield after every put and get ({build})")
    # "speed-up" is how many times faster than the reference loop (uvloop if measured).
    reference = next((r for r in results if r["runtime"] == "uvloop"), results[0])
    print(f"{'loop':<10} {'median of ' + str(args.repeat):>12} {'actions/s':>16} {'vs ' + reference['runtime']:>12}")
    for r in results:
        speedup = reference["median_s"] / r["median_s"]
        print(f"{r['runtime']:<10} {r['median_s']:>10.3f} s {r['rate_per_s'] / 1e6:>14.2f} M {speedup:>10.2f}x")


if __name__ == "__main__":
    try:
        cli()
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (`| head -1`): a quiet end, as other command-line tools do.
        # Point stdout at /dev/null so Python's own flush at exit does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except OSError as err:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(f"error: could not write to stdout: {err.strerror}")
    except KeyboardInterrupt:
        sys.exit("\ninterrupted by Ctrl-C: the measurement was stopped before it finished")
