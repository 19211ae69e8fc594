//! Where the voxels are in the patient: the one voxel-to-world affine a
//! canvas stands for, chosen the way nibabel chooses `img.affine` for a
//! NIfTI file (`Nifti1Header.get_best_affine`): the sform when its code is
//! set, else the qform when its code is set, else a scaling about the
//! volume's centre with x flipped (`get_base_affine`, Analyze's radiological
//! default). `$c info affine`, the viewer's world orientation and the
//! `MXCANVAS` description handed to external programs all come from here,
//! so they cannot disagree.

use super::{Geometry, Metadata};

/// A 4x4 affine, row-major, the last row `0 0 0 1`.
pub type Affine = [[f64; 4]; 4];

/// Which of the header's transforms [`best`] took.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Sform,
    Qform,
    /// Neither code is set: spacing alone, about the centre.
    Spacing,
}

impl Source {
    pub fn name(self) -> &'static str {
        match self {
            Source::Sform => "sform",
            Source::Qform => "qform",
            Source::Spacing => "spacing",
        }
    }
}

/// The transform nibabel would use, and which one it is.
pub fn best_with_source(m: &Metadata, g: &Geometry) -> (Affine, Source) {
    if m.sform_code != 0 {
        (m.sform_affine(), Source::Sform)
    } else if m.qform_code != 0 {
        (m.qform_affine(), Source::Qform)
    } else {
        (base(m, [g.width, g.height, g.depth]), Source::Spacing)
    }
}

/// The voxel-to-world affine of a canvas (nibabel's `img.affine`).
pub fn best(m: &Metadata, g: &Geometry) -> Affine {
    best_with_source(m, g).0
}

/// nibabel's `shape_zoom_affine(shape, zooms, x_flip=True)`: the spacing as
/// a diagonal, x negated, and the centre voxel `(dims - 1) / 2` at world 0.
pub fn base(m: &Metadata, dims: [usize; 3]) -> Affine {
    let zooms = [-(m.spacing[0] as f64), m.spacing[1] as f64, m.spacing[2] as f64];
    let mut a = [[0.0, 0.0, 0.0, 1.0]; 4];
    for i in 0..3 {
        a[i] = [0.0; 4];
        a[i][i] = zooms[i];
        a[i][3] = -((dims[i] as f64 - 1.0) / 2.0) * zooms[i];
    }
    a
}

/// World coordinates (mm) of the voxel coordinates `ijk`.
pub fn apply(a: &Affine, ijk: [f64; 3]) -> [f64; 3] {
    [0, 1, 2].map(|r| a[r][0] * ijk[0] + a[r][1] * ijk[1] + a[r][2] * ijk[2] + a[r][3])
}

/// Voxel coordinates (fractional) of the world point `xyz`, or None when the
/// affine's 3x3 part cannot be inverted.
pub fn invert_point(a: &Affine, xyz: [f64; 3]) -> Option<[f64; 3]> {
    let m = [[a[0][0], a[0][1], a[0][2]], [a[1][0], a[1][1], a[1][2]], [a[2][0], a[2][1], a[2][2]]];
    let det = m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
        + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
    if det == 0.0 || !det.is_finite() {
        return None;
    }
    let b = [xyz[0] - a[0][3], xyz[1] - a[1][3], xyz[2] - a[2][3]];
    // Cramer's rule: column j replaced by b.
    let solve = |j: usize| {
        let mut c = m;
        for (row, &v) in c.iter_mut().zip(b.iter()) {
            row[j] = v;
        }
        (c[0][0] * (c[1][1] * c[2][2] - c[1][2] * c[2][1]) - c[0][1] * (c[1][0] * c[2][2] - c[1][2] * c[2][0])
            + c[0][2] * (c[1][0] * c[2][1] - c[1][1] * c[2][0]))
            / det
    };
    Some([solve(0), solve(1), solve(2)])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::VoxelType;

    fn geometry(w: usize, h: usize, d: usize) -> Geometry {
        Geometry::new([w as i64, h as i64, d as i64, 1], VoxelType::Int16).unwrap()
    }

    #[test]
    fn no_codes_gives_nibabels_base_affine() {
        // nibabel: Nifti1Image(np.zeros((4, 5, 6)), None) saved with both
        // codes 0 and zooms (2, 3, 4) loads with this affine.
        let m = Metadata { spacing: [2.0, 3.0, 4.0], ..Metadata::default() };
        let (a, source) = best_with_source(&m, &geometry(4, 5, 6));
        assert_eq!(source, Source::Spacing);
        assert_eq!(a[0], [-2.0, 0.0, 0.0, 3.0]);
        assert_eq!(a[1], [0.0, 3.0, 0.0, -6.0]);
        assert_eq!(a[2], [0.0, 0.0, 4.0, -10.0]);
        assert_eq!(a[3], [0.0, 0.0, 0.0, 1.0]);
    }

    #[test]
    fn sform_wins_over_qform_and_qform_over_spacing() {
        let mut m = Metadata { qform_code: 1, qoffset: [7.0, 8.0, 9.0], ..Metadata::default() };
        m.srow[0][3] = 5.0;
        let g = geometry(2, 2, 2);
        assert_eq!(best_with_source(&m, &g).1, Source::Qform);
        assert_eq!(best(&m, &g)[0][3], 7.0);
        m.sform_code = 2;
        assert_eq!(best_with_source(&m, &g).1, Source::Sform);
        assert_eq!(best(&m, &g)[0][3], 5.0);
    }

    #[test]
    fn apply_and_invert_agree() {
        let mut m = Metadata { sform_code: 1, ..Metadata::default() };
        m.srow = [[0.0, 0.0, -2.0, 10.0], [3.0, 0.0, 0.0, -4.0], [0.0, 1.5, 0.0, 6.0]];
        let a = best(&m, &geometry(3, 3, 3));
        let p = apply(&a, [1.0, 2.0, 3.0]);
        assert_eq!(p, [4.0, -1.0, 9.0]);
        let back = invert_point(&a, p).unwrap();
        for (x, y) in back.iter().zip([1.0, 2.0, 3.0]) {
            assert!((x - y).abs() < 1e-12);
        }
        m.srow = [[0.0; 4]; 3];
        assert_eq!(invert_point(&best(&m, &geometry(1, 1, 1)), [0.0; 3]), None);
    }
}
