#!/usr/bin/env python3
"""int4 group quantization checked against an independent NumPy implementation.

Usage: check_int4.py QBENCH WORKDIR. For every int4 group format (qu4g32, qu4g64, qu4g128,
qs4g128) it writes f32 tensors (normal, with outliers, constant groups, all-zero groups,
ties), runs `qbench apply f32_<fmt>_quant --out`, and compares the bytes with the formulas
written out below in NumPy (float32 arithmetic, scale rounded to f16 before the codes;
kernels/quant/README.md "int4 groups"). Exit 77 (CTest: skipped) when NumPy is missing.
"""
import os
import subprocess
import sys

try:
    import numpy as np
except ImportError:
    print("check_int4: NumPy is not installed: skipped")
    sys.exit(77)

F32 = np.float32


def round_even(v):
    return np.rint(v).astype(F32)  # NumPy's rint: half to even


def quant_asym(x, g):  # returns the blocks and their dequantized values
    """GPTQ's find_params (sym=False, maxq=15) per group, f32, f16 scale first."""
    x = x.reshape(-1, g).astype(F32)
    lo = np.minimum(np.nanmin(np.where(np.isnan(x), 0, x), axis=1), F32(0))
    hi = np.maximum(np.nanmax(np.where(np.isnan(x), 0, x), axis=1), F32(0))
    both0 = (lo == 0) & (hi == 0)
    lo = np.where(both0, F32(-1), lo).astype(F32)
    hi = np.where(both0, F32(1), hi).astype(F32)
    s16 = ((hi - lo) / F32(15)).astype(F32).astype(np.float16)
    s = s16.astype(F32)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.clip(round_even(-lo / s), 0, 15)
        q = np.clip(round_even(x / s[:, None]) + z[:, None], 0, 15)
    z = np.where(s == 0, 0, z)
    q = np.where(s[:, None] == 0, 0, q).astype(np.uint8)
    packed = (q[:, 0::2] | (q[:, 1::2] << 4)).astype(np.uint8)
    blocks = np.concatenate([s16.view(np.uint8).reshape(-1, 2), z.astype(np.uint8)[:, None], packed], axis=1)
    deq = ((q.astype(np.int32) - z[:, None].astype(np.int32)).astype(F32) * s[:, None]).reshape(-1)
    return blocks, deq


def quant_sym(x, g):
    """Symmetric: s = absmax / 7 (f16), codes round_even(x / s) in [-8, 7]."""
    x = x.reshape(-1, g).astype(F32)
    amax = np.max(np.abs(x), axis=1)
    s16 = (amax / F32(7)).astype(F32).astype(np.float16)
    s = s16.astype(F32)
    with np.errstate(divide="ignore", invalid="ignore"):
        q = np.clip(round_even(x / s[:, None]), -8, 7)
    q = np.where(s[:, None] == 0, 0, q).astype(np.int32)
    nib = (q & 15).astype(np.uint8)
    packed = (nib[:, 0::2] | (nib[:, 1::2] << 4)).astype(np.uint8)
    blocks = np.concatenate([s16.view(np.uint8).reshape(-1, 2), packed], axis=1)
    deq = (q.astype(F32) * s[:, None]).reshape(-1)
    return blocks, deq


def data(g, rng):
    n = 16 * g
    x = rng.standard_normal(n).astype(F32)
    x[g : 2 * g] *= F32(0.01)  # small group
    x[2 * g : 3 * g] = F32(1.5)  # constant positive
    x[3 * g : 4 * g] = 0  # all zero
    x[4 * g : 5 * g] = -F32(2.0)  # constant negative
    x[5 * g + 3] = F32(40)  # an outlier
    # Ties: a group spanning [-7.5, 7.5] / 15 steps of 1 lands x / s on halves.
    x[6 * g : 7 * g] = (np.arange(g) % 16 - 7.5).astype(F32)
    x[7 * g : 8 * g] = (np.arange(g) % 15 - 7).astype(F32) * F32(0.5)
    x[8 * g : 9 * g] *= F32(1000)
    return x


def main():
    qbench, work = sys.argv[1], sys.argv[2]
    os.makedirs(work, exist_ok=True)
    rng = np.random.default_rng(20261204)
    failures = 0
    for fmt, g, sym in (("qu4g32", 32, False), ("qu4g64", 64, False), ("qu4g128", 128, False), ("qs4g128", 128, True)):
        x = data(g, rng)
        xin = os.path.join(work, f"{fmt}_x.npy")
        yout = os.path.join(work, f"{fmt}_y.npy")
        np.save(xin, x)
        r = subprocess.run([qbench, "apply", f"f32_{fmt}_quant", "--in", xin, "--out", yout, "--force"],
                           capture_output=True, text=True)
        if r.returncode != 0:
            print(f"FAIL: qbench apply f32_{fmt}_quant exits {r.returncode}: {r.stderr.strip()}")
            failures += 1
            continue
        got = np.load(yout)
        want, deq = (quant_sym if sym else quant_asym)(x, g)
        if got.shape != want.shape or not np.array_equal(got, want):
            bad = np.argwhere(got != want) if got.shape == want.shape else "shape %s vs %s" % (got.shape, want.shape)
            print(f"FAIL: {fmt}: qbench's bytes differ from NumPy's at {bad[:5] if not isinstance(bad, str) else bad}")
            failures += 1
            continue
        print(f"ok: {fmt}: {want.shape[0]} groups bit-identical with NumPy")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
