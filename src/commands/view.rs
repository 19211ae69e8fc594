//! The Rust half of `mx::view` (library/view.tcl), as two hidden commands:
//!
//! ```text
//! ::mx::_render photo canvas ?-option value ...?   -> {width height lo hi}
//! ::mx::_snapshot photo file
//! ::mx::_planes canvas ?-orientation o? ?-convention c? ?-flip b?
//! ::mx::_window canvas frame                       -> {lo hi}
//! ```
//!
//! `_planes` is the one voxel-to-display mapping (`slices::orient`) that the
//! Tcl side uses for clicks, crosshair, labels and readout, so drawing and
//! pointing cannot disagree: a dict with, for each of `x y z`, the list
//! `{acrossAxis acrossForward downAxis downForward normalAxis aspectAcross
//! aspectDown}` (voxel axes 0 1 2; aspect multiplies the zoom), and the
//! canvas's `affine` and its `inverse` (12 numbers each, rows of 4).
//! `_window` is the default window (`slices::window::robust`).
//!
//! `_render` draws one slice (see `crate::formats::slices::render` for colours,
//! overlay blending and zoom) straight into a Tk photo with one
//! `Tk_PhotoPutBlock`; its result is the picture's size and the base
//! window used. It checks every option before drawing, so the Tcl side can
//! try a new configuration with it and keep the old one when it fails.
//! `_snapshot` writes the photo's pixels, as they are, to an RGB PNG
//! (atomically, as `$c png` writes).

use super::registry::{CanvasEntry, InterpState};
use crate::core::affine;
use crate::core::{Canvas, MxError};
use crate::formats::files::PendingFile;
use crate::formats::png::rgb_png_bytes;
use crate::formats::slices::orient::{self, Convention, Orientation, Plane};
use crate::formats::slices::render::{self, Colormap, Layer, Spec};
use crate::formats::slices::{window as robust_window, Axis};
use crate::tcl::tk::Tk;
use crate::tcl::{choices, Arg, CmdError, CmdResult, Interp, Obj};
use std::rc::Rc;

choices! {
    /// `::mx::_render`'s options: the viewer's drawing options.
    enum RenderOption("option") {
        Alpha = "-alpha",
        Axis = "-axis",
        Colormap = "-colormap",
        Convention = "-convention",
        Flip = "-flip",
        Frame = "-frame",
        Orientation = "-orientation",
        Overlay = "-overlay",
        OverlayColormap = "-overlaycolormap",
        OverlayWindow = "-overlaywindow",
        Slice = "-slice",
        Window = "-window",
        Zoom = "-zoom",
    }
}
choices! { impl Colormap("colormap") { Grey = "grey", Hot = "hot", Labels = "labels" } }
choices! { impl Orientation("orientation") { Voxel = "voxel", World = "world" } }
choices! { impl Convention("convention") { Neurological = "neurological", Radiological = "radiological" } }
choices! {
    /// `::mx::_planes`'s options.
    enum PlanesOption("option") {
        Convention = "-convention",
        Flip = "-flip",
        Orientation = "-orientation",
    }
}

/// The largest ratio of a voxel's drawn side to its smallest side.
const MAX_ASPECT: f64 = 32.0;

/// How the planes are laid out: world or voxel, the convention, the flip.
#[derive(Clone, Copy)]
struct Layout {
    orientation: Orientation,
    convention: Convention,
    flip: bool,
}

impl Layout {
    /// The plane of `axis` and its aspect (zoom multipliers across, down).
    fn plane(&self, canvas: &Canvas, axis: Axis) -> (Plane, (f64, f64)) {
        match self.orientation {
            Orientation::Voxel => (Plane::voxel(axis, self.flip), (1.0, 1.0)),
            Orientation::World => {
                let axes = orient::axes(&affine::best(canvas.metadata(), &canvas.geometry()));
                let plane = Plane::world(&axes, axis, self.convention);
                // One mm-per-pixel scale for every plane: the smallest voxel
                // side is `zoom` pixels; a side more than MAX_ASPECT times
                // longer is drawn MAX_ASPECT times (a 0.1 x 0.1 x 10 mm
                // volume would otherwise need pictures 100 times its voxels).
                let least = axes.mm.iter().copied().fold(f64::INFINITY, f64::min);
                let aspect = |mm: f64| (mm / least).min(MAX_ASPECT);
                (plane, (aspect(plane.mm.0), aspect(plane.mm.1)))
            }
        }
    }
}

