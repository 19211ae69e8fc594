"""Volumes for tests/view.test's world-orientation tests, written by nibabel.

    python view_phantom.py DIR

writes into DIR:
  * ras.nii and seven reorientations of it (lps, pir, las, ail, sra, ipl,
    rsp .nii): one anatomy, a 9x11x7 volume with 2 mm x 1 mm x 1.5 mm
    voxels, with a marker of its own value on the subject's right (100),
    anterior (200) and superior (300) side, stored in each axis order and
    direction with nibabel's as_reoriented (same world, other voxels);
  * sphere.nii: a ball of radius 9 mm in a 31x31x11 volume of 1x1x3 mm
    voxels (RAS);
and prints, for each file, one line "name i j k x y z": a voxel and its
world coordinates from nibabel's apply_affine (the hover readout's check).
"""
import sys

import nibabel as nib
import numpy as np
from nibabel.affines import apply_affine
from nibabel.orientations import axcodes2ornt, ornt_transform

out = sys.argv[1]
shape = (9, 11, 7)
zooms = (2.0, 1.0, 1.5)
data = np.full(shape, 10, dtype=np.int16)
data[1:-1, 1:-1, 1:-1] = 50
# RAS voxels: i grows to the right, j anterior, k superior.
data[8, 4:7, 2:5] = 100  # right
data[3:6, 10, 2:5] = 200  # anterior
data[3:6, 4:7, 6] = 300  # superior
affine = np.diag(list(zooms) + [1.0])
affine[:3, 3] = [-8.0, -5.0, -4.5]
ras = nib.Nifti1Image(data, affine)
ras.set_sform(affine, code=1)
ras.set_qform(affine, code=1)
for codes in ["RAS", "LPS", "PIR", "LAS", "AIL", "SRA", "IPL", "RSP"]:
    img = ras.as_reoriented(ornt_transform(axcodes2ornt("RAS"), axcodes2ornt(tuple(codes))))
    assert nib.aff2axcodes(img.affine) == tuple(codes)
    name = codes.lower()
    nib.save(img, f"{out}/{name}.nii")
    ijk = (1, 2, 3)
    print(name, *ijk, *(f"{v:.6f}" for v in apply_affine(img.affine, ijk)))

s = np.zeros((31, 31, 11), dtype=np.uint8)
i, j, k = np.meshgrid(np.arange(31), np.arange(31), np.arange(11), indexing="ij")
s[((i - 15) ** 2 + (j - 15) ** 2 + ((k - 5) * 3) ** 2) <= 81] = 1
sph = np.diag([1.0, 1.0, 3.0, 1.0])
img = nib.Nifti1Image(s, sph)
img.set_sform(sph, code=1)
nib.save(img, f"{out}/sphere.nii")
print("sphere", 4, 5, 6, *(f"{v:.6f}" for v in apply_affine(sph, (4, 5, 6))))
