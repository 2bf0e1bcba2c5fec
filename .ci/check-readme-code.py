#!/usr/bin/env python3
"""Code shown in the lessons' prose must be the code in the project.

Every ```rust or ```python block in a README*.md or LAB.md is preceded by a marker line that says
where the code comes from:

    <!-- code: examples/async_scraper_task.rs#scrap_data -->     a named region of a file
    <!-- code: src/lib.rs -->                                   a whole file
    <!-- code: sketch -->                                       not project code (say why nearby)

The path is relative to the Markdown file. In the source, a region sits between two comment
lines, the way mdBook's `{{#include file:name}}` expects them:

    // ANCHOR: scrap_data
    ...
    // ANCHOR_END: scrap_data

The block must equal the region: the same lines in the same order, after dropping the marker
lines of any region inside it, the indentation all lines share, trailing spaces, and blank lines
at either end. Any other difference fails, naming the Markdown file, the block's line and the
first line that differs.

Usage: check-readme-code.py [ROOT]   (ROOT defaults to the repository)
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

CHECKED_LANGUAGES = {"rust", "python", "py", "rs"}
MARKER = re.compile(r"^<!--\s*code:\s*(?P<what>\S+)\s*-->\s*$")
FENCE = re.compile(r"^(?P<fence>```+|~~~+)\s*(?P<lang>[\w+-]*)")
ANCHOR = re.compile(r"\bANCHOR(?:_END)?:\s*(?P<name>[\w-]+)")


def markdown_files(root: Path) -> list[Path]:
    found = []
    for path in sorted(root.rglob("*.md")):
        parts = path.relative_to(root).parts
        if any(p.startswith(".") or p == "target" for p in parts):
            continue
        if path.name.startswith("README") or path.name == "LAB.md":
            found.append(path)
    return found


def code_blocks(text: str):
    """Yields (line_number, language, marker_or_None, lines) for each fenced block."""
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        fence, lang, start = m.group("fence"), m.group("lang").lower(), i
        marker = None
        j = start - 1
        while j >= 0 and not lines[j].strip():
            j -= 1
        if j >= 0:
            mm = MARKER.match(lines[j].strip())
            if mm:
                marker = mm.group("what")
        body = []
        i += 1
        while i < len(lines) and not lines[i].startswith(fence[0] * len(fence)):
            body.append(lines[i])
            i += 1
        yield start + 1, lang, marker, body
        i += 1


def normalise(lines: list[str]) -> list[str]:
    lines = [line.rstrip() for line in lines]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    indents = [len(line) - len(line.lstrip()) for line in lines if line]
    cut = min(indents, default=0)
    return [line[cut:] for line in lines]


def region(path: Path, name: str | None) -> list[str]:
    """The lines of a whole file or of one ANCHOR region, without any anchor lines."""
    lines = path.read_text(encoding="utf-8").splitlines()
    if name is None:
        return [line for line in lines if not ANCHOR.search(line)]
    out, inside, seen = [], False, False
    for line in lines:
        m = ANCHOR.search(line)
        if m and m.group("name") == name:
            if "ANCHOR_END" in line:
                if not inside:
                    raise ValueError(f"ANCHOR_END: {name} before its ANCHOR in {path}")
                return out
            if seen:
                raise ValueError(f"region {name} opens twice in {path}")
            inside = seen = True
            continue
        if inside and not m:
            out.append(line)
    if inside:
        raise ValueError(f"region {name} in {path} has no ANCHOR_END")
    raise ValueError(f"no region {name} in {path}")


def check_file(md: Path, root: Path) -> list[str]:
    problems = []
    rel = md.relative_to(root)
    for line_no, lang, marker, body in code_blocks(md.read_text(encoding="utf-8")):
        where = f"{rel}:{line_no}"
        if marker is None:
            if lang in CHECKED_LANGUAGES:
                problems.append(
                    f"{where}: a ```{lang} block has no '<!-- code: PATH#REGION -->' "
                    "(or '<!-- code: sketch -->') line before it"
                )
            continue
        if marker == "sketch":
            continue
        path_part, _, name = marker.partition("#")
        source = (md.parent / path_part).resolve()
        if not source.is_file():
            problems.append(f"{where}: the block names {path_part}, which does not exist")
            continue
        try:
            want = normalise(region(source, name or None))
        except ValueError as e:
            problems.append(f"{where}: {e}")
            continue
        got = normalise(body)
        if got != want:
            for k in range(max(len(got), len(want))):
                a = got[k] if k < len(got) else "<end of block>"
                b = want[k] if k < len(want) else "<end of region>"
                if a != b:
                    problems.append(
                        f"{where}: the block differs from {marker} at its line {k + 1}:\n"
                        f"    block:  {a}\n    source: {b}"
                    )
                    break
    return problems


def main() -> int:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent)
    root = root.resolve()
    problems, blocks = [], 0
    for md in markdown_files(root):
        problems += check_file(md, root)
        blocks += sum(1 for _, _, marker, _ in code_blocks(md.read_text(encoding="utf-8")) if marker)
    for p in problems:
        print(f"check-readme-code: {p}", file=sys.stderr)
    if problems:
        print(f"check-readme-code: {len(problems)} block(s) out of date with their source", file=sys.stderr)
        return 1
    print(f"check-readme-code: {blocks} marked block(s) match their source")
    return 0


if __name__ == "__main__":
    sys.exit(main())
