"""`make bench` (bench/run.py): one timed .nii.gz load or save by nibabel or
SimpleITK in a fresh process, printed as "key value" lines.

    python bench/gzip_py.py load nibabel|sitk FILE
    python bench/gzip_py.py save nibabel|sitk FILE OUT [LEVEL]

nibabel loads as a user would (`np.asanyarray(img.dataobj)`) and saves at
its default gzip level (1) unless LEVEL is given; SimpleITK (ITK's NIfTI
reader and writer) loads into an array view and saves compressed.
"""
import os
import sys
import time

import numpy as np


def load(tool, path):
    if tool == "nibabel":
        import nibabel as nib

        t = time.perf_counter()
        data = np.asanyarray(nib.load(path).dataobj)
    else:
        import SimpleITK as sitk

        t = time.perf_counter()
        data = sitk.GetArrayViewFromImage(sitk.ReadImage(path))
    elapsed = time.perf_counter() - t
    assert data.size > 0
    return elapsed


def save(tool, path, out, level):
    if tool == "nibabel":
        import nibabel as nib
        import nibabel.openers

        img = nib.load(path)
        img = nib.Nifti1Image(np.asanyarray(img.dataobj), img.affine, img.header)
        if level is not None:
            nibabel.openers.Opener.default_compresslevel = level
        t = time.perf_counter()
        nib.save(img, out)
    else:
        import SimpleITK as sitk

        img = sitk.ReadImage(path)
        t = time.perf_counter()
        if level is None:
            sitk.WriteImage(img, out, useCompression=True)
        else:
            sitk.WriteImage(img, out, useCompression=True, compressionLevel=level)
    return time.perf_counter() - t


def main():
    op, tool, path = sys.argv[1:4]
    if op == "load":
        print("seconds", load(tool, path))
    else:
        out = sys.argv[4]
        level = int(sys.argv[5]) if len(sys.argv) > 5 and sys.argv[5] else None
        print("seconds", save(tool, out=out, path=path, level=level))
        print("bytes", os.path.getsize(out))


if __name__ == "__main__":
    main()
