//! The `MXCANVAS` description (docs/mxcanvas-env.md, version 1): one line
//! per canvas handed to a tool by `mx::exec`, telling it the geometry,
//! voxel type, spacing, voxel-to-world affine and value scaling, so that a
//! tool gets them from the one place that knows them (the canvas's header,
//! [`super::affine::best`]) instead of from an argument convention.

use super::affine;
use super::Canvas;
use std::fmt::Write;

/// The first line of every description: the format's name and version.
pub const HEADER: &str = "mxcanvas 1\n";

/// A number as the format spells it: integers as integers, other reals in
/// the shortest form that reads back as the same double (`strtod`), and
/// `nan`, `inf`, `-inf`.
pub fn number(v: f64) -> String {
    if v.is_nan() {
        return "nan".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "inf" } else { "-inf" }.into();
    }
    // `+ 0.0`: -0 (a zero rotation term) is written 0.
    let v = v + 0.0;
    if v.fract() == 0.0 && v.abs() < 1e15 {
        return format!("{}", v as i64);
    }
    // Rust's `{}` and `{:e}` are both shortest round-trip forms; the plain
    // one for ordinary magnitudes, the exponent one for the rest.
    if (1e-4..1e15).contains(&v.abs()) {
        format!("{v}")
    } else {
        format!("{v:e}")
    }
}

fn numbers(values: impl IntoIterator<Item = f64>) -> String {
    values.into_iter().map(number).collect::<Vec<_>>().join(",")
}

/// The line `canvas INDEX shmid=...` for `canvas`, handed over as segment
/// `shmid` (with its newline).
pub fn canvas_line(index: usize, shmid: i32, canvas: &Canvas) -> String {
    let g = canvas.geometry();
    let m = canvas.metadata();
    let (slope, inter) = m.effective_scaling().unwrap_or((1.0, 0.0));
    let a = affine::best(m, &g);
    let mut line = format!(
        "canvas {index} shmid={shmid} width={} height={} depth={} frames={} type={} bytes={}",
        g.width,
        g.height,
        g.depth,
        g.frames,
        canvas.voxel_type().name(),
        canvas.bytes()
    );
    // Writing into a String cannot fail.
    let _ = writeln!(
        line,
        " spacing={} tstep={} units={},{} slope={} inter={} affine={}",
        numbers(m.spacing.iter().map(|&v| v as f64)),
        number(m.tstep as f64),
        m.spatial_unit(),
        m.time_unit(),
        number(slope),
        number(inter),
        numbers(a.iter().flatten().copied())
    );
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::{Geometry, VoxelType};

    #[test]
    fn numbers_read_back_exactly() {
        for v in [0.0754f32 as f64, 3100.8f32 as f64, 1e-7, 1.5e300, -2.5, 1e20, 123456.789, f64::MIN_POSITIVE] {
            let text = number(v);
            assert_eq!(text.parse::<f64>().unwrap(), v, "{text}");
            assert!(!text.contains(' '));
        }
        assert_eq!(number(4.0), "4");
        assert_eq!(number(-0.0), "0");
        assert_eq!(number(-126.0), "-126");
        assert_eq!(number(f64::NAN), "nan");
        assert_eq!(number(f64::INFINITY), "inf");
        assert_eq!(number(f64::NEG_INFINITY), "-inf");
    }

    #[test]
    fn a_default_canvas_line() {
        let g = Geometry::new([4, 3, 2, 1], VoxelType::Int16).unwrap();
        let c = Canvas::new(g, VoxelType::Int16).unwrap();
        assert_eq!(
            canvas_line(0, 7, &c),
            "canvas 0 shmid=7 width=4 height=3 depth=2 frames=1 type=int16 bytes=48 spacing=1,1,1 tstep=1 \
             units=unknown,unknown slope=1 inter=0 affine=-1,0,0,1.5,0,1,0,-1,0,0,1,-0.5,0,0,0,1\n"
        );
    }
}