const RENDER_USAGE: &str = "photo canvas ?-option value ...?";

/// `bad -option "value": expected ...`, errorcode `MX VIEW BADVALUE -option value`.
fn bad(option: &str, value: Arg<'_>, expected: &str) -> CmdError {
    let text = value.to_str();
    MxError::mx(format!("bad {option} \"{text}\": expected {expected}"), &["VIEW", "BADVALUE", option, &text]).into()
}

/// `{}` (the default) or `{lo hi}` with lo <= hi, for `-window` and `-overlaywindow`.
fn window(interp: Interp, option: &str, value: Arg<'_>) -> Result<Option<(f64, f64)>, CmdError> {
    let expected = "{} or a list of two numbers {lo hi} with lo <= hi";
    let items = interp.list_elements(value).map_err(|_| bad(option, value, expected))?;
    // Our own message replaces Tcl's (which would not name the option).
    let number = |o: &Obj| interp.get_double(o.as_arg()).ok();
    match items.as_slice() {
        [] => Ok(None),
        [lo, hi] => match (number(lo), number(hi)) {
            (Some(lo), Some(hi)) if !lo.is_nan() && !hi.is_nan() && lo <= hi => Ok(Some((lo, hi))),
            _ => Err(bad(option, value, expected)),
        },
        _ => Err(bad(option, value, expected)),
    }
}

/// A canvas name as a script wrote it: `vol` rather than `::vol` for a
/// global command (the Tcl side passes fully qualified names).
fn shown(name: &str) -> &str {
    match name.strip_prefix("::") {
        Some(tail) if !tail.contains("::") => tail,
        _ => name,
    }
}

/// The overlay must have the base's width, height, depth and frames.
fn check_overlay(base: &Canvas, overlay: &Canvas, base_name: &str, name: &str) -> Result<(), CmdError> {
    let (a, b) = (base.geometry(), overlay.geometry());
    let (base_name, name) = (shown(base_name), shown(name));
    let dims = |g: crate::core::Geometry| format!("{}x{}x{}x{}", g.width, g.height, g.depth, g.frames);
    if (a.width, a.height, a.depth, a.frames) != (b.width, b.height, b.depth, b.frames) {
        return Err(MxError::mx(
            format!(
                "overlay \"{name}\" is {}: expected the geometry of \"{base_name}\", {} (width x height x depth x frames)",
                dims(b),
                dims(a)
            ),
            &["VIEW", "GEOMETRY", name],
        )
        .into());
    }
    Ok(())
}

