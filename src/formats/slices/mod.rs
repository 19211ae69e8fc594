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
//!
//! Pictures are never built in memory: a [`Tiles`] (one slice, or a montage
//! of many) computes any run of pixels of any row from the canvas when asked,
//! so the PNG encoder and Tk's byte array take them piece by piece. Nothing
//! the size of the picture (or, as before, a plane of f64 per slice) is
//! allocated, whatever the canvas or the number of slices.

pub mod orient;
pub mod render;
pub mod window;

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

/// The largest side of a picture: PNG and Tk both count pixels in signed
/// 32-bit integers.
pub const MAX_SIDE: usize = i32::MAX as usize;

/// (columns, rows) of one plane along `axis`.
fn plane_size(canvas: &Canvas, axis: Axis) -> (usize, usize) {
    let g = canvas.geometry();
    match axis {
        Axis::Z => (g.width, g.height),
        Axis::Y => (g.width, g.depth),
        Axis::X => (g.height, g.depth),
    }
}

/// The byte offset of column `col`, row `row` (unflipped) of slice `index`
/// along `axis` in `frame`, and the bytes from one column to the next.
fn locate(canvas: &Canvas, axis: Axis, frame: usize, index: usize, col: usize, row: usize) -> (usize, usize) {
    let g = canvas.geometry();
    let size = canvas.voxel_type().size();
    let (x, y, z, step) = match axis {
        Axis::Z => (col, row, index, 1),
        Axis::Y => (col, index, row, 1),
        Axis::X => (index, col, row, g.width),
    };
    ((((frame * g.depth + z) * g.height + y) * g.width + x) * size, step * size)
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

/// The smallest and largest non-NaN value of the slices `indices` (each read
/// once, however often it is listed), or None when there is none.
fn value_range(canvas: &Canvas, indices: &[usize], view: &View) -> MxResult<Option<(f64, f64)>> {
    let mut distinct = crate::core::limits::try_vec(indices.len(), "the list of slices")?;
    distinct.extend_from_slice(indices);
    distinct.sort_unstable();
    distinct.dedup();
    let (w, h) = plane_size(canvas, view.axis);
    let vtype = canvas.voxel_type();
    let (size, bytes) = (vtype.size(), canvas.as_bytes());
    let mut range: Option<(f64, f64)> = None;
    for &index in &distinct {
        for row in 0..h {
            let (start, step) = locate(canvas, view.axis, view.frame, index, 0, row);
            for col in 0..w {
                let at = start + col * step;
                let v = vtype.decode(&bytes[at..at + size]).as_f64();
                if !v.is_nan() {
                    range = Some(range.map_or((v, v), |(lo, hi)| (lo.min(v), hi.max(v))));
                }
            }
        }
    }
    Ok(range)
}

/// A picture of slices of one canvas: `indices` in a grid of `columns`
/// columns (rows as needed), left to right and top to bottom, windowed to
/// grey; unused cells are black. One slice is a grid of one. The pixels are
/// computed from the canvas when [`fill_row`](Tiles::fill_row) asks for them.
pub struct Tiles<'a> {
    canvas: &'a Canvas,
    indices: Vec<usize>,
    columns: usize,
    view: View,
    window: (f64, f64),
    tile: (usize, usize),
    width: usize,
    height: usize,
}

