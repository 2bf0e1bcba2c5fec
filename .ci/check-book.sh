#!/usr/bin/env bash
# Check the built book (bash book/build.sh OUT): every relative link resolves, each lesson links
# its twin in the other language, and every page of both books passes the browser test at a
# phone's size in Debian's Chromium (book/browser.mjs says what it checks).
#
#   bash .ci/check-book.sh OUT
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: bash .ci/check-book.sh OUT   (build it first: bash book/build.sh OUT)}
[ -f "$out/.src/manifest.json" ] || { echo "check-book: $out was not built by book/build.sh" >&2; exit 1; }
python3 .ci/check-book-links.py "$out"
node book/browser.mjs test "$out"
