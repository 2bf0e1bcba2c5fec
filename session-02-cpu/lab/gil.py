"""The GIL for yourself: the same counting loop on 1 thread, then on 2 threads.

    python3 session-02-cpu/lab/gil.py [SECONDS]

With CPython's GIL the two threads take turns, so together they count about as fast as one.
"""

import sys
import threading
import time


def count(stop, out):
    x = 10
    while not stop.is_set():
        x += 1
    out.append(x - 10)


seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 5.0
rates = []
for n in (1, 2):
    stop, out = threading.Event(), []
    threads = [threading.Thread(target=count, args=(stop, out)) for _ in range(n)]
    for t in threads:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join()
    rates.append(sum(out) / seconds)
    print(f"{n} thread(s): {rates[-1] / 1e6:.1f} M increments/s")
print(f"2 threads / 1 thread: {rates[1] / rates[0]:.2f}x")