/// ::mx::_render photo canvas ?-option value ...?
pub fn render_command(state: &Rc<InterpState>, interp: Interp, objv: &[Arg<'_>]) -> CmdResult {
    if objv.len() < 3 || objv.len().is_multiple_of(2) {
        return Err(interp.wrong_num_args(1, objv, RENDER_USAGE));
    }
    let entry = state.lookup(interp, objv[2])?;
    let mut overlay: Option<(Rc<CanvasEntry>, String)> = None;
    let mut layout = Layout { orientation: Orientation::World, convention: Convention::Radiological, flip: false };
    let mut axis = Axis::Z;
    let mut spec = Spec {
        plane: Plane::voxel(Axis::Z, false),
        index: 0,
        frame: 0,
        zoom: 1,
        aspect: (1.0, 1.0),
        base: Layer { window: None, colormap: Colormap::Grey },
        overlay: Layer { window: None, colormap: Colormap::Labels },
        alpha: 0.5,
    };
    let (mut slice_index, mut frame) = (None, 0i64);
    for pair in objv[3..].chunks_exact(2) {
        let (option, value) = (pair[0], pair[1]);
        match interp.get_choice(option)? {
            RenderOption::Alpha => {
                spec.alpha = interp
                    .get_double(value)
                    .ok()
                    .filter(|a| (0.0..=1.0).contains(a))
                    .ok_or_else(|| bad("-alpha", value, "a number from 0 to 1"))?
            }
            RenderOption::Axis => axis = interp.get_choice(value)?,
            RenderOption::Colormap => spec.base.colormap = interp.get_choice(value)?,
            RenderOption::Convention => layout.convention = interp.get_choice(value)?,
            RenderOption::Flip => {
                layout.flip = interp.get_boolean(value).map_err(|_| bad("-flip", value, "a boolean"))?
            }
            RenderOption::Orientation => layout.orientation = interp.get_choice(value)?,
            RenderOption::Frame => frame = interp.try_wide(value).ok_or_else(|| bad("-frame", value, "an integer"))?,
            RenderOption::Overlay => {
                overlay = match value.to_str() {
                    name if name.is_empty() => None,
                    name => Some((state.lookup(interp, value)?, name)),
                }
            }
            RenderOption::OverlayColormap => spec.overlay.colormap = interp.get_choice(value)?,
            RenderOption::OverlayWindow => spec.overlay.window = window(interp, "-overlaywindow", value)?,
            RenderOption::Slice => {
                slice_index = Some(interp.try_wide(value).ok_or_else(|| bad("-slice", value, "an integer"))?)
            }
            RenderOption::Window => spec.base.window = window(interp, "-window", value)?,
            RenderOption::Zoom => {
                spec.zoom = interp
                    .try_wide(value)
                    .filter(|&k| k >= 1)
                    .ok_or_else(|| bad("-zoom", value, "an integer of at least 1"))?
                    as usize
            }
        }
    }
    let picture = {
        let canvas = entry.canvas.borrow();
        // Indices are checked once the axis is known, whatever the option order.
        spec.frame = crate::formats::slices::check_frame(&canvas, frame)?;
        (spec.plane, spec.aspect) = layout.plane(&canvas, axis);
        let g = canvas.geometry();
        let count = [g.width, g.height, g.depth][spec.plane.normal];
        spec.index = match slice_index {
            Some(i) if i < 0 || i as u64 >= count as u64 => {
                return Err(MxError::mx(
                    format!("slice {i} is outside the canvas: expected slice from 0 to {}", count - 1),
                    &["INDEX", "slice", &i.to_string()],
                )
                .into())
            }
            Some(i) => i as usize,
            None => count / 2,
        };
        // The default base window is the robust one.
        if spec.base.window.is_none() {
            spec.base.window = Some(robust_window::robust(&canvas, spec.frame)?);
        }
        let over = overlay.as_ref().map(|(e, _)| e.canvas.borrow());
        if let (Some(o), Some((_, name))) = (over.as_deref(), overlay.as_ref()) {
            check_overlay(&canvas, o, &objv[2].to_str(), name)?;
        }
        let window = render::effective_window(&canvas, spec.frame, &spec.base);
        (render::render(&canvas, over.as_deref(), &spec)?, window)
    };
    let (mut picture, (lo, hi)) = picture;
    // Tk is looked up only now: option errors come first, as for `$c photo`.
    let tk = Tk::require(interp)?;
    let photo = tk.find_photo(interp, &objv[1].to_str())?;
    tk.put_rgba(interp, photo, picture.width, picture.height, &mut picture.pixels)?;
    Ok(Some(Obj::list([
        Obj::int(picture.width as i64),
        Obj::int(picture.height as i64),
        Obj::double(lo),
        Obj::double(hi),
    ])))
}

/// ::mx::_planes canvas ?-orientation o? ?-convention c? ?-flip b?
pub fn planes_command(state: &Rc<InterpState>, interp: Interp, objv: &[Arg<'_>]) -> CmdResult {
    if objv.len() < 2 || !objv.len().is_multiple_of(2) {
        return Err(interp.wrong_num_args(1, objv, "canvas ?-orientation o? ?-convention c? ?-flip b?"));
    }
    let entry = state.lookup(interp, objv[1])?;
    let mut layout = Layout { orientation: Orientation::World, convention: Convention::Radiological, flip: false };
    for pair in objv[2..].chunks_exact(2) {
        let value = pair[1];
        match interp.get_choice(pair[0])? {
            PlanesOption::Convention => layout.convention = interp.get_choice(value)?,
            PlanesOption::Flip => {
                layout.flip = interp.get_boolean(value).map_err(|_| bad("-flip", value, "a boolean"))?
            }
            PlanesOption::Orientation => layout.orientation = interp.get_choice(value)?,
        }
    }
    let canvas = entry.canvas.borrow();
    let mut out = Vec::new();
    for axis in [Axis::X, Axis::Y, Axis::Z] {
        let (p, (sa, sd)) = layout.plane(&canvas, axis);
        out.push(Obj::string(axis.name()));
        out.push(Obj::list([
            Obj::int(p.across.axis as i64),
            Obj::int(p.across.forward as i64),
            Obj::int(p.down.axis as i64),
            Obj::int(p.down.forward as i64),
            Obj::int(p.normal as i64),
            Obj::double(sa),
            Obj::double(sd),
        ]));
    }
    let a = affine::best(canvas.metadata(), &canvas.geometry());
    let rows = |m: &affine::Affine| Obj::list(m[..3].iter().flatten().map(|&v| Obj::double(v)));
    out.push(Obj::string("affine"));
    out.push(rows(&a));
    // The inverse, from the images of the origin and the unit points.
    if let Some(o) = affine::invert_point(&a, [0.0; 3]) {
        let mut inv = [[0.0; 4]; 4];
        for (j, e) in [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]].into_iter().enumerate() {
            let p = affine::invert_point(&a, [e[0] + a[0][3], e[1] + a[1][3], e[2] + a[2][3]]).unwrap_or([0.0; 3]);
            for i in 0..3 {
                inv[i][j] = p[i];
            }
        }
        for i in 0..3 {
            inv[i][3] = o[i];
        }
        out.push(Obj::string("inverse"));
        out.push(rows(&inv));
    }
    Ok(Some(Obj::list(out)))
}

/// ::mx::_window canvas frame
pub fn window_command(state: &Rc<InterpState>, interp: Interp, objv: &[Arg<'_>]) -> CmdResult {
    if objv.len() != 3 {
        return Err(interp.wrong_num_args(1, objv, "canvas frame"));
    }
    let entry = state.lookup(interp, objv[1])?;
    let canvas = entry.canvas.borrow();
    let frame = interp.try_wide(objv[2]).ok_or_else(|| bad("frame", objv[2], "an integer"))?;
    let frame = crate::formats::slices::check_frame(&canvas, frame)?;
    let (lo, hi) = robust_window::robust(&canvas, frame)?;
    Ok(Some(Obj::list([Obj::double(lo), Obj::double(hi)])))
}

/// ::mx::_snapshot photo file
pub fn snapshot_command(_state: &Rc<InterpState>, interp: Interp, objv: &[Arg<'_>]) -> CmdResult {
    if objv.len() != 3 {
        return Err(interp.wrong_num_args(1, objv, "photo file"));
    }
    let tk = Tk::require(interp)?;
    let photo = tk.find_photo(interp, &objv[1].to_str())?;
    let (w, h, rgb) = tk.get_rgb(photo, |bytes| {
        let mut v = Vec::new();
        v.try_reserve_exact(bytes).map_err(|_| {
            CmdError::from(MxError::mx(
                format!("cannot allocate {bytes} bytes for the snapshot"),
                &["ALLOC", &bytes.to_string()],
            ))
        })?;
        Ok(v)
    })?;
    let path = objv[2].to_str();
    let file = crate::tcl::path::native_path(objv[2])?;
    let bytes = rgb_png_bytes(w, h, &rgb)
        .map_err(|e| MxError::mx(format!("cannot write \"{path}\": {e}"), &["FORMAT", "PNG"]))?;
    PendingFile::write(&file, false, |out| out.write_all(&bytes))?.commit()?;
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tcl::Choice;

    #[test]
    fn tables_are_alphabetical() {
        assert!(<RenderOption as Choice>::NAMES.is_sorted());
        assert!(<Colormap as Choice>::NAMES.is_sorted());
        assert!(<Orientation as Choice>::NAMES.is_sorted());
        assert!(<Convention as Choice>::NAMES.is_sorted());
        assert!(<PlanesOption as Choice>::NAMES.is_sorted());
    }
}
