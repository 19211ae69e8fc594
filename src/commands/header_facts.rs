//! The header facts beyond orientation and scaling that `$c info` shows and
//! `$c configure` sets: dimensionality, intent, slice timing, dim_info,
//! calibration, toffset, aux_file, the Analyze/SPM orient and origin, and
//! (shown only) the header extensions. Each option checks its value and
//! names the expected range when it refuses one.

use crate::core::{Metadata, MxError};
use crate::formats::header_encode::{minimal_ndim, ndim_for};
use crate::tcl::{Arg, CmdError, Interp, Obj};

/// The options of this module, as `$c configure` names them (its table
/// merges them with its own, in alphabetical order).
pub const OPTIONS: [&str; 15] = [
    "-aux_file",
    "-cal_max",
    "-cal_min",
    "-dim_info",
    "-intent_code",
    "-intent_name",
    "-intent_params",
    "-ndim",
    "-orient",
    "-origin",
    "-slice_code",
    "-slice_duration",
    "-slice_end",
    "-slice_start",
    "-toffset",
];

fn text(bytes: &[u8]) -> Obj {
    Obj::string(&String::from_utf8_lossy(bytes))
}

fn floats(v: &[f32]) -> Obj {
    Obj::list(v.iter().map(|&x| Obj::double(x as f64)))
}

/// `dim_info` as {freq phase slice}: 1-based axes, 0 when not said.
fn dim_info(b: u8) -> [u8; 3] {
    [b & 3, (b >> 2) & 3, (b >> 4) & 3]
}

/// The `$c info` keys of this module, for a canvas of `dims`.
pub fn info(m: &Metadata, dims: [usize; 4]) -> Vec<(&'static str, Obj)> {
    let x = &m.extra;
    vec![
        ("ndim", Obj::int(ndim_for(dims, x.ndim) as i64)),
        ("intent_code", Obj::int(x.intent_code as i64)),
        ("intent_params", floats(&x.intent_p)),
        ("intent_name", text(&x.intent_name)),
        ("dim_info", Obj::list(dim_info(x.dim_info).iter().map(|&a| Obj::int(a as i64)))),
        ("slice_code", Obj::int(x.slice_code as i64)),
        ("slice_start", Obj::int(x.slice_start as i64)),
        ("slice_end", Obj::int(x.slice_end as i64)),
        ("slice_duration", Obj::double(x.slice_duration as f64)),
        ("cal_min", Obj::double(x.cal_min as f64)),
        ("cal_max", Obj::double(x.cal_max as f64)),
        ("toffset", Obj::double(x.toffset as f64)),
        ("aux_file", text(&x.aux_file)),
        ("orient", Obj::int(x.orient as i64)),
        ("origin", Obj::list(x.origin.iter().map(|&o| Obj::int(o as i64)))),
        (
            "extensions",
            Obj::list(
                x.extensions.iter().map(|e| Obj::list([Obj::int(e.code as i64), Obj::int(e.content.len() as i64)])),
            ),
        ),
    ]
}

fn bad(option: &str, value: Arg, expected: &str) -> CmdError {
    let shown = value.to_str();
    MxError::mx(format!("bad {option} \"{shown}\": expected {expected}"), &["CONFIGURE", option, &shown]).into()
}

fn int_in(interp: Interp, option: &str, value: Arg, lo: i64, hi: i64) -> Result<i64, CmdError> {
    let expected = format!("an integer from {lo} to {hi}");
    let v = interp.get_wide(value).map_err(|_| bad(option, value, &expected))?;
    if !(lo..=hi).contains(&v) {
        return Err(bad(option, value, &expected));
    }
    Ok(v)
}

