//! `MxCanvas create | names | exists | delete`.

use super::canvas_object;
use super::state::InterpState;
use super::values::parse_wide;
use crate::core::geometry::{Geometry, MAX_DIMENSION};
use crate::core::storage::StorageKind;
use crate::core::{Canvas, MxError, VoxelType};
use crate::tcl::table::{name_table, NameTable};
use crate::tcl::{Arg, CmdResult, Interp, Obj, TclName};
use std::rc::Rc;

static SUBCOMMANDS: NameTable<6> = name_table![c"create", c"delete", c"exists", c"load", c"names"];
static CREATE_OPTIONS: NameTable<7> = name_table![c"-depth", c"-frames", c"-height", c"-storage", c"-type", c"-width"];
/// In the order of [`StorageKind::ALL`].
static STORAGE_KINDS: NameTable<3> = name_table![c"heap", c"shm"];
/// The names of `VoxelType::ALL`, in its order (a `-type` index is an index into it).
pub static VOXEL_TYPES: NameTable<11> = name_table![
    c"uint8", c"int8", c"uint16", c"int16", c"uint32", c"int32", c"float32", c"int64", c"uint64", c"float64"
];

const CREATE_USAGE: &str = "?name? -width W -height H ?-depth D? ?-frames T? ?-type TYPE? ?-storage heap|shm?";

pub fn command(state: &Rc<InterpState>, interp: Interp, objv: &[Arg]) -> CmdResult {
    if objv.len() < 2 {
        return Err(interp.wrong_num_args(1, objv, "subcommand ?arg ...?"));
    }
    match interp.get_index(objv[1], &SUBCOMMANDS, c"subcommand")? {
        // MxCanvas create ?name? -width W -height H ?-depth D? ?-frames T? ?-type TYPE? ?-storage KIND?
        0 => create(state, interp, objv),
        // MxCanvas delete name ?name ...?
        1 => {
            if objv.len() < 3 {
                return Err(interp.wrong_num_args(2, objv, "name ?name ...?"));
            }
            // Look every name up first: a failed call deletes nothing.
            let entries = objv[2..].iter().map(|&n| state.lookup(interp, n)).collect::<Result<Vec<_>, _>>()?;
            for entry in entries {
                let token = entry.token.get();
                if !token.is_null() {
                    interp.delete_command(token);
                }
            }
            Ok(None)
        }
        // MxCanvas exists name
        2 => {
            if objv.len() != 3 {
                return Err(interp.wrong_num_args(2, objv, "name"));
            }
            Ok(Some(Obj::boolean(state.find(interp, objv[2]).is_some())))
        }
        // MxCanvas names ?pattern?
        4 => {
            if objv.len() > 3 {
                return Err(interp.wrong_num_args(2, objv, "?pattern?"));
            }
            let pattern = objv.get(2).map(|p| p.to_name());
            let names = state
                .all()
                .iter()
                .map(|e| interp.command_name(e.token.get()))
                .filter(|name| pattern.as_ref().map_or(true, |p| interp.string_match(name, p)))
                .map(|name| name.to_obj())
                .collect::<Vec<_>>();
            Ok(Some(Obj::list(names)))
        }
        // MxCanvas load file ?name? ?-format F? ?-scaled BOOL?
        3 => super::formats::load(state, interp, objv),
        _ => unreachable!("index from SUBCOMMANDS"),
    }
}

fn create(state: &Rc<InterpState>, interp: Interp, objv: &[Arg]) -> CmdResult {
    let (name, rest) = split_name(&objv[2..]);
    if rest.len() % 2 != 0 {
        return Err(interp.wrong_num_args(2, objv, CREATE_USAGE));
    }
    let mut dims: [Option<i64>; 4] = [None, None, Some(1), Some(1)];
    let mut vtype = VoxelType::Float32;
    let mut storage = StorageKind::Heap;
    let dimension = |arg: Arg, option: &str| {
        parse_wide(interp, arg, |text| {
            MxError::mx(
                format!("bad {option} {text}: expected an integer from 1 to {MAX_DIMENSION}"),
                &["GEOMETRY", option, text],
            )
        })
    };
    for pair in rest.chunks_exact(2) {
        match interp.get_index(pair[0], &CREATE_OPTIONS, c"option")? {
            0 => dims[2] = Some(dimension(pair[1], "-depth")?),
            1 => dims[3] = Some(dimension(pair[1], "-frames")?),
            2 => dims[1] = Some(dimension(pair[1], "-height")?),
            3 => storage = StorageKind::ALL[interp.get_index(pair[1], &STORAGE_KINDS, c"storage")?],
            4 => vtype = VoxelType::ALL[interp.get_index(pair[1], &VOXEL_TYPES, c"type")?],
            5 => dims[0] = Some(dimension(pair[1], "-width")?),
            _ => unreachable!("index from CREATE_OPTIONS"),
        }
    }
    let (Some(w), Some(h), Some(d), Some(t)) = (dims[0], dims[1], dims[2], dims[3]) else {
        return Err(MxError::mx(
            format!("MxCanvas create needs both -width and -height: should be \"MxCanvas create {CREATE_USAGE}\""),
            &["ARGS", "MISSING", if dims[0].is_none() { "-width" } else { "-height" }],
        )
        .into());
    };
    let geometry = Geometry::new([w, h, d, t], vtype)?;
    let name = check_new_name(state, interp, name)?;
    let canvas = Canvas::new_in(geometry, vtype, storage)?;
    Ok(Some(canvas_object::install(state, interp, &name, canvas)))
}

/// Split `?name? -option value ...`: a first word not starting with "-" is the name.
pub fn split_name(args: &[Arg]) -> (Option<TclName>, &[Arg]) {
    match args.first().map(|a| a.to_name()) {
        Some(name) if name.as_bytes().first() != Some(&b'-') => (Some(name), &args[1..]),
        _ => (None, args),
    }
}

/// The name for a new canvas: the one given (which must not already be a
/// command) or a fresh automatic one.
pub fn check_new_name(state: &InterpState, interp: Interp, name: Option<TclName>) -> Result<TclName, MxError> {
    match name {
        None => Ok(state.auto_name(interp)),
        Some(n) if n.is_empty() => Err(MxError::mx("a canvas name must not be empty", &["CANVAS", "NAME"])),
        Some(n) if interp.command_exists(&n) => Err(MxError::mx(
            format!("a command named \"{}\" already exists: choose another canvas name", n.display()),
            &["CANVAS", "EXISTS", &n.display()],
        )),
        Some(n) => Ok(n),
    }
}
