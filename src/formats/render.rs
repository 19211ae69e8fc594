//! Slices for the viewer (`mx::view`): one plane of a canvas as RGBA pixels,
//! windowed, coloured, zoomed and with an optional overlay blended on top.
//! Safe Rust, no Tcl or Tk: `crate::commands::view` hands the result to a Tk
//! photo in one block.
//!
//! The plane's layout and `flip` are those of [`super::slice`] (`$c png`).
//! Colour, for a value `v` under the window `lo..hi` with grey level
//! `g = slice::grey_level(v, lo, hi)` (0..255, NaN is 0):
//! * `grey`: `(g, g, g)`;
//! * `hot`: `(min(255, 3g), clamp(3g - 255), clamp(3g - 510))`, black → red →
//!   yellow → white;
//! * `labels`: the window is not used; `v` rounded to an integer `n`;
//!   `n = 0` (and NaN) is transparent, any other `n` takes
//!   `PALETTE[(n - 1) mod 12]`.
//!
//! A base pixel that is transparent is black. An overlay pixel is
//! transparent where its grey level is 0 (grey, hot) or its label is 0; an
//! opaque one is blended per channel with `a = round(alpha * 255)` as
//! `out = (base * (255 - a) + over * a + 127) / 255` (integer division).
//! Zoom `k` repeats every pixel as a k x k block (nearest neighbour).

use super::slice::{grey_level, Axis};
use crate::core::error::MxResult;
use crate::core::stats::stats;
use crate::core::{Canvas, MxError, VoxelType};
use crate::sys::alloc::zeroed_bytes;

/// The label colours: twelve well-separated hues (after S. Trubetskoy's
/// "20 distinct colours"), in this order.
pub const PALETTE: [[u8; 3]; 12] = [
    [230, 25, 75],
    [60, 180, 75],
    [255, 225, 25],
    [0, 130, 200],
    [245, 130, 48],
    [145, 30, 180],
    [70, 240, 240],
    [240, 50, 230],
    [210, 245, 60],
    [250, 190, 212],
    [0, 128, 128],
    [170, 110, 40],
];

/// The largest picture handed to Tk, in bytes (Tk computes offsets in `int`).
pub const MAX_PICTURE_BYTES: usize = i32::MAX as usize;

/// The largest picture side: X11 window and pixmap sizes are 16-bit.
pub const MAX_PICTURE_SIDE: usize = 32767;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Colormap {
    Grey,
    Hot,
    Labels,
}

impl Colormap {
    /// In the alphabetical order of the option's name table.
    pub const ALL: [Colormap; 3] = [Colormap::Grey, Colormap::Hot, Colormap::Labels];
}

/// How one canvas is coloured: its window (None: the frame's min..max) and colormap.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Layer {
    pub window: Option<(f64, f64)>,
    pub colormap: Colormap,
}

/// What to draw: which plane, how large, and how the overlay is mixed in.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spec {
    pub axis: Axis,
    pub index: usize,
    pub frame: usize,
    pub flip: bool,
    pub zoom: usize,
    pub base: Layer,
    pub overlay: Layer,
    pub alpha: f64,
}

/// An RGBA picture, 4 bytes a pixel, rows top to bottom; alpha is always 255.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rgba {
    pub width: usize,
    pub height: usize,
    pub pixels: Vec<u8>,
}

/// The plane's size (columns, rows) for `axis`.
pub fn plane_size(canvas: &Canvas, axis: Axis) -> (usize, usize) {
    let g = canvas.geometry();
    match axis {
        Axis::Z => (g.width, g.height),
        Axis::Y => (g.width, g.depth),
        Axis::X => (g.height, g.depth),
    }
}

/// The window a layer uses: its own, or the min..max of the frame shown
/// (NaN skipped; (0, 0) when there is nothing but NaN).
pub fn effective_window(canvas: &Canvas, frame: usize, layer: &Layer) -> (f64, f64) {
    if let Some(w) = layer.window {
        return w;
    }
    let frame_bytes = canvas.bytes() / canvas.geometry().frames;
    let s = stats(canvas.voxel_type(), &canvas.as_bytes()[frame * frame_bytes..(frame + 1) * frame_bytes]);
    let (lo, hi) = (s.min.as_f64(), s.max.as_f64());
    if lo.is_nan() || hi.is_nan() {
        (0.0, 0.0)
    } else {
        (lo, hi)
    }
}

/// The colours of one layer: a table by grey level for grey and hot, so
/// that a pixel costs one window computation and one lookup. Alpha 0 marks
/// a transparent colour.
struct Painter {
    map: Colormap,
    lo: f64,
    hi: f64,
    by_level: [[u8; 4]; 256],
}

