#!/bin/bash
# qbench run --data: the tensors of a file as the workload. The committed fixtures
# (tests/data/model.safetensors: w f32 8x32, b bf16 64, mask BOOL 4; f16_4_v2.npy;
# i8_3_v3.npy) through a small suite: the rows and their keys, the error figures and
# bytes per element equal to `qbench error --data`'s for the same tensor and format
# (along --axis too), the table's and the CSV's tensor column, `--out -`, --list, the
# journal (killed, then --resume from elsewhere), compare, plot, and the bad inputs
# (exit 2, one line naming the input, no file created). No timing is checked.
# Usage: run_data.sh QBENCH DATA_DIR
set -u
qb=$1
data=$2
model=$data/model.safetensors
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
fails=0
check() { # description, then a command that must succeed
  local what=$1
  shift
  if ! "$@"; then
    echo "FAIL: $what"
    fails=$((fails + 1))
  fi
}
# A few families of each kind: casts, affine per tensor and per channel, blocks, low-bit
# floats, dots (the first half of a tensor against its second). Every variant this CPU
# runs, one short repetition: the figures do not depend on the timing.
cat >s.suite <<'EOF'
families = f32_f16_cvt f32_qs8_quant f32_qs8_quantc f32_q8_0_quant f32_mxf4_quant f32_qu4g32_quant f32_dot q8_0_dot
repetitions = 1
min_time = 0.0001
EOF

# 1. The rows: every tensor x every planned case of the suite, keyed by the tensor.
"$qb" run --data "$model" --suite ./s.suite --no-roofs --out a.json >table.txt 2>err.txt
check "run --data exits 0 (got $?)" test $? -eq 0
check "the BOOL tensor is left out, said on stderr" grep -q "'mask': not a float tensor" err.txt
check "the bf16 tensor is converted, said on stderr" grep -q "b: bf16 converted to f32 (exact)" err.txt
check "the table has a tensor column" grep -Eq '^  kernel +tensor +n ' table.txt
"$qb" run --data "$model" --suite ./s.suite --list >list.txt 2>/dev/null
python3 - a.json list.txt <<'PY' || fails=$((fails + 1))
import json, sys
doc = json.load(open(sys.argv[1]))
rows = doc["benchmarks"]
planned = open(sys.argv[2]).read().split()
bad = []
names = [r["run_name"] for r in rows]
if sorted(names) != sorted(planned):
    bad.append(f"rows {len(names)} != --list {len(planned)}")
for r in rows:
    for k in ("tensor", "tensor_shape", "tensor_dtype", "axis"):
        if k not in r:
            bad.append(f"{r['name']}: no {k}")
    if not r["name"].startswith(f"{r['family']}/") or f"/data:{r['tensor']}" not in r["name"]:
        bad.append(f"{r['name']}: the name does not say data:{r['tensor']}")
    if r["distribution"] != "none":
        bad.append(f"{r['name']}: distribution {r['distribution']}")
shapes = {(r["tensor"], r["tensor_shape"], r["tensor_dtype"]) for r in rows}
if shapes != {("w", "8x32", "f32"), ("b", "64", "bf16")}:
    bad.append(f"tensors {shapes}")
fams = {r["family"] for r in rows}
for f in ("f32_f16_cvt", "f32_qs8_quant", "f32_qs8_quantc", "f32_q8_0_quant", "f32_mxf4_quant",
          "f32_qu4g32_quant", "f32_dot", "q8_0_dot"):
    for t in ("w", "b"):
        if not any(r["family"] == f and r["tensor"] == t and r["variant"].startswith("scalar") for r in rows):
            bad.append(f"no scalar row of {f} on {t}")
# A dot takes the first half against the second: n is half the tensor; b's 32 per operand
# fit q8_0's block, and every other row ran.
for r in rows:
    half = r["family"].endswith("_dot")
    want = {"w": 256, "b": 64}[r["tensor"]] // (2 if half else 1)
    if r["n"] != want:
        bad.append(f"{r['name']}: n {r['n']}, expected {want}")
    if r["status"] != "ok":
        bad.append(f"{r['name']}: {r['status']} ({r['reason']})")
ctx = doc["context"]["qbench"]["data"]
if ctx["tensors"] != 2 or ctx["left_out"] != 1 or ctx["axis"] != 0:
    bad.append(f"context {ctx}")
for b in bad:
    print("FAIL:", b)
sys.exit(1 if bad else 0)
PY

