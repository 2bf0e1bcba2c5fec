#!/usr/bin/env python3
"""Measures the lab's figures for LAB.md: phase 1 against phase 2, several runs in a row.

    cargo build --release -p session-02-cpu
    python3 session-02-cpu/lab/figures.py target/release/session-02-cpu [--seconds 5] [--runs 5]
        [--wait-idle 95]

Prints a Markdown table (one row per run: busy cores and increments per second of each phase,
the ratio measured within that run), the median ratio, and the machine's 1-minute load average
before and after each run. The ratio only means something on a quiet machine: the bars and the
counting share the cores with every other program. On a shared machine, `--wait-idle 95` waits
before each run until the CPUs were at least 95% idle for 2 s (Linux, from /proc/stat).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time


def human(x: float) -> str:
    for scale, prefix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if x >= scale:
            return f"{x / scale:.3g} {prefix}"
    return f"{x:.3g}"


def idle_percent(seconds: float) -> float:
    """How idle all CPUs were over the next `seconds`, from the first line of /proc/stat."""
    def read():
        with open("/proc/stat") as f:
            values = [int(v) for v in f.readline().split()[1:]]
        return values[3] + values[4], sum(values)  # idle + iowait, all
    idle0, total0 = read()
    time.sleep(seconds)
    idle1, total1 = read()
    return 100.0 * (idle1 - idle0) / max(1, total1 - total0)


def wait_for_idle(percent: float) -> float:
    while True:
        idle = idle_percent(2.0)
        if idle >= percent:
            return idle


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("binary", help="the release build of session-02-cpu")
    ap.add_argument("--seconds", default="5", help="seconds per phase (default 5)")
    ap.add_argument("--runs", type=int, default=5, help="runs in a row (default 5)")
    ap.add_argument("--wait-idle", type=float, metavar="PCT",
                    help="before each run, wait until the CPUs were PCT%% idle for 2 s")
    args = ap.parse_args()

    rows, ratios = [], []
    for run in range(1, args.runs + 1):
        idle = wait_for_idle(args.wait_idle) if args.wait_idle else None
        started = time.strftime("%H:%M:%S", time.gmtime())
        load_before = os.getloadavg()[0]
        out = subprocess.run(
            [args.binary, "--seconds", args.seconds, "--json"],
            capture_output=True, text=True, check=False,
        )
        load_after = os.getloadavg()[0]
        if out.returncode != 0:
            print(f"figures: run {run} failed: {out.stderr.strip()}", file=sys.stderr)
            return 1
        one, many = json.loads(out.stdout)["phases"]
        ratio = many["increments_per_sec"] / one["increments_per_sec"]
        ratios.append(ratio)
        rows.append(
            f"| {run} | {one['busy_cores']} | {many['threads']} | {many['busy_cores']} "
            f"| {human(one['increments_per_sec'])} | {human(many['increments_per_sec'])} "
            f"| {ratio:.2f}x | {load_before:.2f} / {load_after:.2f} "
            f"| {started} UTC{f', {idle:.0f}% idle' if idle is not None else ''} |"
        )
    print("| run | phase 1 busy cores | phase 2 threads | phase 2 busy cores "
          "| phase 1 increments/s | phase 2 increments/s | phase 2 / phase 1 | load before / after | started |")
    print("|---|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    print()
    print(f"- median phase 2 / phase 1: {statistics.median(ratios):.2f}x "
          f"(min {min(ratios):.2f}x, max {max(ratios):.2f}x); {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    sys.exit(main())
