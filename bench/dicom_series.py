"""The series for the DICOM benchmark: 300 slices of 512x512 int16 made from
a real slice's header (pydicom's CT_small.dcm), positions 1 mm apart along
z with file names in shuffled order (so a reader must sort by position),
pixels from the same phantom as the .nii.gz benchmark; then the same series
JPEG-lossless encoded (process 14, first-order prediction) by GDCM.

    .venv/bin/python bench/dicom_series.py NATIVE_DIR JPEG_DIR [SLICES]
    .venv/bin/python bench/dicom_series.py --encode SRC_DIR JPEG_DIR   (tests/dicom.test)
"""
import copy
import os
import random
import sys

import numpy as np
import pydicom
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

from gzip_volume import phantom  # bench/gzip_volume.py, beside this script


def native(out, slices):
    os.makedirs(out, exist_ok=True)
    base = pydicom.dcmread(os.path.join(os.path.dirname(pydicom.__file__), "data", "test_files", "CT_small.dcm"))
    volume = phantom(512, 512, slices)
    series = generate_uid()
    names = [f"IM{n:05d}" for n in range(slices)]
    random.Random(7).shuffle(names)
    for k in range(slices):
        ds = copy.deepcopy(base)
        ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
        ds.SeriesInstanceUID = series
        ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
        ds.InstanceNumber = k + 1
        ds.Rows = ds.Columns = 512
        ds.PixelSpacing = [0.5, 0.5]
        ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
        ds.ImagePositionPatient = [-128.0, -128.0, -150.0 + k]
        ds.SliceLocation = -150.0 + k
        ds.SliceThickness = 1.0
        ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 1
        # phantom() is indexed [x, y, z]; a DICOM frame is rows (y) of columns (x).
        ds.PixelData = np.ascontiguousarray(volume[:, :, k].T).tobytes()
        ds.save_as(os.path.join(out, names[k]), enforce_file_format=True)


def jpeg_lossless(src, out):
    import gdcm

    os.makedirs(out, exist_ok=True)
    for name in sorted(os.listdir(src)):
        reader = gdcm.ImageReader()
        reader.SetFileName(os.path.join(src, name))
        if not reader.Read():
            raise SystemExit(f"gdcm cannot read {name}")
        change = gdcm.ImageChangeTransferSyntax()
        change.SetTransferSyntax(gdcm.TransferSyntax(gdcm.TransferSyntax.JPEGLosslessProcess14_1))
        change.SetInput(reader.GetImage())
        if not change.Change():
            raise SystemExit(f"gdcm cannot encode {name}")
        writer = gdcm.ImageWriter()
        writer.SetFileName(os.path.join(out, name))
        writer.SetFile(reader.GetFile())
        writer.SetImage(change.GetOutput())
        if not writer.Write():
            raise SystemExit(f"gdcm cannot write {name}")


if __name__ == "__main__":
    if sys.argv[1] == "--encode":
        jpeg_lossless(sys.argv[2], sys.argv[3])
        sys.exit(0)
    slices = int(sys.argv[3]) if len(sys.argv) > 3 else 300
    native(sys.argv[1], slices)
    jpeg_lossless(sys.argv[1], sys.argv[2])
