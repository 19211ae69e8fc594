"""`make bench`: the transport cycle from Tcl against C and numpy, zero-copy
canvases, peak memory, voxel access from scripts, and `.nii.gz` load and
save against nibabel and SimpleITK.

    .venv/bin/python bench/run.py [--quick] [--gzip-only] [--dicom-only]

--gzip-only (--dicom-only) re-measures only the `.nii.gz` (DICOM) part and
keeps the other sections' numbers from the last bench/results.json.

Runs every measurement in fresh processes, interleaving the implementations
round by round so that changing load from other processes hits all of them
alike; reports medians. Prints the table and which targets are met, writes
BENCHMARKS.md and bench/benchmarks.png (and the raw numbers to
bench/results.json). Exits 0 even when a target is missed: the report says
which, with the measurement.
"""
import json
import os
import platform
import statistics
import subprocess
import sys
import time

import dicom_bench  # bench/dicom_bench.py, beside this script
import gzip_bench
import loadshm as bench_loadshm  # bench/loadshm.py, beside this script
import view_bench  # bench/view_bench.py, beside this script

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENV = dict(os.environ, TCLLIBPATH=ROOT)
TCLSH = os.environ.get("TCLSH", "tclsh")
CYCLE_C = os.path.join(ROOT, "bench", "bin", "cycle")
KIB, MIB, GIB = 1 << 10, 1 << 20, 1 << 30

# size, label, samples per round, cycles per sample
SIZES = [
    (4 * KIB, "4 KiB", 5, 200),
    (1 * MIB, "1 MiB", 5, 10),
    (64 * MIB, "64 MiB", 3, 1),
    (256 * MIB, "256 MiB", 2, 1),
]
ROUNDS = 3

IMPLS = {
    "a": ("Tcl MxExternCanvas + MxInternCanvas 1", lambda n, s, i: [TCLSH, "bench/cycle.tcl", "copy", n, s, i]),
    "b": ("C, single thread (naive)", lambda n, s, i: [CYCLE_C, "naive", n, s, i]),
    "b2": ("C, copies on all cores", lambda n, s, i: [CYCLE_C, "parallel", n, s, i]),
    "b3": ("C, all cores + MADV_POPULATE_WRITE", lambda n, s, i: [CYCLE_C, "best", n, s, i]),
    "c": ("Python numpy + shared_memory", lambda n, s, i: [sys.executable, "bench/cycle.py", n, s, i]),
    "d": ("Tcl zero-copy (-storage shm)", lambda n, s, i: [TCLSH, "bench/cycle.tcl", "zerocopy", n, s, i]),
}


def run(cmd):
    out = subprocess.run([str(c) for c in cmd], cwd=ROOT, env=ENV, check=True, capture_output=True, text=True)
    return out.stdout


def samples(cmd):
    return [int(line) for line in run(cmd).split()]


def pairs(text):
    result = {}
    for line in text.splitlines():
        key, value = line.split()
        result[key] = float(value)
    return result


def machine():
    def read(path):
        try:
            with open(path) as f:
                return f.read().strip()
        except OSError:
            return "?"

    meminfo = dict(
        (line.split(":")[0], line.split(":")[1].strip()) for line in read("/proc/meminfo").splitlines() if ":" in line
    )
    cpu = "?"
    for line in read("/proc/cpuinfo").splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    tcl = subprocess.run([TCLSH], input="puts [info patchlevel]", capture_output=True, text=True).stdout.strip()
    numpy = subprocess.run(
        [sys.executable, "-c", "import numpy; print(numpy.__version__)"], capture_output=True, text=True
    ).stdout.strip()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": meminfo.get("MemTotal", "?"),
        "kernel": platform.release(),
        "hugepages_total": meminfo.get("HugePages_Total", "?"),
        "thp_anon": read("/sys/kernel/mm/transparent_hugepage/enabled"),
        "thp_shmem": read("/sys/kernel/mm/transparent_hugepage/shmem_enabled"),
        "tcl": tcl,
        "python": platform.python_version(),
        "numpy": numpy,
    }


