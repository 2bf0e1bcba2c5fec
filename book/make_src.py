#!/usr/bin/env python3
"""Make the mdBook sources of the course's two books from the READMEs, at build time.

    python3 book/make_src.py REPO WORKDIR

writes WORKDIR/en/ and WORKDIR/fa/ (each a book.toml and a src/ for mdBook) and
WORKDIR/manifest.json (every page, its title and its code blocks, for the checks).
Nothing here is committed: the READMEs are the only source, read again at every build.

Each book has:
- the introduction: README.md (en) or README.fa.md (fa), as index.md;
- one chapter per lesson crate (session-*/README.md or README.fa.md), as session-X/index.md;
- under it, LAB.md (in English in both books), as session-X/lab.md;
- under it, one page per source file that a README or LAB.md links to, and one per file in
  the crate's examples/ folder (the course's programs): session-X/examples/fib.rs.md, whose
  page is session-X/examples/fib.rs.html; examples/ and any linked folder (exercises/) get a
  listing page, with their files as its sub-chapters;
- after the glossary, the other top-level documents that a page links to (CONTRIBUTING.md),
  and any other file of the repository that a page links to;
- in the Persian book, the glossary (GLOSSARY.fa.md), as glossary.md.

The two books have the same paths, so a page's twin is the same path in ../en or ../fa.
Links are rewritten in copies, never in the READMEs: a link to a README, LAB.md, the glossary,
a folder or a source file becomes a link to its page, in this book or the other one. A link
to a file that does not exist is left as it is, so the link check finds it and fails.
"""

import json
import os
import posixpath
import re
import sys

LANGS = ("en", "fa")
# The book's own style: CSS for right to left, isolated code spans, the fonts, phone width.
CSS_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "theme", "course.css")
JS_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "theme", "course.js")

FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,})(.*)$")
LINK = re.compile(r"\]\(([^()\s]+)(\s+\"[^\"]*\")?\)")
CODE_SPAN = re.compile(r"(`+)(.+?)\1")
PERSIAN = re.compile(r"[\u0600-\u06FF]")
LANG_OF_EXT = {"rs": "rust", "py": "python", "toml": "toml", "sh": "sh", "md": "markdown",
               "json": "json", "sql": "sql", "html": "html", "txt": "text", "patch": "diff",
               "diff": "diff", "yml": "yaml", "yaml": "yaml"}

TEXT = {
    "en": {
        "lab": "The lab (LAB.md)",
        "source": "The file `{path}` of the crate `{crate}`, as it is in the repository. "
                  "Back to [the lesson]({lesson}).",
        "folder": "The files in `{path}` of the crate `{crate}`. Back to [the lesson]({lesson}).",
        "file": "The file `{path}` of the repository, as it is. Back to [the introduction]({index}).",
    },
    "fa": {
        "lab": "آزمایشگاه (LAB.md، به انگلیسی)",
        "lab_note": "آزمایشگاه این جلسه فقط به انگلیسی نوشته شده است. بازگشت به [درس]({lesson}).",
        "source": "این صفحه فایل `{path}` از crate `{crate}` است، همان‌طور که در مخزن هست. "
                  "بازگشت به [درس]({lesson}).",
        "folder": "فایل‌های پوشهٔ `{path}` از crate `{crate}`. بازگشت به [درس]({lesson}).",
        "file": "این صفحه فایل `{path}` از مخزن است، همان‌طور که هست. بازگشت به [صفحهٔ اول]({index}).",
        "doc_note": "این صفحه فقط به انگلیسی نوشته شده است. بازگشت به [صفحهٔ اول]({index}).",
    },
}


def fail(msg):
    print(f"book: {msg}", file=sys.stderr)
    sys.exit(1)


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def scan(md):
    """Yield (kind, indent, line) for each line of Markdown: kind is "text", or "open", "code",
    "close" for a fenced code block (indent: the opening fence's indentation)."""
    fence, indent = None, 0
    for line in md.split("\n"):
        stripped = line.lstrip(" ")
        lead = len(line) - len(stripped)
        if fence is None:
            m = FENCE.match(stripped)
            if m and not (m.group(2)[0] == "`" and "`" in m.group(3)):
                fence, indent = m.group(2), lead
                yield "open", indent, line
            else:
                yield "text", 0, line
        else:
            s = stripped.rstrip()
            if s and set(s) == {fence[0]} and len(s) >= len(fence):
                fence = None
                yield "close", indent, line
            else:
                yield "code", indent, line


