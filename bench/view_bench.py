"""mx::view redraw, hover readout and window change times for bench/run.py
(measured by bench/view.tcl under its own Xvfb): one table, and targets per
voxel type, zoom and orientation (voxel, world)."""
import shutil

TYPES = ("int16", "float32")
ZOOMS = (1, 2)
ORIENTATIONS = (("voxel", ""), ("world", "_world"))
TARGET_MS = 10.0


def measure(run, pairs, tclsh):
    """The numbers bench/view.tcl prints, or {"skipped": why}."""
    if shutil.which("Xvfb") is None:
        return {"skipped": "Xvfb is not installed (make display-deps)"}
    try:
        return pairs(run([tclsh, "bench/view.tcl"]))
    except Exception as err:  # no Tk, no display: say so in the report
        return {"skipped": f"bench/view.tcl failed: {err}"}


def check_targets(view, check, targets):
    if "skipped" in view:
        return
    for o, sfx in ORIENTATIONS:
        for t in TYPES:
            for k in ZOOMS:
                for what, name in (("redraw", "refresh"), ("hover readout", "hover"), ("window change", "window")):
                    key = f"{name}_{t}_z{k}{sfx}"
                    if key not in view:
                        continue
                    ms = view[key] / 1000
                    check(targets, f"mx::view {what}, 512x512 {t} slice, zoom {k}, {o}, <= {TARGET_MS:.0f} ms",
                          ms <= TARGET_MS, f"median {ms:.2f} ms (CPU {view[key + '_cpu'] / 1000:.1f} ms)")


def lines(view):
    out = ["", "## mx::view redraw, 512x512 slice, window + hot colormap (bench/view.tcl, Xvfb)", ""]
    if view is None or "skipped" in view:
        return out + [f"Skipped: {(view or {}).get('skipped', 'not run')}."]
    out += [
        "Median wall-clock ms of each call (CPU ms per call in brackets, from /proc/self/stat: a busy "
        "machine inflates wall-clock time, not CPU time). `_render`: the Rust path plus the one "
        "`Tk_PhotoPutBlock`; `$v refresh`: the same from the viewer command; shown: `$v refresh` + "
        "`update idletasks` (Tk has drawn it on the X server); `$c png`: the same slice to a file. "
        "hover: `::mx::view::Hover` (the readout as the mouse moves); window: `$v configure -window` "
        "(redraw with a new window).",
        "",
        "| orientation | type | zoom | `_render` | `$v refresh` | shown | hover | window | `$c png` |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    def cell(name):
        if name not in view:
            return ""
        digits = 2 if view[name] < 1000 else 1  # the hover readout takes microseconds
        return f"{view[name] / 1000:.{digits}f} ({view[name + '_cpu'] / 1000:.1f})"
    for o, sfx in ORIENTATIONS:
        for t in TYPES:
            for k in ZOOMS:
                out.append(f"| {o} | {t} | {k} | {cell(f'render_{t}_z{k}{sfx}')} | {cell(f'refresh_{t}_z{k}{sfx}')} "
                           f"| {cell(f'shown_{t}_z{k}{sfx}')} | {cell(f'hover_{t}_z{k}{sfx}')} "
                           f"| {cell(f'window_{t}_z{k}{sfx}')} | {cell(f'png_{t}') if k == 1 and not sfx else ''} |")
    return out
