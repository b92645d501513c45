#!/usr/bin/env python3
"""An independent oracle for qbench's low-bit formats (kernels/lowbit/README.md).

Element casts against ml_dtypes; the MX (OCP Microscaling v1.0), NVFP4 and per-128 FP8
block rules against a short NumPy implementation written from the specs (not from the C
code). The C scalar references run through `test_lowbit --dump FAMILY IN OUT [G]`.

usage: lowbit_oracle.py PATH/TO/test_lowbit [EMULATOR...]   (exit 77 without numpy or
ml_dtypes; a cross build passes its emulator, e.g. qemu-aarch64, to run test_lowbit)
"""
import os
import subprocess
import sys
import tempfile

try:
    import numpy as np
    import ml_dtypes
except ImportError as e:  # CTest reports 77 as skipped
    print(f"skipped: {e}")
    sys.exit(77)

np.seterr(all="ignore")  # overflow to inf and 0 / 0 are part of the rules checked
BIN = sys.argv[1]
RUNNER = sys.argv[2:]
TMP = tempfile.mkdtemp(prefix="lowbit_oracle_")
FAILS = []


def run(family, data, g=None):
    src, dst = os.path.join(TMP, "in.bin"), os.path.join(TMP, "out.bin")
    data.tofile(src)
    cmd = RUNNER + [BIN, "--dump", family, src, dst] + ([repr(float(g))] if g is not None else [])
    subprocess.run(cmd, check=True)
    return np.fromfile(dst, dtype=np.uint8)


def check(name, got, want, x=None):
    got, want = np.asarray(got), np.asarray(want)
    bad = np.nonzero(got != want)[0]
    if bad.size:
        i = bad[0]
        where = f" (input {x.ravel()[i]!r})" if x is not None and x.size > i else ""
        FAILS.append(f"{name}: {bad.size} differ; first at {i}: got {got.ravel()[i]}, want {want.ravel()[i]}{where}")
    print(f"{name}: {got.size} compared, {bad.size} differ")


def unpack(b, w):
    """Little-endian bit stream of w-bit codes (qb/lowbit.h)."""
    bits = np.unpackbits(b, bitorder="little").reshape(-1, w)
    return (bits * (1 << np.arange(w))).sum(axis=1).astype(np.uint8)


# ---- Inputs: f32 patterns over the whole range, and values near every decision point --
rng = np.random.default_rng(5)
pat = np.concatenate([np.arange(0, 1 << 32, 4099, dtype=np.uint64).astype(np.uint32),
                      rng.integers(0, 1 << 32, 1 << 18, dtype=np.uint64).astype(np.uint32)])
X = pat.view(np.float32)

# ---- Element casts against ml_dtypes ------------------------------------------------------
ELEM = {"f6e2m3": (ml_dtypes.float6_e2m3fn, 6), "f6e3m2": (ml_dtypes.float6_e3m2fn, 6),
        "f4e2m1": (ml_dtypes.float4_e2m1fn, 4), "e8m0": (ml_dtypes.float8_e8m0fnu, 8)}