def code_blocks(md):
    """The fenced code blocks of a Markdown text, as their content (the fence's indentation
    removed, as Markdown does inside a list item), in order."""
    blocks, cur = [], []
    for kind, indent, line in scan(md):
        if kind == "code":
            lead = len(line) - len(line.lstrip(" "))
            cur.append(line[min(indent, lead):])
        elif kind == "close":
            blocks.append("\n".join(cur))
            cur = []
    return blocks


def outside_code(md):
    """Yield (is_code, line) for each line: True for a fence or a line inside a code block."""
    for kind, _, line in scan(md):
        yield kind != "text", line


def title_of(md, fallback):
    for is_code, line in outside_code(md):
        if not is_code and line.startswith("# "):
            return line[2:].strip()
    return fallback


class Site:
    def __init__(self, repo):
        self.repo = repo
        self.lessons = sorted(d for d in os.listdir(repo)
                              if d.startswith("session-") and os.path.isfile(os.path.join(repo, d, "README.md")))
        if not self.lessons:
            fail(f"no session-*/README.md under {repo}")
        for d in self.lessons:
            for f in ("README.fa.md", "LAB.md"):
                if not os.path.isfile(os.path.join(repo, d, f)):
                    fail(f"{d}/{f} is missing: every lesson has both books and a lab")
        # Pages made from source files: book path -> repo path, per lesson (same in both books).
        self.sources = {d: {} for d in self.lessons}
        self.folders = {d: {} for d in self.lessons}
        # Top-level Markdown documents other than the READMEs (CONTRIBUTING.md), and other files
        # outside the lessons, that a page links to: repo path -> page path.
        self.docs = {}
        self.files = {}

    # -- where a repo path lives in the books ------------------------------------------------
    def target(self, book, rel):
        """(book, page path) of a repo-relative path, or None if the site has no page for it."""
        rel = rel.rstrip("/")
        full = os.path.join(self.repo, rel)
        if rel == "README.md":
            return "en", "index.md"
        if rel == "README.fa.md":
            return "fa", "index.md"
        if rel == "GLOSSARY.fa.md":
            return "fa", "glossary.md"
        parts = rel.split("/")
        if parts[0] not in self.lessons:
            if len(parts) == 1 and rel.endswith(".md") and os.path.isfile(full):
                page = rel[:-3].lower().replace(".", "-") + ".md"
                self.docs[rel] = page
                return ("fa" if rel.endswith(".fa.md") else book), page
            if os.path.isfile(full) and not rel.startswith(".."):
                page = "files/" + "/".join("dot-" + p[1:] if p.startswith(".") else p for p in parts) + ".md"
                self.files[rel] = page
                return book, page
            return None
        lesson = parts[0]
        if len(parts) == 1:
            return book, f"{lesson}/index.md"  # a lesson's folder: its lesson, in this book
        sub = "/".join(parts[1:])
        if sub == "README.md":
            return "en", f"{lesson}/index.md"
        if sub == "README.fa.md":
            return "fa", f"{lesson}/index.md"
        if sub == "LAB.md":
            return book, f"{lesson}/lab.md"
        if os.path.isfile(full):
            self.sources[lesson][sub] = rel
            return book, f"{lesson}/{sub}.md"
        if os.path.isdir(full):
            self.folders[lesson][sub] = rel
            return book, f"{lesson}/{sub}/index.md"
        return None

    def rewrite_links(self, md, src_rel, book, page):
        """Rewrite the relative links of a Markdown file (repo path src_rel), shown in `book`
        at `page`, so that each one leads to its page in the built site."""
        src_dir = posixpath.dirname(src_rel)
        page_dir = posixpath.dirname(page)

        def one(m):
            target, title = m.group(1), m.group(2) or ""
            if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I) or target.startswith(("#", "/")):
                return m.group(0)
            path, _, frag = target.partition("#")
            rel = posixpath.normpath(posixpath.join(src_dir, path)) if path else src_rel
            if path.endswith("/"):
                rel += "/"
            where = self.target(book, rel)
            if where is None:
                return m.group(0)  # a missing file stays missing: the link check says so
            tbook, tpage = where
            if tbook == book:
                link = posixpath.relpath(tpage, page_dir or ".")
            else:
                up = "../" * (page.count("/") + 1)
                link = f"{up}{tbook}/{tpage[:-3]}.html"
            return f"]({link}{'#' + frag if frag else ''}{title})"

        out = []
        for is_code, line in outside_code(md):
            if is_code:
                out.append(line)
                continue
            pieces, pos = [], 0
            for cm in CODE_SPAN.finditer(line):
                pieces.append(LINK.sub(one, line[pos:cm.start()]))
                pieces.append(cm.group(0))
                pos = cm.end()
            pieces.append(LINK.sub(one, line[pos:]))
            out.append("".join(pieces))
        return "\n".join(out)


