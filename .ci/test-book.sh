#!/usr/bin/env bash
# The book's checks fail when they should:
# 1. the link checker, on a small site with a missing page and a missing #fragment;
# 2. the browser test, on the Persian book built without the CSS that isolates inline code
#    (BOOK_DROP_ISOLATION=1): it must report the spans as not isolated, and `join()`-like spans
#    as drawn out of order on the screen.
#
#   bash .ci/test-book.sh
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f book/node_modules/puppeteer-core/package.json ] && command -v chromium >/dev/null \
  || { echo "test-book: run bash book/build.sh OUT first (it installs Chromium and puppeteer-core)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { printf 'test-book: %s\n' "$*" >&2; exit 1; }

mkdir -p "$tmp/links/sub"
cat > "$tmp/links/index.html" <<'HTML'
<a href="sub/ok.html#here">fine</a> <a href="sub/missing.html">missing page</a>
<a href="sub/ok.html#nowhere">missing fragment</a> <a href="https://example.org/">not followed</a>
HTML
echo '<h1 id="here">ok</h1><a href="../index.html">back</a>' > "$tmp/links/sub/ok.html"
if python3 .ci/check-book-links.py "$tmp/links" > "$tmp/links.out" 2>&1; then
  cat "$tmp/links.out"; fail "the link checker passed a site with broken links"
fi
grep -q 'sub/missing.html: no such file' "$tmp/links.out" || { cat "$tmp/links.out"; fail "the missing page was not reported"; }
grep -q 'no id "nowhere"' "$tmp/links.out" || { cat "$tmp/links.out"; fail "the missing fragment was not reported"; }
grep -q '2 broken' "$tmp/links.out" || { cat "$tmp/links.out"; fail "expected exactly 2 broken links"; }
echo "test-book: the link checker fails on a missing page and a missing fragment, as it should"

BOOK_SCREENSHOTS=0 BOOK_DROP_ISOLATION=1 bash book/build.sh "$tmp/site" > "$tmp/build.out" 2>&1 \
  || { cat "$tmp/build.out"; fail "the build without isolation failed"; }
if node book/browser.mjs test "$tmp/site" fa > "$tmp/browser.out" 2>&1; then
  tail -n 5 "$tmp/browser.out"; fail "the browser test passed a Persian book whose code spans are not isolated"
fi
grep -q 'inline code not isolated' "$tmp/browser.out" || { tail -n 20 "$tmp/browser.out"; fail "no span was reported as not isolated"; }
grep -q 'inline code drawn out of order' "$tmp/browser.out" || { tail -n 20 "$tmp/browser.out"; fail "no span was reported as drawn out of order"; }
n=$(grep -c 'inline code not isolated' "$tmp/browser.out" || true)
echo "test-book: without the isolation CSS the browser test fails, as it should ($n reports; e.g.:)"
grep -m 2 'drawn out of order' "$tmp/browser.out" | sed 's/^/  /'
echo "test-book: 4 passed, 0 failed"   # a missing page, a missing fragment, spans not isolated, spans out of order
