#!/usr/bin/env python3
"""The Persian lessons are laid out right where most learners read them: on GitHub.

GitHub renders Markdown as CommonMark (with GFM tables), keeps raw HTML such as
`<div dir="rtl">`, and gives every paragraph, heading and list `dir="auto"`: the browser then
takes the block's direction from its first strong letter, whatever the surrounding div says. So
in every *.fa.md file this check renders the blocks the same way and fails on:

1. a paragraph, heading or list whose first strong character is Latin (left to right): its
   clauses come out in reverse order. Start it with a Persian word, or with U+200F (RLM) where
   it must open with code;
2. a code span with Latin text or digits whose first or last character (spaces aside) is
   punctuation or a symbol, with neither U+200E (LRM) nor a Latin letter on that side outside
   the backticks: next to Persian text, `join()` shows as "()join", `--help` as "help--" and
   `1, 2, ` with its commas moved. The mark goes outside the backticks, never inside, so that
   copying a command never copies an invisible character;
   A span that opens with a digit and holds a space or a letter (`1 - Hello`, `1, 2, 3`) needs
   the mark before it too: the browser reads its first number as part of the Persian text;
3. a Persian comma or semicolon (، ؛) between two left-to-right runs (Latin words or code
   spans), without U+200F right after it: the list reads backwards ("`a`، `b`" shows b first);
4. an Arabic ي (U+064A) or ك (U+0643) in prose, where Persian writes ی and ک.

`--fix` adds the marks of rules 2 and 3 to the files, then checks them.

Usage: check-fa-layout.py [--fix] [FILE.fa.md ...]   (default: every *.fa.md in the repository)
Needs markdown-it-py (pip install markdown-it-py==3.0.0).
"""

from __future__ import annotations

import re
import sys
import unicodedata
from pathlib import Path

from markdown_it import MarkdownIt

LRM, RLM = "\u200e", "\u200f"
ARABIC = {"\u064a": "ي (Arabic yeh; Persian writes ی)", "\u0643": "ك (Arabic kaf; Persian writes ک)"}
LATIN = re.compile(r"[A-Za-z]")
LATIN_OR_DIGIT = re.compile(r"[A-Za-z0-9]")  # a code span that reads left to right
BLOCKS = {"paragraph_open", "heading_open", "bullet_list_open", "ordered_list_open"}


def strong(ch: str) -> str | None:
    """'ltr', 'rtl' or None: the character's strong direction, as dir="auto" reads it."""
    kind = unicodedata.bidirectional(ch)
    if kind == "L":
        return "ltr"
    if kind in ("R", "AL"):
        return "rtl"
    return None


def pieces(inline) -> list[tuple[str, str]]:
    """The rendered text of an inline token, as (kind, text): 'text', 'code' or 'break'."""
    out = []
    for child in inline.children or []:
        if child.type == "text":
            out.append(("text", child.content))
        elif child.type == "code_inline":
            out.append(("code", child.content))
        elif child.type in ("softbreak", "hardbreak"):
            out.append(("break", "\n"))
    return out


def first_strong(inlines) -> tuple[str | None, str]:
    for inline in inlines:
        for _, text in pieces(inline):
            for i, ch in enumerate(text):
                if d := strong(ch):
                    return d, text[max(0, i - 2): i + 18]
    return None, ""