def measure_cycles(quick):
    results = {key: {} for key in IMPLS}
    rounds = 1 if quick else ROUNDS
    for size, label, per_round, inner in SIZES:
        for r in range(rounds):
            for key, (_, cmd) in IMPLS.items():
                got = samples(cmd(size, per_round, inner))
                results[key].setdefault(label, []).extend(got)
            print(f"  {label}: round {r + 1}/{rounds} done", flush=True)
    return {key: {label: statistics.median(v) for label, v in by.items()} for key, by in results.items()}, results


def ratio(x, y):
    return x / y if y else float("nan")


def fmt_ns(ns):
    if ns >= 1e6:
        return f"{ns / 1e6:.1f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.1f} us"
    return f"{ns:.0f} ns"


def check(targets, name, ok, detail):
    targets.append((name, ok, detail))


def wait_for_quiet():
    """Wait up to BENCH_WAIT seconds (default 90) for the 1-minute load
    average to drop below 1: parallel copies need idle cores."""
    deadline = time.time() + float(os.environ.get("BENCH_WAIT", "90"))
    while os.getloadavg()[0] >= 1.0 and time.time() < deadline:
        print(f"waiting for a quieter machine (load {os.getloadavg()[0]:.2f}) ...", flush=True)
        time.sleep(10)


def main():
    quick = "--quick" in sys.argv
    wait_for_quiet()
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    load_before = os.getloadavg()
    info = machine()
    print("machine:", info)
    if "--gzip-only" in sys.argv:
        with open(os.path.join(ROOT, "bench", "results.json")) as f:
            old = json.load(f)
        gz = gzip_bench.measure(quick)
        old["sections_from"] = old.get("sections_from") or old["started"]
        old.update(started=started, machine=info, load_before=load_before, load_after=os.getloadavg(), gzip=gz)
        return finish(old)
    if "--dicom-only" in sys.argv:
        with open(os.path.join(ROOT, "bench", "results.json")) as f:
            old = json.load(f)
        old["dicom"] = dicom_bench.measure(quick)
        return finish(old)
    print("transport cycles (median per cycle):", flush=True)
    med, raw = measure_cycles(quick)
    print("zero-copy on 1 GiB, peak memory, voxel access ...", flush=True)
    zero = pairs(run([TCLSH, "bench/zerocopy.tcl", GIB]))
    rss = {storage: pairs(run([TCLSH, "bench/rss.tcl", storage, 256 * MIB])) for storage in ("heap", "shm")}
    access = pairs(run([TCLSH, "bench/access.tcl"]))
    loadshm = bench_loadshm.measure(run, TCLSH, ROOT, pairs)
    access["memcpy_gbps"] = 64 * MIB / statistics.median(samples([CYCLE_C, "memcpy", 64 * MIB, 9, 1]))
    print(".nii.gz load and save ...", flush=True)
    gz = gzip_bench.measure(quick)
    view = view_bench.measure(run, pairs, TCLSH)
    print("DICOM series load ...", flush=True)
    dicom = dicom_bench.measure(quick)
    load_after = os.getloadavg()
    finish({"started": started, "machine": info, "load_before": load_before, "load_after": load_after,
            "medians_ns": med, "samples_ns": raw, "zerocopy_1gib": zero, "rss": rss, "access": access, "loadshm": loadshm,
            "view": view, "gzip": gz, "dicom": dicom})


