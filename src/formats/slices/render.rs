//! Slices for the viewer (`mx::view`): one plane of a canvas as RGBA pixels,
//! windowed, coloured, zoomed and with an optional overlay blended on top.
//! Safe Rust, no Tcl or Tk: `crate::commands::view` hands the result to a Tk
//! photo in one block.
//!
//! The plane's layout and `flip` are those of [`super`] (`$c png`).
//! Colour, for a value `v` under the window `lo..hi` with grey level
//! `g = slice::grey_level(v, lo, hi)` (0..255, NaN is 0; computed here by
//! [`level`], which gives the same value faster):
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

use super::orient::Plane;
use crate::core::error::MxResult;
use crate::core::stats::stats;
use crate::core::{Canvas, MxError, VoxelType};

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

/// How one canvas is coloured: its window (None: the frame's min..max) and colormap.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Layer {
    pub window: Option<(f64, f64)>,
    pub colormap: Colormap,
}

/// What to draw: which plane, how large, and how the overlay is mixed in.
/// A voxel is `zoom * aspect.0` screen pixels wide and `zoom * aspect.1`
/// high (nearest neighbour: output pixel `p` shows voxel
/// `floor((p + 0.5) / scale)`); aspect is (1, 1) except for non-square
/// voxels in world orientation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spec {
    pub plane: Plane,
    pub index: usize,
    pub frame: usize,
    pub zoom: usize,
    pub aspect: (f64, f64),
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

/// The plane's size (columns, rows).
pub fn plane_size(canvas: &Canvas, plane: &Plane) -> (usize, usize) {
    let g = canvas.geometry();
    let dims = [g.width, g.height, g.depth];
    (dims[plane.across.axis], dims[plane.down.axis])
}

/// Voxel `floor((p + 0.5) / scale)` of picture pixel `p`, at most `n - 1`.
#[inline]
pub fn source_index(p: usize, scale: f64, n: usize) -> usize {
    (((p as f64 + 0.5) / scale) as usize).min(n - 1)
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
            _ => self.by_level[level(v, self.lo, self.hi) as usize],
        }
    }
}

/// One value's colour, or None when it is transparent.
#[cfg(test)]
fn colour(v: f64, map: Colormap, window: (f64, f64)) -> Option<[u8; 3]> {
    let [r, g, b, a] = Painter::new(map, window).paint(v);
    (a != 0).then_some([r, g, b])
}

