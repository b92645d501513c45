#!/usr/bin/env bash
# Nothing lost (issue 14): every way a `qbench run` can end keeps every finished case.
#   1. SIGKILL mid-run (after N journal lines): `qbench recover` writes a valid file
#      with every case that finished; `qbench run --resume` then finishes the run.
#   2. SIGINT, SIGTERM, SIGHUP: exit 1, the file written and marked incomplete, the
#      journal kept, no temp file.
#   3. stdout a closed pipe (`| head -1`), /dev/full, closed: exit 0, the file written.
#   4. `ulimit -f` (SIGXFSZ/EFBIG): exit 1 (never 2), no temp file, the journal named.
#   5. Names: two runs with the default name at once get two files; --out existing
#      without --force is refused before any work; a name taken during the run: exit 1,
#      the journal kept and recover writes it elsewhere.
#   6. A filter selecting nothing: exit 2 naming it. `--out x.csv` is a CSV named x.csv;
#      `--format json` ignores an unrelated r.csv. Timed-out rows have no time or rate.
#   7. `--out -`: JSON on stdout; recover --out -; --resume restores --show-skipped,
#      --context and the ISA cap.
# usage: journal.sh QBENCH
set -u
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cli_begin "$1"

# A suite of 15 cases, each a few tenths of a second: slow enough to stop mid-run.
cat >slow.suite <<'SUITE'
families = f32_f16_cvt, f32_qs8_quant
sizes = 1000
distributions = normal
backends = cpu
threads = 1
repetitions = 2
min_time = 0.05
SUITE
sed 's/min_time = 0.05/min_time = 0.001/' slow.suite >fast.suite
"$qb" run --suite slow.suite --list >list || fail "--list"
planned=$(wc -l <list)

no_temp() { ! ls -A "${1:-.}" | grep -q '\.tmp-'; }

# check_file JSON JOURNAL INCOMPLETE: the results file is valid, holds exactly the cases
# the journal holds (every one whole), and says incomplete as expected.
check_file() {
  python3 - "$1" "$2" "$3" list <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
cases = []
for line in open(sys.argv[2]).read().split("\n")[1:]:
    if line.strip():
        o = json.loads(line)
        if o["type"] == "case":
            cases.append(o["name"])
planned = [l.strip() for l in open(sys.argv[4]) if l.strip()]
names = [r["run_name"] for r in doc["benchmarks"]]
bad = []
if sorted(set(names)) != sorted(cases):
    bad.append("file cases %d != journal cases %d" % (len(set(names)), len(cases)))
if not set(names) <= set(planned):
    bad.append("unplanned rows")
want = sys.argv[3] == "true"
if doc["context"]["qbench"]["incomplete"] is not want:
    bad.append("incomplete is %s" % doc["context"]["qbench"]["incomplete"])
for n in set(names):
    rs = [r for r in doc["benchmarks"] if r["run_name"] == n]
    if rs[0]["status"] == "ok" and len([r for r in rs if r["run_type"] == "iteration"]) != 2:
        bad.append("case %s cut short" % n)
for b in bad:
    print("FAIL:", b)
sys.exit(1 if bad else 0)
PY
}