impl<'a> Tiles<'a> {
    /// Slice `index` of `view.axis` in `view.frame`, windowed by `view.window`
    /// or else by the slice's own min..max.
    pub fn slice(canvas: &'a Canvas, index: usize, view: &View) -> MxResult<Tiles<'a>> {
        Tiles::grid(canvas, vec![index], 1, view)
    }

    /// A montage, with one window for all: `view.window` or else the min..max
    /// over all the slices shown. Its size is checked before anything is read.
    pub fn grid(canvas: &'a Canvas, indices: Vec<usize>, columns: usize, view: &View) -> MxResult<Tiles<'a>> {
        if indices.is_empty() || columns == 0 {
            return Err(MxError::mx("a montage needs at least one slice and one column", &["MONTAGE", "EMPTY"]));
        }
        let (tw, th) = plane_size(canvas, view.axis);
        let columns = columns.min(indices.len());
        let rows = indices.len().div_ceil(columns);
        let side = |tile: usize, count: usize, what: &str| {
            tile.checked_mul(count).filter(|&v| v <= MAX_SIDE).ok_or_else(|| {
                MxError::mx(
                    format!(
                        "the picture would be {tile} x {count} = {} pixels {what}: expected at most {MAX_SIDE} (PNG and Tk count in 32 bits)",
                        tile as u128 * count as u128
                    ),
                    &["PICTURE", "TOOLARGE"],
                )
            })
        };
        let width = side(tw, columns, "wide")?;
        let height = side(th, rows, "high")?;
        let window = match view.window {
            Some(w) => w,
            None => value_range(canvas, &indices, view)?.unwrap_or((0.0, 0.0)),
        };
        Ok(Tiles { canvas, indices, columns, view: *view, window, tile: (tw, th), width, height })
    }

    pub fn width(&self) -> usize {
        self.width
    }

    pub fn height(&self) -> usize {
        self.height
    }

    /// The number of pixels, which may exceed `usize` on 32-bit systems.
    pub fn pixel_count(&self) -> u64 {
        self.width as u64 * self.height as u64
    }

    /// Fill `out` with the pixels of row `y` (0 at the top), from column `x0` on.
    pub fn fill_row(&self, y: usize, x0: usize, out: &mut [u8]) {
        let (tw, th) = self.tile;
        let grid_row = y / th;
        let ty = if self.view.flip { th - 1 - y % th } else { y % th };
        let vtype = self.canvas.voxel_type();
        let (size, bytes) = (vtype.size(), self.canvas.as_bytes());
        let (lo, hi) = self.window;
        let mut done = 0;
        while done < out.len() {
            let x = x0 + done;
            let (col, tx) = (x / tw, x % tw);
            let run = (tw - tx).min(out.len() - done);
            let dst = &mut out[done..done + run];
            match self.indices.get(grid_row * self.columns + col) {
                Some(&index) => {
                    let (start, step) = locate(self.canvas, self.view.axis, self.view.frame, index, tx, ty);
                    for (i, pixel) in dst.iter_mut().enumerate() {
                        let at = start + i * step;
                        *pixel = grey_level(vtype.decode(&bytes[at..at + size]).as_f64(), lo, hi);
                    }
                }
                None => dst.fill(0),
            }
            done += run;
        }
    }

    /// Every pixel, rows top to bottom, into `out` (exactly `pixel_count` long).
    pub fn fill_all(&self, out: &mut [u8]) {
        if self.width == 0 {
            return;
        }
        for (y, row) in out.chunks_exact_mut(self.width).enumerate() {
            self.fill_row(y, 0, row);
        }
    }

    /// Every pixel in a new buffer, allocated fallibly (`MX ALLOC`).
    pub fn pixels(&self) -> MxResult<Vec<u8>> {
        let len = self.width * self.height; // both <= MAX_SIDE, so no overflow on 64-bit
        let mut out = crate::sys::alloc::zeroed_bytes(len)
            .ok_or_else(|| crate::core::limits::alloc_failed(len, "the picture's pixels"))?;
        self.fill_all(&mut out);
        Ok(out)
    }
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

    /// The raw values of a plane, through the same addressing as the pictures.
    fn plane(c: &Canvas, axis: Axis, index: usize, frame: usize) -> (usize, usize, Vec<f64>) {
        let (w, h) = plane_size(c, axis);
        let mut values = vec![];
        for row in 0..h {
            let (start, step) = locate(c, axis, frame, index, 0, row);
            for col in 0..w {
                let at = start + col * step;
                values.push(c.voxel_type().decode(&c.as_bytes()[at..at + 2]).as_f64());
            }
        }
        (w, h, values)
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
        let g = Tiles::slice(&c, 0, &view).unwrap();
        assert_eq!(g.pixels().unwrap(), [0, 21, 43, 213, 234, 255]);
        let g = Tiles::slice(&c, 0, &View { flip: true, ..view }).unwrap();
        assert_eq!(g.pixels().unwrap(), [213, 234, 255, 0, 21, 43]);
        // default window: the slice's own min..max
        let p = Tiles::slice(&c, 1, &View::default()).unwrap().pixels().unwrap();
        assert_eq!((p[0], p[5]), (0, 255));
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
        let m = Tiles::grid(&c, vec![0, 1, 2], 2, &view).unwrap();
        assert_eq!((m.width(), m.height()), (4, 4));
        let p = m.pixels().unwrap();
        // tile 0 (x=0) top-left, tile 1 (x=1) top-right, tile 2 (x=2) bottom-left, bottom-right black
        assert_eq!(&p[0..4], &[0, 10, 1, 11]);
        assert_eq!(&p[4..8], &[100, 110, 101, 111]);
        assert_eq!(&p[8..12], &[2, 12, 0, 0]);
        assert_eq!(&p[12..16], &[102, 112, 0, 0]);
        // any run of a row is the same pixels as the whole row
        let mut run = [9u8; 3];
        m.fill_row(1, 1, &mut run);
        assert_eq!(run, [110, 101, 111]);
        assert!(Tiles::grid(&c, vec![], 2, &view).is_err());
    }

    #[test]
    fn default_window_spans_every_slice_shown() {
        let c = numbered();
        let m = Tiles::grid(&c, vec![0, 0, 1], 3, &View::default()).unwrap();
        let p = m.pixels().unwrap();
        // slice 0 holds 0..12, slice 1 100..112 (its 112 at x 2, y 1, the
        // picture's column 8 of row 1): 0 is black, 112 white, 102 in between
        assert_eq!((p[0], p[9 + 8], p[8]), (0, 255, 232));
    }

    #[test]
    fn oversized_grids_are_refused_before_reading() {
        // 2^30 x 1 uint8: 1 GiB reserved but never touched (calloc'd pages)
        let g = Geometry::new([1 << 30, 1, 1, 1], VoxelType::Uint8).unwrap();
        let c = Canvas::new(g, VoxelType::Uint8).unwrap();
        let e = Tiles::grid(&c, vec![0, 0, 0], 3, &View::default()).err().unwrap();
        assert_eq!(e.code, ["MX", "PICTURE", "TOOLARGE"]);
        assert!(e.message.contains("2147483647"), "{}", e.message);
    }
}
