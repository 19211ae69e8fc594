"""The `.nii.gz` part of `make bench` (bench/run.py): load and save of a
512x512x300 int16 volume by mxcanvas, nibabel and SimpleITK, each in a fresh
process, interleaved round by round; medians.

The volume (bench/gzip_volume.py: phantom, bias field, noise) is written
once by nibabel with its defaults, so every contender loads the same file
that another program wrote.
"""
import os
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENV = dict(os.environ, TCLLIBPATH=ROOT)
TCLSH = os.environ.get("TCLSH", "tclsh")
PY = sys.executable
DIMS = (512, 512, 300)
WORK = os.path.join(ROOT, "bench", "bin", "gzip")
VOLUME = os.path.join(WORK, "phantom-%dx%dx%d.nii.gz" % DIMS)
ROUNDS = 3


def out(name):
    return os.path.join(WORK, name)


# name -> (command, output file or None)
def contenders():
    tcl = [TCLSH, "bench/gzip.tcl"]
    py = [PY, "bench/gzip_py.py"]
    return {
        "load mxcanvas": (tcl + ["load", VOLUME], None),
        "load nibabel": (py + ["load", "nibabel", VOLUME], None),
        "load sitk": (py + ["load", "sitk", VOLUME], None),
        "load mxcanvas own": (tcl + ["load", out("mx-default.nii.gz")], None),
        "save mxcanvas default": (tcl + ["save", VOLUME, out("mx-default.nii.gz"), ""], "mx-default.nii.gz"),
        "save nibabel default": (py + ["save", "nibabel", VOLUME, out("nib-default.nii.gz")], "nib-default.nii.gz"),
        "save sitk default": (py + ["save", "sitk", VOLUME, out("sitk-default.nii.gz")], "sitk-default.nii.gz"),
        "save mxcanvas 6": (tcl + ["save", VOLUME, out("mx-6.nii.gz"), "6"], "mx-6.nii.gz"),
        "save nibabel 6": (py + ["save", "nibabel", VOLUME, out("nib-6.nii.gz"), "6"], "nib-6.nii.gz"),
    }


def pairs(cmd):
    text = subprocess.run(cmd, cwd=ROOT, env=ENV, check=True, capture_output=True, text=True).stdout
    return {k: float(v) for k, v in (line.split() for line in text.splitlines())}


def readers_agree():
    """Our default output read back by nibabel and SimpleITK equals the source."""
    code = (
        "import sys, numpy as np, nibabel as nib, SimpleITK as sitk\n"
        "a = np.asanyarray(nib.load(sys.argv[1]).dataobj)\n"
        "b = np.asanyarray(nib.load(sys.argv[2]).dataobj)\n"
        "c = sitk.GetArrayFromImage(sitk.ReadImage(sys.argv[2])).transpose(2, 1, 0)\n"
        "print('same', int(np.array_equal(a, b) and np.array_equal(a, c)))\n"
    )
    return bool(pairs([PY, "-c", code, VOLUME, out("mx-default.nii.gz")])["same"])


def measure(quick):
    os.makedirs(WORK, exist_ok=True)
    if not os.path.exists(VOLUME):
        print("  writing the test volume with nibabel ...", flush=True)
        tmp = VOLUME + ".tmp.nii.gz"
        subprocess.run([PY, "bench/gzip_volume.py", tmp, *map(str, DIMS)], cwd=ROOT, check=True)
        os.replace(tmp, VOLUME)
    table = contenders()
    # The own-file load needs our default output first.
    pairs(table["save mxcanvas default"][0])
    times = {name: [] for name in table}
    sizes = {}
    for r in range(1 if quick else ROUNDS):
        for name, (cmd, made) in table.items():
            if name == "save sitk default" and r > 0:
                continue  # information only, and slow: one sample
            got = pairs(cmd)
            times[name].append(got["seconds"])
            if made:
                sizes[name] = int(got["bytes"])
        print(f"  .nii.gz: round {r + 1} done", flush=True)
    print("  deflate implementations ...", flush=True)
    compare = pairs([os.path.join(ROOT, "bench", "bin", "deflate-compare"), VOLUME])
    compare.update(pairs([PY, "-c", ZLIB_CODE, VOLUME]))
    return {
        "deflate": compare,
        "volume": os.path.relpath(VOLUME, ROOT),
        "dims": DIMS,
        "volume_bytes": os.path.getsize(VOLUME),
        "seconds": {n: statistics.median(v) for n, v in times.items()},
        "samples": times,
        "bytes": sizes,
        "readers_agree": readers_agree(),
        "threads": os.cpu_count(),
    }