fn finite(interp: Interp, option: &str, value: Arg, at_least_zero: bool) -> Result<f32, CmdError> {
    let expected = if at_least_zero {
        "a number of at least 0 that fits a 32-bit float"
    } else {
        "a finite number that fits a 32-bit float"
    };
    let v = interp.get_double(value).map_err(|_| bad(option, value, expected))?;
    if !v.is_finite() || v.abs() > f32::MAX as f64 || (at_least_zero && v < 0.0) {
        return Err(bad(option, value, expected));
    }
    Ok(v as f32)
}

fn short_text(option: &str, value: Arg, max: usize) -> Result<Vec<u8>, CmdError> {
    let t = value.to_str();
    if t.len() > max || t.contains('\0') {
        return Err(bad(option, value, &format!("text of at most {max} bytes")));
    }
    Ok(t.into_bytes())
}

/// A list of exactly `n` (or `n_alt`) elements.
fn items(interp: Interp, option: &str, value: Arg, n: &[usize], expected: &str) -> Result<Vec<Arg>, CmdError> {
    let list = interp.list_elements(value).map_err(|_| bad(option, value, expected))?;
    if !n.contains(&list.len()) {
        return Err(bad(option, value, expected));
    }
    Ok(list)
}

/// Set `option` (one of [`OPTIONS`]) on `m`, for a canvas of `dims`.
pub fn apply(interp: Interp, m: &mut Metadata, dims: [usize; 4], option: &str, value: Arg) -> Result<(), CmdError> {
    let x = &mut m.extra;
    match option {
        "-aux_file" => x.aux_file = short_text(option, value, 24)?,
        "-cal_max" => x.cal_max = finite(interp, option, value, false)?,
        "-cal_min" => x.cal_min = finite(interp, option, value, false)?,
        "-dim_info" => {
            let expected = "3 axis numbers {freq phase slice}, each 0 (unknown) or 1 to 3";
            let mut axes = [0u8; 3];
            for (slot, &item) in axes.iter_mut().zip(items(interp, option, value, &[3], expected)?.iter()) {
                *slot = int_in(interp, option, item, 0, 3).map_err(|_| bad(option, value, expected))? as u8;
            }
            x.dim_info = axes[0] | axes[1] << 2 | axes[2] << 4;
        }
        "-intent_code" => x.intent_code = int_in(interp, option, value, 0, i16::MAX as i64)? as i16,
        "-intent_name" => x.intent_name = short_text(option, value, 16)?,
        "-intent_params" => {
            let expected = "3 finite numbers {p1 p2 p3}";
            let mut p = [0f32; 3];
            for (slot, &item) in p.iter_mut().zip(items(interp, option, value, &[3], expected)?.iter()) {
                *slot = finite(interp, option, item, false).map_err(|_| bad(option, value, expected))?;
            }
            x.intent_p = p;
        }
        "-ndim" => x.ndim = int_in(interp, option, value, minimal_ndim(dims).max(1) as i64, 7)? as i16,
        "-orient" => x.orient = int_in(interp, option, value, 0, 5)? as u8,
        "-origin" => {
            let expected = "3 or 5 integers from -32768 to 32767 {x y z ?a b?} (1-based voxel coordinates)";
            let list = items(interp, option, value, &[3, 5], expected)?;
            let mut origin = [0i16; 5];
            for (slot, &item) in origin.iter_mut().zip(list.iter()) {
                *slot = int_in(interp, option, item, i16::MIN as i64, i16::MAX as i64)
                    .map_err(|_| bad(option, value, expected))? as i16;
            }
            x.origin = origin;
        }
        "-slice_code" => x.slice_code = int_in(interp, option, value, 0, 6)? as u8,
        "-slice_duration" => x.slice_duration = finite(interp, option, value, true)?,
        "-slice_end" => x.slice_end = int_in(interp, option, value, 0, i16::MAX as i64)? as i16,
        "-slice_start" => x.slice_start = int_in(interp, option, value, 0, i16::MAX as i64)? as i16,
        "-toffset" => x.toffset = finite(interp, option, value, false)?,
        _ => unreachable!("only this module's options reach here"),
    }
    Ok(())
}
