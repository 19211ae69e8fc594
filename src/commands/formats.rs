//! Image files and pictures:
//! `MxCanvas load file ?name? ?-format F? ?-scaled BOOL? ?-storage heap|shm?`, and per canvas
//! `$c save file ?-format F? ?-compression N?`, `$c png file ?view options?`,
//! `$c montage file ?view options? ?-slices LIST? ?-columns N?` and
//! `$c photo imageName ?view options?` (Tk; drawn by `::mx::PhotoPut`).

use super::registry::{split_name, CanvasEntry, InterpState};
use crate::core::limits::{alloc_failed, try_vec, MAX_PHOTO_PIXELS};
use crate::core::{Canvas, MxError};
use crate::formats::dicom;
use crate::formats::gzip;
use crate::formats::load::{load as load_file, LoadOptions};
use crate::formats::slices::{self, Axis, Tiles, View};
use crate::formats::{save::save_with as save_file, save_png, FileFormat};
use crate::tcl::path::native_path;
use crate::tcl::room::can_allocate;
use crate::tcl::{choices, Arg, CmdError, CmdResult, Interp, Obj};
use std::rc::Rc;

choices! { enum LoadOption("option") { Format = "-format", Scaled = "-scaled", Series = "-series", Storage = "-storage" } }
choices! { enum SaveOption("option") { Compression = "-compression", Format = "-format" } }
choices! { impl FileFormat("format") { Analyze = "analyze", Mgh = "mgh", Nifti = "nifti", Nifti2 = "nifti2" } }
choices! { impl Axis("axis") { X = "x", Y = "y", Z = "z" } }
choices! {
    /// `$c png` and `$c photo`: one slice.
    enum SliceOption("option") { Axis = "-axis", Flip = "-flip", Frame = "-frame", Slice = "-slice", Window = "-window" }
}
choices! {
    /// `$c montage`: a grid of slices.
    enum MontageOption("option") {
        Axis = "-axis",
        Columns = "-columns",
        Flip = "-flip",
        Frame = "-frame",
        Slices = "-slices",
        Window = "-window",
    }
}

/// The tables listed alphabetically (checked by a test).
#[cfg(test)]
pub(super) const ALPHABETICAL: [&[&str]; 6] = {
    use crate::tcl::Choice;
    [LoadOption::NAMES, SaveOption::NAMES, FileFormat::NAMES, Axis::NAMES, SliceOption::NAMES, MontageOption::NAMES]
};

/// The options every picture command shares.
#[derive(Clone, Copy)]
enum ViewOption {
    Axis,
    Flip,
    Frame,
    Window,
}

const LOAD_USAGE: &str =
    "file ?name? ?-format analyze|mgh|nifti|nifti2? ?-scaled boolean? ?-series uid? ?-storage heap|shm?";
const VIEW_USAGE: &str = "?-slice index? ?-frame index? ?-axis x|y|z? ?-window {lo hi}? ?-flip boolean?";
const MONTAGE_USAGE: &str =
    "file ?-slices list? ?-columns n? ?-frame index? ?-axis x|y|z? ?-window {lo hi}? ?-flip boolean?";