def targets(gz):
    s, b = gz["seconds"], gz["bytes"]
    best = min(s["load nibabel"], s["load sitk"])
    which = "nibabel" if s["load nibabel"] <= s["load sitk"] else "SimpleITK"
    r_load = s["load mxcanvas"] / best
    r_save = s["save mxcanvas default"] / s["save nibabel default"]
    r_size = b["save mxcanvas default"] / b["save nibabel default"]
    r_six = s["save mxcanvas 6"] / s["save nibabel 6"]
    return [
        (".nii.gz load (nibabel's file) <= 0.8x the faster of nibabel and SimpleITK", r_load <= 0.8,
         f"{s['load mxcanvas']:.3f} s vs {which} {best:.3f} s = {r_load:.2f}x"),
        ("$c save f.nii.gz (default) no slower than nibabel's default save", r_save <= 1.0,
         f"{s['save mxcanvas default']:.3f} s vs {s['save nibabel default']:.3f} s = {r_save:.2f}x"),
        ("$c save f.nii.gz (default) file <= 1.02x nibabel's default output", r_size <= 1.02,
         f"{b['save mxcanvas default']} vs {b['save nibabel default']} bytes = {r_size:.4f}x"),
        ("$c save f.nii.gz -compression 6 <= 0.5x nibabel at level 6", r_six <= 0.5,
         f"{s['save mxcanvas 6']:.3f} s vs {s['save nibabel 6']:.3f} s = {r_six:.2f}x"),
        ("our .nii.gz read back by nibabel and SimpleITK equals the source", gz["readers_agree"],
         "equal" if gz["readers_agree"] else "DIFFERENT"),
    ]


def render(gz):
    s, b = gz["seconds"], gz["bytes"]
    mib = 1 << 20
    raw = gz["dims"][0] * gz["dims"][1] * gz["dims"][2] * 2
    lines = [
        "",
        f"## .nii.gz load and save: {'x'.join(map(str, gz['dims']))} int16 ({raw / mib:.0f} MiB of voxels)",
        "",
        f"The volume (`{gz['volume']}`, {gz['volume_bytes'] / mib:.1f} MiB) is a phantom with a bias field and",
        "noise, written by nibabel with its defaults (bench/gzip_volume.py). Seconds inside a fresh process",
        "(interpreter start-up and imports not counted), medians; page cache warm. mxcanvas uses libdeflate",
        f"on all {gz['threads']} cores to compress and to read its own files; other programs' files are",
        "inflated on one core (a single gzip member cannot be split).",
        "",
        "(SimpleITK's save: one sample.)",
        "",
        "| operation | mxcanvas | nibabel | SimpleITK | mxcanvas / best other |",
        "|---|---|---|---|---|",
    ]
    load_best = min(s["load nibabel"], s["load sitk"])
    lines.append(f"| load nibabel's file | {s['load mxcanvas']:.3f} s | {s['load nibabel']:.3f} s | "
                 f"{s['load sitk']:.3f} s | {s['load mxcanvas'] / load_best:.2f} |")
    lines.append(f"| load mxcanvas's own file (parallel inflate) | {s['load mxcanvas own']:.3f} s | | | "
                 f"{s['load mxcanvas own'] / load_best:.2f} |")
    save_best = min(s["save nibabel default"], s["save sitk default"])
    lines.append(f"| save, default options (mxcanvas and nibabel level 1, ITK's default) | "
                 f"{s['save mxcanvas default']:.3f} s | {s['save nibabel default']:.3f} s | "
                 f"{s['save sitk default']:.3f} s | {s['save mxcanvas default'] / save_best:.2f} |")
    lines.append(f"| save, level 6 | {s['save mxcanvas 6']:.3f} s | {s['save nibabel 6']:.3f} s | | "
                 f"{s['save mxcanvas 6'] / s['save nibabel 6']:.2f} |")
    lines += [
        "",
        "| file written | bytes | / nibabel default |",
        "|---|---|---|",
    ]
    for name, label in (("save mxcanvas default", "mxcanvas default (level 1)"),
                        ("save nibabel default", "nibabel default (level 1)"),
                        ("save sitk default", "SimpleITK default"),
                        ("save mxcanvas 6", "mxcanvas -compression 6"),
                        ("save nibabel 6", "nibabel level 6")):
        lines.append(f"| {label} | {b[name]} | {b[name] / b['save nibabel default']:.4f} |")
    lines += deflate_table(gz["deflate"])
    return lines


