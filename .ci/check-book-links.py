#!/usr/bin/env python3
"""Walk the built book (bash book/build.sh OUT) and fail on a broken relative link.

    python3 .ci/check-book-links.py OUT

Every href and src of every HTML page under OUT (folders whose names start with "." aside)
that is relative must lead to a file of the site, and its #fragment, if any, to an id on
that page. A link from the site's root ("/x") is broken too: the site must work from any
folder. Links to other sites are not followed (CI has no internet).

With OUT/.src/manifest.json (written by the build), it also checks that each lesson page
and each introduction links to the same page in the other language.
"""

import json
import os
import sys
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit


class Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids, self.links = set(), []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for key in ("id", "name") if tag == "a" else ("id",):
            if a.get(key):
                self.ids.add(a[key])
        for key in ("href", "src"):
            if a.get(key) is not None and tag in ("a", "link", "script", "img", "iframe", "source"):
                self.links.append((tag, a[key]))


def parse(path, cache={}):
    if path not in cache:
        p = Page()
        with open(path, encoding="utf-8", errors="replace") as f:
            p.feed(f.read())
        cache[path] = p
    return cache[path]


def main():
    if len(sys.argv) != 2:
        print("usage: check-book-links.py OUT", file=sys.stderr)
        return 2
    out = os.path.abspath(sys.argv[1])
    if not os.path.isdir(out):
        print(f"check-book-links: {out} is not a folder; build it with: bash book/build.sh {sys.argv[1]}", file=sys.stderr)
        return 2
    pages, broken, checked = [], [], 0
    for root, dirs, files in os.walk(out):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        pages += [os.path.join(root, f) for f in sorted(files) if f.endswith(".html")]
    if not pages:
        print(f"check-book-links: no HTML page under {out}", file=sys.stderr)
        return 1
    for page in pages:
        rel_page = os.path.relpath(page, out)
        for tag, link in parse(page).links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or link.startswith("//"):
                continue  # another site, mailto:, javascript:, data:
            checked += 1
            if parts.path.startswith("/"):
                broken.append(f"{rel_page}: <{tag}> {link}: a link from the site's root")
                continue
            target = os.path.normpath(os.path.join(os.path.dirname(page), unquote(parts.path))) if parts.path else page
            if not (target == out or target.startswith(out + os.sep)):
                broken.append(f"{rel_page}: <{tag}> {link}: leads out of the site")
                continue
            if os.path.isdir(target):
                target = os.path.join(target, "index.html")
            if not os.path.isfile(target):
                broken.append(f"{rel_page}: <{tag}> {link}: no such file ({os.path.relpath(target, out)})")
                continue
            frag = unquote(parts.fragment)
            if frag and target.endswith(".html") and frag not in parse(target).ids:
                broken.append(f"{rel_page}: <{tag}> {link}: no id \"{frag}\" in {os.path.relpath(target, out)}")

    twins = 0
    manifest = os.path.join(out, ".src", "manifest.json")
    if os.path.isfile(manifest):
        with open(manifest, encoding="utf-8") as f:
            books = json.load(f)["books"]
        for lang, other in (("en", "fa"), ("fa", "en")):
            for p in books[lang]["pages"]:
                if not p["twin"]:
                    continue
                page = os.path.join(out, lang, p["page"])
                want = os.path.join(out, other, p["page"])
                if not os.path.isfile(page):
                    broken.append(f"{lang}/{p['page']}: the page is missing")
                    continue
                found = any(os.path.normpath(os.path.join(os.path.dirname(page), unquote(urlsplit(l).path))) == want
                            for _, l in parse(page).links if not urlsplit(l).scheme and urlsplit(l).path)
                twins += 1
                if not found:
                    broken.append(f"{lang}/{p['page']}: no link to the same page in the other language ({other}/{p['page']})")

    for b in broken:
        print(f"broken: {b}", file=sys.stderr)
    print(f"check-book-links: {len(pages)} pages, {checked} relative links, {twins} pages linked to their twin; "
          f"{len(broken)} broken")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
