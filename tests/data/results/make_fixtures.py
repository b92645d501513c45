#!/usr/bin/env python3
"""Writes the small hand-made results fixtures of tests/test_compare*.c and test_plot*.c.

Deterministic (fixed seeds); the JSON files are committed, this script documents how they
were made and remakes them: python3 tests/data/results/make_fixtures.py
Shapes follow results/README.md. Times are invented, not measured.
"""
import copy
import json
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))


def context(host="fixture-a", cpu="AMD EPYC 7B13 (fixture)", suite="ci", date="2026-11-22T15:40:00+00:00",
            l1=32768, l2=524288, l3=33554432, copy_bw=1.2e10, peak=1.0e11, emulated=False):
    return {
        "date": date, "host_name": host, "executable": "qbench", "num_cpus": 2, "mhz_per_cpu": 0,
        "cpu_scaling_enabled": False,
        "caches": [{"type": "Data", "level": 1, "size": l1, "num_sharing": 1},
                   {"type": "Unified", "level": 2, "size": l2, "num_sharing": 1},
                   {"type": "Unified", "level": 3, "size": l3, "num_sharing": 2}],
        "library_build_type": "release",
        "qbench": {
            "version": "0.1.0", "git_commit": "0123456789ab", "suite": suite, "seed": 1, "cpu_model": cpu,
            "isa_features": ["avx2", "fma", "f16c"], "isa_cap": "", "os": "Linux 6.1.0",
            "compiler": "GCC 12.2.0", "emulated": emulated, "incomplete": False, "peak_rss_bytes": 123456,
            "topology": {"source": "hwloc", "packages": 1, "cores": 2, "pus": 2, "numa_nodes": 1,
                         "l1d": l1, "l2": l2, "l3": l3, "l1d_used": l1, "l2_used": l2, "l3_used": l3,
                         "caches_overridden": False},
            "roofs": [{"name": "copy", "size_class": "DRAM", "threads": 1, "bytes": 268435456,
                       "bytes_per_second": copy_bw},
                      {"name": "copy", "size_class": "L1", "threads": 1, "bytes": 16384,
                       "bytes_per_second": copy_bw * 6},
                      {"name": "peak_f32_fma__avx2", "size_class": "L1", "threads": 1, "flops_per_second": peak},
                      {"name": "peak_f32_fma__scalar", "size_class": "L1", "threads": 1,
                       "flops_per_second": peak / 16}],
            "opencl_devices": [{"name": "pocl-cpu", "vendor": "The pocl project", "driver": "3.1"}],
        },
    }


BITS = {"f32": 32, "f64": 64, "f16": 16, "bf16": 16, "f8e4m3": 8, "f8e5m2": 8, "s8": 8, "u8": 8, "qb8": 9,
        "s32": 32, "none": 0}


def case(family, variant, backend, isa, din, dout, n, dist="normal", din2="none", rnd=None, time_ns=1000.0,
         status="ok", reason="", sqnr=40.0, gflops_per_elem=0, size_class="DRAM", mismatches=0, device=None,
         threads=1, semantics=None, bound=None):
    """One planned case: the fields every repetition of it shares."""
    dev = device or backend
    path = backend if backend == "cpu" else "%s:%s" % (backend, dev)
    name = "%s/%s/%s/n:%d/threads:%d/dist:%s" % (family, variant, path, n, threads, dist)
    if rnd:
        name += "/round:" + rnd
    nbytes = n * (BITS[din] + BITS[din2] + (0 if gflops_per_elem else BITS[dout])) / 8
    low = din if din != "f32" else (din2 if din2 not in ("none", "f32") else dout)
    if dout == "s32" or gflops_per_elem:
        low = din
    ratio = BITS[low] / 32.0
    return {
        "name": name, "time_ns": time_ns, "family": family, "kernel": "%s__%s" % (family, variant),
        "variant": variant, "backend": backend, "device": dev, "isa": isa, "dtype_in": din, "dtype_in2": din2,
        "dtype_out": dout, "n": n, "size_class": size_class, "distribution": dist, "rounding": rnd or "none",
        "status": status, "reason": reason, "bytes": nbytes, "flops": n * gflops_per_elem, "sqnr": sqnr,
        "mismatches": mismatches, "ratio": ratio, "threads": threads, "semantics": semantics, "bound": bound,
    }


