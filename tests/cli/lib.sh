# Shared by the CLI scripts that stop a run mid-way (journal.sh, schedule.sh).
# cli_begin QBENCH: $qb the binary's absolute path, $fails 0, and a new work folder $tmp
# (removed on exit) as the current directory.
cli_begin() {
  qb=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
  fails=0
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  cd "$tmp" || exit 1
}
# fail MESSAGE: one failure, counted in $fails.
fail() {
  echo "FAIL: $*"
  fails=$((fails + 1))
}
# lines FILE: the whole lines in FILE (0 when absent).
lines() { if [ -f "$1" ]; then wc -l <"$1"; else echo 0; fi; }
# wait_lines FILE N PID: until FILE has N whole lines (or PID ended; at most a minute).
wait_lines() {
  local i=0
  while [ "$(lines "$1")" -lt "$2" ] && kill -0 "$3" 2>/dev/null && [ $i -lt 1200 ]; do
    sleep 0.05
    i=$((i + 1))
  done
}
