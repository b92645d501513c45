#!/usr/bin/env python3
"""Writes the seed corpora in tests/fuzz/corpus/<target>/ from the repository's own
fixtures and suites, cut small (libFuzzer mutates short inputs faster). Run from the
repository root; crash inputs that became regressions (crash-*) are kept as they are."""
import json, os, struct

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
corpus = os.path.join(root, "tests", "fuzz", "corpus")


def put(target, name, data):
    d = os.path.join(corpus, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def rd(*p):
    with open(os.path.join(root, *p), "rb") as f:
        return f.read()


# Suites: every committed suite and test suite, and a few edge lines.
for d in ("suites", "tests/data/suites"):
    for n in sorted(os.listdir(os.path.join(root, d))):
        if n.endswith(".suite"):
            put("suite", n, rd(d, n))
put("suite", "sizes-edge", "families = *_dot\nsizes = 1, 64K, 1G, 1099511627776, DRAM\nthreads = all, 4096\n")
put("suite", "kernels", "kernels = f32_f16_cvt__scalar_u1, *__avx2_*\ndtypes = f16 bf16\nseed = 18446744073709551615\n")

# .npy: the fixtures, a 3-D one and a scalar.
for n in ("f16_4_v2.npy", "f32_2x3_v1.npy", "i8_3_v3.npy"):
    put("npy", n, rd("tests", "data", n))


def npy(descr, shape, data, version=1):
    h = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, shape)
    pre = 10 if version == 1 else 12
    h += " " * ((64 - (pre + len(h) + 1) % 64) % 64) + "\n"
    ln = struct.pack("<H", len(h)) if version == 1 else struct.pack("<I", len(h))
    return b"\x93NUMPY" + bytes([version, 0]) + ln + h.encode() + data


put("npy", "u8_2x2x2", npy("|u1", "(2, 2, 2)", bytes(range(8))))
put("npy", "f64_scalar", npy("<f8", "()", struct.pack("<d", 1.5)))
put("npy", "i64_0", npy("<i8", "(0,)", b"", version=2))

# .safetensors: the fixture and two small ones (an unknown-to-qbench dtype, an empty tensor).
put("safetensors", "model.safetensors", rd("tests", "data", "model.safetensors"))


def st(header, data):
    h = json.dumps(header).encode()
    return struct.pack("<Q", len(h)) + h + data


put("safetensors", "two", st({"a": {"dtype": "BF16", "shape": [2], "data_offsets": [0, 4]},
                              "b": {"dtype": "U32", "shape": [1], "data_offsets": [4, 8]},
                              "__metadata__": {"format": "pt"}}, bytes(8)))
put("safetensors", "empty", st({"e": {"dtype": "F8_E4M3", "shape": [0, 3], "data_offsets": [0, 0]}}, b""))

# Results: each fixture cut to its context and first rows.
for n in ("base.json", "errored.json", "gbench_plain.json", "plot_partial.json", "other_suite.json"):
    doc = json.loads(rd("tests", "data", "results", n))
    doc["benchmarks"] = doc["benchmarks"][:3]
    put("resultsread", n, json.dumps(doc, separators=(",", ":")))
put("resultsread", "broken.json", rd("tests", "data", "results", "broken.json"))
put("resultsread", "empty.json", '{"context":{},"benchmarks":[]}')

# CLI: selector byte, two 64-bit bounds, the argument.
def cli(sel, lo, hi, arg):
    return bytes([sel]) + struct.pack("<QQ", lo & (2**64 - 1), hi & (2**64 - 1)) + arg.encode()


for i, (sel, lo, hi, arg) in enumerate([(0, 1, 1000, "17"), (0, 0, 2**64 - 1, "18446744073709551615"),
                                        (0, 1, 4096, "0"), (1, -255, 255, "-128"), (1, -255, 255, "+7"),
                                        (2, 0, 0, "1e-3"), (2, 0, 0, "-0.5"), (2, 0, 0, "nan"),
                                        (3, 0, 0, "2000x2000"), (3, 0, 0, "32x128,128"),
                                        (4, 0, 0, "L1=32K,L2=1M,L3=32M"), (4, 0, 0, "l3=1G")]):
    put("cli", "seed%02d" % i, cli(sel, lo, hi, arg))
