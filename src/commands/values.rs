//! Converting voxel values and coordinates between Tcl values and the core.

use crate::core::integer_text::looks_like_integer;
use crate::core::stats::Stats;
use crate::core::{MxError, Value, VoxelType};
use crate::tcl::{Arg, CmdError, Interp, Obj};

/// Read a value for a voxel of `vtype`: an integer type takes integers (Tcl's
/// rules), a float type any double. Range is checked later, by the core.
pub fn parse_value(interp: Interp, arg: Arg, vtype: VoxelType) -> Result<Value, CmdError> {
    if vtype.is_float() {
        return Ok(Value::Float(interp.get_double(arg)?));
    }
    if let Some(i) = interp.try_wide(arg) {
        return Ok(Value::Int(i));
    }
    let text = arg.to_str();
    if looks_like_integer(&text) {
        let (lo, hi) = vtype.int_range().expect("integer type");
        return Err(MxError::mx(
            format!("value {} is out of range for {}: expected an integer from {lo} to {hi}", text.trim(), vtype.name()),
            &["VALUE", "RANGE", vtype.name(), text.trim()],
        )
        .into());
    }
    // Not an integer at all: let Tcl say so in its own words (TCL VALUE NUMBER).
    interp.get_wide(arg).map(Value::Int)
}

pub fn value_obj(value: Value) -> Obj {
    match value {
        Value::Int(i) => Obj::int(i),
        Value::Float(f) => Obj::double(f),
    }
}

/// Read 2 to 4 voxel coordinates; missing z and t are 0.
pub fn parse_coords(interp: Interp, args: &[Arg]) -> Result<[i64; 4], CmdError> {
    let mut coords = [0i64; 4];
    for (slot, &arg) in coords.iter_mut().zip(args) {
        *slot = interp.get_wide(arg)?;
    }
    Ok(coords)
}

pub fn stats_obj(stats: Stats) -> Obj {
    Obj::dict([("min", value_obj(stats.min)), ("max", value_obj(stats.max)), ("mean", Obj::double(stats.mean))])
}
