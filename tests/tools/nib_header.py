#!/usr/bin/env python3
"""nibabel's (and scipy's) side of tests/header.test: header facts,
extensions, SPM origins and .mat sidecars, refused voxel types.

  nib_header.py make KIND OUT
      Write a test file the project did not write:
      4d1        single-frame 4-D float32 .nii (shape 3x4x5x1)
      facts      int16 .nii with intent, slice timing, dim_info, cal_min/max,
                 toffset and aux_file set through nibabel's header API
      ext        .nii with a comment (code 6) and a JSON (code 36) extension
      ext-be     big-endian .nii with a comment extension
      plain-nii plain-hdr
                 a simple int16 image as nibabel writes it (descrip "short")
      regular    .nii with regular = 'r' and db_name set
      spm99      Spm99AnalyzeImage (.hdr/.img + .mat, MAT v4) whose affine
                 translates by [10,-20,-3]
      spmv5      Analyze pair plus a .mat that scipy writes as MAT v5,
                 zlib-compressed, with a rotated, sheared affine in `mat`
      spmM       Analyze pair plus a MAT v5 .mat with only `M` (no flip)
      origin     Analyze pair whose SPM origin field is [2,3,4], no .mat
      rgb24 rgba32 complex64 complex128 float128 dim5
                 a .nii of a kind mxcanvas refuses (float128: nibabel
                 cannot write it, so a float64 file relabelled)

  nib_header.py facts FILE
      Print a Tcl dict: shape, ndim (dim[0]), intent_code, intent_params,
      intent_name, dim_info, slice_code, slice_start, slice_end,
      slice_duration, cal_min, cal_max, toffset, aux_file, extensions
      ({code size} as nibabel reads them), affine (nibabel's best affine,
      rows), regular, key (bytes 4..39 as hex), descrip_tail (bytes
      153..227 as hex: what follows a 5-byte description).

  nib_header.py samext A B
      Print 1 when nibabel reads the same extensions (codes and contents)
      from files A and B, else 0.

  nib_header.py spmfields FILE
      Print nibabel's Spm99AnalyzeHeader orient (as a number) and origin
      (5 numbers) of an Analyze header.

  nib_header.py spmaffine FILE
      Print nibabel's Spm99AnalyzeImage affine of an Analyze pair (rows).
"""
import sys

import nibabel as nib
import numpy as np


def raw(e):
    """An extension's content as bytes (nibabel 5.2+ names it `content`)."""
    return bytes(e.content)


def tcl_list(items):
    return " ".join("{%s}" % i if (" " in str(i) or str(i) == "") else str(i) for i in items)


def rows(a):
    return tcl_list(tcl_list(repr(float(v)) for v in row) for row in np.asarray(a))


def data(shape, dtype=np.int16):
    return (np.arange(int(np.prod(shape))) % 97).astype(dtype).reshape(shape, order="F")


def translated():
    a = np.eye(4)
    a[:3, 3] = [10, -20, -3]
    return a


def sheared():
    a = np.array([[0.9, -0.3, 0.1, 12.5], [0.3, 1.1, 0.05, -40.0], [0.0, 0.2, 2.0, 7.25], [0, 0, 0, 1]])
    return a