# 2. The error figures and bytes per element: those of `qbench error --data`, exactly,
# for every variant (each is bit-exact to the scalar reference) along axis 0, for the
# scalar ones along axis 1 (the later runs take the scalar variants only: less time).
cmp_error() { # RUN.json ERROR.json ROWS: at least ROWS rows compared
  python3 - "$1" "$2" "$3" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))["benchmarks"]
e = {(x["tensor"], x["family"]): x for x in json.load(open(sys.argv[2]))["rows"]}
bad, n = [], 0
for r in rows:
    x = e.get((r["tensor"], r["family"]))
    if x is None:
        continue
    if r["status"] != "ok" or x["status"] != "ok":
        bad.append(f"{r['name']}: {r['status']} / {x['status']}")
        continue
    n += 1
    for f in ("max_abs", "max_rel", "rmse", "nmse", "sqnr_db"):
        if r["error"][f] != x["error"][f]:
            bad.append(f"{r['name']}: {f} {r['error'][f]} != error --data's {x['error'][f]}")
    if r["memory"]["bytes_per_element"] != x["bytes_per_element"]:
        bad.append(f"{r['name']}: {r['memory']['bytes_per_element']} bytes/element != {x['bytes_per_element']}")
if n < int(sys.argv[3]):
    bad.append(f"only {n} rows compared")
for b in bad:
    print("FAIL:", b)
sys.exit(1 if bad else 0)
PY
}
formats=f16,qs8_quant,qs8_quantc,q8_0,mxf4_quant,qu4g32_quant
"$qb" error --data "$model" --formats $formats --json >e0.json 2>/dev/null
check "error --data, axis 0: the same figures" cmp_error a.json e0.json 20
"$qb" run --data "$model" --suite ./s.suite --filter /scalar_ --no-roofs --axis 1 --out a1.json --quiet 2>/dev/null
"$qb" error --data "$model" --formats $formats --axis 1 --json >e1.json 2>/dev/null
check "error --data, axis 1: the same figures" cmp_error a1.json e1.json 12
# Per-channel along the columns of w differs from along its rows (the axis is used).
check "--axis 1 changes the per-channel figures" python3 - a.json a1.json <<'PY'
import json, sys
def sq(p):
    return {r["name"]: r["error"]["sqnr_db"] for r in json.load(open(p))["benchmarks"]
            if r["family"] == "f32_qs8_quantc" and r["tensor"] == "w"}
a, b = sq(sys.argv[1]), sq(sys.argv[2])
assert b and b.keys() <= a.keys() and all(a[k] != b[k] for k in b), (a, b)
PY

# 3. The CSV beside the JSON has the tensor's columns; --out - gives only the data.
check "the CSV has tensor columns" python3 -c "
import csv
rows = list(csv.DictReader(open('a.csv')))
assert rows and {r['tensor'] for r in rows} == {'w', 'b'} and {r['axis'] for r in rows} == {'0'}"
"$qb" run --data "$model" --tensor w --suite ./s.suite --filter /scalar_ --no-roofs --out - >o.json 2>/dev/null
check "--out - writes one JSON document, tensor w only" python3 -c "
import json
rows = json.load(open('o.json'))['benchmarks']
assert rows and {r['tensor'] for r in rows} == {'w'}"
# A .npy file: its one tensor, named by the file's name; f16 converted with a note.
"$qb" run --data "$data/f16_4_v2.npy" --suite ./s.suite --filter /scalar_ --no-roofs --out n.json --quiet 2>err.txt
check "a .npy file runs (got $?)" test $? -eq 0
check ".npy: f16 converted, said on stderr" grep -q "f16 converted to f32 (exact)" err.txt
check ".npy rows: tensor f16_4_v2.npy, the blocks skipped with the reason" python3 -c "
import json
rows = json.load(open('n.json'))['benchmarks']
assert {r['tensor'] for r in rows} == {'f16_4_v2.npy'}
q = [r for r in rows if r['family'] == 'f32_q8_0_quant']
assert q and all(r['status'] == 'skipped' and 'not a multiple of the block length 32' in r['reason'] for r in q)"

# 4. compare and plot read the rows.
check "compare: a run --data file against itself" "$qb" compare a.json a.json --out same.txt
"$qb" compare a.json a1.json --out axis.txt 2>/dev/null
check "compare: another axis is an error change (exit 1, got $?)" test $? -eq 1
check "compare: the per-channel rows of w changed" grep -q "f32_qs8_quantc/scalar_u1/cpu/n:256/threads:1/data:w/round:pytorch: sqnr_db" axis.txt
# The charts' data only (gnuplot itself is not what is checked here).
check "plot reads run --data results" env QBENCH_GNUPLOT=true "$qb" plot a.json --out plots --force
check "the error chart names the tensors" grep -qx 'x	sqnr_db	color	w' plots/error.tsv

