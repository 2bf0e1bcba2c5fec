#!/usr/bin/env python3
"""Make mdBook's search find Persian words: add them to a built book's search index.

    python3 book/search_index.py OUT/fa

mdBook (0.5.4) indexes with elasticlunr's English pipeline, whose trimmer keeps only ASCII
letters and digits at a word's ends: every Persian word is trimmed to nothing and never
indexed, so searching the Persian book for a Persian word finds nothing. mdBook keeps the text
of every section in the index's document store (for the result teasers); this script reads it
back, splits it as mdBook does (on whitespace and '-'), trims each word by Unicode letters and
digits instead, and adds each word that has an Arabic-script letter to the index, with the
term frequency elasticlunr uses (the square root of the count). The words mdBook did index are
left as they are. The query side gets the same trimmer from theme/course.js.
"""

import glob
import json
import math
import os
import re
import sys

PREFIX = "window.search = Object.assign(window.search, JSON.parse('"
SUFFIX = "'));"
ARABIC_SCRIPT = re.compile(r"[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]")


def trim(token):
    """Strip what is not a letter, a digit or '_' from both ends (as course.js does)."""
    start, end = 0, len(token)
    while start < end and not (token[start].isalnum() or token[start] == "_"):
        start += 1
    while end > start and not (token[end - 1].isalnum() or token[end - 1] == "_"):
        end -= 1
    return token[start:end]


def ascii_trim(token):
    """What mdBook's indexer keeps of a word (elasticlunr-rs: ASCII letters and digits)."""
    return re.sub(r"^[^0-9A-Za-z_]+|[^0-9A-Za-z_]+$", "", token)


def add(root, token, ref, tf):
    node = root
    for ch in token:
        node = node.setdefault(ch, {"docs": {}, "df": 0})
    if ref not in node["docs"]:
        node["df"] += 1
    node["docs"][ref] = {"tf": tf}


def main():
    if len(sys.argv) != 2:
        print("usage: search_index.py BOOK_DIR", file=sys.stderr)
        return 2
    files = glob.glob(os.path.join(sys.argv[1], "searchindex-*.js")) or glob.glob(os.path.join(sys.argv[1], "searchindex.js"))
    if len(files) != 1:
        print(f"search_index: expected one searchindex*.js in {sys.argv[1]}, found {files}", file=sys.stderr)
        return 1
    path = files[0]
    with open(path, encoding="utf-8") as f:
        js = f.read()
    if not (js.startswith(PREFIX) and js.rstrip().endswith(SUFFIX)):
        print(f"search_index: {path} is not in the form this script knows (mdBook changed?)", file=sys.stderr)
        return 1
    literal = js[len(PREFIX):js.rstrip().rindex(SUFFIX)]
    data = json.loads(re.sub(r"\\(.)", r"\1", literal, flags=re.S))
    index = data["index"]
    store = index["documentStore"]
    added = 0
    for ref, doc in store["docs"].items():
        for field in index["fields"]:
            counts = {}
            for raw in re.split(r"[\s\-]+", (doc.get(field) or "").lower()):
                token = trim(raw)
                if token and ARABIC_SCRIPT.search(token) and token != ascii_trim(raw).lower():
                    counts[token] = counts.get(token, 0) + 1
            for token, n in counts.items():
                add(index["index"][field]["root"], token, ref, math.sqrt(n))
                added += 1
            info = store["docInfo"].setdefault(ref, {})
            info[field] = info.get(field, 0) + sum(counts.values())
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    with open(path, "w", encoding="utf-8") as f:
        f.write(PREFIX + text.replace("\\", "\\\\").replace("'", "\\'") + SUFFIX + "\n")
    print(f"search_index: {os.path.relpath(path)}: {added} Persian word entries added")
    return 0


if __name__ == "__main__":
    sys.exit(main())
