//! `MxCanvas create | delete | exists | load | names | series | types`.

use super::formats;
use super::registry::{self, split_name, InterpState};
use super::values::parse_wide;
use crate::core::geometry::{dimension_error, Geometry};
use crate::core::storage::StorageKind;
use crate::core::{Canvas, MxError, VoxelType};
use crate::tcl::{choices, Arg, Choice, CmdError, CmdResult, Interp, Obj};
use std::rc::Rc;

choices! {
    enum Subcommand("subcommand") {
        Create = "create",
        Delete = "delete",
        Exists = "exists",
        Load = "load",
        Names = "names",
        Series = "series",
        Types = "types",
    }
}

choices! {
    enum CreateOption("option") {
        Depth = "-depth",
        Frames = "-frames",
        Height = "-height",
        Storage = "-storage",
        Type = "-type",
        Width = "-width",
    }
}

choices! { impl StorageKind("storage") { Heap = "heap", Shm = "shm" } }

// In the contract's order (not alphabetical): `MxCanvas types` lists them so.
choices! {
    impl VoxelType("type") {
        Uint8 = "uint8",
        Int8 = "int8",
        Uint16 = "uint16",
        Int16 = "int16",
        Uint32 = "uint32",
        Int32 = "int32",
        Float32 = "float32",
        Int64 = "int64",
        Uint64 = "uint64",
        Float64 = "float64",
    }
}

const CREATE_USAGE: &str = "?name? -width W -height H ?-depth D? ?-frames T? ?-type TYPE? ?-storage heap|shm?";

pub fn command(state: &Rc<InterpState>, interp: Interp, objv: &[Arg<'_>]) -> CmdResult {
    if objv.len() < 2 {
        return Err(interp.wrong_num_args(1, objv, "subcommand ?arg ...?"));
    }
    match interp.get_choice(objv[1])? {
        // MxCanvas create ?name? -width W -height H ?-depth D? ?-frames T? ?-type TYPE? ?-storage KIND?
        Subcommand::Create => create(state, interp, objv),
        // MxCanvas delete name ?name ...?
        Subcommand::Delete => {
            if objv.len() < 3 {
                return Err(interp.wrong_num_args(2, objv, "name ?name ...?"));
            }
            // Look every name up first: a failed call deletes nothing.
            let entries = objv[2..].iter().map(|&n| state.lookup(interp, n)).collect::<Result<Vec<_>, _>>()?;
            for entry in entries {
                registry::delete(interp, &entry);
            }
            Ok(None)
        }
        // MxCanvas exists name
        Subcommand::Exists => {
            if objv.len() != 3 {
                return Err(interp.wrong_num_args(2, objv, "name"));
            }
            Ok(Some(Obj::boolean(state.find(interp, objv[2]).is_some())))
        }
        // MxCanvas names ?pattern?
        Subcommand::Names => {
            if objv.len() > 3 {
                return Err(interp.wrong_num_args(2, objv, "?pattern?"));
            }
            let pattern = objv.get(2).map(|p| p.to_name());
            let names = state
                .all()
                .iter()
                .filter_map(|e| e.token.get().map(|token| interp.command_name(token)))
                .filter(|name| pattern.as_ref().is_none_or(|p| interp.string_match(name, p)))
                .map(|name| name.to_obj())
                .collect::<Vec<_>>();
            Ok(Some(Obj::list(names)))
        }
        // MxCanvas load file ?name? ?-format F? ?-scaled BOOL? ?-series UID? ?-storage KIND?
        Subcommand::Load => formats::load(state, interp, objv),
        // MxCanvas series path
        Subcommand::Series => formats::series(interp, objv),
        // MxCanvas types
        Subcommand::Types => {
            if objv.len() != 2 {
                return Err(interp.wrong_num_args(2, objv, ""));
            }
            Ok(Some(Obj::list(VoxelType::NAMES.iter().map(|n| Obj::string(n)))))
        }
    }
}

/// A dimension option's value: an integer from 1 to the largest dimension,
/// the error naming the option whatever is wrong with it.
fn dimension(interp: Interp, arg: Arg<'_>, option: &str) -> Result<i64, CmdError> {
    let text = arg.to_str();
    match parse_wide(interp, arg, |text| dimension_error(option, text)) {
        Ok(v) => Ok(v),
        Err(CmdError::Mx(e)) => Err(e.into()),
        // Not an integer at all (Tcl's own error): say which option, keep Tcl's errorcode.
        Err(CmdError::Reported) => Err(MxError::tcl(
            format!(
                "bad {option} \"{}\": expected an integer from 1 to {}",
                text.trim(),
                crate::core::geometry::MAX_DIMENSION
            ),
            &["VALUE", "NUMBER"],
        )
        .into()),
    }
}

fn create(state: &Rc<InterpState>, interp: Interp, objv: &[Arg<'_>]) -> CmdResult {
    let (name, rest) = split_name(&objv[2..]);
    if rest.len() % 2 != 0 {
        return Err(interp.wrong_num_args(2, objv, CREATE_USAGE));
    }
    let mut dims: [Option<i64>; 4] = [None, None, Some(1), Some(1)];
    let mut vtype = VoxelType::Float32;
    let mut storage = StorageKind::Heap;
    for pair in rest.chunks_exact(2) {
        let option: CreateOption = interp.get_choice(pair[0])?;
        match option {
            CreateOption::Depth => dims[2] = Some(dimension(interp, pair[1], "-depth")?),
            CreateOption::Frames => dims[3] = Some(dimension(interp, pair[1], "-frames")?),
            CreateOption::Height => dims[1] = Some(dimension(interp, pair[1], "-height")?),
            CreateOption::Storage => storage = interp.get_choice(pair[1])?,
            CreateOption::Type => vtype = interp.get_choice(pair[1])?,
            CreateOption::Width => dims[0] = Some(dimension(interp, pair[1], "-width")?),
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
    let name = state.check_new_name(interp, name)?;
    let canvas = Canvas::new_in(geometry, vtype, storage)?;
    Ok(Some(state.install(interp, &name, canvas)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_alphabetical_where_no_contract_fixes_the_order() {
        assert!(<Subcommand as Choice>::NAMES.is_sorted());
        assert!(<CreateOption as Choice>::NAMES.is_sorted());
        assert!(<super::super::canvas_object::Subcommand as Choice>::NAMES.is_sorted());
        assert!(super::super::formats::ALPHABETICAL.iter().all(|names| names.is_sorted()));
    }

    #[test]
    fn choice_names_are_the_core_names() {
        for (t, name) in VoxelType::ALL.iter().zip(<VoxelType as Choice>::NAMES) {
            assert_eq!(t.name(), *name);
        }
        assert_eq!(<VoxelType as Choice>::ALL, VoxelType::ALL);
        for (k, name) in <StorageKind as Choice>::ALL.iter().zip(<StorageKind as Choice>::NAMES) {
            assert_eq!(k.name(), *name);
        }
    }
}
