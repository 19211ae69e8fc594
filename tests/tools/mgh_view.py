#!/usr/bin/env python3
"""nibabel's view of FreeSurfer MGH/MGZ files, for tests/mgh.test.

  mgh_view.py dump FILE RAW
      Load FILE with nibabel's MGHImage. Write its voxels (native byte
      order, x fastest: the canvas layout) to RAW and print a Tcl dict:
      dims (width height depth frames), type, affine (4x4 rows), tags
      (tr flip_angle te ti fov), dof, nifti_sform_code and nifti_pixdim
      (what Nifti1Image.from_image makes of it).

  mgh_view.py nifti MGH NII
      Compare NII with what nibabel makes of MGH (Nifti1Image.from_image):
      print "affine sform_code zooms voxels", each 1 when equal.

  mgh_view.py make TYPE OUT
      Write OUT with nibabel: a 5x4x3x2 image of numpy dtype TYPE (uint8,
      int32, float32, int16, uint16), an oblique affine, TR 2300, flip
      angle 0.15, TE 2.9, TI 900, FoV 256.
"""
import sys

import nibabel as nib
import numpy as np


def word(v):
    if isinstance(v, (list, tuple)):
        return "{" + " ".join(word(x) for x in v) + "}"
    if isinstance(v, str):
        return v
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    return repr(float(v)).replace("inf", "Inf").replace("nan", "NaN")


def dump(path, raw_out):
    img = nib.load(path)
    assert isinstance(img, nib.MGHImage), type(img)
    hdr = img.header
    data = np.asanyarray(img.dataobj)
    native = data.astype(data.dtype.newbyteorder("="), copy=False)
    with open(raw_out, "wb") as f:
        f.write(native.tobytes(order="F"))
    nifti = nib.Nifti1Image.from_image(img)
    out = {
        "dims": [int(d) for d in hdr["dims"]],
        "type": native.dtype.name,
        "affine": [[float(v) for v in row] for row in img.affine],
        "tags": [float(hdr[k]) for k in ("tr", "flip_angle", "te", "ti", "fov")],
        "dof": int(hdr["dof"]),
        "nifti_sform_code": int(nifti.header["sform_code"]),
        "nifti_pixdim": [float(v) for v in nifti.header["pixdim"][1:5]],
    }
    print(" ".join(f"{k} {word(v)}" for k, v in out.items()))


def make(dtype, out):
    shape = (5, 4, 3, 2)
    values = (np.arange(np.prod(shape)) * 7 % 200).reshape(shape, order="F")
    if np.dtype(dtype).kind == "i":
        values = values - 50
    data = values.astype(dtype)
    theta = 0.3
    rot = np.array([[np.cos(theta), -np.sin(theta), 0], [np.sin(theta), np.cos(theta), 0], [0, 0, 1]])
    affine = np.eye(4)
    affine[:3, :3] = rot @ np.diag([1.5, 2.0, 2.5])
    affine[:3, 3] = [-10.0, 20.0, 5.5]
    img = nib.MGHImage(data, affine)
    hdr = img.header
    hdr["tr"], hdr["flip_angle"], hdr["te"], hdr["ti"], hdr["fov"] = 2300, 0.15, 2.9, 900, 256
    img.to_filename(out)


def nifti(mgh, nii):
    want = nib.Nifti1Image.from_image(nib.load(mgh))
    got = nib.load(nii)
    same = [
        np.allclose(got.affine, want.affine, rtol=0, atol=1e-6),
        int(got.header["sform_code"]) == int(want.header["sform_code"]),
        got.header.get_zooms() == want.header.get_zooms(),
        np.array_equal(np.asanyarray(got.dataobj), np.asanyarray(want.dataobj)),
    ]
    print(" ".join("1" if s else "0" for s in same))


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "dump":
        dump(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 4 and sys.argv[1] == "nifti":
        nifti(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 4 and sys.argv[1] == "make":
        make(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