# 5. The journal: a run killed after a few cases resumes, from another directory, on the
# same tensors and axis (the plan's hash would refuse other ones), every row whole.
mkdir k
sed 's/^min_time = .*/min_time = 0.02/' s.suite >k/slow.suite
(cd k && exec "$qb" run --data "$model" --axis 1 --suite ./slow.suite --filter /scalar_ --no-roofs --quiet \
  --out k.json >/dev/null 2>&1) &
pid=$!
cases() { # the cases journaled so far (grep -c prints 0 and fails when there are none)
  local n
  n=$(grep -c '"type":"case"' k/k.json.journal 2>/dev/null)
  echo "${n:-0}"
}
i=0
while [ "$(cases)" -lt 3 ] && kill -0 $pid 2>/dev/null && [ $i -lt 1200 ]; do
  sleep 0.05
  i=$((i + 1))
done
kill -KILL $pid 2>/dev/null
wait $pid 2>/dev/null
if [ -f k/k.json ]; then
  echo "note: the run finished before it was killed; resume not exercised"
else
  "$qb" run --resume k/k.json.journal --quiet >/dev/null 2>k.err
  check "resume of a run --data journal exits 0 (got $?): $(head -c 300 k.err)" test $? -eq 0
  check "resume says what it took from the journal" grep -q "resumed: " k.err
  check "the resumed file: every row of the run, on its tensors, along axis 1" python3 - k/k.json a1.json <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
rows = doc["benchmarks"]
want = {r["run_name"] for r in json.load(open(sys.argv[2]))["benchmarks"]}
assert {r["run_name"] for r in rows} == want, "rows"
assert all(r["axis"] == (1 if r["tensor"] == "w" else 0) for r in rows), "axis"
assert doc["context"]["qbench"]["data"]["axis"] == 1 and not doc["context"]["qbench"]["incomplete"]
PY
fi

# 6. Bad inputs: exit 2, one line on stderr naming the input, nothing created.
mkdir bad
cd bad || exit 1
expect_2() { # what the error names, then the arguments
  local names=$1
  shift
  "$qb" run "$@" --suite ../s.suite --no-roofs >out.txt 2>err.txt
  local rc=$?
  check "run $* exits 2 (got $rc)" test "$rc" -eq 2
  check "run $*: one line on stderr" test "$(wc -l <err.txt)" -eq 1
  check "run $*: the error names '$names'" grep -qF -- "$names" err.txt
  check "run $*: nothing created" test "$(ls -A | tr '\n' ' ')" = "err.txt out.txt "
  rm -f out.txt err.txt
}
expect_2 nope.safetensors --data nope.safetensors
expect_2 nope.npy --data nope.npy
expect_2 "no tensor named 'zz'" --data "$model" --tensor zz
expect_2 "'w' has no axis 2" --data "$model" --tensor w --axis 2
expect_2 "'mask': not a float tensor" --data "$model" --tensor mask
expect_2 "i8_3_v3.npy: not a float tensor (s8)" --data "$data/i8_3_v3.npy"
expect_2 "--all and --tensor" --data "$model" --all --tensor w
expect_2 "need --data" --axis 1
expect_2 "need --data" --tensor w
expect_2 "--axis 'x'" --data "$model" --axis x
expect_2 "--resume takes no other option" --resume x.journal --data "$model"
# A tensor name too long for a case name: refused when named, left out with --all.
python3 - ../long.safetensors <<'PY'
import json, struct, sys
h = {"x" * 140: {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]},
     "ok": {"dtype": "F32", "shape": [4], "data_offsets": [16, 32]}}
b = json.dumps(h).encode()
b += b" " * (-len(b) % 8)
open(sys.argv[1], "wb").write(struct.pack("<Q", len(b)) + b + struct.pack("<8f", *range(8)))
PY
expect_2 "a name of 140 bytes" --data ../long.safetensors --tensor "$(printf 'x%.0s' {1..140})"
check "--all leaves the long name out" test "$("$qb" run --data ../long.safetensors --suite ../s.suite --list 2>/dev/null |
  grep -c '/data:ok$')" -gt 0

if [ "$fails" -ne 0 ]; then
  echo "$fails check(s) failed"
  exit 1
fi
echo "run --data: all checks passed"