for tok, (mt, w) in ELEM.items():
    vals = np.arange(1 << w, dtype=np.uint8).view(mt).astype(np.float32)
    # Midpoints between neighbouring values and their f32 neighbours: where rounding decides.
    pos = np.unique(np.abs(vals[np.isfinite(vals)]).astype(np.float64))
    mids = ((pos[1:] + pos[:-1]) / 2).astype(np.float32)
    near = np.concatenate([mids, np.nextafter(mids, np.float32(0)), np.nextafter(mids, np.float32(np.inf)),
                           pos.astype(np.float32)])
    x = np.concatenate([X, near, -near])
    x = x[: len(x) // 4 * 4]
    nan = np.isnan(x)
    got = run(f"f32_{tok}_cvt", x)
    got = got if w == 8 else unpack(got, w)
    want = x.astype(mt).view(np.uint8)
    if w != 8:
        # ml_dtypes 0.7 gives a NaN the zero of the opposite sign; qbench keeps the NaN's
        # sign (README: where they differ). Compared on every other input.
        sign = (np.signbit(x[nan]).astype(np.uint8)) << (w - 1)
        check(f"f32_{tok}_cvt NaN -> signed zero", got[nan], sign)
    check(f"f32_{tok}_cvt vs ml_dtypes", got[~nan], want[~nan], x[~nan])
    # Every code back to f32.
    codes = np.arange(1 << w, dtype=np.uint8)
    packed = codes if w == 8 else np.packbits(np.unpackbits(codes[:, None], axis=1, bitorder="little")[:, :w].ravel(), bitorder="little")
    back = run(f"{tok}_f32_cvt", packed).view(np.float32)
    ref = codes.view(mt).astype(np.float32)
    check(f"{tok}_f32_cvt vs ml_dtypes", back.view(np.uint32), ref.view(np.uint32))

# ---- Block rules, from the specs ------------------------------------------------------------
F32 = np.float32
#                 element type,             max,    emax, mbits, bias, width
MX = {"mxf8e4m3": (ml_dtypes.float8_e4m3fn, 448.0, 8, 3, 7, 8),
      "mxf8e5m2": (ml_dtypes.float8_e5m2, 57344.0, 15, 2, 15, 8),
      "mxf6e2m3": (ml_dtypes.float6_e2m3fn, 7.5, 2, 3, 1, 6),
      "mxf6e3m2": (ml_dtypes.float6_e3m2fn, 28.0, 4, 2, 3, 6),
      "mxf4": (ml_dtypes.float4_e2m1fn, 6.0, 2, 1, 1, 4),
      "mxi8": (None, 127 / 64, 0, None, None, 8)}


def round_elem(v, mbits, bias, maxv, away):
    """Round float64 v to the element grid (mbits, bias), ties even or away, saturate."""
    a = np.abs(v)
    with np.errstate(divide="ignore"):
        e = np.floor(np.log2(np.where(a > 0, a, 1.0)))
    _, fe = np.frexp(np.where(a > 0, a, 1.0))  # exact exponent: a in [2^(fe-1), 2^fe)
    e = np.maximum(fe - 1, 1 - bias)
    ulp = np.ldexp(1.0, (e - mbits).astype(np.int64))
    q = a / ulp
    r = np.floor(q + 0.5) if away else np.rint(q)
    return np.copysign(np.minimum(r * ulp, maxv), v)


def mx_ref(x, tok, mode, away):
    mt, maxv, emax, mbits, bias, w = MX[tok]
    b = x.reshape(-1, 32).astype(np.float64)
    amax = np.abs(b).max(axis=1)
    special = ~np.isfinite(b).all(axis=1)
    amax = np.where(special, 0.0, amax)
    _, fe = np.frexp(np.where(amax > 0, amax, 1.0))
    if mode == "floor":  # OCP v1.0 section 6.3: floor(log2(amax)) - emax
        s = (fe - 1) - emax
    else:  # RCEIL: 2^ceil(log2(amax / max)), the quotient rounded to f32 first
        qv = (amax.astype(F32) / F32(maxv)).astype(np.float64)
        m, qe = np.frexp(np.where(qv > 0, qv, 1.0))
        s = np.where(m == 0.5, qe - 1, qe)
        s = np.where(qv > 0, s, -127)
    s = np.where(amax > 0, s, -127)
    s = np.clip(s, -127, 127)
    v = b / np.ldexp(1.0, s)[:, None]
    v = np.where(special[:, None], 0.0, v)
    if mt is None:  # MXINT8: 1.6 fixed point, symmetric
        r = np.floor(np.abs(v) * 64 + 0.5) if away else np.rint(np.abs(v) * 64)
        codes = (np.copysign(np.minimum(r, 127), v)).astype(np.int8).view(np.uint8)
    else:
        codes = round_elem(v, mbits, bias, maxv, away).astype(F32).astype(mt).view(np.uint8)
        if w < 8:
            codes = codes & ((1 << w) - 1)
    e = np.where(special, 255, s + 127).astype(np.uint8)
    return e, codes.reshape(-1, 32)


def edge_blocks():
    """All zero, NaN, inf, amax at the top and bottom of the scale range, subnormals,
    FLOOR-clipped amax, ties."""
    z = np.zeros(32, F32)
    blocks = [z.copy()]
    for special in (np.nan, np.inf, -np.inf):
        b = z.copy(); b[3] = special; b[4] = 1.0; blocks.append(b)
    for amax in (3.4028235e38, 2.0 ** -149, 2.0 ** -126, 2.0 ** -120, 1.0, 500.0, 1.99, 7.5, 6.5):
        b = (np.linspace(-1, 1, 32) * amax).astype(F32); b[7] = F32(amax); blocks.append(b)
    b = z.copy(); b[0] = 6.0; b[1:9] = [0.25, 0.75, 1.25, 1.75, 2.5, 3.5, 5.0, -2.5]; blocks.append(b)
    b = z.copy(); b[0] = 1.0; b[1] = 2.0 ** -17; b[2] = 2.0 ** -140; b[3] = 1 / 128; b[4] = -3 / 128; blocks.append(b)
    return np.concatenate(blocks)


RAND = np.concatenate([
    edge_blocks(),
    (rng.standard_normal(32 * 2048)).astype(F32),
    (rng.standard_normal(32 * 2048) * np.exp2(rng.integers(-140, 120, 32 * 2048))).astype(F32),
    (rng.standard_t(2, 32 * 2048) * np.exp2(rng.integers(-30, 30, 2048)).repeat(32)).astype(F32),
])

for tok, (mt, maxv, emax, mbits, bias, w) in MX.items():
    for op, mode, away in (("quant", "floor", False), ("quantrceil", "rceil", False), ("quantaway", "floor", True)):
        got = run(f"f32_{tok}_{op}", RAND).reshape(-1, 1 + 32 * w // 8)
        e, codes = mx_ref(RAND, tok, mode, away)
        check(f"f32_{tok}_{op} scales", got[:, 0], e)
        gc = got[:, 1:].ravel() if w == 8 else unpack(got[:, 1:].ravel(), w)
        special = e == 255
        check(f"f32_{tok}_{op} elements", gc.reshape(-1, 32)[~special], codes[~special], RAND.reshape(-1, 32)[~special])
    # Dequantize: element * 2^(e - 127), from random bytes (every code, every scale).
    raw = rng.integers(0, 256, (4096, 1 + 32 * w // 8), dtype=np.uint8)
    y = run(f"{tok}_f32_dequant", raw.ravel()).view(np.float32).reshape(-1, 32)
    c = raw[:, 1:].ravel() if w == 8 else unpack(raw[:, 1:].ravel(), w)
    ev = (c.view(np.int8).astype(np.float64) / 64) if mt is None else c.view(mt).astype(np.float64)
    sc = np.where(raw[:, 0] == 255, np.nan, np.ldexp(1.0, raw[:, 0].astype(np.int64) - 127))
    want = (ev.reshape(-1, 32) * sc[:, None]).astype(F32)
    check(f"{tok}_f32_dequant", y.view(np.uint32) | np.isnan(y) * 0, np.where(np.isnan(want) & np.isnan(y), y, want).view(np.uint32))

# NVFP4: s = e4m3_sat(amax / 6 / g), d = e4m3(s) * g, elements e2m1_sat(x / d), all in f32.
E4 = ml_dtypes.float8_e4m3fn
for g in (None, 0.03125, 1.7):
    x = RAND[: len(RAND) // 16 * 16]
    b = x.reshape(-1, 16)
    gg = F32(1.0 if g is None else g)
    special = ~np.isfinite(b).all(axis=1)
    amax = np.where(special, F32(0), np.abs(np.where(np.isfinite(b), b, 0)).max(axis=1))
    sf = (amax.astype(F32) / F32(6)) / gg
    s = np.minimum(sf, F32(448)).astype(E4)
    d = s.astype(F32) * gg
    with np.errstate(divide="ignore", invalid="ignore"):
        v = np.where(d[:, None] > 0, b / d[:, None], np.copysign(F32(0), b)).astype(np.float64)
    codes = round_elem(np.where(special[:, None], 0, v), 1, 1, 6.0, False).astype(F32).astype(ml_dtypes.float4_e2m1fn)
    codes = codes.view(np.uint8) & 0xF
    sb = np.where(special, 0x7F, s.view(np.uint8))
    got = run("f32_nvf4_quant", x, g).reshape(-1, 9)
    check(f"f32_nvf4_quant g={g} scales", got[:, 0], sb)
    gc = unpack(got[:, 1:].ravel(), 4).reshape(-1, 16)
    check(f"f32_nvf4_quant g={g} elements", gc[~special], codes[~special], b[~special])

# FP8 e4m3 per 128: d = amax / 448 in f32; x / d in f32, e4m3 nearest even, saturating.
x = RAND[: len(RAND) // 128 * 128]
b = x.reshape(-1, 128)
special = ~np.isfinite(b).all(axis=1)
d = (np.abs(np.where(special[:, None], 0, b)).max(axis=1).astype(F32) / F32(448))
with np.errstate(divide="ignore", invalid="ignore"):
    v = np.where(d[:, None] > 0, b / d[:, None], np.copysign(F32(0), b))
codes = np.clip(v, -448, 448).astype(F32).astype(E4).view(np.uint8)
got = run("f32_f8e4m3b128_quant", x).reshape(-1, 132)
check("f32_f8e4m3b128_quant scales", got[~special, :4].copy().view(np.float32).ravel().view(np.uint32), d[~special].view(np.uint32))
check("f32_f8e4m3b128_quant elements", got[~special, 4:], codes[~special])
check("f32_f8e4m3b128_quant NaN blocks", np.isnan(got[special, :4].copy().view(np.float32).ravel()), np.ones(special.sum(), bool))

if FAILS:
    print("\n".join(["FAILED:"] + FAILS))
    sys.exit(1)
print("all agree")
