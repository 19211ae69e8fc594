//! `$c region get` and `$c region set`: a box of voxels as one flat Tcl
//! list, in layout order (x fastest, then y, z, t).
//!
//! ```text
//! $c region get x y ?z? ?t? width height ?depth? ?frames?
//! $c region set x y ?z? ?t? width height ?depth? ?frames? values
//! ```
//!
//! The origin and the size have the same number of axes (2, 3 or 4);
//! missing axes are origin 0, size 1, as for `$c get`. One subcommand
//! `region` (rather than `getregion`/`setregion`) keeps `$c g ...` a unique
//! abbreviation of `$c get`.

use super::registry::CanvasEntry;
use super::values::{parse_coords, parse_value, value_obj};
use crate::core::limits::{alloc_failed, try_vec, MAX_LIST_VOXELS, TCL_OBJ_COST};
use crate::core::region::{length_error, read_region, write_region, Region};
use crate::core::MxError;
use crate::tcl::room::list_room;
use crate::tcl::{choices, Arg, CmdResult, Interp, Obj};

choices! { enum Operation("operation") { Get = "get", Set = "set" } }

/// $c region get|set ...
pub fn command(entry: &CanvasEntry, interp: Interp, objv: &[Arg<'_>]) -> CmdResult {
    if objv.len() < 3 {
        return Err(interp.wrong_num_args(2, objv, "get|set x y ?z? ?t? width height ?depth? ?frames? ?values?"));
    }
    match interp.get_choice(objv[2])? {
        Operation::Get => get(entry, interp, objv),
        Operation::Set => set(entry, interp, objv),
    }
}

const GET_USAGE: &str = "x y ?z? ?t? width height ?depth? ?frames?";
const SET_USAGE: &str = "x y ?z? ?t? width height ?depth? ?frames? values";

/// A region's origin and size, as parsed (not yet checked against the canvas).
type Box4 = ([i64; 4], [i64; 4]);

/// Origin and size from `args` (4, 6 or 8 words), or None for a wrong count.
fn parse_box(interp: Interp, args: &[Arg<'_>]) -> Result<Option<Box4>, crate::tcl::CmdError> {
    if !matches!(args.len(), 4 | 6 | 8) {
        return Ok(None);
    }
    let axes = args.len() / 2;
    let origin = parse_coords(interp, &args[..axes])?;
    let mut size = parse_coords(interp, &args[axes..])?;
    for s in &mut size[axes..] {
        *s = 1;
    }
    Ok(Some((origin, size)))
}

/// $c region get x y ?z? ?t? width height ?depth? ?frames?
fn get(entry: &CanvasEntry, interp: Interp, objv: &[Arg<'_>]) -> CmdResult {
    let Some((origin, size)) = parse_box(interp, &objv[3..])? else {
        return Err(interp.wrong_num_args(3, objv, GET_USAGE));
    };
    let canvas = entry.canvas.borrow();
    let region = Region::new(&canvas.geometry(), origin, size)?;
    let count = region.voxels();
    if count > MAX_LIST_VOXELS {
        return Err(MxError::mx(
            format!(
                "the region has {count} voxels, more than one list may hold ({MAX_LIST_VOXELS}): read it in smaller boxes, or use $c data or MxExternCanvas"
            ),
            &["REGION", "TOOLARGE", &count.to_string()],
        )
        .into());
    }
    // Tcl aborts the process when it cannot allocate a value: ask its
    // allocator for the memory of all of them before making the first.
    if !list_room(count) {
        return Err(alloc_failed(count.saturating_mul(TCL_OBJ_COST), "the region's list of values").into());
    }
    let mut items = try_vec(count, "the region's list of values")?;
    read_region(&canvas, &region, |v| items.push(value_obj(v)));
    Ok(Some(Obj::list_of(items)))
}

/// $c region set x y ?z? ?t? width height ?depth? ?frames? values
fn set(entry: &CanvasEntry, interp: Interp, objv: &[Arg<'_>]) -> CmdResult {
    let argc = objv.len();
    // Coordinates first: reading them may change their internal types, and
    // the values' element array must not be disturbed afterwards.
    let parsed = if argc >= 4 { parse_box(interp, &objv[3..argc - 1])? } else { None };
    let Some((origin, size)) = parsed else {
        return Err(interp.wrong_num_args(3, objv, SET_USAGE));
    };
    let mut canvas = entry.canvas.borrow_mut();
    let region = Region::new(&canvas.geometry(), origin, size)?;
    let values = interp.list_elements(objv[argc - 1])?;
    if values.len() != region.voxels() {
        return Err(length_error(region.voxels(), values.len()).into());
    }
    // Every value is parsed and range-checked before any voxel changes.
    let vtype = canvas.voxel_type();
    let mut encoded = try_vec(values.len() * vtype.size(), "the region's encoded values")?;
    for value in &values {
        encoded.extend_from_slice(vtype.encode(parse_value(interp, value.as_arg(), vtype)?)?.as_bytes());
    }
    write_region(&mut canvas, &region, &encoded)?;
    Ok(None)
}