impl Painter {
    fn new(map: Colormap, (lo, hi): (f64, f64)) -> Painter {
        let mut by_level = [[0u8; 4]; 256];
        for (g, slot) in by_level.iter_mut().enumerate().skip(1) {
            let g = g as i32;
            let c = |x: i32| x.clamp(0, 255) as u8;
            *slot = match map {
                Colormap::Hot => [c(3 * g), c(3 * g - 255), c(3 * g - 510), 255],
                _ => [g as u8, g as u8, g as u8, 255],
            };
        }
        Painter { map, lo, hi, by_level }
    }

    #[inline]
    fn paint(&self, v: f64) -> [u8; 4] {
        match self.map {
            Colormap::Labels => {
                if v.is_nan() {
                    return [0; 4];
                }
                // `as` saturates; labels far outside i64 are no real labels anyway.
                let n = v.round() as i64;
                if n == 0 {
                    return [0; 4];
                }
                let [r, g, b] = PALETTE[(n as i128 - 1).rem_euclid(PALETTE.len() as i128) as usize];
                [r, g, b, 255]
            }
            _ => self.by_level[grey_level(v, self.lo, self.hi) as usize],
        }
    }
}

/// One value's colour, or None when it is transparent.
#[cfg(test)]
fn colour(v: f64, map: Colormap, window: (f64, f64)) -> Option<[u8; 3]> {
    let [r, g, b, a] = Painter::new(map, window).paint(v);
    (a != 0).then_some([r, g, b])
}

/// `out = (base * (255 - a) + over * a + 127) / 255`, per channel.
pub fn blend(base: [u8; 3], over: [u8; 3], a: u8) -> [u8; 3] {
    let mix = |b: u8, o: u8| ((b as u32 * (255 - a as u32) + o as u32 * a as u32 + 127) / 255) as u8;
    [mix(base[0], over[0]), mix(base[1], over[1]), mix(base[2], over[2])]
}

/// The values of plane row `row` into `out`: one typed loop per voxel type
/// (the per-voxel `VoxelType::decode` match would dominate a redraw).
fn plane_row(canvas: &Canvas, spec: &Spec, row: usize, out: &mut [f64]) {
    let g = canvas.geometry();
    let vtype = canvas.voxel_type();
    // The row's first voxel and the step between its voxels, in voxels.
    let (start, step) = match spec.axis {
        Axis::Z => (((spec.frame * g.depth + spec.index) * g.height + row) * g.width, 1),
        Axis::Y => (((spec.frame * g.depth + row) * g.height + spec.index) * g.width, 1),
        Axis::X => (((spec.frame * g.depth + row) * g.height) * g.width + spec.index, g.width),
    };
    let bytes = canvas.as_bytes();
    macro_rules! typed {
        ($t:ty) => {{
            const N: usize = std::mem::size_of::<$t>();
            for (i, slot) in out.iter_mut().enumerate() {
                let at = (start + i * step) * N;
                let mut b = [0u8; N];
                b.copy_from_slice(&bytes[at..at + N]);
                *slot = <$t>::from_ne_bytes(b) as f64;
            }
        }};
    }
    match vtype {
        VoxelType::Uint8 => typed!(u8),
        VoxelType::Int8 => typed!(i8),
        VoxelType::Uint16 => typed!(u16),
        VoxelType::Int16 => typed!(i16),
        VoxelType::Uint32 => typed!(u32),
        VoxelType::Int32 => typed!(i32),
        VoxelType::Float32 => typed!(f32),
        VoxelType::Float64 => typed!(f64),
        #[allow(unreachable_patterns)]
        _ => {
            let size = vtype.size();
            for (i, slot) in out.iter_mut().enumerate() {
                let at = (start + i * step) * size;
                *slot = vtype.decode(&bytes[at..at + size]).as_f64();
            }
        }
    }
}

fn alloc_error(bytes: usize) -> MxError {
    MxError::mx(format!("cannot allocate {bytes} bytes for the view"), &["ALLOC", &bytes.to_string()])
}

/// A vector of `n` copies of `v`, or `MX ALLOC` when the allocator refuses.
fn filled<T: Clone>(n: usize, v: T) -> MxResult<Vec<T>> {
    let mut out = Vec::new();
    out.try_reserve_exact(n).map_err(|_| alloc_error(n.saturating_mul(std::mem::size_of::<T>())))?;
    out.resize(n, v);
    Ok(out)
}

fn too_large(what: String) -> MxError {
    MxError::mx(
        format!("the view would be too large: {what}, more than the {MAX_PICTURE_BYTES} bytes a Tk photo block takes"),
        &["VIEW", "TOOLARGE"],
    )
}

