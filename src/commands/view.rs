//! The Rust half of `mx::view` (library/view.tcl), as two hidden commands:
//!
//! ```text
//! ::mx::_render photo canvas ?-option value ...?   -> {width height lo hi}
//! ::mx::_snapshot photo file
//! ```
//!
//! `_render` draws one slice (see `crate::formats::slices::render` for colours,
//! overlay blending and zoom) straight into a Tk photo with one
//! `Tk_PhotoPutBlock`; its result is the picture's size and the base
//! window used. It checks every option before drawing, so the Tcl side can
//! try a new configuration with it and keep the old one when it fails.
//! `_snapshot` writes the photo's pixels, as they are, to an RGB PNG
//! (atomically, as `$c png` writes).

use super::registry::{CanvasEntry, InterpState};
use crate::core::{Canvas, MxError};
use crate::formats::files::PendingFile;
use crate::formats::png::rgb_png_bytes;
use crate::formats::slices::render::{self, Colormap, Layer, Spec};
use crate::formats::slices::{self, Axis};
use crate::tcl::tk::Tk;
use crate::tcl::{choices, Arg, CmdError, CmdResult, Interp, Obj};
use std::rc::Rc;

choices! {
    /// `::mx::_render`'s options: the viewer's drawing options.
    enum RenderOption("option") {
        Alpha = "-alpha",
        Axis = "-axis",
        Colormap = "-colormap",
        Flip = "-flip",
        Frame = "-frame",
        Overlay = "-overlay",
        OverlayColormap = "-overlaycolormap",
        OverlayWindow = "-overlaywindow",
        Slice = "-slice",
        Window = "-window",
        Zoom = "-zoom",
    }
}
choices! { impl Colormap("colormap") { Grey = "grey", Hot = "hot", Labels = "labels" } }

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
    let mut spec = Spec {
        axis: Axis::Z,
        index: 0,
        frame: 0,
        flip: false,
        zoom: 1,
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
            RenderOption::Axis => spec.axis = interp.get_choice(value)?,
            RenderOption::Colormap => spec.base.colormap = interp.get_choice(value)?,
            RenderOption::Flip => {
                spec.flip = interp.get_boolean(value).map_err(|_| bad("-flip", value, "a boolean"))?
            }
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
        spec.frame = slices::check_frame(&canvas, frame)?;
        spec.index = match slice_index {
            Some(i) => slices::check_slice(&canvas, spec.axis, i)?,
            None => slices::middle_slice(&canvas, spec.axis),
        };
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
    }
}
