#!/usr/bin/env bash
# Runs the bad-input table (tests/badinput/table.txt): for each line, qbench must exit
# with code 2, print exactly one line on stderr holding the line's EXPECT text, and
# leave every file under the work folder as it was (nothing created, nothing changed).
# usage: run.sh QBENCH DATA_DIR   (DATA_DIR: tests/data)
set -u
qb=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
data=$2
here=$(cd "$(dirname "$0")" && pwd)
fails=0
rows=0
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
mkdir "$w/cwd"
python3 "$here/make_fixtures.py" "$w" "$data" || { echo "FAIL: fixtures"; exit 1; }
long=$w/nodir/$(printf 'a%.0s' $(seq 5000)).json
mid=$w/nodir/$(printf 'b%.0s' $(seq 1500)).json

# Every path under the work folder with its size and checksum.
snapshot() {
  (cd "$w" && find . -path ./stderr -prune -o -path ./stdout -prune -o -print && find . -type f ! -name stderr ! -name stdout -exec cksum {} +) | LC_ALL=C sort
}

while IFS= read -r line; do
  case "$line" in '#'* | '') continue ;; esac
  id=$(echo "${line%%|*}" | xargs)
  rest=${line#*|}
  expect=$(echo "${rest%%|*}" | sed 's/^ *//; s/ *$//')
  cmd=$(echo "${rest#*|}" | sed 's/^ *//; s/ *$//')
  expect=${expect//@/$w}
  cmd=${cmd//@/$w}
  # %LONG%: a path of 5000 bytes (refused whole); %MID%: one of 1500 (named whole).
  expect=${expect//%LONG%/$long}
  cmd=${cmd//%LONG%/$long}
  expect=${expect//%MID%/$mid}
  cmd=${cmd//%MID%/$mid}
  args=()
  set -f
  for a in $cmd; do args+=("$(printf '%b' "$a")"); done
  set +f
  rows=$((rows + 1))
  before=$(snapshot)
  (cd "$w/cwd" && timeout 120 "$qb" "${args[@]}" >"$w/stdout" 2>"$w/stderr")
  rc=$?
  after=$(snapshot)
  nl=$(wc -l <"$w/stderr")
  problem=""
  [ "$rc" = 2 ] || problem="exit $rc, expected 2"
  [ "$nl" = 1 ] || problem="$problem; $nl lines on stderr, expected 1"
  grep -qF -- "$expect" "$w/stderr" || problem="$problem; stderr lacks '$expect'"
  [ "$before" = "$after" ] || problem="$problem; files changed: $(diff <(echo "$before") <(echo "$after") | grep '^[<>]' | head -3 | tr '\n' ' ')"
  if [ -n "$problem" ]; then
    echo "FAIL $id: ${problem#; } -- stderr: $(head -c 300 "$w/stderr")"
    fails=$((fails + 1))
  else
    echo "ok   $id: $(cat "$w/stderr")"
  fi
done <"$here/table.txt"

echo "badinput: $rows inputs, $fails failed"
[ "$rows" -ge 30 ] || { echo "FAIL: fewer than 30 bad inputs"; exit 1; }
exit $((fails > 0))
