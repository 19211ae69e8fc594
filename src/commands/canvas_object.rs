//! The object command of one canvas: `$c info | cget | configure | get | set | region | fill | data | stats | copy | delete` and the file formats' subcommands.

use super::registry::{self, CanvasEntry, InterpState};
use super::values::{parse_coords, parse_value, stats_obj};
use super::{configure, formats, region};
use crate::core::copy::{copy_voxels, Dest};
use crate::core::limits::alloc_failed;
use crate::core::{MxError, Value};
use crate::tcl::size::MAX_BYTE_ARRAY;
use crate::tcl::{choices, Arg, CmdResult, Interp, Number, Obj};
use std::rc::Rc;

choices! {
    /// The subcommands, in alphabetical order.
    pub(super) enum Subcommand("subcommand") {
        Cget = "cget",
        Configure = "configure",
        Copy = "copy",
        Data = "data",
        Delete = "delete",
        Fill = "fill",
        Get = "get",
        Info = "info",
        Montage = "montage",
        Photo = "photo",
        Png = "png",
        Region = "region",
        Save = "save",
        Set = "set",
        Stats = "stats",
    }
}

// `$c get` and `$c set` are the calls scripts make in loops: kept out of
// `command` so that its large frame (for the other subcommands) is not
// set up for them.

