"""`make bench` (bench/run.py): one timed DICOM series load by SimpleITK or
by dcm2niix + nibabel in a fresh process, printed as "key value" lines.

    python bench/dicom_py.py sitk|dcm2niix DIR

SimpleITK: the series reader (GDCM) on the files GDCM sorts, into an array
view. dcm2niix + nibabel: dcm2niix writes an uncompressed .nii into a
temporary directory, nibabel loads its voxels; both steps are timed.
"""
import os
import subprocess
import sys
import tempfile
import time

import numpy as np


def sitk(path):
    import SimpleITK as sitk

    t = time.perf_counter()
    reader = sitk.ImageSeriesReader()
    reader.SetFileNames(reader.GetGDCMSeriesFileNames(path))
    data = sitk.GetArrayViewFromImage(reader.Execute())
    return time.perf_counter() - t, data.shape[0]


def dcm2niix(path):
    import dcm2niix as d
    import nibabel as nib

    with tempfile.TemporaryDirectory() as out:
        t = time.perf_counter()
        subprocess.run([d.bin, "-z", "n", "-b", "n", "-f", "v", "-o", out, path], check=True, capture_output=True)
        data = np.asanyarray(nib.load(os.path.join(out, "v.nii")).dataobj)
        return time.perf_counter() - t, data.shape[2]


if __name__ == "__main__":
    seconds, depth = {"sitk": sitk, "dcm2niix": dcm2niix}[sys.argv[1]](sys.argv[2])
    print(f"seconds {seconds}")
    print(f"depth {depth}")
