"""A tool for tests/exec.test, independent of the project's kit: it parses
MXCANVAS (docs/mxcanvas-env.md, version 1) itself, checks each segment's
size with the kernel (/proc/sysvipc/shm), attaches with libc's shmat
through ctypes, and reads or writes voxels with numpy at the MEDx layout.

  mxcanvas_env.py describe
      Print each canvas's description as a Tcl dict per line.
  mxcanvas_env.py nibabel FILE ...
      Compare canvas N's affine, zooms, scaling, shape and dtype with
      nibabel's for FILE N; print "ok" or the differences.
  mxcanvas_env.py set N X Y Z T VALUE ...
      Set voxel (X,Y,Z,T) of canvas N to VALUE (several groups allowed).
  mxcanvas_env.py add VALUE
      Add VALUE to every voxel of every canvas.
  mxcanvas_env.py get N X Y Z T
      Print the voxel of canvas N.
Leading words: `sleep S` waits S seconds after attaching; `fail CODE`
exits with CODE after doing its work; `hold FILE` waits, after the work,
until FILE exists (a test lets the tool end when it has seen its writes).
"""
import ctypes
import os
import sys
import time

import numpy as np

KEYS = ["shmid", "width", "height", "depth", "frames", "type", "bytes", "spacing", "tstep", "units",
        "slope", "inter", "affine"]
SIZES = {"uint8": 1, "int8": 1, "uint16": 2, "int16": 2, "uint32": 4, "int32": 4, "float32": 4,
         "int64": 8, "uint64": 8, "float64": 8}


def parse(text):
    lines = text.split("\n")
    if lines[0] != "mxcanvas 1" or lines[-1] != "":
        sys.exit(f"bad MXCANVAS: first line {lines[0]!r}, or no newline at the end")
    canvases = []
    for n, line in enumerate(lines[1:-1]):
        words = line.split(" ")
        if words[:2] != ["canvas", str(n)]:
            sys.exit(f"bad MXCANVAS line {line!r}: expected canvas {n}")
        pairs = [w.split("=", 1) for w in words[2:]]
        if [k for k, _ in pairs][: len(KEYS)] != KEYS:
            sys.exit(f"bad MXCANVAS keys {[k for k, _ in pairs]}")
        d = dict(pairs)
        c = {k: int(d[k]) for k in ["shmid", "width", "height", "depth", "frames", "bytes"]}
        c["type"] = d["type"]
        c["spacing"] = [float(v) for v in d["spacing"].split(",")]
        c["tstep"] = float(d["tstep"])
        c["units"] = d["units"].split(",")
        c["slope"], c["inter"] = float(d["slope"]), float(d["inter"])
        c["affine"] = np.array([float(v) for v in d["affine"].split(",")]).reshape(4, 4)
        count = c["width"] * c["height"] * c["depth"] * c["frames"]
        if c["bytes"] != count * SIZES[c["type"]]:
            sys.exit(f"bad MXCANVAS: bytes={c['bytes']} is not {count} voxels of {c['type']}")
        canvases.append(c)
    return canvases


def kernel_size(shmid):
    with open("/proc/sysvipc/shm") as f:
        for line in f.readlines()[1:]:
            fields = line.split()
            if int(fields[1]) == shmid:
                return int(fields[3])
    sys.exit(f"no segment {shmid}")


libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
libc.shmdt.argtypes = [ctypes.c_void_p]


def attach(c):
    if kernel_size(c["shmid"]) != c["bytes"]:
        sys.exit(f"segment {c['shmid']} is {kernel_size(c['shmid'])} bytes, MXCANVAS says {c['bytes']}")
    addr = libc.shmat(c["shmid"], None, 0)
    if addr in (None, ctypes.c_void_p(-1).value):
        sys.exit(f"shmat {c['shmid']}: {os.strerror(ctypes.get_errno())}")
    buf = (ctypes.c_char * c["bytes"]).from_address(addr)
    # MEDx layout: x fastest, so numpy's C order is (t, z, y, x); .T gives [x, y, z, t].
    arr = np.frombuffer(buf, dtype=np.dtype(c["type"])).reshape(
        c["frames"], c["depth"], c["height"], c["width"])
    return addr, arr.T


