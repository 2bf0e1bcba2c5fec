#!/usr/bin/env python3
"""Proves that check-translations.py can fail: a tree whose two languages agree passes, and a
code block changed in one language only, a missing translation, a dead link or Persian prose
outside the right-to-left sections each fail it."""

import subprocess
import sys
import tempfile
from pathlib import Path

CHECKER = Path(__file__).resolve().parent / "check-translations.py"
sys.path.insert(0, str(CHECKER.parent))
TERMS = __import__("check-translations").TERMS

EN = """[فارسی](README.fa.md)

# Session 7

## The course's session 7

## Read this first

## Run it

## Three things to watch

## Exercises

## The lab

Run it:

```sh
cargo run -p session-07-scraper --example async_scraper_task
```
"""

FA = """[English](README.md)

<div dir="rtl">

# جلسه 7

## جلسهٔ 7 دوره

## اول این را بخوانید

## اجرا کنید

## به این سه چیز دقت کنید

## تمرین‌ها

## آزمایشگاه

اجرا کنید؛ [واژه‌نامه](../GLOSSARY.fa.md) را هم ببینید:

</div>

```sh
cargo run -p session-07-scraper --example async_scraper_task
```
"""

TOP_EN = "[فارسی](README.fa.md)\n\n# Course\n"
TOP_FA = "[English](README.md)\n\n<div dir=\"rtl\">\n\n# دوره، جلسه 2 تا 19\n\n</div>\n"


def tree(en=EN, fa=FA, glossary=True) -> Path:
    root = Path(tempfile.mkdtemp())
    (root / "README.md").write_text(TOP_EN)
    (root / "README.fa.md").write_text(TOP_FA)
    lesson = root / "session-07-scraper"
    lesson.mkdir()
    (lesson / "README.md").write_text(en)
    if fa is not None:
        (lesson / "README.fa.md").write_text(fa)
    if glossary:
        (root / "GLOSSARY.fa.md").write_text("\n".join(f"- {t}: توضیح" for t in TERMS))
    return root


def expect(ok: bool, root: Path, what: str, needle: str = "") -> None:
    r = subprocess.run([sys.executable, str(CHECKER), str(root)], capture_output=True, text=True)
    if (r.returncode == 0) != ok or needle not in r.stderr:
        print(f"FAIL: {what}: exit {r.returncode}\n{r.stdout}{r.stderr}")
        sys.exit(1)
    print(f"ok: {what}")


expect(True, tree(), "two languages with the same code pass")
expect(False, tree(en=EN.replace("async_scraper_task", "sync_scraper_task")),
       "code changed in English only fails", "code block 1 differs")
expect(False, tree(fa=FA.replace("async_scraper_task", "sync_scraper_task")),
       "code changed in Persian only fails", "code block 1 differs")
expect(False, tree(fa=None), "a missing translation fails", "has no Persian version")
expect(False, tree(fa=FA.replace("../GLOSSARY.fa.md", "../GLOSARY.fa.md")),
       "a dead link fails", "leads nowhere")
expect(False, tree(fa=FA + "\nیک خط فارسی بیرون از بخش راست‌به‌چپ\n"),
       "Persian outside the rtl section fails", "outside")
expect(False, tree(glossary=False), "a missing glossary fails", "GLOSSARY.fa.md is missing")
expect(False, tree(en=EN.replace("## Run it\n", "")), "a missing shared heading fails",
       "has no heading '## Run it'")
expect(False, tree(fa=FA.replace("## اجرا کنید", "## اجرا")),
       "a Persian heading in other words fails", "has no heading")
expect(False, tree(en=EN.replace("## The lab", "## The lab\n\n## Extra")),
       "a section in one language only fails", "`##` sections")
print("10 passed, 0 failed")
