"""The volume for the `.nii.gz` benchmarks: a 512x512x300 int16 head-like
volume (the 3-D modified Shepp-Logan phantom, a smooth bias field and
Gaussian noise, deterministic), written by nibabel with its defaults so that
every contender reads the same file another program wrote.

    .venv/bin/python bench/gzip_volume.py OUT.nii.gz [WIDTH HEIGHT DEPTH]
"""
import sys

import numpy as np
import nibabel as nib

# intensity, semi-axes a b c, centre x0 y0 z0, rotation about z (degrees)
ELLIPSOIDS = [
    (1.0, .6900, .920, .810, 0, 0, 0, 0),
    (-0.8, .6624, .874, .780, 0, -.0184, 0, 0),
    (-0.2, .1100, .310, .220, .22, 0, 0, -18),
    (-0.2, .1600, .410, .280, -.22, 0, 0, 18),
    (0.1, .2100, .250, .410, 0, .35, -.15, 0),
    (0.1, .0460, .046, .050, 0, .1, .25, 0),
    (0.1, .0460, .046, .050, 0, -.1, .25, 0),
    (0.1, .0460, .023, .050, -.08, -.605, 0, 0),
    (0.1, .0230, .023, .020, 0, -.606, 0, 0),
    (0.1, .0230, .046, .020, .06, -.605, 0, 0),
]


def phantom(width, height, depth):
    rng = np.random.default_rng(12345)
    x = (2.0 * (np.arange(width, dtype=np.float32) + 0.5) / width - 1.0)[None, None, :]
    y = (2.0 * (np.arange(height, dtype=np.float32) + 0.5) / height - 1.0)[None, :, None]
    out = np.empty((depth, height, width), dtype=np.int16)
    for k in range(depth):
        z = 2.0 * (k + 0.5) / depth - 1.0
        img = np.zeros((1, height, width), dtype=np.float32)
        for rho, a, b, c, x0, y0, z0, phi in ELLIPSOIDS:
            t = np.deg2rad(phi)
            dx, dy = x - x0, y - y0
            xr = dx * np.cos(t) + dy * np.sin(t)
            yr = -dx * np.sin(t) + dy * np.cos(t)
            inside = (xr / a) ** 2 + (yr / b) ** 2 + ((z - z0) / c) ** 2 <= 1.0
            img += np.float32(rho) * inside
        bias = 1.0 + 0.15 * np.exp(-((x - 0.3) ** 2 + (y + 0.2) ** 2 + (z - 0.1) ** 2) / 0.8)
        slice_ = 1000.0 * img * bias + rng.normal(0.0, 6.0, size=(1, height, width)).astype(np.float32)
        out[k] = np.clip(np.rint(slice_[0]), -32768, 32767).astype(np.int16)
    # numpy order (z, y, x) -> NIfTI order (x, y, z)
    return out.transpose(2, 1, 0)


def main():
    path = sys.argv[1]
    dims = [int(a) for a in sys.argv[2:5]] or [512, 512, 300]
    data = phantom(*dims)
    img = nib.Nifti1Image(data, np.diag([0.5, 0.5, 0.6, 1.0]))
    img.header.set_data_dtype(np.int16)
    nib.save(img, path)


if __name__ == "__main__":
    main()
