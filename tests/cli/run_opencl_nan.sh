#!/usr/bin/env bash
# qbench run holds an OpenCL row to the semantics its variant declares, through the one
# verification oracle (host/numerics/verify.h), as test_opencl does: the half casts
# ocl_half and ocl_vhalf declare nan-canon (any NaN output equals any NaN), so a tensor of
# NaNs with assorted payloads and signs (quiet and signalling), among ordinary values,
# infinities and subnormals, must give ok rows on them; the exact `ocl` variant is held
# to every bit. The run once checked every device cast as exact, and these rows failed
# with mismatches where the device's NaN payload differs from the reference's.
# Exit 77 (skipped) when no OpenCL device is found. No timing is checked.
# usage: run_opencl_nan.sh QBENCH
set -u
qb=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1

cat >nan.suite <<'SUITE'
families = f32_f16_cvt, f16_f32_cvt
backends = opencl
repetitions = 1
min_time = 0.0001
SUITE
# 64 f32 values: NaNs of several payloads and both signs, then ordinary values.
python3 - <<'PY' || exit 1
import struct
bits = [0x7FC00000, 0xFFC00000, 0x7F800001, 0xFF800001, 0x7FC00001, 0x7FFFFFFF, 0xFFFFFFFF,
        0x7FA00000, 0x7F802000, 0xFFD55555, 0x7FE12345, 0x7F812345]
bits += [0x3F800000, 0xBF800000, 0x7F800000, 0xFF800000, 0x00000001, 0x38800000, 0x477FE000, 0]
bits += [0x3F800000 + 0x1357 * i for i in range(64 - len(bits))]
data = b"".join(struct.pack("<I", b) for b in bits)
hdr = "{'descr': '<f4', 'fortran_order': False, 'shape': (%d,), }" % len(bits)
hdr += " " * (63 - (10 + len(hdr)) % 64) + "\n"
open("nan.npy", "wb").write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(hdr)) + hdr.encode() + data)
PY

run=(run --data nan.npy --suite ./nan.suite --no-roofs --quiet)
if ! "$qb" "${run[@]}" --list >list.txt 2>err.txt || ! grep -Eq "/ocl_v?half/" list.txt; then
  echo "no OpenCL device with the half casts: $(head -c 300 err.txt)"
  exit 77
fi
"$qb" "${run[@]}" --out r.json >/dev/null 2>err.txt
rc=$?
python3 - r.json "$rc" <<'PY' || exit 1
import json, sys
rows = json.load(open(sys.argv[1]))["benchmarks"]
bad = [] if sys.argv[2] == "0" else [f"exit {sys.argv[2]}"]
half = [r for r in rows if r["variant"] in ("ocl_half", "ocl_vhalf")]
if not half:
    bad.append("no ocl_half or ocl_vhalf row")
for r in rows:
    if r["status"] not in ("ok", "skipped"):
        bad.append(f"{r['name']}: {r['status']} ({r.get('reason')})")
if not [r for r in half if r["status"] == "ok"]:
    bad.append("no ok half-cast row")
for b in bad:
    print("FAIL:", b)
sys.exit(1 if bad else 0)
PY
echo "ok: $(grep -c '"variant"' r.json) rows"
