#!/usr/bin/env python3
"""The exercise checker fails when an exercise's claim is wrong.

It builds a tiny lesson crate in a temporary folder, with one exercise whose solution makes the
example print "hello" five times, and runs check-exercises.py on it: once as written (it must
pass), then with each kind of defect seeded (it must fail, and say why):
a wrong count, a number outside its derived range, a README that says something else,
a patch that no longer applies, a run that hangs when it should end, a build that succeeds
when the exercise says it fails.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

CHECKER = Path(__file__).resolve().parent / "check-exercises.py"

EXAMPLE = """\
fn main() {
    let times = 3;
    for _ in 0..times {
        println!("hello");
    }
    println!("total: {} s", times as f64 * 0.5);
}
"""
PATCH = """\
--- a/examples/hello.rs
+++ b/examples/hello.rs
@@ -1,5 +1,5 @@
 fn main() {
-    let times = 3;
+    let times = 5;
     for _ in 0..times {
         println!("hello");
     }
"""
README = """\
# A lesson

## Exercises

1. **More hellos.** Make it five. *You should see:* five `hello` lines and a total of 2.5 s.
   Stuck? The solution is [`exercises/1-more-hellos.patch`](exercises/1-more-hellos.patch).

## The lab
"""
README_FA = """\
# درس

## تمرین‌ها

1. **سلام بیشتر.** پنج بار. باید پنج خط `hello` ببینید.
   راه‌حل: [`exercises/1-more-hellos.patch`](exercises/1-more-hellos.patch)
"""
TOML = """\
title = "more hellos"
patch = "1-more-hellos.patch"
example = "hello"
timeout = 30
see = "five `hello` lines and a total of 2.5 s."
see_fa = "باید پنج خط `hello` ببینید."
[expect]
in_order = ['^hello', '^total']
count = [{ match = '^hello$', min = 5, max = 5 }]
number = [{ match = '^total: ([0-9.]+) s', min = "5 * 0.5", max = "5 * 0.5" }]
"""


def make(root: Path, toml: str = TOML, patch: str = PATCH, readme: str = README,
         example: str = EXAMPLE) -> None:
    crate = root / "session-99-demo"
    (crate / "examples").mkdir(parents=True)
    (crate / "exercises").mkdir()
    (crate / "Cargo.toml").write_text(textwrap.dedent("""\
        [package]
        name = "session-99-demo"
        version = "0.1.0"
        edition = "2024"
        publish = false
    """))
    (crate / "src").mkdir()
    (crate / "src" / "lib.rs").write_text("")
    (crate / "examples" / "hello.rs").write_text(example)
    (crate / "README.md").write_text(readme)
    (crate / "README.fa.md").write_text(README_FA)
    (crate / "exercises" / "1-more-hellos.patch").write_text(patch)
    (crate / "exercises" / "1-more-hellos.toml").write_text(toml)


def check(case: str, expect_ok: bool, must_say: str = "", **seed) -> bool:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        make(root, **seed)
        done = subprocess.run([sys.executable, str(CHECKER), "--root", str(root)],
                              capture_output=True, text=True)
        out = done.stdout + done.stderr
        last = out.strip().splitlines()[-1] if out.strip() else ""
        good = (done.returncode == 0) == expect_ok and must_say in out
        good = good and last == f"exercises: 1 checked, {1 if expect_ok else 0} passed"
        print(f"{'ok  ' if good else 'FAIL'} {case}")
        if not good:
            print(out)
        return good


def main() -> int:
    results = [
        check("a true claim passes", True),
        check("a wrong count fails", False, "lines match /^hello$/",
              toml=TOML.replace("min = 5, max = 5", "min = 4, max = 4")),
        check("a number outside its range fails", False, "outside",
              toml=TOML.replace('max = "5 * 0.5"', 'max = "5 * 0.4"')),
        check("a README that says something else fails", False, "not what README.md says",
              readme=README.replace("a total of 2.5 s", "a total of 3 s")),
        check("a patch that no longer applies fails", False, "no longer applies",
              example=EXAMPLE.replace("let times = 3;", "let times = 4;")),
        check("a program that hangs fails", False, "still running",
              toml=TOML.replace("timeout = 30", "timeout = 2"),
              patch=PATCH.replace("+    let times = 5;",
                                  "+    let times = 5; std::thread::sleep(std::time::Duration::from_secs(60));")),
        check("a build that succeeds where the exercise says it fails, fails", False,
              "compiles, but", toml=TOML.replace("timeout = 30", "build_fails = true")),
    ]
    print(f"{sum(results)} of {len(results)} checker cases behaved")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
