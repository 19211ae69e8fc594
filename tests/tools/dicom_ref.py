"""References for tests/dicom.test, from tools this project did not write.

  dicom_ref.py testfiles            pydicom's shipped test files directory
  dicom_ref.py nicom                nibabel's nicom/tests/data directory
  dicom_ref.py pixels FILE OUT      pydicom's pixel_array of FILE as raw native
                                    bytes (x fastest, then y, then frame); prints its dtype
  dicom_ref.py dcm2niix SRC OUTDIR  dcm2niix's NIfTI of SRC (a directory); prints its path
  dicom_ref.py rescaled OUTDIR      three slices of CT_small.dcm 2 mm apart, each with its
                                    own Rescale Slope; prints pydicom's modality-LUT values of
                                    the middle voxel of each slice, in position order
  dicom_ref.py world OURS THEIRS    each voxel of OURS (a .nii saved by mxcanvas) taken to
                                    world by its affine and back into THEIRS by theirs:
                                    prints the number of voxels whose values differ
"""
import os
import subprocess
import sys

import numpy as np


def testfiles():
    import pydicom
    return os.path.join(os.path.dirname(pydicom.__file__), "data", "test_files")


def nicom():
    import nibabel
    return os.path.join(os.path.dirname(nibabel.__file__), "nicom", "tests", "data")


def pixels(path, out):
    import pydicom
    ds = pydicom.dcmread(path)
    a = ds.pixel_array
    # pydicom gives (frames,) rows, columns: row-major is x (column) fastest.
    with open(out, "wb") as f:
        f.write(np.ascontiguousarray(a).tobytes())
    print(a.dtype)


def dcm2niix(src, outdir):
    import dcm2niix as d
    exe = d.bin if hasattr(d, "bin") else os.path.join(os.path.dirname(d.__file__), "dcm2niix")
    subprocess.run([exe, "-z", "n", "-f", "ref", "-o", outdir, src], check=True, capture_output=True)
    niis = sorted(n for n in os.listdir(outdir) if n.endswith(".nii"))
    print(os.path.join(outdir, niis[0]))


def rescaled(outdir):
    import pydicom
    from pydicom.pixels import apply_modality_lut
    src = pydicom.dcmread(os.path.join(testfiles(), "CT_small.dcm"))
    values = []
    for k, slope in enumerate([0.5, 2.0, 1.25]):
        ds = src.copy()
        ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = f"1.2.3.{k + 1}"
        ds.ImagePositionPatient = [src.ImagePositionPatient[0], src.ImagePositionPatient[1], 10.0 - 2.0 * k]
        ds.RescaleSlope = slope
        ds.save_as(os.path.join(outdir, f"s{k}.dcm"))
        values.append(float(apply_modality_lut(ds.pixel_array, ds)[64, 32]))
    # Position order: ascending z is the reverse of k.
    print(" ".join(repr(v) for v in reversed(values)))


def world(ours_path, theirs_path):
    import nibabel as nib
    ours, theirs = nib.load(ours_path), nib.load(theirs_path)
    a = np.asanyarray(ours.dataobj)
    b = np.asanyarray(theirs.dataobj)
    while a.ndim > 3:
        a = a[..., 0]
    while b.ndim > 3:
        b = b[..., 0]
    a, b = a.reshape(a.shape + (1,) * (3 - a.ndim)), b.reshape(b.shape + (1,) * (3 - b.ndim))
    ijk = np.indices(a.shape).reshape(3, -1)
    xyz = ours.affine @ np.vstack([ijk, np.ones(ijk.shape[1])])
    theirs_ijk = np.linalg.inv(theirs.affine) @ xyz
    near = np.rint(theirs_ijk[:3]).astype(int)
    if np.abs(theirs_ijk[:3] - near).max() > 1e-3:
        print("off-grid", np.abs(theirs_ijk[:3] - near).max())
        return
    inside = np.all((near >= 0) & (near < np.array(b.shape)[:, None]), axis=0)
    if not inside.all():
        print("outside", int((~inside).sum()))
        return
    mine = a[tuple(ijk)]
    other = b[tuple(near)]
    print(int(np.sum(mine != other)))


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    {"testfiles": lambda: print(testfiles()), "nicom": lambda: print(nicom()),
     "pixels": lambda: pixels(*args), "dcm2niix": lambda: dcm2niix(*args),
     "world": lambda: world(*args), "rescaled": lambda: rescaled(*args)}[cmd]()
