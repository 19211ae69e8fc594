"""`make bench` part: peak memory of `MxCanvas load ... -storage shm` for a
1 GiB volume (.nii and .nii.gz), each load in a fresh tclsh
(bench/loadshm.tcl). Target (issue 10): peak RSS <= 1.1x the volume."""
import os

GIB = 1 << 30


def measure(run, tclsh, root, pairs):
    """{name: {bytes, before, after, seconds}} for the .nii and .nii.gz loads."""
    out = {}
    for name in ("big.nii", "big.nii.gz"):
        path = os.path.join(root, "bench", "loadshm-" + name)
        try:
            run([tclsh, "bench/loadshm.tcl", "make", path, GIB])
            for storage in ("shm", "heap"):
                r = pairs("\n".join(l for l in run([tclsh, "bench/loadshm.tcl", "load", path, storage]).splitlines()
                                    if not l.startswith("storage")))
                out[f"{name} {storage}"] = r
        finally:
            if os.path.exists(path):
                os.remove(path)
    return out


def targets(res, check):
    for key, r in res.items():
        if key.endswith(" shm"):
            ratio = r["after"] / r["bytes"]
            check(f"load -storage shm of a 1 GiB {key.split()[0][4:]}: peak RSS <= 1.1x its size", ratio <= 1.1,
                  f"{r['after'] / (1 << 20):.0f} MiB peak = {ratio:.3f}x ({r['seconds']:.2f} s)")


def render(res):
    lines = ["", "## Loading a 1 GiB volume (float32) straight into shared memory, fresh tclsh", "",
             "| file | storage | peak RSS before | peak RSS after | after / bytes | time |", "|---|---|---|---|---|---|"]
    for key, r in res.items():
        name, storage = key.split()
        lines.append(f"| {name[4:]} | {storage} | {r['before'] / (1 << 20):.1f} MiB | {r['after'] / (1 << 20):.1f} MiB "
                     f"| {r['after'] / r['bytes']:.3f} | {r['seconds']:.2f} s |")
    lines += ["", "Peak RSS (VmHWM) counts the segment pages the process touched; the page cache a read() "
              "copies from is not mapped and does not count.", ""]
    return lines
