//! Converting voxel values and coordinates between Tcl values and the core.

use crate::core::geometry::index_error;
use crate::core::integer_text::looks_like_integer;
use crate::core::stats::Stats;
use crate::core::{MxError, Value, VoxelType};
use crate::tcl::{Arg, CmdError, Interp, Obj};

/// Read a 64-bit integer by Tcl's rules. An integer too large for 64 bits
/// becomes the error `too_large` makes from its text (instead of Tcl's
/// `ARITH IOVERFLOW`), so every range problem reads the same way; anything
/// that is not an integer gets Tcl's own `TCL VALUE NUMBER` error.
pub fn parse_wide(interp: Interp, arg: Arg<'_>, too_large: impl FnOnce(&str) -> MxError) -> Result<i64, CmdError> {
    if let Some(i) = interp.try_wide(arg) {
        return Ok(i);
    }
    let text = arg.to_str();
    if looks_like_integer(&text) {
        return Err(too_large(text.trim()).into());
    }
    interp.get_wide(arg)
}

/// Read a shmid: an integer from 0 to the largest int.
pub fn parse_shmid(interp: Interp, arg: Arg<'_>) -> Result<i32, CmdError> {
    let range_error = |text: &str| {
        MxError::mx(
            format!("bad shmid {text}: expected a shared memory id from 0 to {}", i32::MAX),
            &["VALUE", "RANGE", "shmid", text],
        )
    };
    let id = parse_wide(interp, arg, range_error)?;
    i32::try_from(id).ok().filter(|&id| id >= 0).ok_or_else(|| range_error(&id.to_string()).into())
}

/// Read a value for a voxel of `vtype`: an integer type takes integers by
/// Tcl's rules, exactly, up to uint64's 2^64-1; a float type any double and
/// NaN. Anything else is an error naming the type (and its range); the range
/// itself is checked by the core when the value is encoded.
pub fn parse_value(interp: Interp, arg: Arg<'_>, vtype: VoxelType) -> Result<Value, CmdError> {
    let value = if vtype.is_float() {
        interp.try_double_or_nan(arg).map(Value::Float)
    } else {
        interp.try_integer(arg).map(Value::Int)
    };
    value.ok_or_else(|| {
        let text = arg.to_str();
        if !vtype.is_float() && looks_like_integer(&text) {
            vtype.range_error(text.trim()).into()
        } else {
            vtype.not_a_value(&text).into()
        }
    })
}

pub fn value_obj(value: Value) -> Obj {
    match value {
        Value::Int(i) => Obj::integer(i),
        Value::Float(f) => Obj::double(f),
    }
}

/// Read 2 to 4 voxel coordinates; missing z and t are 0.
pub fn parse_coords(interp: Interp, args: &[Arg<'_>]) -> Result<[i64; 4], CmdError> {
    let mut coords = [0i64; 4];
    for ((slot, &arg), axis) in coords.iter_mut().zip(args).zip(["x", "y", "z", "t"]) {
        *slot = parse_wide(interp, arg, |text| index_error(axis, text, None))?;
    }
    Ok(coords)
}

pub fn stats_obj(stats: Stats) -> Obj {
    Obj::dict([("min", value_obj(stats.min)), ("max", value_obj(stats.max)), ("mean", Obj::double(stats.mean))])
}