/// $c get x y ?z? ?t?
#[inline(never)]
fn get_voxel(entry: &CanvasEntry, interp: Interp, objv: &[Arg<'_>]) -> CmdResult {
    let canvas = entry.canvas.borrow();
    let axes = objv.len() - 2;
    if !coordinate_count_fits(&canvas, axes) {
        return Err(interp.wrong_num_args(2, objv, &coordinate_usage(&canvas, "")));
    }
    let coords = parse_coords(interp, &objv[2..])?;
    match canvas.get(coords)? {
        Value::Float(f) => interp.set_result_number(Number::Double(f)),
        Value::Int(i) => match i64::try_from(i) {
            Ok(w) => interp.set_result_number(Number::Int(w)),
            // uint64 beyond 2^63-1
            Err(_) => return Ok(Some(Obj::integer(i))),
        },
    }
    Ok(None)
}

/// $c set x y ?z? ?t? value
#[inline(never)]
fn set_voxel(entry: &CanvasEntry, interp: Interp, objv: &[Arg<'_>]) -> CmdResult {
    let argc = objv.len();
    let mut canvas = entry.canvas.borrow_mut();
    if argc < 3 || !coordinate_count_fits(&canvas, argc - 3) {
        return Err(interp.wrong_num_args(2, objv, &coordinate_usage(&canvas, " value")));
    }
    let coords = parse_coords(interp, &objv[2..argc - 1])?;
    let value = parse_value(interp, objv[argc - 1], canvas.voxel_type())?;
    canvas.set(coords, value)?;
    Ok(None)
}

/// Whether `axes` coordinates address a voxel of `canvas`: x and y always;
/// z may be left out only when the depth is 1, t only when there is one frame
/// (so `$c set 1 2 1` on a volume is an error, not a write at z = 0).
fn coordinate_count_fits(canvas: &crate::core::Canvas, axes: usize) -> bool {
    let g = canvas.geometry();
    let least = if g.frames > 1 {
        4
    } else if g.depth > 1 {
        3
    } else {
        2
    };
    (least..=4).contains(&axes)
}

/// The coordinates this canvas needs, for its wrong-args message.
fn coordinate_usage(canvas: &crate::core::Canvas, tail: &str) -> String {
    let g = canvas.geometry();
    let axes = if g.frames > 1 {
        "x y z t"
    } else if g.depth > 1 {
        "x y z ?t?"
    } else {
        "x y ?z? ?t?"
    };
    format!("{axes}{tail}")
}

/// The object command of a canvas: `$c subcommand ?arg ...?`.
pub fn command(state: &Rc<InterpState>, entry: &CanvasEntry, interp: Interp, objv: &[Arg<'_>]) -> CmdResult {
    if objv.len() < 2 {
        return Err(interp.wrong_num_args(1, objv, "subcommand ?arg ...?"));
    }
    let argc = objv.len();
    match interp.get_choice(objv[1])? {
        // $c copy ?name?
        Subcommand::Copy => {
            if argc > 3 {
                return Err(interp.wrong_num_args(2, objv, "?name?"));
            }
            let name = state.check_new_name(interp, objv.get(2).map(|a| a.to_name()))?;
            let copy = entry.canvas.borrow().try_clone()?;
            Ok(Some(state.install(interp, &name, copy)))
        }
        // $c data ?bytes?
        Subcommand::Data => match argc {
            2 => {
                let canvas = entry.canvas.borrow();
                if canvas.bytes() > MAX_BYTE_ARRAY {
                    return Err(MxError::mx(
                        format!(
                            "canvas has {} bytes, more than a Tcl byte array can hold ({MAX_BYTE_ARRAY}): use MxExternCanvas to reach its voxels",
                            canvas.bytes()
                        ),
                        &["DATA", "TOOLARGE", &canvas.bytes().to_string()],
                    )
                    .into());
                }
                // Always a copy, straight into Tcl's buffer: no Tcl value ever
                // points into a canvas (whose segment may go away).
                let src = canvas.as_bytes();
                // Tcl_NewByteArrayObj aborts the process (Tcl_Panic) when its
                // allocation fails: bytes_filled asks Tcl's allocator first.
                let data = Obj::bytes_filled(src.len(), |dst| copy_voxels(dst, src, Dest::Fresh));
                data.map(Some).ok_or_else(|| alloc_failed(src.len(), "the byte array of $c data").into())
            }
            3 => {
                let mut canvas = entry.canvas.borrow_mut();
                objv[2].with_bytes_checked(|bytes| canvas.replace_data(bytes)).ok_or_else(|| {
                    MxError::mx(
                        "bad data: expected a byte array (e.g. from binary format or $c data), got a string with characters above \\u00FF",
                        &["DATA", "NOTBYTES"],
                    )
                })??;
                Ok(None)
            }
            _ => Err(interp.wrong_num_args(2, objv, "?bytes?")),
        },
        // $c delete
        Subcommand::Delete => {
            if argc != 2 {
                return Err(interp.wrong_num_args(2, objv, ""));
            }
            registry::delete(interp, entry);
            Ok(None)
        }
        // $c fill value
        Subcommand::Fill => {
            if argc != 3 {
                return Err(interp.wrong_num_args(2, objv, "value"));
            }
            let mut canvas = entry.canvas.borrow_mut();
            let value = parse_value(interp, objv[2], canvas.voxel_type())?;
            canvas.fill(value)?;
            Ok(None)
        }
        // $c get x y ?z? ?t?
        Subcommand::Get => get_voxel(entry, interp, objv),
        // $c info ?key?
        Subcommand::Info => configure::info(entry, interp, objv),
        // $c set x y ?z? ?t? value
        Subcommand::Set => set_voxel(entry, interp, objv),
        // $c stats
        Subcommand::Stats => {
            if argc != 2 {
                return Err(interp.wrong_num_args(2, objv, ""));
            }
            Ok(Some(stats_obj(entry.canvas.borrow().stats())))
        }
        // $c montage file ?options?
        Subcommand::Montage => formats::montage(entry, interp, objv),
        // $c photo imageName ?options?
        Subcommand::Photo => formats::photo(entry, interp, objv),
        // $c png file ?options?
        Subcommand::Png => formats::png(entry, interp, objv),
        // $c save file ?-format F?
        Subcommand::Save => formats::save(entry, interp, objv),
        // $c configure ?-option ?value ...??
        Subcommand::Configure => configure::configure(entry, interp, objv),
        // $c cget -option
        Subcommand::Cget => configure::cget(entry, interp, objv),
        // $c region get|set x y ?z? ?t? width height ?depth? ?frames? ?values?
        Subcommand::Region => region::command(entry, interp, objv),
    }
}