def main(argv):
    canvases = parse(os.environ["MXCANVAS"])
    sleep, code, hold = 0.0, 0, None
    while argv[:1] in (["sleep"], ["fail"], ["hold"]):
        if argv[0] == "sleep":
            sleep = float(argv[1])
        elif argv[0] == "hold":
            hold = argv[1]
        else:
            code = int(argv[1])
        argv = argv[2:]
    views = [attach(c) for c in canvases]
    time.sleep(sleep)
    cmd, args = argv[0], argv[1:]
    if cmd == "describe":
        for c in canvases:
            print(" ".join(f"{k} {{{' '.join(map(repr, v.ravel().tolist())) if isinstance(v, np.ndarray) else ' '.join(map(str, v)) if isinstance(v, list) else v}}}" for k, v in c.items()))
    elif cmd == "nibabel":
        import nibabel as nib
        problems = []
        for n, (c, path) in enumerate(zip(canvases, args)):
            img = nib.load(path)
            shape = tuple(img.shape) + (1,) * (4 - len(img.shape))
            if (c["width"], c["height"], c["depth"], c["frames"]) != shape:
                problems.append(f"{n}: shape {shape}")
            if np.dtype(c["type"]) != img.get_data_dtype().newbyteorder("="):
                problems.append(f"{n}: type {c['type']} vs {img.get_data_dtype()}")
            if not np.array_equal(c["affine"], img.affine):
                diff = np.abs(c["affine"] - img.affine).max()
                if diff > 1e-9 * max(1.0, np.abs(img.affine).max()):
                    problems.append(f"{n}: affine differs by {diff}: {c['affine'].tolist()} vs {img.affine.tolist()}")
            zooms = [float(z) for z in img.header.get_zooms()[:3]]
            if c["spacing"] != zooms:
                problems.append(f"{n}: spacing {c['spacing']} vs {zooms}")
            slope, inter = img.dataobj.slope, img.dataobj.inter
            if (c["slope"], c["inter"]) != (float(slope), float(inter)):
                problems.append(f"{n}: scaling {c['slope']},{c['inter']} vs {slope},{inter}")
            units = list(img.header.get_xyzt_units())
            if c["units"] != units:
                problems.append(f"{n}: units {c['units']} vs {units}")
            if len(img.shape) > 3 and c["tstep"] != float(img.header.get_zooms()[3]):
                problems.append(f"{n}: tstep {c['tstep']} vs {img.header.get_zooms()[3]}")
            # The voxels the tool sees are nibabel's stored values, at [x, y, z, t].
            stored = np.asanyarray(img.dataobj.get_unscaled()).reshape(shape, order="F")
            if not np.array_equal(views[n][1], stored):
                problems.append(f"{n}: voxels differ from nibabel's dataobj")
        print("ok" if not problems else "\n".join(problems))
    elif cmd == "set":
        for i in range(0, len(args), 6):
            n, x, y, z, t = map(int, args[i:i + 5])
            arr = views[n][1]
            arr[x, y, z, t] = arr.dtype.type(float(args[i + 5]) if arr.dtype.kind == "f" else int(args[i + 5]))
    elif cmd == "add":
        for _, arr in views:
            arr += arr.dtype.type(args[0])
    elif cmd == "get":
        n, x, y, z, t = map(int, args)
        print(views[n][1][x, y, z, t])
    else:
        sys.exit(__doc__)
    sys.stdout.flush()
    while hold is not None and not os.path.exists(hold):
        time.sleep(0.01)
    for addr, _ in views:
        libc.shmdt(addr)
    sys.stdout.flush()
    sys.exit(code)


if __name__ == "__main__":
    main(sys.argv[1:])