def make(kind, out):
    import scipy.io as sio

    if kind == "4d1":
        nib.save(nib.Nifti1Image(data((3, 4, 5, 1), np.float32), np.eye(4)), out)
    elif kind == "facts":
        img = nib.Nifti1Image(data((4, 3, 6)), np.eye(4))
        h = img.header
        h.set_intent("t test", (12.0,), name="my t map")
        h.set_dim_info(freq=1, phase=0, slice=2)
        h["slice_code"] = 3
        h["slice_start"] = 1
        h["slice_end"] = 4
        h["slice_duration"] = 0.125
        h["cal_min"] = -5.5
        h["cal_max"] = 250.0
        h["toffset"] = 2.25
        h["aux_file"] = b"aux.txt"
        nib.save(img, out)
    elif kind == "ext":
        img = nib.Nifti1Image(data((4, 3, 2)), np.eye(4))
        img.header.extensions.append(nib.nifti1.Nifti1Extension("comment", b"hello from nibabel"))
        img.header.extensions.append(nib.nifti1.Nifti1Extension(36, b'{"RepetitionTime": 2.0, "x": [1,2,3]}'))
        nib.save(img, out)
    elif kind == "ext-be":
        img = nib.Nifti1Image(data((4, 3, 2)), np.eye(4))
        hdr = img.header.as_byteswapped(">")
        hdr.extensions.append(nib.nifti1.Nifti1Extension("comment", b"big-endian sizes"))
        nib.save(nib.Nifti1Image(img.get_fdata().astype(np.int16), np.eye(4), header=hdr), out)
    elif kind in ("plain-nii", "plain-hdr"):
        # What nibabel writes for a simple image, to compare key bytes with.
        cls = nib.Nifti1Image if kind == "plain-nii" else nib.AnalyzeImage
        img = cls(data((2, 3, 4)), np.eye(4))
        img.header["descrip"] = b"short"
        nib.save(img, out)
    elif kind == "regular":
        img = nib.Nifti1Image(data((2, 3, 4)), np.eye(4))
        img.header["regular"] = b"r"
        img.header["db_name"] = b"a database"
        nib.save(img, out)
    elif kind == "spm99":
        nib.save(nib.Spm99AnalyzeImage(data((5, 6, 7)), translated()), out)
    elif kind in ("spmv5", "spmM"):
        nib.save(nib.AnalyzeImage(data((5, 6, 7)), np.eye(4)), out)
        from_111 = np.eye(4)
        from_111[:3, 3] = -1
        mat = sheared() @ from_111
        if kind == "spmv5":
            sio.savemat(out[:-4] + ".mat", {"mat": mat, "other": np.ones((2, 3))}, format="5", do_compression=True)
        else:
            sio.savemat(out[:-4] + ".mat", {"M": np.diag([-1, 1, 1, 1]) @ mat}, format="5")
    elif kind == "origin":
        img = nib.Spm99AnalyzeImage(data((5, 6, 7)), None)
        img.header.set_zooms((2.0, 3.0, 4.0))
        img.header["origin"][:3] = [2, 3, 4]
        img.to_filename(out)  # affine None: no .mat
    elif kind in ("rgb24", "rgba32"):
        names = ["R", "G", "B"] + (["A"] if kind == "rgba32" else [])
        dt = np.dtype([(n, "u1") for n in names])
        arr = np.zeros((2, 2, 2), dtype=dt)
        nib.save(nib.Nifti1Image(arr, np.eye(4)), out)
    elif kind == "float128":
        # nibabel does not write float128: a float64 file relabelled
        # (datatype 1536, bitpix 128) with room for 16-byte voxels.
        nib.save(nib.Nifti1Image(np.zeros((2, 2, 4), np.float64), np.eye(4)), out)
        with open(out, "r+b") as f:
            f.seek(70)
            f.write(np.array([1536, 128], "<i2").tobytes())
            f.seek(42)
            f.write(np.array([2, 2, 2], "<i2").tobytes())
    elif kind in ("complex64", "complex128"):
        dt = {"complex64": np.complex64, "complex128": np.complex128}[kind]
        img = nib.Nifti1Image(np.zeros((2, 2, 2), dtype=dt), np.eye(4))
        img.set_data_dtype(dt)
        nib.save(img, out)
    elif kind == "dim5":
        nib.save(nib.Nifti1Image(data((2, 2, 2, 1, 3), np.float32), np.eye(4)), out)
    else:
        raise SystemExit("unknown kind " + kind)


def facts(path):
    img = nib.load(path)
    h = img.header
    block = h.binaryblock
    out = [("shape", "{%s}" % tcl_list(img.shape)), ("ndim", int(h["dim"][0]))]
    if isinstance(h, nib.Nifti1Header):
        out += [
            ("intent_code", int(h["intent_code"])),
            ("intent_params", "{%s}" % tcl_list(float(h[k]) for k in ("intent_p1", "intent_p2", "intent_p3"))),
            ("intent_name", "{%s}" % h["intent_name"].tobytes().rstrip(b"\0").decode()),
            ("dim_info", "{%s}" % tcl_list(0 if v is None else v + 1 for v in h.get_dim_info())),
            ("slice_code", int(h["slice_code"])),
            ("slice_start", int(h["slice_start"])),
            ("slice_end", int(h["slice_end"])),
            ("slice_duration", float(h["slice_duration"])),
            ("toffset", float(h["toffset"])),
            ("extensions", "{%s}" % tcl_list(tcl_list([e.get_code(), len(raw(e))]) for e in h.extensions)),
        ]
    out += [
        ("cal_min", float(h["cal_min"])),
        ("cal_max", float(h["cal_max"])),
        ("aux_file", "{%s}" % h["aux_file"].tobytes().rstrip(b"\0").decode()),
        ("affine", "{%s}" % rows(img.affine)),
        ("regular", block[38]),
        ("key", block[4:39].hex()),
        ("descrip_tail", block[148 + 5 : 228].hex()),
    ]
    print(" ".join("%s %s" % kv for kv in out))


def samext(a, b):
    ea, eb = nib.load(a).header.extensions, nib.load(b).header.extensions
    same = len(ea) == len(eb) and all(
        x.get_code() == y.get_code() and raw(x) == raw(y) for x, y in zip(ea, eb)
    )
    print(1 if same and len(ea) > 0 else 0)


def main(argv):
    if argv[0] == "make":
        make(argv[1], argv[2])
    elif argv[0] == "facts":
        facts(argv[1])
    elif argv[0] == "samext":
        samext(argv[1], argv[2])
    elif argv[0] == "spmfields":
        h = nib.Spm99AnalyzeImage.from_filename(argv[1]).header
        print(int(h["orient"].view(np.uint8)), tcl_list(int(o) for o in h["origin"]))
    elif argv[0] == "spmaffine":
        print(rows(nib.Spm99AnalyzeImage.from_filename(argv[1]).affine))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
