//! envdump: what the mxcanvas-client crate reads from `MXCANVAS`, for
//! tests/kit-env.test (the C and Python versions print the same lines).
//!
//!     envdump INDEX [X Y Z T VALUE]
//!
//! Attaches canvas INDEX with `Segment::from_env`, prints what its
//! `Description` says (canvas, zooms, scaling, units, affine) and with
//! X Y Z T VALUE sets voxel (X,Y,Z,T) to VALUE (`Geometry::index`).
//! Exit status: 0 done, 1 MXCANVAS refused or the segment unusable, 2 usage.

use mxcanvas_client::{Geometry, Segment, Voxel, VoxelsMutFn};
use std::process::ExitCode;

struct Set(usize, f64);

impl VoxelsMutFn for Set {
    type Output = ();
    fn apply<T: Voxel>(self, voxels: &mut [T], _: &Geometry) {
        voxels[self.0] = T::from_f64(self.1);
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let numbers: Option<Vec<f64>> = args.iter().map(|a| a.parse::<f64>().ok()).collect();
    let (index, write) = match (args.len(), numbers) {
        (1 | 6, Some(n)) if n.iter().take(5).all(|&v| v >= 0.0 && v.fract() == 0.0) => {
            (n[0] as usize, (n.len() == 6).then(|| (n[1] as usize, n[2] as usize, n[3] as usize, n[4] as usize, n[5])))
        }
        _ => {
            eprintln!("usage: envdump INDEX [X Y Z T VALUE]");
            return ExitCode::from(2);
        }
    };
    let (mut canvas, d) = match Segment::from_env(index) {
        Ok(pair) => pair,
        Err(e) => {
            eprintln!("envdump: {e}");
            return ExitCode::from(1);
        }
    };
    let g = *d.geometry();
    let join = |v: &[f64]| v.iter().map(|x| format!("{x:?}")).collect::<Vec<_>>().join(",");
    println!("canvas={index} shmid={} {g} {}", d.shmid(), d.bytes());
    println!("zooms={}", join(&d.zooms()));
    println!("scaling={}", join(&[d.scaling().slope, d.scaling().inter]));
    println!("units={},{}", d.space_unit(), d.time_unit());
    println!("affine={}", join(&d.affine().concat()));
    if let Some((x, y, z, t, value)) = write {
        if let Err(e) = canvas.apply_mut(Set(g.index(x, y, z, t), value)) {
            eprintln!("envdump: {e}");
            return ExitCode::from(1);
        }
    }
    ExitCode::SUCCESS
}