/// MxCanvas load file ?name? ?-format F? ?-scaled BOOL? ?-storage KIND?
pub fn load(state: &Rc<InterpState>, interp: Interp, objv: &[Arg<'_>]) -> CmdResult {
    if objv.len() < 3 {
        return Err(interp.wrong_num_args(2, objv, LOAD_USAGE));
    }
    let (name, rest) = split_name(&objv[3..]);
    if !rest.len().is_multiple_of(2) {
        return Err(interp.wrong_num_args(2, objv, LOAD_USAGE));
    }
    let mut options = LoadOptions::default();
    for pair in rest.chunks_exact(2) {
        match interp.get_choice(pair[0])? {
            LoadOption::Format => options.format = Some(interp.get_choice(pair[1])?),
            LoadOption::Scaled => options.scaled = interp.get_boolean(pair[1])?,
            LoadOption::Series => options.series = Some(pair[1].to_str()),
            LoadOption::Storage => options.storage = interp.get_choice(pair[1])?,
        }
    }
    let name = state.check_new_name(interp, name)?;
    let canvas = load_file(&native_path(objv[2])?, options)?;
    Ok(Some(state.install(interp, &name, canvas)))
}

/// MxCanvas series path: the DICOM series under path, one dict each.
pub fn series(interp: Interp, objv: &[Arg<'_>]) -> CmdResult {
    if objv.len() != 3 {
        return Err(interp.wrong_num_args(2, objv, "path"));
    }
    let found = dicom::list(&native_path(objv[2])?)?;
    let dicts = found.iter().map(|s| {
        Obj::dict([
            ("uid", Obj::string(&s.uid)),
            ("description", Obj::string(&s.description)),
            ("modality", Obj::string(&s.modality)),
            ("slices", Obj::int(s.slices as i64)),
            ("width", Obj::int(i64::from(s.width))),
            ("height", Obj::int(i64::from(s.height))),
        ])
    });
    Ok(Some(Obj::list(dicts)))
}

/// $c montage file ?options?
pub fn montage(entry: &CanvasEntry, interp: Interp, objv: &[Arg<'_>]) -> CmdResult {
    if objv.len() < 3 || objv.len().is_multiple_of(2) {
        return Err(interp.wrong_num_args(2, objv, MONTAGE_USAGE));
    }
    let canvas = entry.canvas.borrow();
    let picture = montage_picture(&canvas, interp, &objv[3..])?;
    save_png(&picture, &native_path(objv[2])?)?;
    Ok(None)
}

/// $c photo imageName ?options?
pub fn photo(entry: &CanvasEntry, interp: Interp, objv: &[Arg<'_>]) -> CmdResult {
    if objv.len() < 3 || objv.len().is_multiple_of(2) {
        return Err(interp.wrong_num_args(2, objv, &format!("imageName {VIEW_USAGE}")));
    }
    let (width, height, pixels) = {
        let canvas = entry.canvas.borrow();
        let picture = slice_picture(&canvas, interp, &objv[3..])?;
        (picture.width(), picture.height(), photo_pixels(&picture)?)
    };
    // Tk is reached through Tcl (`image create photo`, `$img put`), so
    // the package does not link Tk and works without it.
    interp.eval_objv(&[
        Obj::string("::mx::PhotoPut"),
        Obj::from_arg(objv[2]),
        Obj::int(width as i64),
        Obj::int(height as i64),
        pixels,
    ])?;
    Ok(None)
}

/// $c png file ?options?
pub fn png(entry: &CanvasEntry, interp: Interp, objv: &[Arg<'_>]) -> CmdResult {
    if objv.len() < 3 || objv.len().is_multiple_of(2) {
        return Err(interp.wrong_num_args(2, objv, &format!("file {VIEW_USAGE}")));
    }
    let canvas = entry.canvas.borrow();
    let picture = slice_picture(&canvas, interp, &objv[3..])?;
    save_png(&picture, &native_path(objv[2])?)?;
    Ok(None)
}

/// $c save file ?-format F? ?-compression N?
pub fn save(entry: &CanvasEntry, interp: Interp, objv: &[Arg<'_>]) -> CmdResult {
    if objv.len() < 3 || objv.len().is_multiple_of(2) {
        return Err(interp.wrong_num_args(2, objv, "file ?-format analyze|mgh|nifti|nifti2? ?-compression level?"));
    }
    let mut format = None;
    let mut level = gzip::DEFAULT_LEVEL;
    for pair in objv[3..].chunks_exact(2) {
        match interp.get_choice(pair[0])? {
            SaveOption::Compression => level = gzip::check_level(interp.get_wide(pair[1])?)?,
            SaveOption::Format => format = Some(interp.get_choice(pair[1])?),
        }
    }
    save_file(&entry.canvas.borrow(), &native_path(objv[2])?, format, level)?;
    Ok(None)
}

/// What a photo of `n` pixels costs beyond the pixels themselves: the PGM
/// copy `::mx::PhotoPut` makes with `binary format` and Tk's 4-byte RGBA
/// block. Tk and Tcl abort the process when their allocations fail, so this
/// much is probed first.
const PHOTO_BYTES_PER_PIXEL: usize = 1 + 1 + 4;

/// The picture's pixels as a Tcl byte array, written straight into Tcl's
/// buffer. A picture a byte array cannot hold is a size error; memory that
/// is not there is `MX ALLOC`, checked before Tcl or Tk could abort.
fn photo_pixels(picture: &Tiles) -> Result<Obj, CmdError> {
    let count = picture.pixel_count();
    if count > MAX_PHOTO_PIXELS as u64 {
        return Err(MxError::mx(
            format!(
                "the slice is {} x {} = {count} pixels: a photo takes at most {MAX_PHOTO_PIXELS} (Tk's and Tcl 8.6's limit)",
                picture.width(),
                picture.height()
            ),
            &["PHOTO", "TOOLARGE", &count.to_string()],
        )
        .into());
    }
    let len = count as usize;
    let copies = len.saturating_mul(PHOTO_BYTES_PER_PIXEL);
    if !can_allocate(copies) {
        return Err(alloc_failed(copies, "the photo's pixels (Tcl's and Tk's copies)").into());
    }
    Obj::bytes_filled(len, |dst| picture.fill_all(dst)).ok_or_else(|| alloc_failed(len, "the photo's pixels").into())
}

/// Apply one of the options every picture command shares.
fn view_option(
    canvas: &Canvas,
    interp: Interp,
    option: ViewOption,
    value: Arg<'_>,
    view: &mut View,
) -> Result<(), CmdError> {
    match option {
        ViewOption::Axis => view.axis = interp.get_choice(value)?,
        ViewOption::Flip => view.flip = interp.get_boolean(value)?,
        ViewOption::Frame => view.frame = slices::check_frame(canvas, interp.get_wide(value)?)?,
        ViewOption::Window => view.window = Some(window(interp, value)?),
    }
    Ok(())
}

fn window(interp: Interp, value: Arg<'_>) -> Result<(f64, f64), CmdError> {
    let items = interp.list_elements(value)?;
    let bad = |what: &str| -> CmdError {
        MxError::mx(
            format!("bad -window \"{}\": expected a list of two numbers {{lo hi}} with lo <= hi{what}", value.to_str()),
            &["WINDOW", &value.to_str()],
        )
        .into()
    };
    if items.len() != 2 {
        return Err(bad(""));
    }
    let (lo, hi) = (interp.get_double(items[0].as_arg())?, interp.get_double(items[1].as_arg())?);
    if lo.is_nan() || hi.is_nan() || lo > hi {
        return Err(bad(""));
    }
    Ok((lo, hi))
}

/// One slice as a picture, from `-slice -frame -axis -window -flip`.
fn slice_picture<'a>(canvas: &'a Canvas, interp: Interp, options: &[Arg<'_>]) -> Result<Tiles<'a>, CmdError> {
    let mut view = View::default();
    let mut index = None;
    for pair in options.chunks_exact(2) {
        let view_opt = match interp.get_choice(pair[0])? {
            SliceOption::Slice => {
                index = Some(interp.get_wide(pair[1])?);
                continue;
            }
            SliceOption::Axis => ViewOption::Axis,
            SliceOption::Flip => ViewOption::Flip,
            SliceOption::Frame => ViewOption::Frame,
            SliceOption::Window => ViewOption::Window,
        };
        view_option(canvas, interp, view_opt, pair[1], &mut view)?;
    }
    // The slice index is checked once the axis is known, whatever the option order.
    let index = match index {
        Some(i) => slices::check_slice(canvas, view.axis, i)?,
        None => slices::middle_slice(canvas, view.axis),
    };
    Ok(Tiles::slice(canvas, index, &view)?)
}

/// A grid of slices, from `-slices -columns` and the view options.
fn montage_picture<'a>(canvas: &'a Canvas, interp: Interp, options: &[Arg<'_>]) -> Result<Tiles<'a>, CmdError> {
    let mut view = View::default();
    let mut wanted: Option<Vec<i64>> = None;
    let mut columns = None;
    for pair in options.chunks_exact(2) {
        let view_opt = match interp.get_choice(pair[0])? {
            MontageOption::Columns => {
                let n = interp.get_wide(pair[1])?;
                if n < 1 {
                    return Err(MxError::mx(
                        format!("bad -columns {n}: expected an integer of at least 1"),
                        &["MONTAGE", "COLUMNS", &n.to_string()],
                    )
                    .into());
                }
                columns = Some(n as usize);
                continue;
            }
            MontageOption::Slices => {
                let items = interp.list_elements(pair[1])?;
                let mut list = try_vec(items.len(), "the list of slices")?;
                for a in &items {
                    list.push(interp.get_wide(a.as_arg())?);
                }
                wanted = Some(list);
                continue;
            }
            MontageOption::Axis => ViewOption::Axis,
            MontageOption::Flip => ViewOption::Flip,
            MontageOption::Frame => ViewOption::Frame,
            MontageOption::Window => ViewOption::Window,
        };
        view_option(canvas, interp, view_opt, pair[1], &mut view)?;
    }
    let count = wanted.as_ref().map_or(slices::slice_count(canvas, view.axis), Vec::len);
    let mut indices = try_vec(count, "the list of slices")?;
    match wanted {
        Some(list) => {
            for i in list {
                indices.push(slices::check_slice(canvas, view.axis, i)?);
            }
        }
        None => indices.extend(0..count),
    }
    if indices.is_empty() {
        return Err(MxError::mx("bad -slices {}: expected at least one slice index", &["MONTAGE", "EMPTY"]).into());
    }
    // Default: a near-square grid, ceil(sqrt(n)) columns.
    let columns = columns.unwrap_or_else(|| (1..).find(|c| c * c >= indices.len()).unwrap_or(1));
    // The picture's size is checked before any voxel is read; its pixels
    // are then made a piece at a time as the PNG is written.
    Ok(Tiles::grid(canvas, indices, columns, &view)?)
}
