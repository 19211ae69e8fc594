#!/usr/bin/env python3
"""nibabel's view of image files, for tests/formats-nibabel.test.

The tests compare mxcanvas against nibabel, an independent reader:

  nibabel_view.py dump FILE RAW [SCALED]
      Load FILE with nibabel. Write its stored voxels (nibabel's unscaled
      array, native byte order, x fastest: the canvas layout) to RAW and, when
      given, nibabel's scaled float64 values (get_fdata) to SCALED. Print a Tcl
      dict of what nibabel reports: class, dims, type, endian, pixdim,
      zooms, tstep, slope, inter, xyz_units, t_units, qform_code, qform,
      sform_code, sform, description.

  nibabel_view.py make KIND OUT
      Write a test file with nibabel (files the project did not write):
      analyze-le, analyze-be (int16 pairs from anatomical.nii's voxels),
      nifti-pair-gz (float32), nifti-be-4d-gz (big-endian float64 4-D),
      dtype-NAME (a .nii of each voxel type), scaled-int16 (slope/intercept
      stored by nibabel).

  nibabel_view.py datadir
      Print the directory of nibabel's own test data.
"""
import os
import sys

import nibabel as nib
import numpy as np

DATA = os.path.join(os.path.dirname(nib.__file__), "tests", "data")


def tcl_word(value):
    """One value as a Tcl list element."""
    if isinstance(value, (list, tuple)):
        return "{" + " ".join(tcl_word(v) for v in value) + "}"
    if isinstance(value, (bool, np.bool_)):
        return "1" if value else "0"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return repr(float(value)).replace("inf", "Inf").replace("nan", "NaN")
    text = str(value)
    if text and all(c not in text for c in "{}\\\"[]$;") and not any(c.isspace() for c in text):
        return text
    return "{" + "".join("\\" + c if c in "{}\\" else c for c in text) + "}"


def matrix(m):
    return [[float(v) for v in row] for row in np.asarray(m)]


def dump(path, raw_out, scaled_out=None):
    img = nib.load(path)
    hdr = img.header
    stored = np.asanyarray(img.dataobj.get_unscaled())
    shape = list(stored.shape) + [1] * (4 - stored.ndim)
    native = stored.astype(stored.dtype.newbyteorder("="), copy=False)
    with open(raw_out, "wb") as f:
        f.write(native.tobytes(order="F"))
    if scaled_out:
        with open(scaled_out, "wb") as f:
            f.write(np.asarray(img.get_fdata(), dtype="=f8").tobytes(order="F"))
    zooms = [float(z) for z in hdr.get_zooms()]
    pixdim = [float(v) for v in hdr["pixdim"]]
    descrip = bytes(hdr["descrip"]).split(b"\0")[0].decode("latin-1")
    info = {
        "class": type(img).__name__,
        "dims": shape,
        "type": stored.dtype.name,
        "endian": hdr.endianness,
        "pixdim": pixdim,
        "zooms": zooms,
        "tstep": zooms[3] if len(zooms) > 3 else pixdim[4],
        "slope": float(img.dataobj.slope),
        "inter": float(img.dataobj.inter),
        "description": descrip,
        "affine": matrix(img.affine),
    }
    if isinstance(hdr, nib.Nifti1Header):
        xyz, t = hdr.get_xyzt_units()
        info.update(
            xyz_units=xyz,
            t_units=t,
            qform_code=int(hdr["qform_code"]),
            qform=matrix(hdr.get_qform()),
            sform_code=int(hdr["sform_code"]),
            sform=matrix(hdr.get_sform()),
        )
    print(" ".join(f"{k} {tcl_word(v)}" for k, v in info.items()))


def anatomical_voxels():
    return np.asanyarray(nib.load(os.path.join(DATA, "anatomical.nii")).dataobj.get_unscaled())


def make(kind, out):
    affine = np.diag([2.0, 3.0, 4.0, 1.0])
    affine[:3, 3] = [-10.0, 5.0, 7.5]
    if kind in ("analyze-le", "analyze-be"):
        hdr = nib.AnalyzeHeader(endianness="<" if kind == "analyze-le" else ">")
        hdr.set_data_dtype(np.int16)
        img = nib.AnalyzeImage(anatomical_voxels().astype(np.int16), affine, header=hdr)
    elif kind == "nifti-pair-gz":
        data = np.linspace(-5.0, 5.0, 6 * 7 * 8, dtype=np.float32).reshape(6, 7, 8)
        img = nib.Nifti1Pair(data, affine)
    elif kind == "nifti-be-4d-gz":
        data = np.arange(5 * 4 * 3 * 6, dtype=np.float64).reshape(5, 4, 3, 6) * 0.25 - 7.0
        img = nib.Nifti1Image(data, affine, header=nib.Nifti1Header(endianness=">"))
        img.header.set_data_dtype(np.float64)
        img.header.set_xyzt_units("mm", "msec")
        img.header["pixdim"][4] = 1500.0
    elif kind.startswith("dtype-"):
        dtype = np.dtype(kind[len("dtype-"):])
        if dtype.kind == "f":
            data = np.linspace(-1000.5, 1000.5, 9 * 8 * 7).astype(dtype)
        elif dtype.itemsize < 8:
            info = np.iinfo(dtype)
            data = np.linspace(info.min, info.max, 9 * 8 * 7).astype(dtype)
        else:
            # 64-bit integers: exact Python integers from min to max (a
            # float linspace would round them, and overflow at the top).
            info = np.iinfo(dtype)
            n = 9 * 8 * 7
            step = (int(info.max) - int(info.min)) // (n - 1)
            data = np.array([int(info.min) + k * step for k in range(n - 1)] + [int(info.max)], dtype=dtype)
        # An explicit dtype: nibabel 5 refuses int64 data without one.
        img = nib.Nifti1Image(data.reshape(9, 8, 7), affine, dtype=dtype)
    elif kind == "scaled-int16":
        data = np.arange(10 * 11 * 3, dtype=np.int16).reshape(10, 11, 3) * 37 - 500
        img = nib.Nifti1Image(data, affine)
        img.header.set_data_dtype(np.int16)
        img.header.set_slope_inter(0.5, -20.0)
    else:
        sys.exit(f"unknown kind {kind}")
    if kind.startswith(("dtype-", "scaled-", "nifti-pair")):
        img.header.set_xyzt_units("mm", "sec")
    img.to_filename(out)


def main(argv):
    if len(argv) >= 3 and argv[0] == "dump":
        dump(*argv[1:4])
    elif len(argv) == 3 and argv[0] == "make":
        make(argv[1], argv[2])
    elif argv == ["datadir"]:
        print(DATA)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