# 1. SIGKILL after the header, roofs_done and 3 cases: recover, then resume.
"$qb" run --suite slow.suite --no-roofs --quiet --out k.json >/dev/null 2>k.err &
pid=$!
wait_lines k.json.journal 5 $pid
kill -KILL $pid
wait $pid 2>/dev/null
[ -f k.json ] && fail "SIGKILL: a results file appeared"
n=$(grep -c '"type":"case"' k.json.journal)
[ "$n" -ge 3 ] && [ "$n" -lt "$planned" ] || fail "SIGKILL: $n cases journaled of $planned"
"$qb" recover k.json.journal --out rec.json >rec.out 2>rec.err
rc=$?
[ "$rc" = 1 ] || fail "recover after SIGKILL: exit $rc, expected 1 (incomplete); $(cat rec.err)"
[ -s rec.json ] && [ -s rec.csv ] || fail "recover wrote no JSON and CSV"
check_file rec.json k.json.journal true || fail "recover: the file"
grep -q "recovered" rec.json || fail "recover: not marked recovered"
"$qb" recover k.json.journal --out rec.json >/dev/null 2>rec.err
[ $? = 2 ] || fail "recover over an existing file without --force: not refused"
"$qb" run --resume k.json.journal --quiet >/dev/null 2>res.err
rc=$?
[ "$rc" = 0 ] || fail "resume: exit $rc; $(cat res.err)"
grep -q "resumed: $n of $planned" res.err || fail "resume: $(cat res.err)"
[ ! -e k.json.journal ] || fail "resume: the journal outlived a complete run"
python3 - k.json list <<'PY' || fail "resume: the file"
import json, sys
doc = json.load(open(sys.argv[1]))
planned = {l.strip() for l in open(sys.argv[2]) if l.strip()}
names = {r["run_name"] for r in doc["benchmarks"]}
sys.exit(0 if names == planned and doc["context"]["qbench"]["incomplete"] is False else 1)
PY
"$qb" run --resume k.json.journal --suite fast.suite >/dev/null 2>&1
[ $? = 2 ] || fail "--resume with another option: not refused"

# A run under --isa resumes under the same cap without being told again.
"$qb" --isa scalar run --suite slow.suite --no-roofs --quiet --out cap.json >/dev/null 2>&1 &
pid=$!
wait_lines cap.json.journal 3 $pid
kill -KILL $pid
wait $pid 2>/dev/null
"$qb" run --resume cap.json.journal --quiet >/dev/null 2>cap.err
rc=$?
[ "$rc" = 0 ] || fail "resume of an --isa scalar run: exit $rc; $(cat cap.err)"
grep -q '"isa_cap": "scalar"' cap.json || fail "resume of an --isa scalar run: the cap is not the run's"

# Resume refuses another plan: the journal of a run of slow.suite, the suite changed.
"$qb" run --suite "$tmp/slow.suite" --no-roofs --quiet --out m.json >/dev/null 2>&1 &
pid=$!
wait_lines m.json.journal 3 $pid
kill -KILL $pid
wait $pid 2>/dev/null
cp slow.suite slow.suite.orig
echo 'sizes = 2000' >>slow.suite
"$qb" run --resume m.json.journal >/dev/null 2>m.err
[ $? = 2 ] && grep -q "other cases" m.err || fail "resume of a changed suite: $(cat m.err)"
mv slow.suite.orig slow.suite

# 2. SIGINT, SIGTERM, SIGHUP: stop after the case, write what finished, keep the journal.
for sig in INT TERM HUP; do
  "$qb" run --suite slow.suite --no-roofs --quiet --out s$sig.json >/dev/null 2>s.err &
  pid=$!
  wait_lines s$sig.json.journal 4 $pid
  kill -$sig $pid
  wait $pid
  rc=$?
  [ "$rc" = 1 ] || fail "SIG$sig: exit $rc, expected 1; $(cat s.err)"
  [ -s s$sig.json ] && [ -s s$sig.csv ] || fail "SIG$sig: no results"
  [ -f s$sig.json.journal ] && grep -q "resume s$sig.json.journal" s.err || fail "SIG$sig: journal not kept and named"
  check_file s$sig.json s$sig.json.journal true || fail "SIG$sig: the file"
  no_temp || fail "SIG$sig: a temp file was left: $(ls -A)"
done

