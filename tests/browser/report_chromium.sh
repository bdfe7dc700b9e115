#!/usr/bin/env bash
# The HTML report in a real headless Chromium: the page loads without console or resource errors,
# its DOM holds the five SVG charts, and a screenshot of the charts is not blank.
# Usage: report_chromium.sh WORTHIT_BINARY OUT_DIR. Exit 77 (skipped) without Chromium.
set -u
WORTHIT=$1
OUT=$2
CHROME=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$CHROME" ]; then
  echo "SKIP: Chromium is not installed (Debian package 'chromium')"
  exit 77
fi
fail() { echo "FAIL: $*"; exit 1; }
mkdir -p "$OUT"
rm -f "$OUT"/report.html "$OUT"/dom.html "$OUT"/console.log "$OUT"/charts.html "$OUT"/charts.png
"$WORTHIT" report --preset seed-author --html "$OUT/report.html" || fail "worthit report failed"
PROFILE=$(mktemp -d)
trap 'rm -rf "$PROFILE"' EXIT
FLAGS=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
       --disable-component-update --disable-sync --user-data-dir="$PROFILE")
timeout 60 "$CHROME" "${FLAGS[@]}" --enable-logging=stderr --v=0 --dump-dom "file://$OUT/report.html" \
  > "$OUT/dom.html" 2> "$OUT/console.log" || fail "chromium --dump-dom failed (see $OUT/console.log)"
grep -q '<h1>worthit: ' "$OUT/dom.html" || fail "the page did not load"
n=$(grep -o '<svg ' "$OUT/dom.html" | wc -l)
[ "$n" -eq 5 ] || fail "expected 5 SVG charts in the DOM, found $n"
for el in '<rect ' '<polyline ' '<circle ' '<line '; do
  grep -q "$el" "$OUT/dom.html" || fail "no $el element in the charts"
done
if grep -E 'CONSOLE|Failed to load resource|net::ERR' "$OUT/console.log"; then
  fail "console or resource errors while loading the page"
fi
# The charts alone, screenshotted: a page of five charts is far from a blank image. The five
# charts follow each other in the page, so the first <svg to the last </svg> is exactly them.
{ echo '<html><body>'; grep -o -E '<svg .*</svg>' "$OUT/report.html"; echo '</body></html>'; } > "$OUT/charts.html"
[ "$(grep -o '<svg ' "$OUT/charts.html" | wc -l)" -eq 5 ] || fail "could not extract the charts"
timeout 60 "$CHROME" "${FLAGS[@]}" --screenshot="$OUT/charts.png" --window-size=820,2200 \
  "file://$OUT/charts.html" > /dev/null 2>&1 || fail "chromium --screenshot failed"
[ "$(head -c 8 "$OUT/charts.png" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ] || fail "the screenshot is not a PNG"
size=$(stat -c %s "$OUT/charts.png")
[ "$size" -gt 40000 ] || fail "the screenshot is nearly empty ($size bytes)"
echo "OK: 5 charts, no console errors, screenshot $OUT/charts.png ($size bytes)"
