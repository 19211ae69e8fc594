//! Slices for looking at: one 2-D plane of a canvas, windowed to 8-bit grey.
//!
//! Plane layout (columns x rows):
//! * axis z (default): x across, y down — the canvas's own memory layout;
//! * axis y: x across, z down;
//! * axis x: y across, z down.
//!
//! With `flip` the rows run the other way (the highest index at the top, as
//! neuroimaging viewers show brains). The window maps `lo` to 0 and `hi` to
//! 255 linearly (rounded), clamping outside values; NaN is 0.

use crate::core::error::MxResult;
use crate::core::{Canvas, MxError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Axis {
    X,
    Y,
    Z,
}

impl Axis {
    pub fn name(self) -> &'static str {
        match self {
            Axis::X => "x",
            Axis::Y => "y",
            Axis::Z => "z",
        }
    }
}

/// Which plane to show and how.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct View {
    pub axis: Axis,
    pub frame: usize,
    pub window: Option<(f64, f64)>,
    pub flip: bool,
}

impl Default for View {
    fn default() -> Self {
        View { axis: Axis::Z, frame: 0, window: None, flip: false }
    }
}

/// An 8-bit greyscale picture, rows top to bottom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grey {
    pub width: usize,
    pub height: usize,
    pub pixels: Vec<u8>,
}

/// The number of slices along `axis`.
pub fn slice_count(canvas: &Canvas, axis: Axis) -> usize {
    let g = canvas.geometry();
    match axis {
        Axis::X => g.width,
        Axis::Y => g.height,
        Axis::Z => g.depth,
    }
}

/// The default slice: the middle one (`count / 2`).
pub fn middle_slice(canvas: &Canvas, axis: Axis) -> usize {
    slice_count(canvas, axis) / 2
}

fn check_index(what: &str, index: i64, count: usize) -> MxResult<usize> {
    if index < 0 || index as u64 >= count as u64 {
        return Err(MxError::mx(
            format!("{what} {index} is outside the canvas: expected {what} from 0 to {}", count - 1),
            &["INDEX", what, &index.to_string()],
        ));
    }
    Ok(index as usize)
}

/// Check a slice index along `axis`.
pub fn check_slice(canvas: &Canvas, axis: Axis, index: i64) -> MxResult<usize> {
    check_index("slice", index, slice_count(canvas, axis))
}

/// Check a frame index.
pub fn check_frame(canvas: &Canvas, frame: i64) -> MxResult<usize> {
    check_index("frame", frame, canvas.geometry().frames)
}

/// The values of one plane, as (columns, rows, values row by row, unflipped).
fn plane(canvas: &Canvas, axis: Axis, index: usize, frame: usize) -> (usize, usize, Vec<f64>) {
    let g = canvas.geometry();
    let (w, h) = match axis {
        Axis::Z => (g.width, g.height),
        Axis::Y => (g.width, g.depth),
        Axis::X => (g.height, g.depth),
    };
    let vtype = canvas.voxel_type();
    let size = vtype.size();
    let bytes = canvas.as_bytes();
    let mut values = Vec::with_capacity(w * h);
    for row in 0..h {
        for col in 0..w {
            let (x, y, z) = match axis {
                Axis::Z => (col, row, index),
                Axis::Y => (col, index, row),
                Axis::X => (index, col, row),
            };
            let at = (((frame * g.depth + z) * g.height + y) * g.width + x) * size;
            values.push(vtype.decode(&bytes[at..at + size]).as_f64());
        }
    }
    (w, h, values)
}

/// The smallest and largest non-NaN value, or None when there is none.
fn value_range<'a>(values: impl Iterator<Item = &'a f64>) -> Option<(f64, f64)> {
    values.filter(|v| !v.is_nan()).fold(None, |acc, &v| match acc {
        None => Some((v, v)),
        Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
    })
}

/// One value as a grey level under the window `lo..hi`.
pub fn grey_level(v: f64, lo: f64, hi: f64) -> u8 {
    if v.is_nan() || v <= lo {
        0
    } else if v >= hi {
        255
    } else {
        ((v - lo) / (hi - lo) * 255.0).round().clamp(0.0, 255.0) as u8
    }
}

fn to_grey(w: usize, h: usize, values: &[f64], (lo, hi): (f64, f64), flip: bool) -> Grey {
    let mut pixels = Vec::with_capacity(w * h);
    for r in 0..h {
        let row = if flip { h - 1 - r } else { r };
        pixels.extend(values[row * w..(row + 1) * w].iter().map(|&v| grey_level(v, lo, hi)));
    }
    Grey { width: w, height: h, pixels }
}

/// Slice `index` of `view.axis` in `view.frame`, windowed by `view.window`
/// or else by the slice's own min..max.
pub fn render(canvas: &Canvas, index: usize, view: &View) -> Grey {
    let (w, h, values) = plane(canvas, view.axis, index, view.frame);
    let window = view.window.or_else(|| value_range(values.iter())).unwrap_or((0.0, 0.0));
    to_grey(w, h, &values, window, view.flip)
}