def rows_of(c, reps, rng, jitter=0.01, scale=1.0, roof_bw=1.2e10, roof_peak=1.0e11, aggregates=True):
    """Repetition rows plus Google Benchmark's aggregates for one case."""
    out = []
    times = []
    for r in range(reps):
        t = c["time_ns"] * scale * (1 + rng.uniform(-jitter, jitter))
        times.append(t)
    # A case may spread its repetitions on purpose (rep_scale: a factor on each one's time).
    times = [t * f for t, f in zip(times, c.get("rep_scale", [1] * reps))]
    roof_bw = c.get("roof_bw", roof_bw)
    for r, t in enumerate(times if c["status"] == "ok" else times[:1]):
        row = {"name": c["name"], "run_name": c["name"], "run_type": "iteration", "repetitions": reps,
               "repetition_index": r, "threads": c["threads"], "iterations": 1000, "real_time": t, "cpu_time": t * 0.998,
               "time_unit": "ns"}
        ok = c["status"] == "ok"
        if ok or c.get("rates_on_error"):
            row["bytes_per_second"] = c["bytes"] / (t * 1e-9)
            row["items_per_second"] = c["n"] / (t * 1e-9)
        if not ok:
            row["error_occurred"] = True
            row["error_message"] = c["reason"]
            if not c.get("rates_on_error"):
                row["real_time"] = row["cpu_time"] = 0
        for k in ("family", "kernel", "variant", "backend", "device", "isa", "dtype_in", "dtype_in2", "dtype_out",
                  "n", "size_class", "distribution", "rounding", "status", "reason"):
            row[k] = c[k]
        row["timing"] = "host" if c["backend"] == "cpu" else "device"
        gflops = c["flops"] / t if ok else 0
        row["gflops"] = gflops
        row["roof_name"] = "copy" if not c["flops"] else "peak_f32_fma__avx2"
        if ok:
            row["roof_fraction"] = (gflops * 1e9 / roof_peak) if c["flops"] else row["bytes_per_second"] / roof_bw
        else:
            row["roof_fraction"] = 0
        if ok and c.get("compute_peak"):
            # A dot as qbench writes it now: its read roof, and its compute peak apart.
            row["roof_name"] = "read"
            row["roof_fraction"] = row["bytes_per_second"] / roof_bw
            row["compute_roof_name"] = "peak_f32_fma__avx2"
            row["compute_roof_fraction"] = gflops * 1e9 / c["compute_peak"]
        if ok:
            sq = c["sqnr"]
            nmse = 10 ** (-sq / 10)
            row["error"] = {"max_abs": 0.001 * (10 ** ((40 - sq) / 20)), "max_rel": 0.01, "rmse": nmse ** 0.5,
                            "nmse": nmse, "sqnr_db": sq, "max_ulp": 0.5, "mean_ulp": 0.25,
                            "mismatches": c["mismatches"], "nan_inf_mismatches": 0}
            # What qbench writes since the gate judges reassoc dots by their bound.
            if c["semantics"] is not None:
                row["error"]["semantics"] = c["semantics"]
            if c["bound"] is not None:
                row["error"]["bound"] = c["bound"]
        bpe = c["ratio"] * 4
        row["memory"] = {"bytes_per_element": bpe, "footprint_bytes": int(c["bytes"]),
                         "metadata_bytes": int(c["n"] / 32 * 4) if "qb8" in c["family"] else 0,
                         "ratio_to_f32": c["ratio"], "ratio_to_f64": c["ratio"] / 2}
        out.append(row)
    if c["status"] == "ok" and reps > 1 and aggregates:
        s = sorted(times)
        med = s[len(s) // 2] if len(s) % 2 else 0.5 * (s[len(s) // 2 - 1] + s[len(s) // 2])
        mean = sum(times) / len(times)
        sd = (sum((x - mean) ** 2 for x in times) / (len(times) - 1)) ** 0.5
        for agg, v in (("mean", mean), ("median", med), ("stddev", sd), ("cv", sd / mean)):
            row = copy.deepcopy(out[0])
            row.update({"name": c["name"] + "_" + agg, "run_type": "aggregate", "aggregate_name": agg,
                        "real_time": v, "cpu_time": v})
            if agg == "cv":
                row["aggregate_unit"] = "percentage"
            del row["repetition_index"]
            out.append(row)
    return out


def doc(ctx, cases, reps, seed, **kw):
    rng = random.Random(seed)
    rows = []
    for c in cases:
        rows += rows_of(c, reps, rng, **kw)
    return {"context": ctx, "benchmarks": rows}


def write(name, d):
    """Compact, one benchmark row a line: small files and readable diffs."""
    sep = (",", ":")
    rows = d["benchmarks"]
    lines = ['{"context":' + json.dumps(d["context"], separators=sep) + ",", '"benchmarks":[']
    lines += [json.dumps(r, separators=sep) + ("," if i + 1 < len(rows) else "") for i, r in enumerate(rows)]
    lines += ["]}"]
    with open(os.path.join(HERE, name), "w") as f:
        f.write("\n".join(lines) + "\n")


def compare_cases():
    return [
        case("f32_f16_cvt", "scalar_u1", "cpu", "scalar", "f32", "f16", 1048576, time_ns=2.0e6, sqnr=73.6),
        case("f32_f16_cvt", "avx2_u16", "cpu", "avx2", "f32", "f16", 1048576, time_ns=6.0e5, sqnr=73.6),
        case("f32_qs8_quant", "avx2_u32", "cpu", "avx2", "f32", "s8", 65536, rnd="pytorch", time_ns=3.0e4,
             sqnr=40.1, size_class="L2"),
        case("f32_dot", "avx2_u32", "cpu", "avx2", "f32", "f32", 4096, din2="f32", time_ns=400.0, sqnr=120.0,
             gflops_per_elem=2, size_class="L1"),
        case("f32_bf16_cvt", "avx512bf16_u32", "cpu", "avx512bf16", "f32", "bf16", 1048576, status="skipped",
             reason="CPU lacks avx512bf16"),
    ]


def main():
    base_ctx = context()
    cases = compare_cases()
    # Same seed for base and its variants: only the change under test differs.
    write("base.json", doc(base_ctx, cases, 9, 1))
    # One row 20 % slower; everything else identical.
    slow = copy.deepcopy(cases)
    slow[1]["time_ns"] *= 1.2
    write("slow20.json", doc(base_ctx, slow, 9, 1))
    # The quantizer's SQNR 0.1 dB down; times identical.
    sq = copy.deepcopy(cases)
    sq[2]["sqnr"] -= 0.1
    write("sqnr_down.json", doc(base_ctx, sq, 9, 1))
    # Noise only: the same cases with fresh +-2 % jitter.
    write("jitter.json", doc(base_ctx, cases, 9, 2, jitter=0.02))
    # A row gone, a row added.
    miss = copy.deepcopy(cases[:3]) + [case("f16_f32_cvt", "scalar_u1", "cpu", "scalar", "f16", "f32", 1048576,
                                            time_ns=1.5e6, sqnr=200.0)] + copy.deepcopy(cases[4:])
    write("missing.json", doc(base_ctx, miss, 9, 1))
    # A variant renamed (its unroll changed): the same row under another name, then the
    # same 20 % slower (qbench compare --rename judges the renamed row against the old).
    ren = copy.deepcopy(cases)
    ren[3] = case("f32_dot", "avx2_u64", "cpu", "avx2", "f32", "f32", 4096, din2="f32", time_ns=400.0, sqnr=120.0,
                  gflops_per_elem=2, size_class="L1")
    write("renamed.json", doc(base_ctx, ren, 9, 1))
    ren[3]["time_ns"] *= 1.2
    write("renamed_slow20.json", doc(base_ctx, ren, 9, 1))
    # A dot that declares reassoc summing in a new order: SQNR 10 dB down, still within
    # its bound (no mismatch), then the same with one mismatch (outside the bound).
    rea = copy.deepcopy(cases)
    rea[3].update(sqnr=110.0, semantics="nan-canon,reassoc", bound=0.375)
    write("reassoc_sqnr_down.json", doc(base_ctx, rea, 9, 1))
    rea[3]["mismatches"] = 1
    write("reassoc_mismatch.json", doc(base_ctx, rea, 9, 1))
    # A row that was ok now errors.
    err = copy.deepcopy(cases)
    err[0]["status"] = "error"
    err[0]["reason"] = "output differs from the scalar reference at index 17"
    write("errored.json", doc(base_ctx, err, 9, 1))
    # Another suite; and a file with no row in common.
    write("other_suite.json", doc(context(suite="quick"), cases, 9, 1))
    other = [case("f64_f32_cvt", "scalar_u1", "cpu", "scalar", "f64", "f32", 1024, time_ns=900.0)]
    write("disjoint.json", doc(base_ctx, other, 9, 1))
    # Three repetitions a side: a 20 % slowdown is only a weak verdict.
    write("weak_base.json", doc(base_ctx, cases, 3, 1))
    write("weak_slow20.json", doc(base_ctx, slow, 3, 1))
    # Another machine, 30 % slower everywhere with a 30 % lower roof: same roof fractions.
    ctx_b = context(host="fixture-b", cpu="Intel Xeon Gold 6268CL (fixture)", copy_bw=1.2e10 / 1.3, peak=1e11 / 1.3)
    write("machine_b.json", doc(ctx_b, cases, 9, 1, scale=1.3, roof_bw=1.2e10 / 1.3, roof_peak=1e11 / 1.3))
    # The same two changes measured under an emulator: timing is not compared, error is.
    emu_ctx = context(emulated=True)
    emu_ctx["qbench"]["emulated_why"] = "QBENCH_EMULATED=1"
    write("emulated_slow20.json", doc(emu_ctx, slow, 9, 1))
    write("emulated_sqnr_down.json", doc(emu_ctx, sq, 9, 1))
    # Plain Google Benchmark output: no qbench fields at all.
    plain = doc(base_ctx, cases[:2], 9, 1)
    plain["context"].pop("qbench")
    keep = ("name", "run_name", "run_type", "repetitions", "repetition_index", "threads", "iterations",
            "real_time", "cpu_time", "time_unit", "bytes_per_second", "items_per_second", "aggregate_name",
            "aggregate_unit")
    plain["benchmarks"] = [{k: v for k, v in r.items() if k in keep} for r in plain["benchmarks"]]
    write("gbench_plain.json", plain)
    with open(os.path.join(HERE, "broken.json"), "w") as f:
        f.write(json.dumps(doc(base_ctx, cases[:1], 2, 1))[:300] + "\n")

    # ---- plot fixtures: several paths, sizes, distributions; a second machine ----
    pc = []
    sizes = [(1024, "L1"), (16384, "L2"), (262144, "L3"), (4194304, "DRAM")]
    for n, sc in sizes:
        bw = {"L1": 3.0, "L2": 2.5, "L3": 1.8, "DRAM": 1.0}[sc]
        pc.append(case("f32_f16_cvt", "scalar_u1", "cpu", "scalar", "f32", "f16", n, time_ns=n * 6 / 2.0 / bw,
                       sqnr=73.6, size_class=sc))
        pc.append(case("f32_f16_cvt", "avx2_u16", "cpu", "avx2", "f32", "f16", n, time_ns=n * 6 / 9.0 / bw,
                       sqnr=73.6, size_class=sc))
        pc.append(case("f32_f16_cvt", "f16_v4", "opencl", "", "f32", "f16", n, time_ns=n * 6 / 5.0 / bw,
                       sqnr=73.6, size_class=sc, device="pocl-cpu"))
        pc.append(case("f32_bf16_cvt", "avx2_u16", "cpu", "avx2", "f32", "bf16", n, time_ns=n * 6 / 8.0 / bw,
                       sqnr=50.4, size_class=sc))
        pc.append(case("f32_dot", "avx2_u32", "cpu", "avx2", "f32", "f32", n, din2="f32",
                       time_ns=n * 8 / 10.0 / bw, sqnr=120.0, gflops_per_elem=2, size_class=sc))
        pc.append(case("f32_dot", "scalar_u1", "cpu", "scalar", "f32", "f32", n, din2="f32",
                       time_ns=n * 8 / 4.0 / bw, sqnr=125.0, gflops_per_elem=2, size_class=sc))
    for dist, sq in (("normal", 40.1), ("uniform", 44.0), ("outliers", 21.5)):
        pc.append(case("f32_qs8_quant", "scalar_u1", "cpu", "scalar", "f32", "s8", 65536, dist=dist,
                       rnd="pytorch", time_ns=9.0e4, sqnr=sq, size_class="L2"))
        pc.append(case("f32_qs8_quantc", "scalar_u1", "cpu", "scalar", "f32", "s8", 65536, dist=dist,
                       time_ns=9.5e4, sqnr=sq + 3, size_class="L2"))
        pc.append(case("f32_qb8_quant", "scalar_u1", "cpu", "scalar", "f32", "qb8", 65536, dist=dist,
                       time_ns=1.1e5, sqnr=sq + 6, size_class="L2"))
        pc.append(case("f32_f8e4m3_cvt", "scalar_u1", "cpu", "scalar", "f32", "f8e4m3", 65536, dist=dist,
                       time_ns=2.0e5, sqnr=sq - 9, size_class="L2"))
    pc.append(case("f32_bf16_cvt", "avx512bf16_u32", "cpu", "avx512bf16", "f32", "bf16", 4194304,
                   status="skipped", reason="CPU lacks avx512bf16"))
    pc.append(case("f32_f16_cvt", "f16_v8", "opencl", "", "f32", "f16", 4194304, status="error",
                   reason="failed to build OpenCL program for pocl-cpu: (fixture)", device="pocl-cpu"))
    write("plot_a.json", doc(context(suite="quick"), pc, 3, 7, aggregates=False))
    pb = [c for c in copy.deepcopy(pc) if c["backend"] == "cpu" and c["status"] == "ok"]
    write("plot_b.json", doc(context(host="fixture-b", cpu="Intel Xeon Gold 6268CL (fixture)", suite="quick",
                                     copy_bw=9e9, peak=1.4e11, l2=1048576, l3=37486592), pb, 3, 8, scale=1.2,
                             roof_bw=9e9, roof_peak=1.4e11, aggregates=False))
    # plot_b's cases under an emulator, on a third host.
    write("plot_emulated.json", doc(context(host="fixture-emu", cpu="Neoverse-N1 (qemu, fixture)", suite="quick",
                                            emulated=True), pb, 3, 8, scale=40.0, aggregates=False))
    # Partial: a single path (scalar) and a skipped row. Empty: only skipped rows.
    part = [c for c in copy.deepcopy(pc) if c["isa"] == "scalar"][:3] + [pc[-2]]
    write("plot_partial.json", doc(context(suite="quick"), part, 3, 9, aggregates=False))
    write("plot_empty.json", doc(context(suite="quick"), [pc[-2], pc[-1]], 3, 9))
    # Thread scaling: two casts at DRAM size and one at L2 on 1 and 2 threads (scalar and
    # avx2; avx2 on 2 threads 1.8x faster), with the copy roofs of both thread counts.
    tc = []
    for t in (1, 2):
        for sc, n in (("DRAM", 4194304), ("L2", 32768)):
            tc.append(case("f32_f16_cvt", "scalar_u1", "cpu", "scalar", "f32", "f16", n, size_class=sc,
                           time_ns=n * 6 / 2.0 / t, threads=t))
            tc.append(case("f32_f16_cvt", "avx2_u16", "cpu", "avx2", "f32", "f16", n, size_class=sc,
                           time_ns=n * 6 / 9.0 / (1.8 if t == 2 else 1.0), threads=t))
    ctx = context(suite="full")
    ctx["qbench"]["roofs"] += [{"name": "copy", "size_class": "DRAM", "threads": 2, "bytes": 268435456,
                                "bytes_per_second": 2.0e10},
                               {"name": "copy", "size_class": "L2", "threads": 1, "bytes": 262144,
                                "bytes_per_second": 5.0e10},
                               {"name": "copy", "size_class": "L2", "threads": 2, "bytes": 262144,
                                "bytes_per_second": 9.0e10}]
    write("plot_threads.json", doc(ctx, tc, 3, 10, aggregates=False))

    # The roof table: two size classes (L1, L2) on 1 and 2 threads, each case held to the
    # copy roof of its own class and thread count (exact rates: no jitter). In it: the
    # fastest by median, beside one whose mean and best repetition are higher
    # (avx2_u8, L2, 2 threads); a failed case that timed faster than any (avx2_u32, L2,
    # 1 thread) and a cell of failed and skipped cases only (f32_bf16_cvt); a case above
    # its roof (avx2_u16, L1, 2 threads); an OpenCL device against its own copy roof; and
    # cells not measured (f32_bf16_cvt at L1 on 2 threads).
    roofs = {("L1", 1): 7.2e10, ("L1", 2): 1.4e11, ("L2", 1): 5.0e10, ("L2", 2): 9.0e10}
    rc = []

    def cvt(variant, sc, t, gbps, family="f32_f16_cvt", dout="f16", **kw):
        n = {"L1": 2048, "L2": 32768}[sc]
        rc.append(case(family, variant, kw.pop("backend", "cpu"), kw.pop("isa", variant.split("_")[0]), "f32",
                       dout, n, size_class=sc, threads=t, time_ns=n * 6 / gbps, **kw))
        rc[-1]["roof_bw"] = roofs[(sc, t)]
        return rc[-1]

    for sc, t, g in (("L1", 1, (2, 30, 36)), ("L1", 2, (4, 60, 150)), ("L2", 1, (2, 40, 35)), ("L2", 2, (4, 70, 72))):
        for variant, gbps in zip(("scalar_u1", "avx2_u8", "avx2_u16"), g):
            cvt(variant, sc, t, gbps)
    rc[-2]["rep_scale"] = [1.0, 1.0, 0.5]  # avx2_u8, L2, 2 threads: 70, 70 and 140 GB/s
    cvt("avx2_u32", "L2", 1, 90, status="error", reason="output differs from the scalar reference at index 3")
    rc[-1]["rates_on_error"] = True
    dev = cvt("f16_v4", "L2", 1, 20, backend="opencl", isa="", device="pocl-cpu")
    dev["roof_bw"] = 4.0e10
    cvt("avx2_u16", "L2", 1, 30, family="f32_bf16_cvt", dout="bf16")
    cvt("avx2_u16", "L2", 2, 50, family="f32_bf16_cvt", dout="bf16", status="error", reason="(fixture)")
    cvt("avx512bf16_u32", "L2", 2, 50, family="f32_bf16_cvt", dout="bf16", status="skipped",
        reason="CPU lacks avx512bf16")
    cvt("avx2_u16", "L1", 1, 20, family="f32_bf16_cvt", dout="bf16")
    # Dots: GB/s against the read roof and GFLOP/s against the compute peak (2 flops per
    # 8 bytes); on 2 threads above the peak.
    for t, gbps, peak in ((1, 80, 1.0e11), (2, 160, 3.0e10)):
        for variant, g in (("scalar_u1", gbps / 8), ("avx2_u32", gbps)):
            rc.append(case("f32_dot", variant, "cpu", variant.split("_")[0], "f32", "f32", 2048, din2="f32",
                           gflops_per_elem=2, size_class="L1", threads=t, time_ns=2048 * 8 / g))
            rc[-1]["roof_bw"] = 1.6e11 * t
            rc[-1]["compute_peak"] = peak
    ctx = context(suite="full")
    ctx["qbench"]["roofs"] = [{"name": "copy", "size_class": sc, "threads": t, "bytes": {"L1": 16384, "L2": 262144}[sc],
                               "bytes_per_second": bw} for (sc, t), bw in sorted(roofs.items())]
    ctx["qbench"]["roofs"] += [{"name": "read", "size_class": "L1", "threads": t, "bytes": 16384,
                                "bytes_per_second": 1.6e11 * t} for t in (1, 2)]
    ctx["qbench"]["roofs"].append({"name": "copy", "backend": "opencl", "device": "pocl-cpu", "size_class": "L2",
                                   "threads": 1, "timing": "device", "bytes": 262144, "bytes_per_second": 4.0e10,
                                   "status": "ok"})
    write("plot_roofs.json", doc(ctx, rc, 3, 11, jitter=0.0, aggregates=False))
    # The CSV of ci/peers.sh --csv for `qbench plot --peers`: f32_f16_cvt against three
    # peers at sizes in and out of L2 (ggml twice at 65536: the best ratio counts), a line
    # without a peer, and a family the results do not hold.
    with open(os.path.join(HERE, "peers_small.csv"), "w") as f:
        f.write("peer,operation,family,n,variant,qbench_gelps,peer_gelps,ratio\n"
                "ggml,cpu_fp32_to_fp16,f32_f16_cvt,4096,avx2_u16,6.1,5.2,1.17308\n"
                "none,,f16_f32_cvt,4096,avx2_u16,7.2,,\n"
                "ggml,cpu_fp32_to_fp16,f32_f16_cvt,65536,avx2_u16,5.5,4.4,1.25\n"
                "ggml,cpu_fp32_to_fp16,f32_f16_cvt,65536,avx2_u8,5.6,4.3,1.30233\n"
                "numkong,cast f32->f16,f32_f16_cvt,65536,avx2_u16,5.5,2.5,2.2\n"
                "ggml,cpu_fp32_to_fp16,f32_f16_cvt,16777216,avx2_u16,1.2,1.25,0.96\n"
                "torch,copy_ f32->f16,f32_f16_cvt,16777216,avx2_u16,1.2,0.6,2\n"
                "ggml,quantize_row_q8_0,f32_q8_0_quant,4096,avx2_u32,3,2,1.5\n")


if __name__ == "__main__":
    main()