def finish(result):
    """Targets, BENCHMARKS.md, bench/results.json and the plot from the measurements."""
    med, zero, rss, access = result["medians_ns"], result["zerocopy_1gib"], result["rss"], result["access"]
    loadshm = result.get("loadshm", {})
    rows, targets = [], []
    for size, label, _, _ in SIZES:
        a, b, b2, b3, c, d = (med[k][label] for k in ("a", "b", "b2", "b3", "c", "d"))
        rows.append((label, a, b, b2, b3, c, d, ratio(a, b), ratio(a, b2), ratio(a, c), ratio(d, b)))
        if size >= 64 * MIB:
            check(targets, f"(a)/(b) <= 0.75 at {label}", a / b <= 0.75, f"{a / b:.2f}")
            check(targets, f"(a)/(b2) <= 1.10 at {label}", a / b2 <= 1.10, f"{a / b2:.2f}")
        if size == 4 * KIB:
            check(targets, f"(a)/(b) <= 1.5 at {label}", a / b <= 1.5, f"{a / b:.2f}")
        check(targets, f"(a) faster than (c) at {label}", a < c, f"(a)/(c) = {a / c:.2f}")
    for what in ("extern", "intern"):
        us = zero[f"{what}_median_us"]
        check(targets, f"zero-copy {what} of a 1 GiB canvas < 100 us (median)", us < 100,
              f"median {us:.0f} us, max {zero[what + '_max_us']:.0f} us")
    slack = 1 * MIB
    heap_add = rss["heap"]["extern"] - rss["heap"]["before"]
    shm_add = rss["shm"]["extern"] - rss["shm"]["before"]
    check(targets, "extern (heap canvas, 256 MiB) adds <= bytes to peak RSS (+1 MiB slack)",
          heap_add <= 256 * MIB + slack, f"+{heap_add / MIB:.3f} MiB for a 256 MiB canvas")
    check(targets, "extern (shm canvas, 256 MiB) adds nothing to peak RSS (+1 MiB slack)",
          shm_add <= slack, f"+{shm_add / MIB:.3f} MiB")
    bench_loadshm.targets(loadshm, lambda n, ok, d: check(targets, n, ok, d))
    for op, lop in (("get", "lindex"), ("set", "lset")):
        for shape in ("flat", "volume"):
            r = access[f"{shape}_{op}_ns"] / access[f"{shape}_{lop}_ns"]
            detail = f"{access[f'{shape}_{op}_ns']:.0f} ns vs {access[f'{shape}_{lop}_ns']:.0f} ns = {r:.2f}x"
            if r > 2.0 and access["noop_command_ns"] > 2.0 * access[f"{shape}_{lop}_ns"]:
                detail += (f"; unreachable for any uncompiled command: a no-op one costs "
                           f"{access['noop_command_ns']:.0f} ns in the same loop")
            check(targets, f"$c {op} <= 2x {lop} ({shape})", r <= 2.0, detail)
    if result.get("view"):
        view_bench.check_targets(result["view"], check, targets)
    if result.get("gzip"):
        targets += gzip_bench.targets(result["gzip"])
    if result.get("dicom"):
        targets += dicom_bench.targets(result["dicom"])
    result["targets"] = [{"target": n, "met": ok, "measured": d} for n, ok, d in targets]
    with open(os.path.join(ROOT, "bench", "results.json"), "w") as f:
        json.dump(result, f, indent=1)
    report = render(result, rows, targets)
    with open(os.path.join(ROOT, "BENCHMARKS.md"), "w") as f:
        f.write(report)
    plot(med)
    print(report)