# 3. stdout a closed pipe, /dev/full, closed: the results are written, exit 0.
"$qb" run --suite fast.suite --no-roofs --out p.json 2>p.err | head -1 >/dev/null
rc=${PIPESTATUS[0]}
[ "$rc" = 0 ] && [ -s p.json ] || fail "| head -1: exit $rc; $(cat p.err)"
"$qb" run --suite fast.suite --no-roofs --out f.json >/dev/full 2>f.err
rc=$?
[ "$rc" = 0 ] && [ -s f.json ] || fail ">/dev/full: exit $rc; $(cat f.err)"
"$qb" run --suite fast.suite --no-roofs --out c.json >&- 2>c.err
rc=$?
[ "$rc" = 0 ] && [ -s c.json ] || fail "stdout closed: exit $rc; $(cat c.err)"
"$qb" list >/dev/full 2>/dev/null
rc=$?
[ "$rc" = 1 ] || fail "list >/dev/full: exit $rc, expected 1 (its product lost, not bad input)"

# 4. A file size limit: EFBIG, not a signal death; exit 1, no temp file, journal named.
mkdir u
(ulimit -f 16 && exec "$qb" run --suite fast.suite --no-roofs --quiet --out u/u.json >/dev/null 2>u.err)
rc=$?
[ "$rc" = 1 ] || fail "ulimit -f: exit $rc, expected 1; $(cat u.err)"
grep -q "u.json.journal" u.err || fail "ulimit -f: the journal is not named: $(cat u.err)"
no_temp u || fail "ulimit -f: a temp file was left: $(ls -A u)"
"$qb" recover u/u.json.journal --out u/back.json >/dev/null 2>&1
[ -s u/back.json ] || fail "ulimit -f: recover wrote nothing from the journal"

# 5. Names. Two runs with the default name at once: two files.
mkdir twin && cd twin || exit 1
"$qb" run --suite ../fast.suite --no-roofs --quiet >/dev/null 2>a.err &
a=$!
"$qb" run --suite ../fast.suite --no-roofs --quiet >/dev/null 2>b.err &
b=$!
wait $a
ra=$?
wait $b
rb=$?
[ "$ra" = 0 ] && [ "$rb" = 0 ] || fail "two runs at once: exits $ra and $rb; $(cat a.err b.err)"
[ "$(ls results/*.json | wc -l)" = 2 ] || fail "two runs at once: $(ls results)"
ls results | grep -q journal && fail "two runs at once: a journal left"
cd "$tmp" || exit 1
# --out existing without --force: refused before any work.
echo '{}' >taken.json
start=$(date +%s%N)
"$qb" run --suite slow.suite --out taken.json >/dev/null 2>t.err
rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
[ "$rc" = 2 ] && grep -q "exists" t.err || fail "--out taken: exit $rc; $(cat t.err)"
[ "$ms" -lt 10000 ] || fail "--out taken: refused after $ms ms"
# A name taken while the run works: exit 1, the journal kept, recover writes elsewhere.
"$qb" run --suite slow.suite --no-roofs --quiet --format json --out late.json >/dev/null 2>late.err &
pid=$!
wait_lines late.json.journal 3 $pid
echo '{}' >late.json
wait $pid
rc=$?
[ "$rc" = 1 ] || fail "name taken during the run: exit $rc, expected 1; $(cat late.err)"
grep -q "late.json.journal" late.err || fail "name taken: the journal is not named: $(cat late.err)"
[ "$(cat late.json)" = '{}' ] || fail "name taken: the other file was replaced"
"$qb" recover late.json.journal --out late2.json >/dev/null 2>&1
rc=$?
[ "$rc" = 0 ] || fail "recover after a late clash: exit $rc"
check_file late2.json late.json.journal false || fail "recover after a late clash: the file"
# A journal already there (another run, or a dead one) takes the name: refused.
"$qb" run --suite fast.suite --no-roofs --quiet --out late.json --force >/dev/null 2>&1
[ $? = 0 ] || fail "--force over a dead run's journal"

