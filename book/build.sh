#!/usr/bin/env bash
# Build the course as a book, in English and in Persian, from the READMEs:
#
#   bash book/build.sh OUT        then open OUT/index.html
#
# OUT/en/ and OUT/fa/ are two mdBook books (the top README, one chapter per lesson crate with
# its LAB.md and its source files as sub-chapters; the glossary in fa), OUT/index.html picks
# the language, and OUT/screenshots/ has one lesson per language at a phone's and a desktop's
# width, for a person to look at. The chapters are made from the READMEs at every build
# (book/make_src.py, into OUT/.src); nothing generated is committed.
#
# What it needs, and installs when missing (saying so): mdbook at the version below, from
# crates.io; Chromium and the Noto Arabic fonts, from Debian (apt-get, as root); puppeteer-core,
# from npm, into book/node_modules (no browser is downloaded).
#
# Environment:
#   BOOK_SCREENSHOTS=0       skip the screenshots (and so Chromium and node)
#   BOOK_DROP_ISOLATION=1    build without the CSS that isolates inline code: only for the test
#                            that shows the browser check failing (.ci/test-book.sh)
#   BOOK_TOOLS=DIR           where mdbook is installed when it is not on PATH at the pinned
#                            version (default: ~/.cache/course-book)
set -euo pipefail

MDBOOK_VERSION=0.5.4   # mdBook's newest release; `mdbook --version` must say exactly this

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
say() { printf 'book: %s\n' "$*"; }
fail() { printf 'book: %s\n' "$*" >&2; exit 1; }

[ $# -eq 1 ] || fail "usage: bash book/build.sh OUT   (then open OUT/index.html)"
out=$1
shots=${BOOK_SCREENSHOTS:-1}
t_start=$SECONDS

# --- tools ------------------------------------------------------------------------------------
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
  fail "need root to run: $*"; fi; }
apt_install() {
  say "installing from Debian: $* (apt-get)"
  if [ -z "${_apt_updated:-}" ]; then as_root apt-get update -qq; _apt_updated=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

mdbook=
if command -v mdbook >/dev/null && [ "$(mdbook --version 2>/dev/null)" = "mdbook v$MDBOOK_VERSION" ]; then
  mdbook=$(command -v mdbook)
else
  tools=${BOOK_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/course-book}/mdbook-$MDBOOK_VERSION
  mdbook=$tools/bin/mdbook
  if ! [ -x "$mdbook" ] || [ "$("$mdbook" --version 2>/dev/null)" != "mdbook v$MDBOOK_VERSION" ]; then
    command -v cargo >/dev/null || fail "cargo is needed to install mdbook (see README.md: Rust)"
    say "installing mdbook $MDBOOK_VERSION into $tools (cargo install, a few minutes once)"
    t=$SECONDS
    # Only the search feature: no `mdbook serve` (its web server and file watcher take longer
    # to build than the rest of mdbook).
    cargo install mdbook --locked --version "$MDBOOK_VERSION" --no-default-features --features search \
      --root "$tools" --quiet
    say "mdbook installed in $((SECONDS - t)) s"
  fi
fi

if [ "$shots" != 0 ]; then
  need=()
  command -v chromium >/dev/null || need+=(chromium)
  # Persian-first fonts: Vazirmatn is not in Debian 12; Noto Naskh Arabic and Noto Sans Arabic are.
  fonts=$(fc-list : family 2>/dev/null || true)
  [[ $fonts == *"Noto Naskh Arabic"* ]] || need+=(fonts-noto-core fontconfig)
  command -v node >/dev/null || need+=(nodejs npm)
  if [ ${#need[@]} -gt 0 ]; then t=$SECONDS; apt_install "${need[@]}"; say "installed in $((SECONDS - t)) s"; fi
  want=$(cd "$here" && node -p 'require("./package.json").dependencies["puppeteer-core"]')
  have=$(cd "$here" && node -p 'require("./node_modules/puppeteer-core/package.json").version' 2>/dev/null || true)
  if [ "$have" != "$want" ]; then
    say "installing puppeteer-core into book/node_modules (npm ci; no browser download)"
    t=$SECONDS
    (cd "$here" && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error >/dev/null)
    say "puppeteer-core installed in $((SECONDS - t)) s"
  fi
fi

# --- the output folder: ours only ---------------------------------------------------------------
# OUT is emptied only when an earlier build of this script made it (the marker file); any other
# non-empty folder is left alone.
if [ -e "$out" ] && ! [ -d "$out" ]; then fail "$out exists and is not a folder"; fi
if [ -d "$out" ] && [ -n "$(ls -A "$out")" ]; then
  [ -f "$out/.course-book" ] || fail "$out is not empty and was not made by book/build.sh: choose another folder"
  find "$out" -mindepth 1 -maxdepth 1 -exec rm -rf {} +
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)
echo "made by book/build.sh; emptied at every build" > "$out/.course-book"

# --- the books --------------------------------------------------------------------------------
t=$SECONDS
python3 "$here/make_src.py" "$repo" "$out/.src"
for lang in en fa; do
  "$mdbook" build "$out/.src/$lang" --dest-dir "$out/$lang" 2>&1 \
    | { grep -v -E '^\s*$|INFO' || true; }
  [ -f "$out/$lang/index.html" ] || fail "mdbook built no $lang/index.html"
  python3 "$here/search_index.py" "$out/$lang"   # Persian words into mdBook's search index
  python3 "$here/soften_code.py" "$out/$lang"    # long code spans wrap at :: . _ rather than anywhere
done
cp "$out/.src/index.html" "$out/index.html"
say "built $out/en and $out/fa with mdbook $MDBOOK_VERSION in $((SECONDS - t)) s"

if [ "$shots" != 0 ]; then
  t=$SECONDS
  node "$here/browser.mjs" screenshots "$out"
  say "screenshots in $((SECONDS - t)) s"
fi
say "done in $((SECONDS - t_start)) s: open $out/index.html"
