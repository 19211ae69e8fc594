//! Which voxels make which picture: the viewer's planes in world or voxel
//! orientation. Index arithmetic only: a plane is a voxel axis across the
//! picture and one down it, each run forwards or backwards, so a volume
//! stored as RAS, LPS, PIR or any other axis order shows the same picture
//! without resampling (as FSLeyes and ITK-SNAP show it).
//!
//! World orientation (the default): each voxel axis goes to the world axis
//! its direction is nearest to, as nibabel's `io_orientation` assigns them
//! (the affine's 3x3 part with unit columns, made orthogonal by its polar
//! factor, then greedily by the largest component, voxel axis by voxel axis).
//! The planes, with world x = left to right of the subject (R+), y =
//! posterior to anterior (A+), z = inferior to superior (S+):
//! * axial (`z`): across R to L (radiological: the subject's left on the
//!   screen's right) or L to R (neurological); down A to P;
//! * coronal (`y`): across as axial; down S to I;
//! * sagittal (`x`): across A to P; down S to I.
//!
//! Voxel orientation: today's layout of [`super`] (axis z: x across, y down;
//! y: x across, z down; x: y across, z down), `flip` running rows upwards.

use super::Axis;
use crate::core::affine::Affine;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Orientation {
    World,
    Voxel,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Convention {
    Radiological,
    Neurological,
}

/// For each world axis (x, y, z): the voxel axis nearest to it and whether
/// that voxel index grows towards the world axis's positive end; and each
/// voxel axis's length in mm (the affine's column norms).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Axes {
    pub of_world: [(usize, bool); 3],
    pub mm: [f64; 3],
}

/// One direction of a plane: a voxel axis, run forwards (index 0 first) or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Run {
    pub axis: usize,
    pub forward: bool,
}

/// A plane: the voxel axis across the picture, the one down it, the slice's
/// own axis, and the mm a voxel covers across and down (1 and 1 in voxel
/// orientation, which keeps voxels square).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Plane {
    pub across: Run,
    pub down: Run,
    pub normal: usize,
    pub mm: (f64, f64),
}

impl Plane {
    /// Today's voxel-orientation plane of `axis`.
    pub fn voxel(axis: Axis, flip: bool) -> Plane {
        let (across, down, normal) = match axis {
            Axis::Z => (0, 1, 2),
            Axis::Y => (0, 2, 1),
            Axis::X => (1, 2, 0),
        };
        Plane {
            across: Run { axis: across, forward: true },
            down: Run { axis: down, forward: !flip },
            normal,
            mm: (1.0, 1.0),
        }
    }

    /// The world-orientation plane whose normal is world axis `axis`.
    pub fn world(axes: &Axes, axis: Axis, convention: Convention) -> Plane {
        // (world axis, towards its positive end?) across and down.
        let lr = (0, convention == Convention::Neurological);
        let ((wa, pa), (wd, pd), normal) = match axis {
            Axis::Z => (lr, (1, false), 2),
            Axis::Y => (lr, (2, false), 1),
            Axis::X => ((1, false), (2, false), 0),
        };
        let run = |w: usize, positive: bool| {
            let (axis, grows) = axes.of_world[w];
            Run { axis, forward: grows == positive }
        };
        let (across, down) = (run(wa, pa), run(wd, pd));
        Plane { across, down, normal: axes.of_world[normal].0, mm: (axes.mm[across.axis], axes.mm[down.axis]) }
    }
}

/// nibabel's `io_orientation` for an affine's 3x3 part, and the voxel sizes.
/// A degenerate affine (a zero or non-finite column) falls back to the
/// identity assignment with 1 mm voxels.
// Matrix code: rows and columns by index read as the mathematics does.
#[allow(clippy::needless_range_loop)]
pub fn axes(a: &Affine) -> Axes {
    let identity = Axes { of_world: [(0, true), (1, true), (2, true)], mm: [1.0; 3] };
    let mm = [0, 1, 2].map(|j| (a[0][j] * a[0][j] + a[1][j] * a[1][j] + a[2][j] * a[2][j]).sqrt());
    if mm.iter().any(|&m| !m.is_finite() || m <= 0.0) {
        return identity;
    }
    // Unit columns.
    let mut r = [[0.0; 3]; 3];
    for i in 0..3 {
        for j in 0..3 {
            r[i][j] = a[i][j] / mm[j];
        }
    }
    let r = polar(r).unwrap_or(r);
    // World row -> (voxel axis, sign), voxel axis by voxel axis.
    let mut of_world = [None; 3];
    let mut used = [false; 3];
    for j in 0..3 {
        // The first of equal largest, as numpy's argmax.
        let best = (0..3).filter(|&i| !used[i]).fold(None, |b: Option<usize>, i| match b {
            Some(k) if r[k][j].abs() >= r[i][j].abs() => Some(k),
            _ => Some(i),
        });
        let Some(i) = best else { return identity };
        if r[i][j] == 0.0 {
            return identity;
        }
        used[i] = true;
        of_world[i] = Some((j, r[i][j] > 0.0));
    }
    match of_world {
        [Some(x), Some(y), Some(z)] => Axes { of_world: [x, y, z], mm },
        _ => identity,
    }
}