/// Draw `spec` of `base`, with `overlay` (same geometry, checked by the
/// caller) blended on top when given. The caller checks index and frame.
pub fn render(base: &Canvas, overlay: Option<&Canvas>, spec: &Spec) -> MxResult<Rgba> {
    let (w, h) = plane_size(base, spec.axis);
    let k = spec.zoom.max(1);
    let side = |n: usize| n.checked_mul(k).filter(|&v| v <= MAX_PICTURE_SIDE);
    let (Some(wide), Some(high)) = (side(w), side(h)) else {
        return Err(MxError::mx(
            format!(
                "the view would be too large: {w}x{h} pixels at zoom {k}, more than {MAX_PICTURE_SIDE} pixels a side (the X11 limit)"
            ),
            &["VIEW", "TOOLARGE"],
        ));
    };
    let bytes = wide
        .checked_mul(high)
        .and_then(|v| v.checked_mul(4))
        .filter(|&v| v <= MAX_PICTURE_BYTES)
        .ok_or_else(|| too_large(format!("{w}x{h} pixels at zoom {k}")))?;
    let mut pixels = zeroed_bytes(bytes).ok_or_else(|| alloc_error(bytes))?;
    let base_paint = Painter::new(spec.base.colormap, effective_window(base, spec.frame, &spec.base));
    let over_paint =
        overlay.map(|o| Painter::new(spec.overlay.colormap, effective_window(o, spec.frame, &spec.overlay)));
    let a = (spec.alpha.clamp(0.0, 1.0) * 255.0).round() as u8;
    let row_bytes = w * k * 4;
    let mut values = filled(w, 0f64)?;
    let mut over_values = filled(if overlay.is_some() { w } else { 0 }, 0f64)?;
    let mut line = filled(if k > 1 { w * 4 } else { 0 }, 0u8)?;
    for r in 0..h {
        let row = if spec.flip { h - 1 - r } else { r };
        plane_row(base, spec, row, &mut values);
        if let Some(o) = overlay {
            plane_row(o, spec, row, &mut over_values);
        }
        let first = r * k * row_bytes;
        // At zoom 1 the row is painted in place; otherwise once into `line`
        // and then widened into the k output rows.
        let target: &mut [u8] = if k == 1 { &mut pixels[first..first + row_bytes] } else { &mut line };
        for (col, (px, &v)) in target.chunks_exact_mut(4).zip(values.iter()).enumerate() {
            let mut c = base_paint.paint(v);
            if let Some(op) = &over_paint {
                let o = op.paint(over_values[col]);
                if o[3] != 0 {
                    let [r, g, b] = blend([c[0], c[1], c[2]], [o[0], o[1], o[2]], a);
                    c = [r, g, b, 255];
                }
            }
            px.copy_from_slice(&[c[0], c[1], c[2], 255]);
        }
        if k > 1 {
            let out = &mut pixels[first..first + row_bytes];
            for (dst, src) in out.chunks_exact_mut(4 * k).zip(line.chunks_exact(4)) {
                for p in dst.chunks_exact_mut(4) {
                    p.copy_from_slice(src);
                }
            }
            for rep in 1..k {
                pixels.copy_within(first..first + row_bytes, first + rep * row_bytes);
            }
        }
    }
    Ok(Rgba { width: w * k, height: h * k, pixels })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::{Geometry, Value};

    /// A 3x2x2 int16 canvas with value 100*z + 10*y + x.
    fn numbered() -> Canvas {
        let g = Geometry::new([3, 2, 2, 1], VoxelType::Int16).unwrap();
        let mut c = Canvas::new(g, VoxelType::Int16).unwrap();
        for z in 0..2 {
            for y in 0..2 {
                for x in 0..3 {
                    c.set([x, y, z, 0], Value::Int(100 * z + 10 * y + x)).unwrap();
                }
            }
        }
        c
    }

    fn spec(window: Option<(f64, f64)>, colormap: Colormap) -> Spec {
        Spec {
            axis: Axis::Z,
            index: 0,
            frame: 0,
            flip: false,
            zoom: 1,
            base: Layer { window, colormap },
            overlay: Layer { window: None, colormap: Colormap::Labels },
            alpha: 0.5,
        }
    }

    fn reds(p: &Rgba) -> Vec<u8> {
        p.pixels.chunks_exact(4).map(|c| c[0]).collect()
    }

    #[test]
    fn grey_matches_png_levels_and_zoom_repeats() {
        let c = numbered();
        let p = render(&c, None, &spec(Some((0.0, 12.0)), Colormap::Grey)).unwrap();
        assert_eq!((p.width, p.height), (3, 2));
        assert_eq!(reds(&p), [0, 21, 43, 213, 234, 255]);
        assert!(p.pixels.chunks_exact(4).all(|c| c[0] == c[1] && c[1] == c[2] && c[3] == 255));
        let z = render(&c, None, &Spec { zoom: 2, ..spec(Some((0.0, 12.0)), Colormap::Grey) }).unwrap();
        assert_eq!((z.width, z.height), (6, 4));
        assert_eq!(reds(&z)[..12], [0, 0, 21, 21, 43, 43, 0, 0, 21, 21, 43, 43]);
        assert_eq!(reds(&z)[12..18], [213, 213, 234, 234, 255, 255]);
    }

    #[test]
    fn default_window_is_the_frames_min_max_and_axes_flip() {
        let c = numbered();
        // slice 0 of axis z holds 0..12, the frame 0..112: the window is the frame's
        let p = render(&c, None, &Spec { index: 1, ..spec(None, Colormap::Grey) }).unwrap();
        assert_eq!(reds(&p)[5], 255);
        assert_eq!(reds(&p)[0], grey_level(100.0, 0.0, 112.0));
        let x =
            render(&c, None, &Spec { axis: Axis::X, index: 2, flip: true, ..spec(Some((0.0, 255.0)), Colormap::Grey) })
                .unwrap();
        assert_eq!(reds(&x), [102, 112, 2, 12]);
    }

    #[test]
    fn hot_and_labels() {
        assert_eq!(colour(1.0, Colormap::Hot, (0.0, 1.0)), Some([255, 255, 255]));
        assert_eq!(colour(0.2, Colormap::Hot, (0.0, 1.0)), Some([153, 0, 0]));
        assert_eq!(colour(0.5, Colormap::Hot, (0.0, 1.0)), Some([255, 129, 0]));
        assert_eq!(colour(0.0, Colormap::Hot, (0.0, 1.0)), None);
        assert_eq!(colour(0.0, Colormap::Labels, (0.0, 1.0)), None);
        assert_eq!(colour(f64::NAN, Colormap::Labels, (0.0, 1.0)), None);
        assert_eq!(colour(1.0, Colormap::Labels, (0.0, 1.0)), Some(PALETTE[0]));
        assert_eq!(colour(13.2, Colormap::Labels, (0.0, 1.0)), Some(PALETTE[0]));
        assert_eq!(colour(-1.0, Colormap::Labels, (0.0, 1.0)), Some(PALETTE[10]));
    }

    #[test]
    fn overlay_blends_by_the_documented_formula() {
        let c = numbered();
        let g = c.geometry();
        let mut mask = Canvas::new(g, VoxelType::Uint8).unwrap();
        mask.set([1, 0, 0, 0], Value::Int(2)).unwrap();
        let s = Spec { alpha: 0.4, ..spec(Some((0.0, 12.0)), Colormap::Grey) };
        let p = render(&c, Some(&mask), &s).unwrap();
        // a = round(0.4 * 255) = 102; the base pixel (1,0) is grey 21
        let want = blend([21, 21, 21], PALETTE[1], 102);
        assert_eq!(&p.pixels[4..7], &want);
        assert_eq!(want[1], ((21 * 153 + 180 * 102 + 127) / 255) as u8);
        // transparent label 0 leaves the base as it was
        assert_eq!(&p.pixels[8..12], &[43, 43, 43, 255]);
        assert_eq!(blend([10, 20, 30], [200, 100, 0], 0), [10, 20, 30]);
        assert_eq!(blend([10, 20, 30], [200, 100, 0], 255), [200, 100, 0]);
    }

    #[test]
    fn oversized_views_are_refused_not_allocated() {
        let c = numbered();
        // 3 x 10000 is below 32767 a side, but 30000 x 20000 x 4 bytes is over 2 GiB
        let e = render(&c, None, &Spec { zoom: 10_000, ..spec(None, Colormap::Grey) }).unwrap_err();
        assert!(e.message.contains("2147483647 bytes"), "{}", e.message);
        let e = render(&c, None, &Spec { zoom: 11_000, ..spec(None, Colormap::Grey) }).unwrap_err();
        assert!(e.message.contains("32767 pixels a side"), "{}", e.message);
        let e = render(&c, None, &Spec { zoom: 1 << 20, ..spec(None, Colormap::Grey) }).unwrap_err();
        assert_eq!(e.code, ["MX", "VIEW", "TOOLARGE"]);
        let e = render(&c, None, &Spec { zoom: usize::MAX, ..spec(None, Colormap::Grey) }).unwrap_err();
        assert_eq!(e.code, ["MX", "VIEW", "TOOLARGE"]);
    }
}