def fence_for(text):
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def main():
    if len(sys.argv) != 3:
        fail("usage: make_src.py REPO WORKDIR")
    repo, work = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    site = Site(repo)
    manifest = {"lessons": site.lessons, "books": {}}
    pages = {b: [] for b in LANGS}  # (page, title, markdown, kind, twin_exists)

    intro_src = {"en": "README.md", "fa": "README.fa.md"}
    lesson_src = {"en": "README.md", "fa": "README.fa.md"}
    for book in LANGS:
        md = read(os.path.join(repo, intro_src[book]))
        pages[book].append(("index.md", title_of(md, "Introduction"), site.rewrite_links(md, intro_src[book], book, "index.md"), "intro", md))
        for d in site.lessons:
            rel = f"{d}/{lesson_src[book]}"
            md = read(os.path.join(repo, rel))
            page = f"{d}/index.md"
            pages[book].append((page, title_of(md, d), site.rewrite_links(md, rel, book, page), "lesson", md))
            lab_rel = f"{d}/LAB.md"
            lab = read(os.path.join(repo, lab_rel))
            lab_page = f"{d}/lab.md"
            body = site.rewrite_links(lab, lab_rel, book, lab_page)
            if book == "fa":
                note = TEXT["fa"]["lab_note"].format(lesson="index.md")
                body = f'<div dir="rtl">\n\n{note}\n\n</div>\n\n<div dir="ltr" lang="en">\n\n{body}\n\n</div>\n'
            pages[book].append((lab_page, title_of(lab, "LAB.md"), body, "lab", lab))
        if book == "fa":
            md = read(os.path.join(repo, "GLOSSARY.fa.md"))
            pages[book].append(("glossary.md", title_of(md, "واژه‌نامه"), site.rewrite_links(md, "GLOSSARY.fa.md", book, "glossary.md"), "glossary", md))

    # Top-level documents that the pages link to (CONTRIBUTING.md), and those they link to.
    done = set()
    while set(site.docs) - done:
        for rel in sorted(set(site.docs) - done):
            done.add(rel)
            page = site.docs[rel]
            md = read(os.path.join(repo, rel))
            for book in (["fa"] if rel.endswith(".fa.md") else LANGS):
                body = site.rewrite_links(md, rel, book, page)
                if book == "fa" and not rel.endswith(".fa.md"):
                    note = TEXT["fa"]["doc_note"].format(index="index.md")
                    body = f'<div dir="rtl">\n\n{note}\n\n</div>\n\n<div dir="ltr" lang="en">\n\n{body}\n\n</div>\n'
                pages[book].append((page, title_of(md, rel), body, "doc", md))

    # Every file of examples/ is a page (the course's programs), linked or not, under a listing.
    for d in site.lessons:
        ex = os.path.join(repo, d, "examples")
        if os.path.isdir(ex):
            site.folders[d].setdefault("examples", f"{d}/examples")
        for root, dirs, files in os.walk(ex):
            dirs.sort()
            for f in sorted(files):
                rel = posixpath.relpath(os.path.join(root, f), os.path.join(repo, d)).replace(os.sep, "/")
                site.sources[d].setdefault(rel, f"{d}/{rel}")

    for book in LANGS:
        for d in site.lessons:
            lesson_page = f"{d}/index.md"
            for sub in sorted(site.folders[d]):
                page = f"{d}/{sub}/index.md"
                files = []
                for root, dirs, fs in os.walk(os.path.join(repo, d, sub)):
                    dirs.sort()
                    for f in sorted(fs):
                        frel = posixpath.relpath(os.path.join(root, f), os.path.join(repo, d)).replace(os.sep, "/")
                        site.sources[d].setdefault(frel, f"{d}/{frel}")
                        files.append(frel)
                lines = [TEXT[book]["folder"].format(path=sub + "/", crate=d, lesson=posixpath.relpath(lesson_page, posixpath.dirname(page))), ""]
                for frel in files:
                    lines.append(f"- [`{frel}`]({posixpath.relpath(f'{d}/{frel}.md', posixpath.dirname(page))})")
                body = "\n".join(lines) + "\n"
                head = f"# {sub}/"
                if book == "fa":
                    body = f'<div dir="rtl">\n\n{body}\n</div>\n'
                    head = f'<div dir="ltr">\n\n{head}\n\n</div>'
                pages[book].append((page, f"{sub}/", f"{head}\n\n{body}", "folder", ""))
            for sub in sorted(site.sources[d]):
                page = f"{d}/{sub}.md"
                text = read(os.path.join(repo, d, sub))
                ext = sub.rsplit(".", 1)[-1] if "." in sub else ""
                fence = fence_for(text)
                intro = TEXT[book]["source"].format(path=sub, crate=d, lesson=posixpath.relpath(lesson_page, posixpath.dirname(page)))
                head = f"# {sub}"
                if book == "fa":
                    intro = f'<div dir="rtl">\n\n{intro}\n\n</div>'
                    head = f'<div dir="ltr">\n\n{head}\n\n</div>'
                body = f"{head}\n\n{intro}\n\n{fence}{LANG_OF_EXT.get(ext, 'text')}\n{text.rstrip(chr(10))}\n{fence}\n"
                pages[book].append((page, sub, body, "source", f"{fence}\n{text.rstrip(chr(10))}\n{fence}\n"))

    for book in LANGS:
        for rel, page in sorted(site.files.items()):
            text = read(os.path.join(repo, rel))
            ext = rel.rsplit(".", 1)[-1] if "." in posixpath.basename(rel) else ""
            fence = fence_for(text)
            intro = TEXT[book]["file"].format(path=rel, index=posixpath.relpath("index.md", posixpath.dirname(page)))
            head = f"# {rel}"
            if book == "fa":
                intro = f'<div dir="rtl">\n\n{intro}\n\n</div>'
                head = f'<div dir="ltr">\n\n{head}\n\n</div>'
            body = f"{head}\n\n{intro}\n\n{fence}{LANG_OF_EXT.get(ext, 'text')}\n{text.rstrip(chr(10))}\n{fence}\n"
            pages[book].append((page, rel, body, "source", f"{fence}\n{text.rstrip(chr(10))}\n{fence}\n"))

    # Write each book: its pages, SUMMARY.md, book.toml.
    for book in LANGS:
        src = os.path.join(work, book, "src")
        os.makedirs(src, exist_ok=True)
        by_page = {p[0]: p for p in pages[book]}
        summary = ["# Summary", ""]
        intro = by_page["index.md"]
        summary.append(f"[{md_text(intro[1])}](index.md)")
        summary.append("")
        for d in site.lessons:
            summary.append(f"- [{md_text(by_page[f'{d}/index.md'][1])}]({d}/index.md)")
            summary.append(f"  - [{TEXT[book]['lab']}]({d}/lab.md)")
            # A folder's files under its listing page; the other files after them.
            folders = sorted(site.folders[d], key=lambda f: (f != "examples", f))
            placed = set()
            for sub in folders:
                # In the right-to-left sidebar a trailing '/' would be drawn before the name.
                label = sub if book == "fa" else f"{sub}/"
                summary.append(f"  - [{label}]({d}/{sub}/index.md)")
                for f in sorted(site.sources[d]):
                    if f.startswith(sub + "/") and f not in placed:
                        placed.add(f)
                        summary.append(f"    - [{md_text(f[len(sub) + 1:])}]({d}/{f}.md)")
            for f in sorted(set(site.sources[d]) - placed):
                summary.append(f"  - [{md_text(f)}]({d}/{f}.md)")
        if book == "fa":
            summary.append("")
            summary.append(f"[{md_text(by_page['glossary.md'][1])}](glossary.md)")
        extra = [(p[0], p[1]) for p in pages[book] if p[3] == "doc"]
        extra += [(page, rel) for rel, page in sorted(site.files.items())]
        if extra:
            summary.append("")
            summary += [f"[{md_text(title)}]({page})" for page, title in extra]
        write(os.path.join(src, "SUMMARY.md"), "\n".join(summary) + "\n")

        entries = []
        for page, title, body, kind, original in pages[book]:
            write(os.path.join(src, page), body)
            entries.append({
                "page": page[:-3] + ".html",
                "title": title,
                "kind": kind,
                # What each code block of the page's source says: the page must show it as is.
                "code": code_blocks(original) if kind != "folder" else [],
                "twin": kind in ("intro", "lesson"),
            })
        manifest["books"][book] = {"title": by_page["index.md"][1], "pages": entries}
        write(os.path.join(work, book, "book.toml"), book_toml(book, by_page["index.md"][1]))
        css = read(CSS_FILE)
        if os.environ.get("BOOK_DROP_ISOLATION") == "1":
            # For the check's own test: the same site without the rules that isolate code.
            css = re.sub(r"/\* isolation: begin \*/.*?/\* isolation: end \*/", "", css, flags=re.S)
        write(os.path.join(work, book, "course.css"), css)
        write(os.path.join(work, book, "course.js"), read(JS_FILE))

    write(os.path.join(work, "index.html"), picker(manifest["books"]["en"]["title"], manifest["books"]["fa"]["title"]))
    write(os.path.join(work, "manifest.json"), json.dumps(manifest, ensure_ascii=False, indent=1))
    n = {b: len(pages[b]) for b in LANGS}
    print(f"book: sources made from the READMEs: {len(site.lessons)} lessons, {n['en']} pages in en, {n['fa']} in fa")


