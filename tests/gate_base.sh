#!/usr/bin/env bash
# ci/regression's choice of base (--which-base) in a throwaway git repository: the commit
# ci/gate-base names when it is an ancestor of HEAD, HEAD~1 when it names none (missing,
# only comments, not a commit, HEAD itself, not an ancestor), and --base /
# QB_REGRESSION_BASE over both. Also that this checkout's ci/gate-base names a full hash.
#   usage: tests/gate_base.sh SOURCE_DIR
set -euo pipefail
src=$1
fail() { echo "gate_base: FAIL: $*" >&2; exit 1; }
first=$(awk '!/^[[:space:]]*(#|$)/ { print $1; exit }' "$src/ci/gate-base")
[[ $first =~ ^[0-9a-f]{40}$ ]] || fail "$src/ci/gate-base: '$first' is not a full commit hash"
# This checkout's ci/renames: OLD NEW stable kernel names per line.
if [ -f "$src/ci/renames" ]; then
  bad=$(sed 's/#.*//' "$src/ci/renames" | awk 'NF && !(NF == 2 && $1 ~ /^[a-z0-9_]+__[a-z0-9_]+$/ &&
    $2 ~ /^[a-z0-9_]+__[a-z0-9_]+$/ && $1 != $2) { print NR": "$0 }')
  [ -z "$bad" ] || fail "$src/ci/renames: not 'OLD NEW' kernel names: $bad"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/qb-gate-base.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@t GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@t
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
unset QB_REGRESSION_BASE
cd "$tmp"
git init -q -b main .
mkdir ci
cp "$src/ci/regression" ci/regression
commit() { echo "$1" >>log; git add -A; git commit -q -m "$1"; git rev-parse HEAD; }
c1=$(commit one)
c2=$(commit two)
git checkout -q -b side
s1=$(commit side)
git checkout -q main
c3=$(commit three)
c4=$(commit four)

# expect SHA WHY-SUBSTRING [ARGS...]: --which-base prints "SHA WHY".
expect() {
  local want=$1 why=$2 got
  shift 2
  got=$(bash ci/regression --which-base "$@" 2>"$tmp/err") || fail "exit $? (args: $*): $(cat "$tmp/err")"
  [ "${got%% *}" = "$want" ] || fail "base ${got%% *}, expected $want (ci/gate-base: $(tail -n 1 ci/gate-base 2>/dev/null); args: $*)"
  [[ $got == *"$why"* ]] || fail "reason '$got' does not say '$why'"
}
expect "$c3" "HEAD's parent"
printf '# a comment\n\n  # another\n' >ci/gate-base
expect "$c3" "HEAD's parent"
printf '# the landing began at\n%s trailing words\n' "$c1" >ci/gate-base
expect "$c1" "ci/gate-base, 3 commit(s) before HEAD"
printf '%s\n' "$c2" >ci/gate-base
expect "$c2" "ci/gate-base, 2 commit(s)"
printf '%s\n' "${c1:0:10}" >ci/gate-base
expect "$c1" "ci/gate-base"
printf '%s\n' "$c4" >ci/gate-base
expect "$c3" "HEAD's parent"
grep -q 'not an ancestor' "$tmp/err" || fail "HEAD named in ci/gate-base: not said on stderr"
printf '%s\n' "$s1" >ci/gate-base
expect "$c3" "HEAD's parent"
grep -q 'not an ancestor' "$tmp/err" || fail "a commit off HEAD's history: not said on stderr"
printf '%s\n' 0123456789abcdef0123456789abcdef01234567 >ci/gate-base
expect "$c3" "HEAD's parent"
grep -q 'not a commit here' "$tmp/err" || fail "an unknown hash: not said on stderr"
printf '%s\n' "$c1" >ci/gate-base
expect "$c2" "--base" --base "$c2"
QB_REGRESSION_BASE=$c2 expect "$c2" "QB_REGRESSION_BASE"
# ci/renames: comments and blank lines are skipped; a malformed line is bad input (exit 2),
# named by its line, before anything is built.
printf '# renamed\n\nf__a f__b # why\n' >ci/renames
QB_REGRESSION_BASE=$c2 expect "$c2" "QB_REGRESSION_BASE"
printf 'f__a f__b\nf__c\n' >ci/renames
rc=0
bash ci/regression --which-base 2>"$tmp/err" >/dev/null || rc=$?
[ "$rc" -eq 2 ] || fail "a malformed ci/renames line: exit $rc, expected 2"
grep -q 'ci/renames:2: expected two stable kernel names' "$tmp/err" || fail "ci/renames error: $(cat "$tmp/err")"
# --deadline / QB_REGRESSION_DEADLINE: seconds since the epoch, else bad usage (exit 2).
rm -f ci/renames
for bad in x -5 1.5 ''; do
  rc=0
  bash ci/regression --deadline "$bad" --which-base 2>"$tmp/err" >/dev/null || rc=$?
  [ "$rc" -eq 2 ] || fail "--deadline '$bad': exit $rc, expected 2"
  grep -q "expected seconds since the epoch" "$tmp/err" || fail "--deadline '$bad': $(cat "$tmp/err")"
done
rc=0
QB_REGRESSION_DEADLINE=soon bash ci/regression --which-base 2>"$tmp/err" >/dev/null || rc=$?
[ "$rc" -eq 2 ] || fail "QB_REGRESSION_DEADLINE=soon: exit $rc, expected 2"
QB_REGRESSION_DEADLINE=$(date +%s) expect "$c1" "ci/gate-base"
expect "$c1" "ci/gate-base" --deadline 0
echo "gate_base: ok"
