//! The object command of one canvas: `$c info | get | set | getregion | setregion | fill | data | stats | copy | delete`.

use super::mxcanvas::check_new_name;
use super::region;
use crate::core::copy::{copy_voxels, Dest};
use super::state::{CanvasEntry, InterpState};
use super::values::{parse_coords, parse_value, stats_obj};
use crate::core::{Canvas, MxError, Value};
use crate::tcl::table::{name_table, NameTable};
use crate::tcl::{create_command, Arg, CmdResult, Interp, Number, Obj};
use std::cell::{Cell, RefCell};
use std::rc::Rc;

static SUBCOMMANDS: NameTable<11> = name_table![
    c"copy", c"data", c"delete", c"fill", c"get", c"getregion", c"info", c"set", c"setregion", c"stats"
];

/// The largest byte array Tcl 8.6 can hold.
const MAX_BYTE_ARRAY: usize = i32::MAX as usize;

/// Make `canvas` a command named `name`; returns the name.
pub fn install(state: &Rc<InterpState>, interp: Interp, name: &str, canvas: Canvas) -> String {
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
    name.to_string()
}

fn info(canvas: &Canvas) -> Obj {
    let g = canvas.geometry();
    let info = Obj::dict([
        ("width", Obj::int(g.width as i64)),
        ("height", Obj::int(g.height as i64)),
        ("depth", Obj::int(g.depth as i64)),
        ("frames", Obj::int(g.frames as i64)),
        ("type", Obj::string(canvas.voxel_type().name())),
        ("bytes", Obj::int(canvas.bytes() as i64)),
    ]);
    // Where the voxels live: `storage heap`, or `storage shm shmid ID`.
    let mut extra = vec![("storage", Obj::string(canvas.storage_kind().name()))];
    if let Some(id) = canvas.shmid() {
        extra.push(("shmid", Obj::int(id as i64)));
    }
    info.dict_put(extra);
    info
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
    match interp.get_index(objv[1], &SUBCOMMANDS, c"subcommand")? {
        // $c copy ?name?
        0 => {
            if argc > 3 {
                return Err(interp.wrong_num_args(2, objv, "?name?"));
            }
            let name = check_new_name(state, interp, objv.get(2).map(|a| a.to_str()))?;
            let copy = entry.canvas.borrow().try_clone()?;
            Ok(Some(Obj::string(&install(state, interp, &name, copy))))
        }
        // $c data ?bytes?
        1 => match argc {
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
                Ok(Some(Obj::bytes_filled(src.len(), |dst| copy_voxels(dst, src, Dest::Fresh))))
            }
            3 => {
                entry.canvas.borrow_mut().replace_data(objv[2].to_bytes())?;
                Ok(None)
            }
            _ => Err(interp.wrong_num_args(2, objv, "?bytes?")),
        },
        // $c delete
        2 => {
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
        3 => {
            if argc != 3 {
                return Err(interp.wrong_num_args(2, objv, "value"));
            }
            let mut canvas = entry.canvas.borrow_mut();
            let value = parse_value(interp, objv[2], canvas.voxel_type())?;
            canvas.fill(value)?;
            Ok(None)
        }
        // $c get x y ?z? ?t?
        4 => get_voxel(entry, interp, objv),
        // $c getregion x y ?z? ?t? width height ?depth? ?frames?
        5 => region::get(entry, interp, objv),
        // $c info
        6 => {
            if argc != 2 {
                return Err(interp.wrong_num_args(2, objv, ""));
            }
            Ok(Some(info(&entry.canvas.borrow())))
        }
        // $c set x y ?z? ?t? value
        7 => set_voxel(entry, interp, objv),
        // $c setregion x y ?z? ?t? width height ?depth? ?frames? values
        8 => region::set(entry, interp, objv),
        // $c stats
        9 => {
            if argc != 2 {
                return Err(interp.wrong_num_args(2, objv, ""));
            }
            Ok(Some(stats_obj(entry.canvas.borrow().stats())))
        }
        _ => unreachable!("index from SUBCOMMANDS"),
    }
}