/// The orthogonal polar factor of `m` (`P @ Q` of its SVD `P S Q`, what
/// nibabel computes), by Newton's iteration `X <- (X + X^-T) / 2`, which
/// converges quadratically for an invertible matrix.
fn polar(m: [[f64; 3]; 3]) -> Option<[[f64; 3]; 3]> {
    let mut x = m;
    for _ in 0..60 {
        let inv_t = inverse_transpose(x)?;
        let mut next = [[0.0; 3]; 3];
        let mut change: f64 = 0.0;
        for i in 0..3 {
            for j in 0..3 {
                next[i][j] = (x[i][j] + inv_t[i][j]) / 2.0;
                change = change.max((next[i][j] - x[i][j]).abs());
            }
        }
        x = next;
        if change < 1e-14 {
            break;
        }
    }
    x.iter().flatten().all(|v| v.is_finite()).then_some(x)
}

fn inverse_transpose(m: [[f64; 3]; 3]) -> Option<[[f64; 3]; 3]> {
    let cof = |i: usize, j: usize| {
        let (r0, r1) = ((i + 1) % 3, (i + 2) % 3);
        let (c0, c1) = ((j + 1) % 3, (j + 2) % 3);
        m[r0][c0] * m[r1][c1] - m[r0][c1] * m[r1][c0]
    };
    let det = m[0][0] * cof(0, 0) + m[0][1] * cof(0, 1) + m[0][2] * cof(0, 2);
    if det == 0.0 || !det.is_finite() {
        return None;
    }
    // (M^-1)^T = cofactor matrix / det.
    let mut out = [[0.0; 3]; 3];
    for (i, row) in out.iter_mut().enumerate() {
        for (j, v) in row.iter_mut().enumerate() {
            *v = cof(i, j) / det;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn affine(m: [[f64; 3]; 3]) -> Affine {
        let mut a = [[0.0, 0.0, 0.0, 1.0]; 4];
        for i in 0..3 {
            a[i] = [m[i][0], m[i][1], m[i][2], 7.0];
        }
        a
    }

    #[test]
    fn ras_lps_and_pir_axes() {
        let ras = axes(&affine([[2.0, 0.0, 0.0], [0.0, 3.0, 0.0], [0.0, 0.0, 4.0]]));
        assert_eq!(ras.of_world, [(0, true), (1, true), (2, true)]);
        assert_eq!(ras.mm, [2.0, 3.0, 4.0]);
        let lps = axes(&affine([[-1.0, 0.0, 0.0], [0.0, -1.0, 0.0], [0.0, 0.0, 1.0]]));
        assert_eq!(lps.of_world, [(0, false), (1, false), (2, true)]);
        // PIR: voxel i runs posterior, j inferior, k right.
        let pir = axes(&affine([[0.0, 0.0, 1.0], [-1.0, 0.0, 0.0], [0.0, -1.0, 0.0]]));
        assert_eq!(pir.of_world, [(2, true), (0, false), (1, false)]);
    }

    #[test]
    fn oblique_axes_go_to_the_nearest_world_axis() {
        // 20 degrees about z: voxel i is still mostly R, j mostly A.
        let (c, s) = (20f64.to_radians().cos(), 20f64.to_radians().sin());
        let a = axes(&affine([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]]));
        assert_eq!(a.of_world, [(0, true), (1, true), (2, true)]);
        assert!((a.mm[0] - 1.0).abs() < 1e-12);
    }

    #[test]
    fn degenerate_affines_fall_back_to_voxel_axes() {
        let a = axes(&affine([[0.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]));
        assert_eq!(a.of_world, [(0, true), (1, true), (2, true)]);
        assert_eq!(a.mm, [1.0; 3]);
        let a = axes(&affine([[f64::NAN, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]));
        assert_eq!(a.mm, [1.0; 3]);
    }

    #[test]
    fn world_planes_put_anterior_and_superior_on_top() {
        let ras = axes(&affine([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 3.0]]));
        let p = Plane::world(&ras, Axis::Z, Convention::Radiological);
        // radiological: columns from R (high x index) to L; rows from A (high y)
        assert_eq!((p.across, p.down, p.normal), (Run { axis: 0, forward: false }, Run { axis: 1, forward: false }, 2));
        let p = Plane::world(&ras, Axis::Z, Convention::Neurological);
        assert_eq!(p.across, Run { axis: 0, forward: true });
        let p = Plane::world(&ras, Axis::Y, Convention::Radiological);
        assert_eq!((p.down, p.mm), (Run { axis: 2, forward: false }, (1.0, 3.0)));
        let p = Plane::world(&ras, Axis::X, Convention::Radiological);
        assert_eq!((p.across, p.down, p.normal), (Run { axis: 1, forward: false }, Run { axis: 2, forward: false }, 0));
    }

    #[test]
    fn voxel_planes_are_todays() {
        assert_eq!(
            Plane::voxel(Axis::X, true),
            Plane {
                across: Run { axis: 1, forward: true },
                down: Run { axis: 2, forward: false },
                normal: 0,
                mm: (1.0, 1.0)
            }
        );
    }
}