def render(res, rows, targets):
    m = res["machine"]
    acc = res["access"]
    lines = [
        "# mxcanvas benchmarks",
        "",
        "Written by `make bench` (bench/run.py); see docs/performance.md for how",
        "to run it and what each column means. Medians of fresh-process runs,",
        "implementations interleaved round by round.",
        "",
        f"Run {res['started']} on: {m['cpu']}, {m['cores']} cores, {m['memory']} RAM,",
        f"Linux {m['kernel']}; huge pages set aside: {m['hugepages_total']};",
        f"THP anon `{m['thp_anon']}`, THP shmem `{m['thp_shmem']}`;",
        f"Tcl {m['tcl']}, Python {m['python']}, numpy {m['numpy']}.",
        f"Load average before/after: {res['load_before'][0]:.2f} / {res['load_after'][0]:.2f}"
        + (" — other processes were running (shared build machine); timings are noisy."
           if max(res['load_before'][0], res['load_after'][0]) > 0.5 else "."),
    ]
    if res.get("sections_from"):
        lines += [f"Only the `.nii.gz` section was measured then (`--gzip-only`); the sections before it are from "
                  f"the run of {res['sections_from']}."]
    lines += [
        "",
        "## Transport cycle: extern + intern (free) of a float32 volume",
        "",
        "(a) Tcl `MxExternCanvas` + `MxInternCanvas ... 1`; (b) plain C, one thread;",
        "(b2) plain C, copies split across all cores; (b3) C, all cores and",
        "MADV_POPULATE_WRITE (information only); (c) Python numpy +",
        "`multiprocessing.shared_memory`; (d) Tcl with a `-storage shm` canvas (zero-copy).",
        "",
        "| size | (a) Tcl | (b) C | (b2) C par | (b3) C best | (c) numpy | (d) zero-copy | (a)/(b) | (a)/(b2) | (a)/(c) | (d)/(b) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for label, a, b, b2, b3, c, d, ab, ab2, ac, db in rows:
        lines.append(f"| {label} | {fmt_ns(a)} | {fmt_ns(b)} | {fmt_ns(b2)} | {fmt_ns(b3)} | {fmt_ns(c)} | {fmt_ns(d)} "
                     f"| {ab:.2f} | {ab2:.2f} | {ac:.2f} | {db:.1e} |")
    z = res["zerocopy_1gib"]
    rss = res["rss"]
    lines += [
        "",
        "![transport cycle times](bench/benchmarks.png)",
        "",
        "## Zero-copy canvas of 1 GiB",
        "",
        f"`MxExternCanvas`: median {z['extern_median_us']:.0f} us, max {z['extern_max_us']:.0f} us; "
        f"`MxInternCanvas ... 1`: median {z['intern_median_us']:.0f} us, max {z['intern_max_us']:.0f} us "
        f"({int(z['reps'])} calls each, `clock microseconds` resolution).",
        "",
        "## Peak memory (VmHWM) of MxExternCanvas, 256 MiB canvas, fresh tclsh",
        "",
        "| storage | before | after extern | added | after intern |",
        "|---|---|---|---|---|",
    ]
    for storage in ("heap", "shm"):
        r = rss[storage]
        lines.append(f"| {storage} | {r['before'] / MIB:.1f} MiB | {r['extern'] / MIB:.1f} MiB "
                     f"| {(r['extern'] - r['before']) / MIB:.3f} MiB | {r['intern'] / MIB:.1f} MiB |")
    lines += [
        "",
        *(bench_loadshm.render(res["loadshm"]) if res.get("loadshm") else []),
        "## Voxel access from scripts (ns per voxel, same compiled loop)",
        "",
        f"Canvas/list of {int(acc['voxels'])} voxels. Empty loop: {acc['loop_empty_ns']:.0f} ns; "
        f"a no-op package command (`MxTransports`): {acc['noop_command_ns']:.0f} ns.",
        "",
        "| access | canvas | list | ratio |",
        "|---|---|---|---|",
        f"| flat: `$c get $i 0` / `lindex $l $i` | {acc['flat_get_ns']:.0f} | {acc['flat_lindex_ns']:.0f} "
        f"| {acc['flat_get_ns'] / acc['flat_lindex_ns']:.2f} |",
        f"| flat: `$c set $i 0 v` / `lset l $i v` | {acc['flat_set_ns']:.0f} | {acc['flat_lset_ns']:.0f} "
        f"| {acc['flat_set_ns'] / acc['flat_lset_ns']:.2f} |",
        f"| volume: `$c get $x $y $z` / `lindex $v $z $y $x` | {acc['volume_get_ns']:.0f} | {acc['volume_lindex_ns']:.0f} "
        f"| {acc['volume_get_ns'] / acc['volume_lindex_ns']:.2f} |",
        f"| volume: `$c set $x $y $z v` / `lset v $z $y $x v` | {acc['volume_set_ns']:.0f} | {acc['volume_lset_ns']:.0f} "
        f"| {acc['volume_set_ns'] / acc['volume_lset_ns']:.2f} |",
        "",
        "Bulk operations, 64 MiB canvas: "
        f"`$c data` (read, into a new byte array) {acc['data_read_gbps']:.1f} GB/s, "
        f"`$c data BYTES` {acc['data_write_gbps']:.1f} GB/s, `$c fill` {acc['fill_gbps']:.1f} GB/s; "
        f"plain C memcpy between resident buffers: {acc['memcpy_gbps']:.1f} GB/s. "
        f"Region of 1024x1024 voxels: `region get` {acc['getregion_ns_per_voxel']:.1f} ns/voxel, "
        f"`region set` {acc['setregion_ns_per_voxel']:.1f} ns/voxel "
        f"(for scale: `lrange` of the same list {acc['lrange_ns_per_element']:.1f} ns/element, "
        f"a `$c get` loop {acc['flat_get_ns']:.0f} ns/voxel).",
    ]
    if res.get("gzip"):
        lines += gzip_bench.render(res["gzip"])
    if res.get("dicom"):
        lines += dicom_bench.render(res["dicom"])
    lines += [
        "",
    ]
    if res.get("view"):
        lines += view_bench.lines(res["view"])
    lines += [
        "",
        "## Targets",
        "",
        "| target | met | measured |",
        "|---|---|---|",
    ]
    for name, ok, detail in targets:
        lines.append(f"| {name} | {'yes' if ok else '**NO**'} | {detail} |")
    missed = [n for n, ok, _ in targets if not ok]
    lines += ["", "All targets met." if not missed else f"Not met: {'; '.join(missed)} — see docs/performance.md for why.", ""]
    return "\n".join(lines)


def plot(med):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker  # noqa: F401 (used as matplotlib.ticker)

    labels = [label for _, label, _, _ in SIZES]
    colors = dict(zip(IMPLS, ["C0", "C1", "C2", "C3", "C4", "C5"]))
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 5))
    for key, (name, _) in IMPLS.items():
        left.plot(labels, [med[key][l] / 1e6 for l in labels], marker="o", color=colors[key], label=f"({key}) {name}")
    left.set_yscale("log")
    left.set_xlabel("float32 volume size")
    left.set_ylabel("median time per extern + intern cycle (ms, log)")
    left.set_title("transport cycle")
    left.grid(True, which="both", alpha=0.3)
    left.legend(fontsize=8)
    for key in ("a", "b2", "b3", "c"):
        right.plot(labels, [med[key][l] / med["b"][l] for l in labels], marker="o", color=colors[key],
                   label=f"({key}) / (b)")
    right.axhline(1.0, color="gray", lw=1)
    right.axhline(0.75, color="red", ls="--", lw=1, label="target for (a) at >= 64 MiB: 0.75")
    right.axhline(1.5, color="orange", ls="--", lw=1, label="target for (a) at 4 KiB: 1.5")
    right.set_xlabel("float32 volume size")
    right.set_yscale("log")
    right.set_yticks([0.5, 0.75, 1, 1.5, 2, 3, 5])
    right.get_yaxis().set_major_formatter(matplotlib.ticker.ScalarFormatter())
    right.get_yaxis().set_minor_formatter(matplotlib.ticker.NullFormatter())
    right.set_ylabel("time relative to plain C, one thread (b), log")
    right.set_title("relative to the naive C reference")
    right.grid(True, alpha=0.3)
    right.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(os.path.join(ROOT, "bench", "benchmarks.png"), dpi=100)


if __name__ == "__main__":
    main()