/// A grid of slices `indices` in `columns` columns (rows as needed), left to
/// right and top to bottom, with one window for all: `view.window` or else
/// the min..max over all the slices shown. Unused cells are black.
pub fn montage(canvas: &Canvas, indices: &[usize], columns: usize, view: &View) -> MxResult<Grey> {
    if indices.is_empty() || columns == 0 {
        return Err(MxError::mx("a montage needs at least one slice and one column", &["MONTAGE", "EMPTY"]));
    }
    let planes: Vec<_> = indices.iter().map(|&i| plane(canvas, view.axis, i, view.frame)).collect();
    let window =
        view.window.or_else(|| value_range(planes.iter().flat_map(|(_, _, v)| v.iter()))).unwrap_or((0.0, 0.0));
    let (tw, th) = (planes[0].0, planes[0].1);
    let columns = columns.min(indices.len());
    let rows = indices.len().div_ceil(columns);
    let too_big = || MxError::mx("the montage would be too large for a PNG", &["MONTAGE", "TOOLARGE"]);
    let width = tw.checked_mul(columns).filter(|&v| v <= i32::MAX as usize).ok_or_else(too_big)?;
    let height = th.checked_mul(rows).filter(|&v| v <= i32::MAX as usize).ok_or_else(too_big)?;
    let total = width.checked_mul(height).ok_or_else(too_big)?;
    let mut pixels = vec![0u8; total];
    for (n, (w, h, values)) in planes.iter().enumerate() {
        let tile = to_grey(*w, *h, values, window, view.flip);
        let (ox, oy) = ((n % columns) * tw, (n / columns) * th);
        for r in 0..th {
            let start = (oy + r) * width + ox;
            pixels[start..start + tw].copy_from_slice(&tile.pixels[r * tw..(r + 1) * tw]);
        }
    }
    Ok(Grey { width, height, pixels })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::{Geometry, Value, VoxelType};

    /// A 3x2x2x2 int16 canvas with value 1000*t + 100*z + 10*y + x.
    fn numbered() -> Canvas {
        let g = Geometry::new([3, 2, 2, 2], VoxelType::Int16).unwrap();
        let mut c = Canvas::new(g, VoxelType::Int16).unwrap();
        for t in 0..2 {
            for z in 0..2 {
                for y in 0..2 {
                    for x in 0..3 {
                        c.set([x, y, z, t], Value::Int((1000 * t + 100 * z + 10 * y + x).into())).unwrap();
                    }
                }
            }
        }
        c
    }

    #[test]
    fn planes_follow_the_documented_layout() {
        let c = numbered();
        assert_eq!(plane(&c, Axis::Z, 1, 1), (3, 2, vec![1100.0, 1101.0, 1102.0, 1110.0, 1111.0, 1112.0]));
        assert_eq!(plane(&c, Axis::Y, 1, 0), (3, 2, vec![10.0, 11.0, 12.0, 110.0, 111.0, 112.0]));
        assert_eq!(plane(&c, Axis::X, 2, 0), (2, 2, vec![2.0, 12.0, 102.0, 112.0]));
    }

    #[test]
    fn window_and_flip() {
        let c = numbered();
        let view = View { window: Some((0.0, 12.0)), ..View::default() };
        let g = render(&c, 0, &view);
        assert_eq!(g.pixels, [0, 21, 43, 213, 234, 255]);
        let g = render(&c, 0, &View { flip: true, ..view });
        assert_eq!(g.pixels, [213, 234, 255, 0, 21, 43]);
        // default window: the slice's own min..max
        let g = render(&c, 1, &View::default());
        assert_eq!((g.pixels[0], g.pixels[5]), (0, 255));
    }

    #[test]
    fn grey_levels() {
        assert_eq!(grey_level(f64::NAN, 0.0, 1.0), 0);
        assert_eq!(grey_level(-5.0, 0.0, 1.0), 0);
        assert_eq!(grey_level(0.5, 0.0, 1.0), 128);
        assert_eq!(grey_level(7.0, 3.0, 3.0), 255);
        assert_eq!(grey_level(3.0, 3.0, 3.0), 0);
    }

    #[test]
    fn montage_tiles_in_reading_order() {
        let c = numbered();
        let view = View { window: Some((0.0, 255.0)), axis: Axis::X, ..View::default() };
        let m = montage(&c, &[0, 1, 2], 2, &view).unwrap();
        assert_eq!((m.width, m.height), (4, 4));
        // tile 0 (x=0) top-left, tile 1 (x=1) top-right, tile 2 (x=2) bottom-left, bottom-right black
        assert_eq!(&m.pixels[0..4], &[0, 10, 1, 11]);
        assert_eq!(&m.pixels[4..8], &[100, 110, 101, 111]);
        assert_eq!(&m.pixels[8..12], &[2, 12, 0, 0]);
        assert_eq!(&m.pixels[12..16], &[102, 112, 0, 0]);
        assert!(montage(&c, &[], 2, &view).is_err());
    }
}
