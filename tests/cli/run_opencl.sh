#!/usr/bin/env bash
# qbench run on the OpenCL backend: every device's bandwidth roofs are in the context
# (each the fastest of the device's ways of its read:write mix, each way recorded), one
# per footprint and mix its cases use (the CPU roofs' footprint for a size class, the
# case's own bytes for an element count; the mix of the case's family, named as the
# CPU's roofs), and every ok kernel row carries roof_fraction against its own device's
# roof of its mix at its footprint; transfer rows carry none. Then `qbench compare --normalize roof` compares
# the rows by roof fraction, and `qbench plot` draws the device's roof in the
# throughput chart. No timing is checked.
# Exit 77 (skipped) when no OpenCL device is found.
# usage: run_opencl.sh QBENCH
set -u
qb=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
caches=L1=16K,L2=64K,L3=256K

cat >"$tmp/ocl.suite" <<'SUITE'
# A cast and a quantizer, one count and one size class, the shortest timing.
families = f32_f16_cvt, f32_qs8_quant
sizes = 1000, L1
distributions = normal
backends = opencl
rounding = pytorch
repetitions = 1
min_time = 0.001
SUITE
run=(run --suite "$tmp/ocl.suite" --caches "$caches" --quiet)

if ! "$qb" "${run[@]}" --backend opencl --list >/dev/null 2>"$tmp/err"; then
  echo "no OpenCL device: $(head -c 300 "$tmp/err")"
  exit 77
fi
"$qb" "${run[@]}" --out "$tmp/r.json" >/dev/null 2>"$tmp/err"
rc=$?
if [ "$rc" != 0 ]; then
  echo "FAIL: OpenCL run: exit $rc; stderr: $(head -c 400 "$tmp/err")"
  exit 1
fi

