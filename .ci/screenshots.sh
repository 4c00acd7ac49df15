#!/usr/bin/env bash
# Screenshot rendered documentation pages in headless Chromium, for a person to look at.
# Renders the pages first unless they exist: python .ci/docs_html.py --out "$HTML".
#   .ci/screenshots.sh [html_dir] [out_dir] [page ...]     (pages relative to html_dir, default: index, one chapter, one tutorial)
# Needs chromium (apt-get install -y chromium).
set -euo pipefail
HTML=${1:-_docs_html}; OUT=${2:-_docs_html/screenshots}; shift $(( $# > 2 ? 2 : $# )) || true
PAGES=("$@"); [ ${#PAGES[@]} -gt 0 ] || PAGES=(index.html 03_sae.html tutorials/01_retention.html)
BROWSER=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
[ -n "$BROWSER" ] || { echo "error: no chromium found: apt-get install -y chromium" >&2; exit 2; }
[ -f "$HTML/index.html" ] || python .ci/docs_html.py --out "$HTML"
mkdir -p "$OUT"
for page in "${PAGES[@]}"; do
  [ -f "$HTML/$page" ] || { echo "error: $HTML/$page does not exist" >&2; exit 2; }
  png="$OUT/$(echo "${page%.html}" | tr '/' '_').png"
  profile=$(mktemp -d)
  timeout 120 "$BROWSER" --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update \
    --disable-sync --no-first-run --user-data-dir="$profile" --hide-scrollbars --virtual-time-budget=5000 \
    --screenshot="$png" --window-size=1280,2000 "file://$(realpath "$HTML/$page")" >/dev/null 2>&1 || true
  rm -rf "$profile"
  [ -s "$png" ] || { echo "error: no screenshot written for $page" >&2; exit 1; }
  echo "$page -> $png"
done