# 6. Filters, formats, timeouts.
"$qb" run --suite fast.suite --filter zzz --out z.json >/dev/null 2>z.err
rc=$?
[ "$rc" = 2 ] && grep -q "zzz" z.err && [ ! -e z.json ] || fail "--filter zzz: exit $rc; $(cat z.err)"
"$qb" run --suite fast.suite --no-roofs --quiet --out x.csv >/dev/null 2>&1
head -c 5 x.csv | grep -q '^name' && [ ! -e x.csv.csv ] && [ ! -e x.json ] || fail "--out x.csv: $(ls x.*)"
echo 'unrelated' >r.csv
"$qb" run --suite fast.suite --no-roofs --quiet --format json --out r.json >/dev/null 2>r.err
rc=$?
[ "$rc" = 0 ] && [ -s r.json ] && [ "$(cat r.csv)" = unrelated ] || fail "--format json beside r.csv: exit $rc; $(cat r.err)"
"$qb" run --suite fast.suite --no-roofs --quiet --case-timeout 0.000001 --out to.json >/dev/null 2>&1
python3 - to.json <<'PY' || fail "timed-out rows keep figures"
import json, sys
rows = [r for r in json.load(open(sys.argv[1]))["benchmarks"] if "timed out" in r["reason"]]
bad = [r["name"] for r in rows if any(k in r for k in ("real_time", "bytes_per_second", "items_per_second"))]
print("timed-out rows: %d, with figures: %d" % (len(rows), len(bad)))
sys.exit(0 if rows and not bad else 1)
PY

# 7. `--out -`: the results on stdout, nothing else there (the table goes to stderr);
#    the journal where a default name would be. SIGKILL, then `recover --out -` prints
#    what finished and `run --resume` finishes on stdout with --show-skipped, --context
#    and the ISA cap restored (under --isa scalar every SIMD variant is a skipped row).
mkdir dash && cd dash || exit 1
"$qb" --isa scalar run --suite ../slow.suite --no-roofs --out - --show-skipped --context board=b1 >k.out 2>k.err &
pid=$!
# (up to a minute, while the run lives: on a loaded machine its start alone can take seconds)
for _ in $(seq 1200); do ls results/*.journal >/dev/null 2>&1 || ! kill -0 $pid 2>/dev/null && break; sleep 0.05; done
j=$(ls results/*.journal 2>/dev/null | head -1)
[ -n "$j" ] || fail "--out -: no journal under results/"
wait_lines "$j" 4 $pid
kill -KILL $pid
wait $pid 2>/dev/null
"$qb" recover "$j" --out - >rec.json 2>rec.err
[ $? = 1 ] || fail "recover --out - of a killed run: not exit 1 (incomplete); $(cat rec.err)"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["context"]["qbench"]["incomplete"]' rec.json ||
  fail "recover --out -: stdout is not the incomplete results: $(head -c 200 rec.json)"
"$qb" run --resume "$j" >res.json 2>res.err
rc=$?
[ "$rc" = 0 ] || fail "resume of an --out - run: exit $rc; $(cat res.err)"
python3 - res.json ../list <<'PY' || fail "resume of an --out - run: the results on stdout"
import json, sys
doc = json.load(open(sys.argv[1]))
q = doc["context"]["qbench"]
rows = doc["benchmarks"]
skipped = [r for r in rows if r["status"] == "skipped"]
bad = []
if q.get("user_context") != {"board": "b1"}:
    bad.append("user_context %r" % q.get("user_context"))
if not skipped:
    bad.append("no skipped rows: --show-skipped not restored")
if q["incomplete"] is not False or q["isa_cap"] != "scalar":
    bad.append("incomplete %r, isa_cap %r" % (q["incomplete"], q["isa_cap"]))
for b in bad:
    print("FAIL:", b)
sys.exit(1 if bad else 0)
PY
[ -z "$(ls results/)" ] || fail "resume of an --out - run: left $(ls results/)"
cd "$tmp" || exit 1

echo "journal: $fails failed"
exit $((fails > 0))