python3 - "$tmp/r.json" <<'PY' || exit 1
import json, sys
doc = json.load(open(sys.argv[1]))
q = doc["context"]["qbench"]
rows = doc["benchmarks"]
bits = {"f32": 32, "f16": 16, "s8": 8}
# Each family's read:write mix, in lowest terms, and the roof's name for it.
mix = {"f32_f16_cvt": (2, 1, "stream_r2_w1"), "f32_qs8_quant": (4, 1, "stream_r4_w1")}
# The footprint of a device case's roof: half of L1d for the class, as the CPU roofs.
class_bytes = {"L1": q["topology"]["l1d_used"] // 2}
roofs = [x for x in q["roofs"] if x.get("backend") == "opencl"]
bad = []
if [x for x in q["roofs"] if "backend" not in x]:
    bad.append("CPU roofs measured for a run without CPU cases")
for x in roofs:
    if x["status"] != "ok" or not x["bytes_per_second"] > 0 or x["threads"] != 1:
        bad.append("roof %s: %s" % (x, x.get("reason")))
    if (x.get("read_lines"), x.get("write_lines"), x["name"]) not in mix.values():
        bad.append("roof %s: not the mix of a planned family" % x)
    if x.get("timing") not in ("device", "host-wall"):
        bad.append("roof %s: timing %s" % (x, x.get("timing")))
    # The fastest of the device's ways of its mix (as the CPU roofs: `ways`, `method`).
    ways = x.get("ways", {})
    if len(ways) < 2 or x.get("method") not in ways:
        bad.append("roof %s: no method or ways" % x)
    elif abs(max(v for v in ways.values() if v) - x["bytes_per_second"]) > 1e-6 * x["bytes_per_second"]:
        bad.append("roof %s: not the fastest of its ways" % x)
    # Three before the cases, one per retry (a row above it), one at the end.
    if not isinstance(x.get("retries"), int) or not 0 <= x["retries"] <= 2 or x.get("trials") != 4 + x["retries"]:
        bad.append("roof %s: %s trials and %s retries, expected 3 + retries + 1" % (x, x.get("trials"), x.get("retries")))
keys = [(x["device"], x["bytes"], x["name"]) for x in roofs]
if len(keys) != len(set(keys)):
    bad.append("a device roof was measured twice: %s" % keys)
kernel_rows = [r for r in rows if r["family"] != "transfer" and r["status"] == "ok"]
if not kernel_rows:
    bad.append("no ok OpenCL kernel row")
for r in kernel_rows:
    if "n:1000/" in r["name"]:
        want = r["n"] * (bits[r["dtype_in"]] + bits[r["dtype_out"]]) // 8
    else:
        want = class_bytes[r["size_class"]]
    name = mix[r["family"]][2]
    mine = [x for x in roofs if x["device"] == r["device"] and x["bytes"] == want and x["name"] == name]
    if len(mine) != 1:
        bad.append("%s: %d %s roofs of %d bytes on %s" % (r["name"], len(mine), name, want, r["device"]))
        continue
    x = mine[0]
    if r.get("roof_name") != name or x["size_class"] != r["size_class"]:
        bad.append("%s: roof_name %s, size class %s vs roof's %s" % (r["name"], r.get("roof_name"), r["size_class"], x["size_class"]))
    frac = r.get("roof_fraction", 0)
    if abs(frac - r["bytes_per_second"] / x["bytes_per_second"]) > 1e-9 * frac:
        bad.append("%s: roof_fraction %s, expected %s" % (r["name"], frac, r["bytes_per_second"] / x["bytes_per_second"]))
for r in rows:
    if r["family"] == "transfer" and "roof_fraction" in r:
        bad.append("%s: a transfer row with a roof_fraction" % r["name"])
for b in bad[:10]:
    print("FAIL:", b)
sys.exit(1 if bad else 0)
PY

# compare --normalize roof: every kernel row is compared by its roof fraction; only
# the transfer rows (no roof) fall back to time.
"$qb" compare "$tmp/r.json" "$tmp/r.json" --normalize roof --format json >"$tmp/cmp.json" 2>"$tmp/err"
rc=$?
if [ "$rc" != 0 ]; then
  echo "FAIL: compare --normalize roof: exit $rc: $(head -c 300 "$tmp/err")"
  exit 1
fi
python3 - "$tmp/cmp.json" <<'PY' || exit 1
import json, sys
rows = json.load(open(sys.argv[1]))["rows"]
bad = [(r["name"], r.get("measure")) for r in rows
       if r.get("measure") != ("real_time_ns" if r["name"].startswith("transfer/") else "roof_fraction")]
if bad or not rows:
    print("FAIL: compare --normalize roof measures:", bad[:4] or "no rows")
sys.exit(1 if bad or not rows else 0)
PY

# plot: the OpenCL bars' roof (throughput-FAMILY-roofs.tsv) is the device's roof of the
# family's mix at the L1 footprint (its largest n is the L1 case, and the chart draws each kernel's
# largest n), labelled with its device, size class, footprint and thread count.
if ! command -v gnuplot >/dev/null; then
  echo "run_opencl.sh: all passed (no gnuplot: plot not checked)"
  exit 0
fi
"$qb" plot "$tmp/r.json" --out "$tmp/plots" >/dev/null 2>"$tmp/err"
rc=$?
if [ "$rc" != 0 ]; then
  echo "FAIL: plot: exit $rc: $(head -c 300 "$tmp/err")"
  exit 1
fi
python3 - "$tmp/r.json" "$tmp/plots" <<'PY' || exit 1
import glob, json, sys
q = json.load(open(sys.argv[1]))["context"]["qbench"]
bad = []
# Each throughput-FAMILY-roofs.tsv: blocks headed "gbps<TAB>y<TAB>LABEL", rows "GB/s<TAB>y".
drawn = {}
for f in glob.glob(sys.argv[2] + "/throughput-*-roofs.tsv"):
    label = None
    for line in open(f):
        cols = line.rstrip("\n").split("\t")
        if line.startswith("gbps\t"):
            label = cols[2]
        elif line[0].isdigit() and label is not None:
            drawn.setdefault(label, set()).add(float(cols[0]))
for x in q["roofs"]:
    if x.get("backend") != "opencl" or x["bytes"] != q["topology"]["l1d_used"] // 2:
        continue
    label = "%s opencl:%s %s (%.0f KiB), %d thread%s" % (
        x["name"], x["device"], x["size_class"], x["bytes"] / 1024.0, x["threads"], "" if x["threads"] == 1 else "s")
    want = x["bytes_per_second"] / 1e9
    got = drawn.get(label, set())
    if not any(abs(g - want) <= 1e-5 * want for g in got):
        bad.append("%s: throughput roof %s GB/s, expected %.6g (drawn roofs: %s)" % (label, sorted(got), want, sorted(drawn)))
if not drawn:
    bad.append("no roofs drawn in any throughput chart")
for b in bad:
    print("FAIL:", b)
sys.exit(1 if bad else 0)
PY
echo "run_opencl.sh: all passed"
