#!/usr/bin/env python3
"""Writes the bad inputs of tests/badinput/table.txt into a folder.
usage: make_fixtures.py DIR DATA   (DATA: tests/data)"""
import json, os, shutil, struct, sys

out, data = sys.argv[1], sys.argv[2]


def put(name, b):
    with open(os.path.join(out, name), "wb") as f:
        f.write(b if isinstance(b, bytes) else b.encode())


def npy(descr, shape, body=b"", hlen=None):
    h = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, shape)
    h += " " * ((64 - (10 + len(h) + 1) % 64) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h) if hlen is None else hlen) + h.encode() + body


def st(header, body=b"", hlen=None):
    h = json.dumps(header).encode()
    return struct.pack("<Q", len(h) if hlen is None else hlen) + h + body


for src, dst in (("f32_2x3_v1.npy", "f32.npy"), ("f16_4_v2.npy", "f16.npy"), ("model.safetensors", "model.safetensors"),
                 ("results/base.json", "base.json"), ("results/other_suite.json", "other_suite.json"),
                 ("results/broken.json", "broken.json"), ("f32_2x3_v1.npy", "existing.npy"),
                 ("f32_2x3_v1.npy", "f32.safetensors")):
    shutil.copyfile(os.path.join(data, src), os.path.join(out, dst))
put("existing.json", '{"context": {}, "benchmarks": []}\n')
put("notnpy.npy", "hello, this is text\n")
put("tiny.suite", "families = f32_f16_cvt\nsizes = 1000\nrepetitions = 1\nmin_time = 0.001\n")
f32 = open(os.path.join(out, "f32.npy"), "rb").read()
put("trunc.npy", f32[:30])
put("hdrlong.npy", npy("<f4", "(2,)", hlen=60000))
put("datashort.npy", npy("<f4", "(1000,)", bytes(8)))
put("bigshape.npy", npy("<f4", "(4294967296, 4294967296, 4294967296)"))
put("negshape.npy", npy("<f4", "(-1,)"))
put("complex.npy", npy("<c8", "(2,)", bytes(16)))
put("bigendian.npy", npy(">f4", "(2,)", bytes(8)))
put("hugehdr.safetensors", st({}, hlen=1 << 40))
put("hdrlong.safetensors", st({}, hlen=1000))
put("offsets.safetensors", st({"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}, bytes(4)))
put("bigshape.safetensors", st({"w": {"dtype": "F32", "shape": [1 << 32] * 3, "data_offsets": [0, 4]}}, bytes(4)))
put("dtypesize.safetensors", st({"w": {"dtype": "F32", "shape": [3], "data_offsets": [0, 4]}}, bytes(4)))
put("trunc.json", open(os.path.join(out, "base.json"), "rb").read()[:1000])
put("size0.suite", "sizes = 0\n")
put("sizeneg.suite", "sizes = -5\n")
put("sizehuge.suite", "sizes = 2199023255552\n")
put("baddtype.suite", "dtypes = f12\n")
put("nan.suite", "min_time = nan\n")
put("nofamily.suite", "families = nosuch_*\n")
put("badkey.suite", "families = f32_f16_cvt\nsizez = 1000\n")
put("f16x6.npy", npy("<f2", "(2, 3)", bytes(12)))
os.mkfifo(os.path.join(out, "fifo.json"))
# Issue 14: inputs that could hang, trick or escape qbench.
for name in ("fifo.npy", "fifo.safetensors", "fifo.suite", "fifo.journal"):
    os.mkfifo(os.path.join(out, name))
put("cr.suite", "families = f32_f16_cvt\rsizes = 1000\rkernels = nosuch__x\r")
header = {"type": "header", "qbench_journal": 1, "target": os.path.join(out, "never.json"),
          "options": {}, "machine": {}, "plan": {"count": 2, "hash": "0"},
          "context": {"qbench": {"suite": "tiny"}}}
put("ok.journal", json.dumps(header) + "\n")
put("empty.journal", "")
put("badline.journal", json.dumps(header) + "\ngarbage\n")
put("notheader.journal", '{"type": "case", "name": "x", "rows": []}\n')
put("badindex.journal", json.dumps(header) + "\n" + json.dumps(
    {"type": "case", "name": "x", "index": -1, "rows": [{"name": "x", "run_name": "x", "status": "ok"}]}) + "\n")
os.mkdir(os.path.join(out, "plotted"))
put("plotted/index.html", "<html>an earlier plot</html>\n")
base = json.load(open(os.path.join(out, "base.json")))
for fname, family in (("evilhtml.json", 'x"><img src=x onerror=alert(1)>'), ("evilpath.json", "q/../../../escaped")):
    doc = json.loads(json.dumps(base))
    doc["benchmarks"][0]["family"] = family
    put(fname, json.dumps(doc))