# zlib as nibabel uses it (Python's zlib module), on the same piece as bench/deflate.
ZLIB_CODE = """
import gzip, sys, time, zlib
raw = gzip.open(sys.argv[1]).read()
piece = raw[len(raw) // 2 - (8 << 20):len(raw) // 2 + (8 << 20)]
for level in (1, 6):
    best = 1e9
    for _ in range(3):
        t = time.perf_counter(); n = len(zlib.compress(piece, level)); best = min(best, time.perf_counter() - t)
    print(f"deflate{level}_zlib {best}"); print(f"deflate{level}_zlib_bytes {n - 6}")
"""

IMPLS = (("libdeflate", "libdeflate (`libdeflate-sys`, used)"), ("zlib-rs", "zlib-rs (flate2 `zlib-rs`)"),
         ("miniz_oxide", "miniz_oxide (flate2's default, used before)"), ("zlib", "zlib 1.2 (Python's, nibabel's)"))


def deflate_table(d):
    lines = [
        "",
        "Deflate implementations on one core (bench/deflate; best of 3): inflate of the volume's single",
        "member, and deflate of a 16 MiB piece from its middle at levels 1 and 6.",
        "",
        "| implementation | inflate | level 1 | level 1 bytes | level 6 | level 6 bytes |",
        "|---|---|---|---|---|---|",
    ]
    for key, label in IMPLS:
        inflate = f"{d['inflate_' + key]:.3f} s" if "inflate_" + key in d else "-"
        lines.append(f"| {label} | {inflate} | {d[f'deflate1_{key}']:.3f} s | {int(d[f'deflate1_{key}_bytes'])} "
                     f"| {d[f'deflate6_{key}']:.3f} s | {int(d[f'deflate6_{key}_bytes'])} |")
    def times(what, than):
        r = d[f"{what}_{than}"] / d[f"{what}_libdeflate"]
        return f"{r:.1f}x faster than {than}" if r >= 1 else f"{1 / r:.1f}x slower than {than}"

    lines += [
        "",
        "libdeflate, used for everything mxcanvas compresses and inflates: inflate "
        f"{times('inflate', 'zlib-rs')}, {times('inflate', 'miniz_oxide')}; level 1 {times('deflate1', 'zlib')} "
        f"at {d['deflate1_libdeflate_bytes'] / d['deflate1_zlib_bytes']:.4f}x zlib's size (zlib-rs's level 1 takes "
        f"{d['deflate1_zlib-rs'] / d['deflate1_libdeflate']:.2f}x libdeflate's time but makes "
        f"{d['deflate1_zlib-rs_bytes'] / d['deflate1_zlib_bytes']:.2f}x zlib's size: it would miss the size goal); level 6 {times('deflate6', 'zlib')}, {times('deflate6', 'miniz_oxide')}, "
        f"{times('deflate6', 'zlib-rs')} (best of 3 on a shared machine; see docs/performance.md).",
    ]
    return lines
