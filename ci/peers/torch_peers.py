#!/usr/bin/env python3
"""qbench's casts and per-tensor quantize beside PyTorch's, on one pinned core.

    python3 ci/peers/torch_peers.py PEERS [--sizes N,N,...] [--rounds R] [--min-time S] [--cpu I]
                                          [--csv-append FILE]

PEERS is the program ci/peers.sh builds; started once with --serve, it times qbench's
side one round per request, so that rounds of the two sides interleave. This script needs a Python with torch; ci/peers.sh runs it with
the interpreter given by --torch or QB_PEER_TORCH_PYTHON. PyTorch's side is the
preallocated `out.copy_(x)` cast (x and out allocated and written once, before timing)
and `torch.quantize_per_tensor(x, 4/127, 0, torch.qint8)` (it has no out= form: each
call allocates its result, as a user's call does). The two sides are timed alternately,
a round each in turn, by the thread's CPU time (as the peers program times qbench's),
and the best round of each is kept, so that a busy machine slows both alike. Output: one line per operation and size: both rates in elements per
second and the ratio qbench / PyTorch (above 1: qbench is faster). --csv-append FILE
adds the same lines to the CSV that `peers --csv FILE` wrote (peer "torch"; columns
peer,operation,family,n,variant,qbench_gelps,peer_gelps,ratio).
"""
import argparse
import os
import subprocess
import sys
import time
import warnings

import torch

# quantize_per_tensor is deprecated in recent PyTorch; it is still what users call.
warnings.filterwarnings("ignore", message=".*quantize_per_tensor.*deprecated")

# (PyTorch operation, qbench family, input dtype, output dtype or "quantize")
OPS = [
    ("copy_ f32->f16", "f32_f16_cvt", torch.float32, torch.float16),
    ("copy_ f16->f32", "f16_f32_cvt", torch.float16, torch.float32),
    ("copy_ f32->bf16", "f32_bf16_cvt", torch.float32, torch.bfloat16),
    ("copy_ bf16->f32", "bf16_f32_cvt", torch.bfloat16, torch.float32),
    ("copy_ f32->e4m3fn", "f32_f8e4m3_cvt", torch.float32, getattr(torch, "float8_e4m3fn", None)),
    ("copy_ e4m3fn->f32", "f8e4m3_f32_cvt", getattr(torch, "float8_e4m3fn", None), torch.float32),
    ("copy_ f32->e5m2", "f32_f8e5m2_cvt", torch.float32, getattr(torch, "float8_e5m2", None)),
    ("copy_ e5m2->f32", "f8e5m2_f32_cvt", getattr(torch, "float8_e5m2", None), torch.float32),
    ("quantize_per_tensor qint8", "f32_qs8_quant", torch.float32, "quantize"),
    ("dequantize qint8", "qs8_f32_dequant", "qint8", torch.float32),
]


def best_of(fn, min_s):
    """CPU seconds per call (this thread's, as the peers program times qbench's side;
    PyTorch runs on it with one thread): calls repeated for at least min_s."""
    fn()
    reps = 1
    while True:
        t0 = time.thread_time()
        for _ in range(reps):
            fn()
        dt = time.thread_time() - t0
        if dt >= min_s:
            return dt / reps
        reps = reps * 16 if dt <= 0 else int(reps * 1.5 * min_s / dt) + 1


def torch_call(op, n):
    _, _, din, dout = op
    g = torch.Generator().manual_seed(1)
    x32 = (torch.rand(n, generator=g) - 0.5) * 4.0
    if din == "qint8":
        q = torch.quantize_per_tensor(x32, 4.0 / 127.0, 0, torch.qint8)
        return lambda: q.dequantize()
    x = x32.to(din)
    if dout == "quantize":
        return lambda: torch.quantize_per_tensor(x, 4.0 / 127.0, 0, torch.qint8)
    out = torch.empty(n, dtype=dout)
    out.copy_(x)  # every page of the output written before timing
    return lambda: out.copy_(x)


class QBench:
    """qbench's side: the peers program started once with --serve, one round a request."""

    def __init__(self, peers, min_s, cpu):
        cmd = [peers, "--serve", "--min-time", str(min_s)]
        if cpu is not None:
            cmd += ["--cpu", str(cpu)]
        self.p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)

    def rate(self, family, n):
        """qbench's picked variant in elements/s over one round (the best of the lines that
        time it): (rate, variant)."""
        self.p.stdin.write("%s %d\n" % (family, n))
        self.p.stdin.flush()
        best, variant, seen = 0.0, "-", []
        for line in self.p.stdout:
            if line.strip() == "done":
                break
            seen.append(line)
            f = line.split()
            if family in f and str(n) in f:
                # "<op words> family n variant qb peer ratio": qb Gel/s is 3rd from the end.
                r = float(f[-3]) * 1e9
                if r > best:
                    best, variant = r, f[f.index(str(n)) + 1]
        if best <= 0:
            raise RuntimeError("no rate for %s at n=%d: %s" % (family, n, "".join(seen)))
        return best, variant

    def close(self):
        self.p.stdin.close()
        self.p.wait()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("peers")
    ap.add_argument("--sizes", default="4096,65536,16777216")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--min-time", type=float, default=0.02)
    ap.add_argument("--cpu", type=int, default=None)
    ap.add_argument("--only", default=None)
    ap.add_argument("--csv-append", default=None)
    a = ap.parse_args()
    csv = open(a.csv_append, "a") if a.csv_append else None
    if a.cpu is not None:
        os.sched_setaffinity(0, {a.cpu})
    torch.set_num_threads(1)
    print("torch %s, CPU capability %s, 1 thread" % (torch.__version__, torch.backends.cpu.get_cpu_capability()))
    print("%-26s %-16s %9s  %-24s %10s %10s %7s" % ("PyTorch operation", "qbench family", "n", "qbench picked variant",
                                                    "qb Gel/s", "pt Gel/s", "ratio"))
    qb = QBench(a.peers, a.min_time, a.cpu)
    for n in [int(s) // 32 * 32 for s in a.sizes.split(",")]:
        for op in OPS:
            name, family, din, dout = op
            if a.only and a.only not in family:
                continue
            if din is None or dout is None:
                print("%-26s %-16s %9d  (this torch has no such dtype)" % (name, family, n))
                continue
            fn = torch_call(op, n)
            best_pt = best_qb = 0.0
            variant = "-"
            for _ in range(a.rounds):
                r, v = qb.rate(family, n)
                if r > best_qb:
                    best_qb, variant = r, v
                best_pt = max(best_pt, n / best_of(fn, a.min_time))
            print("%-26s %-16s %9d  %-24s %10.3f %10.3f %7.2f" % (name, family, n, variant, best_qb * 1e-9,
                                                                  best_pt * 1e-9, best_qb / best_pt))
            sys.stdout.flush()
            if csv:
                csv.write("torch,%s,%s,%d,%s,%.6g,%.6g,%.6g\n" % (name, family, n, variant, best_qb * 1e-9,
                                                                 best_pt * 1e-9, best_qb / best_pt))
                csv.flush()
    qb.close()
    if csv:
        csv.close()


if __name__ == "__main__":
    main()
