#!/usr/bin/env bash
# index.html in a real browser: qbench plot draws the committed fixtures, then headless
# Chromium loads the report inside a small checking page (tests/html_check.html, beside
# it in the output folder) and the test fails on a missing or broken image, a table
# without data cells, an empty summary or roof table, or any console message (errors, uncaught
# exceptions). Exit 77 (skipped) without chromium or gnuplot.
# usage: html.sh QBENCH DATA_DIR PLOTS_DIR CHECK_HTML
set -u
qb=$1
data=$2
plots=$3
check=$4
browser=${QBENCH_CHROMIUM:-}
for c in chromium chromium-browser google-chrome; do
  [ -n "$browser" ] && break
  command -v "$c" >/dev/null 2>&1 && browser=$c
done
if [ -z "$browser" ]; then
  echo "skipped: chromium not installed (Debian: chromium)"
  exit 77
fi
if ! command -v gnuplot >/dev/null 2>&1; then
  echo "skipped: gnuplot not installed"
  exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out=$tmp/report
QBENCH_PLOTS=$plots "$qb" plot "$data/plot_a.json" "$data/plot_b.json" \
  --compare "$data/base.json" "$data/slow20.json" --out "$out" 2>"$tmp/plot.err" || {
  echo "FAIL: qbench plot: $(cat "$tmp/plot.err")"
  exit 1
}
cp "$check" "$out/check.html"
# No sandbox: CI runs as root in a container. A fresh profile each time.
timeout 120 "$browser" --headless --no-sandbox --disable-gpu --no-first-run --user-data-dir="$tmp/profile" \
  --allow-file-access-from-files --enable-logging=stderr --v=0 --virtual-time-budget=10000 \
  --dump-dom "file://$out/check.html" >"$tmp/dom.html" 2>"$tmp/chromium.log"
rc=$?
fails=0
fail() {
  echo "FAIL: $*"
  fails=$((fails + 1))
}
[ "$rc" = 0 ] || fail "chromium exited $rc: $(tail -5 "$tmp/chromium.log")"
result=$(sed -n '/<pre id="result">/,/<\/pre>/p' "$tmp/dom.html" | sed 's/<[^>]*>//g')
echo "$result"
echo "$result" | grep -qx 'done' || fail "the check did not finish: $(head -c 300 <<<"$result")"
images=$(echo "$result" | sed -n 's/^images //p')
[ "${images:-0}" -ge 15 ] || fail "expected at least 15 images, found '${images:-none}'"
echo "$result" | grep -qx 'broken 0' || fail "broken images: $(echo "$result" | grep '^broken')"
echo "$result" | grep -qx 'empty_tables 0' || fail "tables without data: $(echo "$result" | grep '^empty_tables')"
rows=$(echo "$result" | sed -n 's/^summary_rows //p')
[ "${rows:-0}" -ge 7 ] || fail "summary table: ${rows:-no} rows, expected one per family (7)"
rrows=$(echo "$result" | sed -n 's/^roof_rows //p')
[ "${rrows:-0}" -ge 7 ] || fail "roof table: ${rrows:-no} rows, expected one per (family, backend) (8)"
if grep -q ':CONSOLE' "$tmp/chromium.log"; then
  fail "console messages: $(grep ':CONSOLE' "$tmp/chromium.log" | head -5)"
fi
[ "$fails" = 0 ] && echo "html: index.html renders: every image loads, tables filled, no console message"
exit $((fails > 0))
