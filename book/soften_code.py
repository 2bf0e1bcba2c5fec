#!/usr/bin/env python3
"""Give long inline code spans places to wrap, in a built book's HTML pages.

    python3 book/soften_code.py OUT/fa

A phone is 390 px wide, and a table cell or a sentence may hold `tokio::time::sleep(d).await`.
Without help the browser breaks it at any letter (`sl|eep`). This puts <wbr> (a line-break
opportunity that is not a character: copying the code gives the same text) after `::`, `.`,
`_`, `/` and `,` when a letter or digit follows, in every inline code span of 12 characters or
more. Code blocks (<pre>) are not touched.
"""

import os
import re
import sys

INLINE = re.compile(r"(?<!<pre>)<code>([^<]{12,}?)</code>")
BREAK = re.compile(r"(::|[._/,])(?=[A-Za-z0-9])")


def main():
    if len(sys.argv) != 2:
        print("usage: soften_code.py BOOK_DIR", file=sys.stderr)
        return 2
    pages = spans = 0
    for root, dirs, files in os.walk(sys.argv[1]):
        for f in files:
            if not f.endswith(".html"):
                continue
            path = os.path.join(root, f)
            with open(path, encoding="utf-8") as fh:
                html = fh.read()
            count = [0]

            def soften(m):
                count[0] += 1
                return "<code>" + BREAK.sub(r"\1<wbr>", m.group(1)) + "</code>"

            new = INLINE.sub(soften, html)
            if new != html:
                with open(path, "w", encoding="utf-8") as fh:
                    fh.write(new)
                pages += 1
                spans += count[0]
    print(f"soften_code: {sys.argv[1]}: {spans} long code spans in {pages} pages may wrap at :: . _ / ,")
    return 0


if __name__ == "__main__":
    sys.exit(main())
