"""envdump.py: what mxcanvas_client reads from MXCANVAS, for tests/kit-env.test.

    envdump.py PYTHONDIR INDEX [X Y Z T VALUE]

Attaches canvas INDEX with from_env, prints what it says (canvas, zooms,
scaling, units, affine: the lines envdump.c and envdump.rs print) and with
X Y Z T VALUE sets seg.xyz[X, Y, Z] (seg.xyz[X, Y, Z, T] for a series) to
VALUE: nibabel's dataobj order. Exit status 1 when MXCANVAS is refused.
"""
import sys

sys.path.insert(0, sys.argv[1])
import mxcanvas_client as mxc  # noqa: E402

index = int(sys.argv[2])
try:
    seg = mxc.from_env(index)
except (mxc.DescriptionError, OSError) as e:
    print(f"envdump.py: {e}", file=sys.stderr)
    sys.exit(1)
d = seg.description
with seg as vol:
    print(f"canvas={index} shmid={d.shmid} {d.width}x{d.height}x{d.depth}x{d.frames} {d.type} {d.nbytes}")
    print("zooms=" + ",".join(repr(z) for z in seg.zooms))
    print("scaling=" + ",".join(repr(v) for v in seg.scaling))
    print("units=" + ",".join(seg.units))
    print("affine=" + ",".join(repr(float(v)) for v in seg.affine.ravel()))
    if len(sys.argv) == 8:
        x, y, z, t = (int(a) for a in sys.argv[3:7])
        where = (x, y, z, t) if d.frames > 1 else (x, y, z)
        if d.frames == 1 and t != 0:
            sys.exit("envdump.py: t must be 0 for a single volume")
        value = float(sys.argv[7])
        seg.xyz[where] = value if vol.dtype.kind == "f" else round(value)