def is_edge_symbol(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "PS"


def opens_ltr(span: str) -> bool:
    """Whether a code span's opening edge needs an LRM before it (unless a Latin letter is there)."""
    edges = span.strip()
    return is_edge_symbol(edges[0]) or (edges[0].isdigit() and bool(re.search(r"[\sA-Za-z]", edges)))


# A Persian comma or semicolon between two left-to-right runs, with no RLM after it. In the
# rendered text a code span stands as "A".
BETWEEN_LTR = re.compile("[A-Za-z0-9][ \t]*[\u060c\u061b](?!\u200f)[ \t]*[A-Za-z]")


def code_edges(inline) -> list[str]:
    """The unprotected edges of the code spans in one inline token."""
    problems = []
    flat = pieces(inline)
    for i, (kind, text) in enumerate(flat):
        if kind != "code" or not LATIN_OR_DIGIT.search(text) or not text.strip():
            continue
        before = flat[i - 1][1][-1:] if i > 0 else ""
        after = flat[i + 1][1][:1] if i + 1 < len(flat) else ""
        edges = text.strip()  # a space inside the backticks does not hold the punctuation
        if opens_ltr(text) and before != LRM and not LATIN.fullmatch(before or "x0"):
            problems.append(f"`{text}` needs U+200E (LRM) before its opening backtick")
        if is_edge_symbol(edges[-1]) and after != LRM and not LATIN.fullmatch(after or "x0"):
            problems.append(f"`{text}` needs U+200E (LRM) after its closing backtick")
    return problems


def check(path: Path, md: MarkdownIt) -> list[str]:
    text = path.read_text(encoding="utf-8")
    tokens = md.parse(text)
    problems = []

    def where(token) -> str:
        return f"{path}:{token.map[0] + 1 if token.map else '?'}"

    for i, tok in enumerate(tokens):
        if tok.type == "inline":
            for problem in code_edges(tok):
                problems.append(f"{where(tok)}: {problem}")
            flat = "".join("A" if kind == "code" else piece for kind, piece in pieces(tok))
            for m in BETWEEN_LTR.finditer(flat):
                problems.append(f"{where(tok)}: the comma in {m.group(0)!r} sits between two "
                                "left-to-right runs: put U+200F (RLM) right after it")
            for kind, piece in pieces(tok):
                if kind == "text":
                    for ch, name in ARABIC.items():
                        if ch in piece:
                            problems.append(f"{where(tok)}: {name} in prose")
        if tok.type not in BLOCKS or (tok.type == "paragraph_open" and tok.hidden):
            continue
        # The inline content this block's dir="auto" reads: for a list, its items' own text,
        # leaving out nested lists and loose paragraphs, which carry dir="auto" themselves.
        inlines, depth, j = [], 0, i
        if tok.type in ("paragraph_open", "heading_open"):
            inlines = [tokens[i + 1]]
        else:
            j = i + 1
            while j < len(tokens) and not (depth == 0 and tokens[j].type == tok.type.replace(
                    "_open", "_close")):
                t = tokens[j]
                if t.type in ("bullet_list_open", "ordered_list_open") or (
                        t.type == "paragraph_open" and not t.hidden):
                    depth += 1
                elif t.type in ("bullet_list_close", "ordered_list_close") or (
                        t.type == "paragraph_close" and not t.hidden):
                    depth -= 1
                elif t.type == "inline" and depth == 0:
                    inlines.append(t)
                j += 1
        direction, sample = first_strong(inlines)
        if direction == "ltr":
            what = {"paragraph_open": "paragraph", "heading_open": "heading"}.get(tok.type, "list")
            problems.append(f"{where(tok)}: this {what} starts with Latin text ({sample.strip()!r}), "
                            "so GitHub lays it out left to right: start it in Persian, or with "
                            "U+200F (RLM)")
    return problems


CODE_SPAN = re.compile(r"(`+)(.+?)\1")


def fix(path: Path) -> int:
    """Put an LRM outside each code span edge that needs one; returns how many were added."""
    added = 0
    out, fence = [], None
    for line in path.read_text(encoding="utf-8").split("\n"):
        m = re.match(r"^\s*(```+|~~~+)", line)
        if m and (fence is None or m.group(1).startswith(fence)):
            fence = None if fence else m.group(1)
            out.append(line)
            continue
        if fence:
            out.append(line)
            continue
        result, pos = [], 0
        for span in CODE_SPAN.finditer(line):
            inner = span.group(2).strip() or span.group(2)
            start, end = span.span()
            result.append(line[pos:start])
            before = "".join(result)[-1:]
            after = line[end:end + 1]
            code = span.group(0)
            if LATIN_OR_DIGIT.search(inner) and opens_ltr(inner) and before != LRM \
                    and not LATIN.fullmatch(before or "x0"):
                code = LRM + code
                added += 1
            if LATIN_OR_DIGIT.search(inner) and is_edge_symbol(inner[-1]) and after != LRM \
                    and not LATIN.fullmatch(after or "x0"):
                code = code + LRM
                added += 1
            result.append(code)
            pos = end
        result.append(line[pos:])
        line = "".join(result)
        fixed = re.sub("([A-Za-z0-9`][ \t]*[\u060c\u061b])(?!\u200f)(?=[ \t]*[`A-Za-z])",
                       lambda m: m.group(1) + RLM, line)
        added += fixed.count(RLM) - line.count(RLM)
        out.append(fixed)
    path.write_text("\n".join(out), encoding="utf-8")
    return added


def main(argv: list[str]) -> int:
    root = Path(__file__).resolve().parent.parent
    fixing = "--fix" in argv
    names = [a for a in argv if a != "--fix"]
    files = [Path(a) for a in names] or sorted(
        p for p in root.rglob("*.fa.md") if "target" not in p.parts and "node_modules" not in p.parts)
    md = MarkdownIt("commonmark", {"html": True}).enable("table")
    problems = []
    for path in files:
        if fixing:
            n = fix(path)
            if n:
                print(f"{path}: added {n} marks")
        problems += check(path, md)
    for problem in problems:
        print(problem)
    print(f"fa layout: {len(files)} files, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
