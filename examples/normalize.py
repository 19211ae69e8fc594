#!/usr/bin/env python3
"""normalize: linear intensity normalisation of a canvas in place, with numpy.

    normalize.py SHMID WIDTH HEIGHT DEPTH FRAMES TYPE [--range LOW HIGH] [--percentiles P_LOW P_HIGH]
    normalize.py [--range LOW HIGH] [--percentiles P_LOW P_HIGH]    (the canvas described by MXCANVAS)

Maps the intensity window [a, b] linearly onto [LOW, HIGH]: a and b are the
canvas's minimum and maximum, or its P_LOW-th and P_HIGH-th percentiles
(numpy's linear interpolation), in which case values outside the window are
clipped first. LOW/HIGH default to 0 and 1 for float types and to the
type's full range for integer types. A constant canvas becomes LOW.
Integer results are rounded to nearest (halves to even, numpy's rint).

Run it with the project's venv python (numpy); from Tcl:

    mx::transport id $c { exec .venv/bin/python examples/normalize.py $id {*}[mx::geometry $c] }
    mx::exec $c .venv/bin/python examples/normalize.py --range 0 100

Every argument is checked before the segment is attached, so a wrong call
exits non-zero (2 for bad arguments, 1 for an unusable segment) with the
segment untouched.
"""

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
USAGE = """normalize.py SHMID WIDTH HEIGHT DEPTH FRAMES TYPE [--range LOW HIGH] [--percentiles P_LOW P_HIGH]
       normalize.py [--range LOW HIGH] [--percentiles P_LOW P_HIGH]   (the canvas described by MXCANVAS)"""
import mxcanvas_client as mxc  # noqa: E402


def integer_bounds(dtype):
    """The integer type's range as doubles that convert back without
    overflow: int64's and uint64's largest values are no doubles (2^63-1
    rounds up to 2^63, which int64 cannot hold), so take the double below."""
    info = np.iinfo(dtype)
    lo, hi = float(info.min), float(info.max)
    if hi > info.max:
        hi = float(np.nextafter(hi, 0.0))
    return lo, hi


def parse(argv):
    p = argparse.ArgumentParser(
        prog="normalize.py", usage=USAGE,
        description="Linear intensity normalisation of an mxcanvas canvas in shared memory, in place.")
    p.add_argument("--range", nargs=2, type=float, metavar=("LOW", "HIGH"),
                   help="output range (default 0 1 for float types, the type's range for integers)")
    p.add_argument("--percentiles", nargs=2, type=float, metavar=("P_LOW", "P_HIGH"),
                   help="input window from these percentiles (0..100) instead of min and max; clips")
    if "-h" in argv or "--help" in argv:
        p.parse_args(["--help"])
    try:
        canvas, rest = mxc.canvas_from_args(argv)
    except mxc.DescriptionError as e:
        p.error(str(e))
    args = p.parse_args(rest)
    args.canvas = canvas

    dtype = np.dtype(canvas.type)
    if args.range is None:
        if dtype.kind == "f":
            args.range = (0.0, 1.0)
        else:
            args.range = integer_bounds(dtype)
    low, high = args.range
    if not (np.isfinite(low) and np.isfinite(high) and low <= high):
        p.error(f"bad --range {low:g} {high:g}: expected finite LOW <= HIGH")
    if dtype.kind != "f":
        info = np.iinfo(dtype)
        if low < info.min or high > info.max:
            p.error(f"bad --range {low:g} {high:g}: expected values within {dtype.name}'s "
                    f"{info.min}..{info.max}")
    elif dtype == np.float32 and max(abs(low), abs(high)) > np.finfo(np.float32).max:
        p.error(f"bad --range {low:g} {high:g}: expected values that fit float32")
    if args.percentiles is not None:
        plo, phi = args.percentiles
        if not (0 <= plo < phi <= 100):
            p.error(f"bad --percentiles {plo:g} {phi:g}: expected 0 <= P_LOW < P_HIGH <= 100")
    return args


def normalize(vol, low, high, percentiles=None):
    """The normalised values of `vol` as float64 (not yet converted)."""
    data = vol.astype(np.float64)
    if percentiles is None:
        a, b = data.min(), data.max()
    else:
        a, b = np.percentile(data, percentiles)
        data = np.clip(data, a, b)
    if b == a:
        return np.full_like(data, low)
    return low + (data - a) * ((high - low) / (b - a))


def main(argv):
    args = parse(argv)
    low, high = args.range
    try:
        with mxc.attach_described(args.canvas) as vol:
            result = normalize(vol, low, high, args.percentiles)
            if vol.dtype.kind != "f":
                result = np.clip(np.rint(result), *integer_bounds(vol.dtype))
            vol[...] = result.astype(vol.dtype)
            del result
    except OSError as e:  # includes SegmentSizeError
        print(f"normalize.py: {e.strerror if e.strerror else e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