/// [`grey_level`], the same value for every input, without calling libm's
/// `round` (a software routine on baseline x86-64 that cost a fifth of a
/// redraw): for `x` in [0, 255], `x - trunc(x)` is exact, so comparing it
/// with 0.5 rounds half away from zero exactly as `f64::round` does.
#[inline]
fn level(v: f64, lo: f64, hi: f64) -> u8 {
    if v.is_nan() || v <= lo {
        0
    } else if v >= hi {
        255
    } else {
        let x = ((v - lo) / (hi - lo) * 255.0).clamp(0.0, 255.0);
        let t = x as u32;
        (t + (x - t as f64 >= 0.5) as u32) as u8
    }
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
    let (dims, strides) = ([g.width, g.height, g.depth], [1, g.width, g.width * g.height]);
    let p = &spec.plane;
    // The row's first voxel and the signed step between its voxels, in voxels.
    let down = if p.down.forward { row } else { dims[p.down.axis] - 1 - row };
    let across_first = if p.across.forward { 0 } else { dims[p.across.axis] - 1 };
    let start = spec.frame * g.depth * g.height * g.width
        + spec.index * strides[p.normal]
        + down * strides[p.down.axis]
        + across_first * strides[p.across.axis];
    let step = if p.across.forward { strides[p.across.axis] as isize } else { -(strides[p.across.axis] as isize) };
    let bytes = canvas.as_bytes();
    macro_rules! typed {
        ($t:ty) => {{
            const N: usize = std::mem::size_of::<$t>();
            for (i, slot) in out.iter_mut().enumerate() {
                // In the canvas: start + i * step stays within the row's voxels.
                let at = (start as isize + i as isize * step) as usize * N;
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
        // Nearest double: a picture has 256 levels, not 64 bits.
        VoxelType::Int64 => typed!(i64),
        VoxelType::Uint64 => typed!(u64),
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

/// Fill `line` with `k` copies of each colour in turn. Zoom 2, the
/// viewer's usual one, has its own loop: the generic one cost more than
/// painting the row.
fn widen(line: &mut [u8], colours: &[[u8; 4]], k: usize) {
    if k == 2 {
        for (dst, c) in line.chunks_exact_mut(8).zip(colours) {
            dst[..4].copy_from_slice(c);
            dst[4..].copy_from_slice(c);
        }
        return;
    }
    for (dst, c) in line.chunks_exact_mut(4 * k).zip(colours) {
        dst.chunks_exact_mut(4).for_each(|p| p.copy_from_slice(c));
    }
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
    let (w, h) = plane_size(base, &spec.plane);
    let k = spec.zoom.max(1);
    let aspect = |a: f64| if a.is_finite() && a >= 1.0 { a } else { 1.0 };
    let (sx, sy) = (k as f64 * aspect(spec.aspect.0), k as f64 * aspect(spec.aspect.1));
    let side = |n: usize, s: f64| {
        let v = (n as f64 * s).round();
        (v <= MAX_PICTURE_SIDE as f64).then_some((v as usize).max(1))
    };
    let (Some(wide), Some(high)) = (side(w, sx), side(h, sy)) else {
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
    // Reserved, not zeroed: every byte is written once, by appending rows.
    let mut pixels = Vec::new();
    pixels.try_reserve_exact(bytes).map_err(|_| alloc_error(bytes))?;
    let base_paint = Painter::new(spec.base.colormap, effective_window(base, spec.frame, &spec.base));
    let over_paint =
        overlay.map(|o| Painter::new(spec.overlay.colormap, effective_window(o, spec.frame, &spec.overlay)));
    let a = (spec.alpha.clamp(0.0, 1.0) * 255.0).round() as u8;
    let mut values = filled(w, 0f64)?;
    let mut over_values = filled(if overlay.is_some() { w } else { 0 }, 0f64)?;
    // One plane row's colours, then that row widened across (k copies of
    // each at a whole zoom, else by the column table); a picture row that
    // shows the same plane row as the one before repeats its line.
    let mut colours = filled(w, [0u8; 4])?;
    let mut line = filled(wide * 4, 0u8)?;
    let whole = (sx.fract() == 0.0 && sx as usize * w == wide).then_some(sx as usize);
    let mut columns = filled(if whole.is_some() { 0 } else { wide }, 0usize)?;
    for (p, c) in columns.iter_mut().enumerate() {
        *c = source_index(p, sx, w);
    }
    let mut shown = usize::MAX;
    for y in 0..high {
        let row = source_index(y, sy, h);
        if row != shown {
            shown = row;
            paint_row(
                base,
                overlay,
                spec,
                row,
                (&base_paint, over_paint.as_ref(), a),
                &mut values,
                &mut over_values,
                &mut colours,
            );
            match whole {
                Some(1) => line.copy_from_slice(colours.as_flattened()),
                Some(k) => widen(&mut line, &colours, k),
                None => {
                    for (dst, &c) in line.chunks_exact_mut(4).zip(&columns) {
                        dst.copy_from_slice(&colours[c]);
                    }
                }
            }
        }
        pixels.extend_from_slice(&line);
    }
    Ok(Rgba { width: wide, height: high, pixels })
}

/// The colours of plane row `row`, overlay blended, into `colours`.
#[allow(clippy::too_many_arguments)]
fn paint_row(
    base: &Canvas,
    overlay: Option<&Canvas>,
    spec: &Spec,
    row: usize,
    (base_paint, over_paint, a): (&Painter, Option<&Painter>, u8),
    values: &mut [f64],
    over_values: &mut [f64],
    colours: &mut [[u8; 4]],
) {
    plane_row(base, spec, row, values);
    if let Some(o) = overlay {
        plane_row(o, spec, row, over_values);
    }
    for (col, (px, &v)) in colours.iter_mut().zip(values.iter()).enumerate() {
        let mut c = base_paint.paint(v);
        if let Some(op) = over_paint {
            let o = op.paint(over_values[col]);
            if o[3] != 0 {
                let [r, g, b] = blend([c[0], c[1], c[2]], [o[0], o[1], o[2]], a);
                c = [r, g, b, 255];
            }
        }
        *px = [c[0], c[1], c[2], 255];
    }
}

#[cfg(test)]
#[path = "render_tests.rs"]
mod tests;
