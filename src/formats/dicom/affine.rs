//! A DICOM volume's place as NIfTI metadata: the sform (code 1, scanner) and
//! a matching qform, in NIfTI's RAS+ convention, for canvas x = column,
//! y = row, z = slice. DICOM's patient space is LPS+, so the first two world
//! axes change sign; this is the mapping dcm2niix writes for the same voxels
//! (it may store the axes in another order, the world place is the same).

use super::geometry::{cross, dot, Placement};
use crate::core::metadata::Metadata;

/// The voxel-to-world matrix (RAS mm), rows 0..3 of the 4x4.
pub fn ras_affine(p: &Placement, pixel_spacing: [f64; 2]) -> [[f64; 4]; 3] {
    // Column spacing is pixel_spacing[1] (between columns, along a row).
    let x = p.row_dir.map(|c| c * pixel_spacing[1]);
    let y = p.col_dir.map(|c| c * pixel_spacing[0]);
    let z = p.slice_step;
    let mut m = [[0.0; 4]; 3];
    for (i, row) in m.iter_mut().enumerate() {
        let sign = if i < 2 { -1.0 } else { 1.0 };
        *row = [sign * x[i], sign * y[i], sign * z[i], sign * p.origin[i]];
    }
    m
}

/// Fill `m`'s orientation facts from the placement: sform and qform (both
/// code 1), spacing, millimetre units.
pub fn set_placement(m: &mut Metadata, p: &Placement, pixel_spacing: [f64; 2], slice_spacing: f64) {
    let a = ras_affine(p, pixel_spacing);
    m.sform_code = 1;
    m.srow = a.map(|row| row.map(|v| v as f32));
    m.spacing = [pixel_spacing[1], pixel_spacing[0], slice_spacing].map(|v| v as f32);
    m.xyzt_units = (m.xyzt_units & !0x07) | 2;
    // The qform is a rotation: the in-plane directions and the normal, in
    // the sense the slices go (as nifti_mat44_to_quatern would find it).
    let flip = |v: [f64; 3]| [-v[0], -v[1], v[2]];
    let (r, c) = (flip(p.row_dir), flip(p.col_dir));
    let n = cross(r, c);
    // Slices going against the normal: qfac -1 (the rotation stays proper,
    // the third spacing changes sign).
    let qfac = if dot(n, flip(p.slice_step)) < 0.0 { -1.0 } else { 1.0 };
    let rot = [[r[0], c[0], n[0]], [r[1], c[1], n[1]], [r[2], c[2], n[2]]];
    let (b, cq, d) = quaternion(rot);
    m.quatern = [b, cq, d].map(|v| v as f32);
    m.qoffset = [a[0][3], a[1][3], a[2][3]].map(|v| v as f32);
    m.qfac = qfac as f32;
    m.qform_code = 1;
}

/// (b, c, d) of the unit quaternion of a proper rotation (NIfTI-1's
/// `nifti_mat44_to_quatern`, without the polar decomposition: the columns
/// here are orthonormal by construction).
pub fn quaternion(r: [[f64; 3]; 3]) -> (f64, f64, f64) {
    let (r11, r12, r13) = (r[0][0], r[0][1], r[0][2]);
    let (r21, r22, r23) = (r[1][0], r[1][1], r[1][2]);
    let (r31, r32, r33) = (r[2][0], r[2][1], r[2][2]);
    let (a, b, c, d);
    if r11 + r22 + r33 + 1.0 > 0.5 {
        let aa = 0.5 * (r11 + r22 + r33 + 1.0).sqrt();
        a = aa;
        b = 0.25 * (r32 - r23) / aa;
        c = 0.25 * (r13 - r31) / aa;
        d = 0.25 * (r21 - r12) / aa;
    } else {
        let xd = 1.0 + r11 - (r22 + r33);
        let yd = 1.0 + r22 - (r11 + r33);
        let zd = 1.0 + r33 - (r11 + r22);
        if xd > 1.0 {
            let bb = 0.5 * xd.sqrt();
            b = bb;
            c = 0.25 * (r12 + r21) / bb;
            d = 0.25 * (r13 + r31) / bb;
            a = 0.25 * (r32 - r23) / bb;
        } else if yd > 1.0 {
            let cc = 0.5 * yd.sqrt();
            c = cc;
            b = 0.25 * (r12 + r21) / cc;
            d = 0.25 * (r23 + r32) / cc;
            a = 0.25 * (r13 - r31) / cc;
        } else {
            let dd = 0.5 * zd.sqrt();
            d = dd;
            b = 0.25 * (r13 + r31) / dd;
            c = 0.25 * (r23 + r32) / dd;
            a = 0.25 * (r21 - r12) / dd;
        }
    }
    if a < 0.0 {
        (-b, -c, -d)
    } else {
        (b, c, d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: [[f64; 4]; 4], b: [[f64; 4]; 3]) {
        for i in 0..3 {
            for j in 0..4 {
                assert!((a[i][j] - b[i][j]).abs() < 1e-4, "{a:?} vs {b:?}");
            }
        }
    }

    #[test]
    fn axial_lps_becomes_ras_and_qform_agrees() {
        let p = Placement {
            origin: [-100.0, -120.0, 30.0],
            row_dir: [1.0, 0.0, 0.0],
            col_dir: [0.0, 1.0, 0.0],
            slice_step: [0.0, 0.0, 2.0],
        };
        let a = ras_affine(&p, [0.5, 0.75]);
        assert_eq!(a, [[-0.75, 0.0, 0.0, 100.0], [0.0, -0.5, 0.0, 120.0], [0.0, 0.0, 2.0, 30.0]]);
        let mut m = Metadata::default();
        set_placement(&mut m, &p, [0.5, 0.75], 2.0);
        assert_eq!((m.sform_code, m.qform_code, m.spacing), (1, 1, [0.75, 0.5, 2.0]));
        close(m.qform_affine(), a);
    }

    #[test]
    fn oblique_and_reversed_slices_qform_agrees() {
        let s = (0.5f64).sqrt();
        for step in [2.0, -2.0] {
            let p = Placement {
                origin: [1.0, 2.0, 3.0],
                row_dir: [s, s, 0.0],
                col_dir: [0.0, 0.0, -1.0],
                slice_step: cross([s, s, 0.0], [0.0, 0.0, -1.0]).map(|v| v * step),
            };
            let mut m = Metadata::default();
            set_placement(&mut m, &p, [1.0, 1.5], 2.0);
            close(m.qform_affine(), ras_affine(&p, [1.0, 1.5]));
        }
    }
}