def picker(en_title, fa_title):
    """OUT/index.html: the two books, side by side on a desktop, one above the other on a phone."""
    from html import escape
    en_title, fa_title = escape(title_plain(en_title)), escape(title_plain(fa_title))
    return f"""<!DOCTYPE html>
<html lang="en" dir="ltr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{en_title} · {fa_title}</title>
<style>
  body {{ margin: 0; padding: 2rem 1rem; font: 18px/1.6 "Open Sans", system-ui, sans-serif;
         background: #fafafa; color: #222; }}
  main {{ max-width: 46rem; margin: 0 auto; display: grid; gap: 1rem;
          grid-template-columns: repeat(auto-fit, minmax(16rem, 1fr)); }}
  a {{ display: block; padding: 1.5rem; border: 1px solid #ccc; border-radius: 8px; background: #fff;
       color: inherit; text-decoration: none; overflow-wrap: anywhere; }}
  a:hover, a:focus {{ border-color: #4183c4; }}
  strong {{ display: block; font-size: 1.3rem; color: #4183c4; }}
  [lang="fa"] {{ font-family: Vazirmatn, "Noto Naskh Arabic", "Noto Sans Arabic", system-ui, sans-serif; }}
</style>
</head>
<body>
<main>
  <a href="en/index.html" hreflang="en" lang="en" dir="ltr"><strong>English</strong>{en_title}</a>
  <a href="fa/index.html" hreflang="fa" lang="fa" dir="rtl"><strong>فارسی</strong>{fa_title}</a>
</main>
</body>
</html>
"""


def title_plain(s):
    return s.replace("`", "").replace("**", "")


def md_text(s):
    """A title as the text of a SUMMARY link: brackets escaped."""
    return s.replace("[", "\\[").replace("]", "\\]")


def book_toml(book, title):
    def q(s):
        return json.dumps(s, ensure_ascii=False)
    desc = {"en": "The Persian course on async Python, ported to Rust: one lesson crate per session.",
            "fa": "دورهٔ فارسی برنامه‌نویسی async در پایتون، به Rust: برای هر جلسه یک crate."}[book]
    return f"""[book]
title = {q(title)}
description = {q(desc)}
language = "{book}"
src = "src"

[build]
# Only our own preprocessing (book/make_src.py): mdBook's {{{{#include}}}} directives stay text.
use-default-preprocessors = false
create-missing = false

[output.html]
additional-css = ["course.css"]
additional-js = ["course.js"]
default-theme = "light"
preferred-dark-theme = "navy"
smart-punctuation = false
no-section-label = true

[output.html.playground]
runnable = false

[output.html.fold]
enable = true
level = 0

[output.html.print]
enable = true

[output.html.search]
enable = true
"""


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


if __name__ == "__main__":
    main()
