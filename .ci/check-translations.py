#!/usr/bin/env python3
"""Every lesson has a Persian version that carries the same code.

For the top README.md and each session-*/README.md:
- a README.fa.md sits beside it, and the two link to each other;
- the fenced code blocks of README.fa.md are exactly those of README.md (info string and every
  byte of the body), in the same order, so code changed in one language fails until the other
  follows;
- the Persian file's prose is Persian (most letters outside code are Persian), sits inside
  `<div dir="rtl">` sections, names its session (جلسه), and links the glossary;
- every relative link in a Persian file resolves to a file that exists.
- a lesson (session-*/README.md) has the shared headings in order, in both languages
  (SHARED_HEADINGS), starting with the course's session, and both files have the same number of
  `##` sections, so the two languages keep one outline.
GLOSSARY.fa.md must explain each term in TERMS.

Usage: check-translations.py [ROOT]   (ROOT defaults to the repository)
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

FENCE = re.compile(r"^(```+|~~~+)(.*)$")
LINK = re.compile(r"\]\(([^)\s]+)\)")
PERSIAN = re.compile(r"[\u0600-\u06FF\uFB50-\uFDFF\uFE70-\uFEFF]")
LATIN = re.compile(r"[A-Za-z]")
GLOSSARY = "GLOSSARY.fa.md"
# The terms the glossary must explain, as they are written in it (Latin script).
TERMS = [
    "Thread", "Process", "Task", "Coroutine", "Future", "event loop", "runtime", "Queue",
    "channel", "Lock", "Mutex", "RLock", "ReentrantMutex", "race condition", "deadlock", "GIL",
    "I/O-bound", "CPU-bound", "blocking", "spawn", "join", "daemon thread",
]


# The `##` headings every lesson has, in this order: (English, Persian) patterns.
SHARED_HEADINGS = [
    (r"## The course's sessions? [0-9].*", r"## (جلسهٔ [0-9]+ دوره|جلسه‌های .+ دوره)"),
    (r"## Read this first", r"## اول این را بخوانید"),
    (r"## Run it", r"## اجرا کنید"),
    (r"## Three things to watch", r"## به این سه چیز دقت کنید"),
    (r"## Exercises", r"## تمرین‌ها"),
    (r"## The lab", r"## آزمایشگاه"),
]
OPTIONAL_HEADINGS = [(r"## Rust you need", r"## آنچه از Rust لازم دارید")]


def outline(prose: list[str], lang: int) -> list[str]:
    """Problems with the `##` headings of one language (0 English, 1 Persian)."""
    heads = [line.strip() for line in prose if line.startswith("## ")]
    problems, at = [], 0
    for pair in SHARED_HEADINGS:
        want = pair[lang]
        found = next((i for i in range(at, len(heads)) if re.fullmatch(want, heads[i])), None)
        if found is None:
            problems.append(f"has no heading {want!r} after {heads[at - 1]!r}" if at else
                            f"has no heading {want!r}")
            continue
        if pair is SHARED_HEADINGS[0] and found != 0:
            problems.append(f"starts with {heads[0]!r}, not the course's session")
        at = found + 1
    for head in heads:
        for en, fa in SHARED_HEADINGS + OPTIONAL_HEADINGS:
            other = fa if lang == 0 else en
            if re.fullmatch(other, head):
                problems.append(f"has the other language's heading {head!r}")
    return problems


def split(text: str):
    """(code blocks as (info, body) pairs, prose lines outside any block)."""
    blocks, prose = [], []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            prose.append(lines[i])
            i += 1
            continue
        fence, info = m.group(1), m.group(2).strip()
        body = []
        i += 1
        while i < len(lines) and not lines[i].startswith(fence):
            body.append(lines[i])
            i += 1
        blocks.append((info, "\n".join(body)))
        i += 1
    return blocks, prose


def check_pair(en: Path, fa: Path, root: Path) -> list[str]:
    problems = []
    rel_en, rel_fa = en.relative_to(root), fa.relative_to(root)
    if not fa.is_file():
        return [f"{rel_en} has no Persian version {rel_fa}"]
    en_text, fa_text = en.read_text(encoding="utf-8"), fa.read_text(encoding="utf-8")
    en_blocks, _ = split(en_text)
    fa_blocks, fa_prose = split(fa_text)

    if "README.fa.md" not in " ".join(LINK.findall(en_text)):
        problems.append(f"{rel_en} does not link to README.fa.md")
    if "README.md" not in LINK.findall(fa_text):
        problems.append(f"{rel_fa} does not link to README.md")

    for k in range(max(len(en_blocks), len(fa_blocks))):
        a = en_blocks[k] if k < len(en_blocks) else None
        b = fa_blocks[k] if k < len(fa_blocks) else None
        if a != b:
            first = (a or b)[1].splitlines()[:1]
            problems.append(
                f"{rel_fa}: code block {k + 1} differs from block {k + 1} of {rel_en} "
                f"({'missing in ' + str(rel_fa) if b is None else 'missing in ' + str(rel_en) if a is None else 'not the same code'}; "
                f"it starts {first[0] if first else '(empty)'!r})"
            )
            break

    if fa.parent != root:
        _, en_prose = split(en_text)
        for rel, prose, lang in ((rel_en, en_prose, 0), (rel_fa, fa_prose, 1)):
            problems += [f"{rel} {p}" for p in outline(prose, lang)]
        n_en = sum(line.startswith("## ") for line in en_prose)
        n_fa = sum(line.startswith("## ") for line in fa_prose)
        if n_en != n_fa:
            problems.append(f"{rel_fa} has {n_fa} `##` sections, {rel_en} has {n_en}")

    # Prose: Persian, right to left, names its session, links the glossary.
    inside, letters_fa, letters_latin = False, 0, 0
    for n, line in enumerate(fa_prose, 1):
        stripped = line.strip()
        if re.match(r'<div dir="rtl">', stripped):
            inside = True
            continue
        if stripped.startswith("</div>"):
            inside = False
            continue
        plain = re.sub(r"`[^`]*`", "", line)           # inline code
        plain = re.sub(r"\]\([^)]*\)", "]", plain)       # link targets
        plain = re.sub(r"<!--.*?-->", "", plain)          # markers
        plain = re.sub(r"https?://\S+", "", plain)
        fa_here = len(PERSIAN.findall(plain))
        letters_fa += fa_here
        letters_latin += len(LATIN.findall(plain))
        if fa_here and not inside:
            problems.append(f"{rel_fa}: Persian prose outside <div dir=\"rtl\">: {stripped[:60]!r}")
    if letters_fa <= letters_latin:
        problems.append(
            f"{rel_fa}: outside code, {letters_fa} Persian letters against {letters_latin} Latin ones"
        )
    if "جلسه" not in fa_text:
        problems.append(f"{rel_fa} does not name its session (جلسه)")
    if fa.parent != root and GLOSSARY not in fa_text:
        problems.append(f"{rel_fa} does not link the glossary {GLOSSARY}")
    problems += check_links(fa, root)
    return problems


def check_links(md: Path, root: Path) -> list[str]:
    problems = []
    _, prose = split(md.read_text(encoding="utf-8"))
    for target in LINK.findall("\n".join(prose)):
        if re.match(r"^[a-z]+:", target) or target.startswith("#"):
            continue
        path = target.split("#", 1)[0]
        if not (md.parent / path).exists():
            problems.append(f"{md.relative_to(root)}: the link {target} leads nowhere")
    return problems


def main() -> int:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent).resolve()
    readmes = [root / "README.md"] + sorted(root.glob("session-*/README.md"))
    problems = []
    for en in readmes:
        problems += check_pair(en, en.with_name("README.fa.md"), root)
    glossary = root / GLOSSARY
    if not glossary.is_file():
        problems.append(f"{GLOSSARY} is missing")
    else:
        text = glossary.read_text(encoding="utf-8")
        missing = [t for t in TERMS if t.lower() not in text.lower()]
        if missing:
            problems.append(f"{GLOSSARY} does not explain: {', '.join(missing)}")
        problems += check_links(glossary, root)
    for p in problems:
        print(f"check-translations: {p}", file=sys.stderr)
    if problems:
        print(f"check-translations: {len(problems)} problem(s)", file=sys.stderr)
        return 1
    print(f"check-translations: {len(readmes)} lessons in English and Persian, with the same code")
    return 0


if __name__ == "__main__":
    sys.exit(main())
