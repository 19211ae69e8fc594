//! The object command of one canvas: `$c info | get | set | region | fill | data | stats | copy | delete` and the file formats' subcommands.

use super::mxcanvas::check_new_name;
use super::state::{CanvasEntry, InterpState};
use super::values::{parse_coords, parse_value, stats_obj};
use super::{formats, region};
use crate::core::copy::{copy_voxels, Dest};
use crate::core::{Canvas, MxError, Value};
use crate::tcl::size::MAX_BYTE_ARRAY;
use crate::tcl::table::{name_table, NameTable};
use crate::tcl::{create_command, Arg, CmdResult, Interp, Number, Obj, TclName};
use std::cell::{Cell, RefCell};
use std::rc::Rc;

/// The subcommands, in the alphabetical order of their name table.
#[derive(Clone, Copy)]
enum Subcommand {
    Configure,
    Copy,
    Data,
    Delete,
    Fill,
    Get,
    Info,
    Montage,
    Photo,
    Png,
    Region,
    Save,
    Set,
    Stats,
}

static SUBCOMMANDS: NameTable<15> = name_table![
    c"configure",
    c"copy",
    c"data",
    c"delete",
    c"fill",
    c"get",
    c"info",
    c"montage",
    c"photo",
    c"png",
    c"region",
    c"save",
    c"set",
    c"stats"
];
const SUBCOMMAND_OF: [Subcommand; 14] = {
    use Subcommand::*;
    [Configure, Copy, Data, Delete, Fill, Get, Info, Montage, Photo, Png, Region, Save, Set, Stats]
};

/// Make `canvas` a command named `name`; returns the name as a Tcl value.
pub fn install(state: &Rc<InterpState>, interp: Interp, name: &TclName, canvas: Canvas) -> Obj {
    let entry = Rc::new(CanvasEntry { canvas: RefCell::new(canvas), token: Cell::new(std::ptr::null_mut()) });
    let (for_calls, for_delete) = (state.clone(), state.clone());
    let (call_entry, delete_entry) = (entry.clone(), entry.clone());
    let token = create_command(
        interp,
        name,
        move |interp, objv| command(&for_calls, &call_entry, interp, objv),
        Some(Box::new(move || {
            for_delete.remove(delete_entry.token.get());
            delete_entry.token.set(std::ptr::null_mut());
        })),
    );
    entry.token.set(token);
    state.add(entry);
    name.to_obj()
}

fn info(canvas: &Canvas) -> Obj {
    let g = canvas.geometry();
    Obj::dict(
        [
            ("width", Obj::int(g.width as i64)),
            ("height", Obj::int(g.height as i64)),
            ("depth", Obj::int(g.depth as i64)),
            ("frames", Obj::int(g.frames as i64)),
            ("type", Obj::string(canvas.voxel_type().name())),
            ("bytes", Obj::int(canvas.bytes() as i64)),
        ]
        .into_iter()
        .chain(super::formats::metadata_info(canvas.metadata()))
        // Where the voxels live: `storage heap`, or `storage shm shmid ID`.
        .chain([("storage", Obj::string(canvas.storage_kind().name()))])
        .chain(canvas.shmid().map(|id| ("shmid", Obj::int(id as i64)))),
    )
}

// `$c get` and `$c set` are the calls scripts make in loops: kept out of
// `command` so that its large frame (for the other subcommands) is not
// set up for them.

/// $c get x y ?z? ?t?
#[inline(never)]
fn get_voxel(entry: &CanvasEntry, interp: Interp, objv: &[Arg]) -> CmdResult {
    if !(4..=6).contains(&objv.len()) {
        return Err(interp.wrong_num_args(2, objv, "x y ?z? ?t?"));
    }
    let coords = parse_coords(interp, &objv[2..])?;
    interp.set_result_number(match entry.canvas.borrow().get(coords)? {
        Value::Int(i) => Number::Int(i),
        Value::Float(f) => Number::Double(f),
    });
    Ok(None)
}

/// $c set x y ?z? ?t? value
#[inline(never)]
fn set_voxel(entry: &CanvasEntry, interp: Interp, objv: &[Arg]) -> CmdResult {
    let argc = objv.len();
    if !(5..=7).contains(&argc) {
        return Err(interp.wrong_num_args(2, objv, "x y ?z? ?t? value"));
    }
    let coords = parse_coords(interp, &objv[2..argc - 1])?;
    let mut canvas = entry.canvas.borrow_mut();
    let value = parse_value(interp, objv[argc - 1], canvas.voxel_type())?;
    canvas.set(coords, value)?;
    Ok(None)
}

fn command(state: &Rc<InterpState>, entry: &CanvasEntry, interp: Interp, objv: &[Arg]) -> CmdResult {
    if objv.len() < 2 {
        return Err(interp.wrong_num_args(1, objv, "subcommand ?arg ...?"));
    }
    let argc = objv.len();
    match SUBCOMMAND_OF[interp.get_index(objv[1], &SUBCOMMANDS, c"subcommand")?] {
        // $c copy ?name?
        Subcommand::Copy => {
            if argc > 3 {
                return Err(interp.wrong_num_args(2, objv, "?name?"));
            }
            let name = check_new_name(state, interp, objv.get(2).map(|a| a.to_name()))?;
            let copy = entry.canvas.borrow().try_clone()?;
            Ok(Some(install(state, interp, &name, copy)))
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
                let data = Obj::bytes_filled(src.len(), |dst| copy_voxels(dst, src, Dest::Fresh));
                data.map(Some).ok_or_else(|| {
                    MxError::mx(
                        format!("cannot allocate {} bytes for the canvas data: out of memory", src.len()),
                        &["ALLOC", &src.len().to_string()],
                    )
                    .into()
                })
            }
            3 => {
                let bytes = objv[2].to_bytes_checked().ok_or_else(|| {
                    MxError::mx(
                        "bad data: expected a byte array (e.g. from binary format or $c data), got a string with characters above \\u00FF",
                        &["DATA", "NOTBYTES"],
                    )
                })?;
                entry.canvas.borrow_mut().replace_data(bytes)?;
                Ok(None)
            }
            _ => Err(interp.wrong_num_args(2, objv, "?bytes?")),
        },
        // $c delete
        Subcommand::Delete => {
            if argc != 2 {
                return Err(interp.wrong_num_args(2, objv, ""));
            }
            let token = entry.token.get();
            if !token.is_null() {
                interp.delete_command(token);
            }
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
        // $c info
        Subcommand::Info => {
            if argc != 2 {
                return Err(interp.wrong_num_args(2, objv, ""));
            }
            Ok(Some(info(&entry.canvas.borrow())))
        }
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
        Subcommand::Configure => super::configure::command(entry, interp, objv),
        // $c region get|set x y ?z? ?t? width height ?depth? ?frames? ?values?
        Subcommand::Region => region::command(entry, interp, objv),
    }
}
