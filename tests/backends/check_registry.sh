#!/usr/bin/env bash
# CTest `backends_registry`: every line of host/backends/backends.inc is a backend that
# `qbench info --json`, `qbench list`, `qbench run --help`, --backend and a suite's
# `backends =` all know, from that one line: the toy check that a new backend is its
# folder, one registry line and one cmake include (host/backends/README.md).
# usage: check_registry.sh QBENCH SOURCE_DIR
set -u
qb=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() {
  echo "FAIL: $*"
  fails=$((fails + 1))
}

# 1. The registry, read from its source: "name kind" per line.
sed -n 's/^QB_BACKEND(\([a-z0-9_]*\), *\([a-z]*\),.*/\1 \2/p' "$src/host/backends/backends.inc" >"$tmp/registry"
[ -s "$tmp/registry" ] || { echo "FAIL: no QB_BACKEND line in backends.inc"; exit 1; }

# 2. info --json lists each one with its kind, whether it runs here and its devices;
#    a device backend's devices are also "<name>_devices".
"$qb" info --json >"$tmp/info.json" || fail "qbench info --json: exit $?"
"$qb" list --json >"$tmp/list.json" || fail "qbench list --json: exit $?"
"$qb" run --help >"$tmp/run_help" || fail "qbench run --help: exit $?"
python3 - "$tmp" <<'PY' || fails=$((fails + 1))
import json, sys
tmp = sys.argv[1]
registry = [l.split() for l in open(f"{tmp}/registry")]
info = json.load(open(f"{tmp}/info.json"))
rows = json.load(open(f"{tmp}/list.json"))
help_line = [l for l in open(f"{tmp}/run_help") if l.strip().startswith("--backend ")]
bad = []
by_name = {b["name"]: b for b in info.get("backends", [])}
if [b["name"] for b in info.get("backends", [])] != [n for n, _ in registry]:
    bad.append(f"info backends {list(by_name)} != registry {[n for n, _ in registry]}")
listed = {r["backend"] for r in rows}
for name, kind in registry:
    b = by_name.get(name)
    if b is None:
        continue
    if b["kind"] != kind:
        bad.append(f"{name}: info kind {b['kind']}, registry {kind}")
    if not b["available"] and not b["reason"]:
        bad.append(f"{name}: not available and no reason")
    if kind == "device" and info.get(f"{name}_devices") != b["devices"]:
        bad.append(f"{name}: {name}_devices differs from its backends entry")
    if b["available"] and b["devices"] and name not in listed:
        bad.append(f"{name}: available with devices but no row in qbench list")
    if not help_line or name not in help_line[0]:
        bad.append(f"{name}: not in run --help's --backend line")
for extra in listed - set(by_name):
    bad.append(f"qbench list has rows of backend '{extra}', not in the registry")
for b in bad:
    print("FAIL:", b)
sys.exit(1 if bad else 0)
PY

# 3. A suite naming every backend plans cases on each one that runs here (names as
#    results/README.md says: "cpu" for the host backend, "<name>:<device>" for devices);
#    a name not in the registry is refused naming them all.
names=$(awk '{print $1}' "$tmp/registry" | tr '\n' ' ')
printf 'families = f32_f16_cvt\nsizes = 4096\nbackends = %s\n' "$names" >"$tmp/all.suite"
"$qb" run --suite "$tmp/all.suite" --list >"$tmp/cases" 2>"$tmp/err" || fail "run --list over every backend: exit $?"
python3 - "$tmp" <<'PY' || fails=$((fails + 1))
import json, sys
tmp = sys.argv[1]
info = json.load(open(f"{tmp}/info.json"))
cases = [l.strip() for l in open(f"{tmp}/cases") if l.strip()]
bad = []
for b in info["backends"]:
    if not b["available"] or not b["devices"]:
        continue
    part = b["name"] if b["kind"] == "host" else b["name"] + ":"
    if not any(c.split("/")[2].startswith(part) for c in cases):
        bad.append(f"{b['name']}: no planned case names it")
for b in bad:
    print("FAIL:", b)
sys.exit(1 if bad else 0)
PY
"$qb" run --suite "$tmp/all.suite" --backend no_such_backend --list >/dev/null 2>"$tmp/err"
rc=$?
[ "$rc" -eq 2 ] || fail "--backend no_such_backend: exit $rc, expected 2"
for n in $names; do grep -q "$n" "$tmp/err" || fail "--backend's error does not name '$n': $(cat "$tmp/err")"; done
printf 'families = f32_f16_cvt\nbackends = no_such_backend\n' >"$tmp/bad.suite"
"$qb" run --suite "$tmp/bad.suite" --list >/dev/null 2>"$tmp/err"
rc=$?
[ "$rc" -eq 2 ] || fail "a suite naming no_such_backend: exit $rc, expected 2"
for n in $names; do grep -q "$n" "$tmp/err" || fail "the suite error does not name '$n': $(cat "$tmp/err")"; done

[ "$fails" -eq 0 ] && echo "backends_registry: $(wc -l <"$tmp/registry") backends, each in info, list, run --help, --backend and suites"
[ "$fails" -eq 0 ]
