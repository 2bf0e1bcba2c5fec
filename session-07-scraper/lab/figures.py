#!/usr/bin/env python3
"""Measures the lab's figures for LAB.md: sync and async on the same delays, for several seeds.

    cargo build --release -p session-07-scraper
    python3 session-07-scraper/lab/figures.py target/release/session-07-scraper [--speed 10] [--seeds 9]

Prints a Markdown table (one row per seed: each total against its bound, the speed-up against the
best possible one) and the medians, with the machine's load average when it started and ended.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("binary", help="the release build of session-07-scraper")
    ap.add_argument("--speed", default="10", help="divide every delay by this (default 10)")
    ap.add_argument("--seeds", type=int, default=9, help="seeds 1..N, one run each (default 9)")
    args = ap.parse_args()

    load_before = os.getloadavg()[0]
    rows, over_sync, over_async, gap = [], [], [], []
    for seed in range(1, args.seeds + 1):
        out = subprocess.run(
            [args.binary, "--speed", args.speed, "--seed", str(seed), "--json"],
            capture_output=True, text=True, check=False,
        )
        if out.returncode != 0:
            print(f"figures: seed {seed} failed: {out.stderr.strip()}", file=sys.stderr)
            return 1
        runs = {r["mode"]: r for r in json.loads(out.stdout)["runs"]}
        s, a = runs["sync"], runs["async"]
        os_ = (s["total_s"] / s["bound_s"] - 1) * 100
        oa = (a["total_s"] / a["bound_s"] - 1) * 100
        speedup, best = s["total_s"] / a["total_s"], s["bound_s"] / a["bound_s"]
        over_sync.append(os_)
        over_async.append(oa)
        gap.append((best - speedup) / best * 100)
        rows.append(
            f"| {seed} | {s['total_s']:.3f} s | {s['bound_s']:.3f} s | {os_:+.2f} % "
            f"| {a['total_s']:.3f} s | {a['bound_s']:.3f} s | {oa:+.2f} % "
            f"| {speedup:.2f}x | {best:.2f}x |"
        )
    load_after = os.getloadavg()[0]
    print("| seed | sync total | sync bound | over | async total | async bound | over | speed-up | best possible |")
    print("|---|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    print()
    print(f"- median over the bound: sync {statistics.median(over_sync):+.2f} % "
          f"(max {max(over_sync):+.2f} %), async {statistics.median(over_async):+.2f} % "
          f"(max {max(over_async):+.2f} %)")
    print(f"- speed-up below the best possible: median {statistics.median(gap):.2f} %, "
          f"max {max(gap):.2f} %")
    print(f"- load average (1 min): {load_before:.2f} before, {load_after:.2f} after; "
          f"{os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    sys.exit(main())
