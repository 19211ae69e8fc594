"""The DICOM part of `make bench` (bench/run.py): a 300-slice 512x512 int16
series (bench/dicom_series.py: a real slice's header, positions varied,
file names shuffled) and the same series JPEG-lossless encoded by GDCM,
each loaded by mxcanvas (`MxCanvas load DIR`), SimpleITK's series reader
and dcm2niix + nibabel, every load in a fresh process, interleaved round by
round; medians. Target: mxcanvas at most 0.5x the faster of the other two.
"""
import os
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENV = dict(os.environ, TCLLIBPATH=ROOT)
TCLSH = os.environ.get("TCLSH", "tclsh")
PY = sys.executable
WORK = os.path.join(ROOT, "bench", "bin", "dicom")
SERIES = {"native": os.path.join(WORK, "native"), "jpeg-lossless": os.path.join(WORK, "jpeg-lossless")}
SLICES = 300
ROUNDS = 3
TOOLS = ("mxcanvas", "sitk", "dcm2niix")


def pairs(cmd):
    text = subprocess.run(cmd, cwd=ROOT, env=ENV, check=True, capture_output=True, text=True).stdout
    return {k: float(v) for k, v in (line.split() for line in text.splitlines())}


def command(tool, path):
    if tool == "mxcanvas":
        return [TCLSH, "bench/dicom.tcl", path]
    return [PY, "bench/dicom_py.py", tool, path]


def same_voxels():
    """Both series load to the same voxels (the JPEG copy is lossless)."""
    code = (
        "package require mxcanvas\n"
        "puts [expr {[[MxCanvas load [lindex $argv 0]] data] eq [[MxCanvas load [lindex $argv 1]] data]}]\n"
    )
    out = subprocess.run([TCLSH], input=code.replace("[lindex $argv 0]", "{%s}" % SERIES["native"])
                         .replace("[lindex $argv 1]", "{%s}" % SERIES["jpeg-lossless"]),
                         cwd=ROOT, env=ENV, check=True, capture_output=True, text=True).stdout
    return out.strip() == "1"


def measure(quick):
    if not all(os.path.isdir(p) and len(os.listdir(p)) == SLICES for p in SERIES.values()):
        print("  writing the DICOM series (pydicom, GDCM) ...", flush=True)
        subprocess.run([PY, "bench/dicom_series.py", SERIES["native"], SERIES["jpeg-lossless"], str(SLICES)],
                       cwd=os.path.join(ROOT, "bench"), check=True)
    times = {(s, t): [] for s in SERIES for t in TOOLS}
    for r in range(1 if quick else ROUNDS):
        for series, path in SERIES.items():
            for tool in TOOLS:
                got = pairs(command(tool, path))
                if int(got["depth"]) != SLICES:
                    raise SystemExit(f"{tool} loaded {got['depth']} slices of {series}, not {SLICES}")
                times[(series, tool)].append(got["seconds"])
        print(f"  DICOM: round {r + 1} done", flush=True)
    return {
        "slices": SLICES,
        "bytes": {s: sum(os.path.getsize(os.path.join(p, n)) for n in os.listdir(p)) for s, p in SERIES.items()},
        "seconds": {f"{s} {t}": statistics.median(v) for (s, t), v in times.items()},
        "samples": {f"{s} {t}": v for (s, t), v in times.items()},
        "same_voxels": same_voxels(),
        "threads": os.cpu_count(),
    }


def targets(d):
    out = []
    for series in SERIES:
        s = d["seconds"]
        best = min(s[f"{series} sitk"], s[f"{series} dcm2niix"])
        which = "SimpleITK" if s[f"{series} sitk"] <= s[f"{series} dcm2niix"] else "dcm2niix+nibabel"
        r = s[f"{series} mxcanvas"] / best
        out.append((f"DICOM {series} series load <= 0.5x the faster of SimpleITK and dcm2niix+nibabel", r <= 0.5,
                    f"{s[f'{series} mxcanvas']:.3f} s vs {which} {best:.3f} s = {r:.2f}x"))
    out.append(("DICOM: the JPEG-lossless series loads to the native series' voxels", d["same_voxels"],
                "equal" if d["same_voxels"] else "DIFFERENT"))
    return out


def render(d):
    s = d["seconds"]
    lines = [
        "",
        f"## DICOM series load: {d['slices']} slices of 512x512 int16 (bench/dicom_bench.py)",
        "",
        "A series made by bench/dicom_series.py from a real slice's header (pydicom's",
        "CT_small.dcm; positions 1 mm apart, file names shuffled), and the same series",
        "JPEG-lossless encoded by GDCM (process 14, selection value 1). Each load is a",
        "fresh process loading the directory into memory: `MxCanvas load DIR`;",
        "SimpleITK's ImageSeriesReader (GDCM) into an array view; dcm2niix writing an",
        "uncompressed .nii then nibabel loading its voxels. Seconds, medians of "
        f"{len(next(iter(d['samples'].values())))} rounds, {d['threads']} cores.",
        "",
        "| series | bytes | mxcanvas | SimpleITK | dcm2niix + nibabel | mxcanvas / faster |",
        "|---|---|---|---|---|---|",
    ]
    for series in SERIES:
        m, i, n = (s[f"{series} {t}"] for t in TOOLS)
        lines.append(f"| {series} | {d['bytes'][series]} | {m:.3f} | {i:.3f} | {n:.3f} | {m / min(i, n):.2f}x |")
    return lines
