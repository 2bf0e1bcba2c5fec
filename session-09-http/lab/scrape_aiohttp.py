#!/usr/bin/env python3
"""The Python side of this project's Session 9 comparison: aiohttp on the same demo site.

The course (session 9) scrapes 41 course pages with aiohttp and gives no timings. This script and
every figure it prints are this project's own. It does what the Rust lab's concurrent run does,
so the two can be timed against the same server: one shared aiohttp ClientSession, at most
--concurrency requests in flight (an asyncio.Semaphore), one task per id created up front and
awaited in id order, the title taken with BeautifulSoup's `.right-side h1`, a 404 counted as
"There is no course".

Run (from the workspace root; LAB.md has the whole recipe):
    pip install aiohttp beautifulsoup4
    cargo build --release -p session-09-http
    target/release/session-09-http serve --port 8009 --latency-ms 200 &
    python3 session-09-http/lab/scrape_aiohttp.py --base-url http://127.0.0.1:8009/c \\
        --concurrency 64 --repeat 5
    kill %1

Prints one line per run and the median; --json prints one object instead.
"""

import argparse
import asyncio
import json
import statistics
import sys
import time

try:
    import aiohttp
    import bs4
except ImportError as missing:
    sys.exit(f"error: {missing.name} is missing: pip install aiohttp beautifulsoup4")


async def fetch_title(session, limit, url):
    async with limit:
        async with session.get(url) as response:
            if response.status == 404:
                return None
            response.raise_for_status()
            html = await response.text()
    heading = bs4.BeautifulSoup(html, "html.parser").select_one(".right-side h1")
    return heading.text.strip() if heading else None


async def one_run(base_url, ids, concurrency):
    started = time.perf_counter()
    limit = asyncio.Semaphore(concurrency)
    async with aiohttp.ClientSession() as session:
        tasks = [
            asyncio.create_task(fetch_title(session, limit, f"{base_url}/{i}")) for i in ids
        ]
        titles = [await task for task in tasks]
    return time.perf_counter() - started, titles


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base-url", required=True, help="e.g. http://127.0.0.1:8009/c")
    parser.add_argument("--first", type=int, default=6100)
    parser.add_argument("--last", type=int, default=6140)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    ids = range(args.first, args.last + 1)

    totals = []
    for _ in range(args.repeat):
        try:
            total, titles = asyncio.run(one_run(args.base_url.rstrip("/"), ids, args.concurrency))
        except aiohttp.ClientError as error:
            sys.exit(f"error: could not scrape {args.base_url}: {error}")
        totals.append(total)
        found = sum(title is not None for title in titles)
        if not args.json:
            print(f"aiohttp: {len(titles)} pages in {total:.3f} s ({found} titles)")
    median = statistics.median(totals)
    if args.json:
        print(json.dumps({"client": "aiohttp", "concurrency": args.concurrency,
                          "totals_s": [round(t, 4) for t in totals], "median_s": round(median, 4)}))
    else:
        print(f"median of {len(totals)}: {median:.3f} s")


if __name__ == "__main__":
    main()
