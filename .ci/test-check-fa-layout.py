#!/usr/bin/env python3
"""The Persian layout check fails on each defect it exists for, and passes the fixed text.

Seeds, one at a time, into a small Persian page that passes: a paragraph that opens with a code
span, a list that opens with a Latin word, a heading that opens with a Latin word, a code span
whose closing edge is punctuation, one whose opening edge is, and an Arabic yeh. Then checks that
`--fix` protects the code span edges (outside the backticks) and that the result passes.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

CHECKER = Path(__file__).resolve().parent / "check-fa-layout.py"
LRM, RLM = "\u200e", "\u200f"
GOOD = f"""<div dir="rtl">

# جلسهٔ ۷ دوره

برای اجرا، {RLM}`cargo run` را بزنید و منتظر `join()`{LRM} بمانید.

{RLM}`tokio::spawn` یک تسک می‌سازد.

- اول {LRM}`--help` را ببینید و بعد {LRM}`1, 1, 2, `{LRM} را.
- `tokio` هم هست.

| دوره | Rust |
|---|---|
| صف | `mpsc::channel()`{LRM} |
| کانال | `send`،{RLM} `recv` |

خط‌ها {LRM}`1 - Hello` را چاپ می‌کنند.

</div>
"""
SEEDS = {
    "a paragraph that opens with code": (f"{RLM}`tokio::spawn` یک", "`tokio::spawn` یک", "starts with Latin"),
    "a list that opens with Latin": ("- اول", "- first اول", "this list starts with Latin"),
    "a heading that opens with Latin": ("# جلسهٔ ۷", "# Session ۷", "this heading starts with Latin"),
    "a closing edge that is punctuation": (f"`join()`{LRM} بمانید", "`join()` بمانید", "after its closing"),
    "an opening edge that is punctuation": (f"{LRM}`--help`", "`--help`", "before its opening"),
    "an edge in a table cell": (f"`mpsc::channel()`{LRM} |", "`mpsc::channel()` |", "after its closing"),
    "a number list whose edge is punctuation": (f"`1, 1, 2, `{LRM} را", "`1, 1, 2, ` را", "after its closing"),
    "a Persian comma between two code spans": (f"`send`،{RLM} `recv`", "`send`، `recv`", "put U+200F"),
    "a code span that opens with a number": (f"{LRM}`1 - Hello`", "`1 - Hello`", "before its opening"),
    "an Arabic yeh": ("را ببینید", "را ببينيد", "Arabic yeh"),
}


def run(text: str, *flags: str) -> tuple[int, str, str]:
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "README.fa.md"
        page.write_text(text, encoding="utf-8")
        done = subprocess.run([sys.executable, str(CHECKER), *flags, str(page)],
                              capture_output=True, text=True)
        return done.returncode, done.stdout + done.stderr, page.read_text(encoding="utf-8")


def main() -> int:
    ok = True
    code, out, _ = run(GOOD)
    print(f"{'ok  ' if code == 0 else 'FAIL'} the clean page passes")
    ok &= code == 0
    if code:
        print(out)
    for name, (old, new, says) in SEEDS.items():
        assert old in GOOD, name
        code, out, _ = run(GOOD.replace(old, new, 1))
        good = code == 1 and says in out
        print(f"{'ok  ' if good else 'FAIL'} {name} fails")
        ok &= good
        if not good:
            print(out)
    unprotected = GOOD.replace(f"`join()`{LRM}", "`join()`").replace(f"{LRM}`--help`", "`--help`") \
        .replace(f"`send`،{RLM}", "`send`،")
    code, out, fixed = run(unprotected, "--fix")
    spans = re.findall(r"`([^`]*)`", fixed)
    good = code == 0 and f"`join()`{LRM}" in fixed and f"{LRM}`--help`" in fixed \
        and f"`send`،{RLM} `recv`" in fixed \
        and not any(LRM in span or RLM in span for span in spans)
    print(f"{'ok  ' if good else 'FAIL'} --fix puts the marks outside the backticks, and then it passes")
    ok &= good
    if not good:
        print(out)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
