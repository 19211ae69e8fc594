//! `$c configure ?-option ?value ...??`: read and set the header facts a
//! canvas carries (what `$c info` shows after the geometry), so that a
//! created or processed canvas can be saved with the right spacing, units,
//! orientation and scaling. Every value is checked before any is set.

use super::header_facts;
use super::state::CanvasEntry;
use crate::core::metadata::{spatial_unit_names, time_unit_names};
use crate::core::{Metadata, MxError};
use crate::tcl::table::{name_table, NameTable};
use crate::tcl::{Arg, CmdError, CmdResult, Interp, Obj};

static OPTIONS: NameTable<26> = name_table![
    c"-aux_file",
    c"-cal_max",
    c"-cal_min",
    c"-description",
    c"-dim_info",
    c"-intent_code",
    c"-intent_name",
    c"-intent_params",
    c"-ndim",
    c"-orient",
    c"-origin",
    c"-qform_code",
    c"-scl_inter",
    c"-scl_slope",
    c"-sform",
    c"-sform_code",
    c"-slice_code",
    c"-slice_duration",
    c"-slice_end",
    c"-slice_start",
    c"-spacing",
    c"-t_units",
    c"-toffset",
    c"-tstep",
    c"-xyz_units"
];
/// The same names, in the same order, as Rust strings.
const NAMES: [&str; 25] = [
    "-aux_file",
    "-cal_max",
    "-cal_min",
    "-description",
    "-dim_info",
    "-intent_code",
    "-intent_name",
    "-intent_params",
    "-ndim",
    "-orient",
    "-origin",
    "-qform_code",
    "-scl_inter",
    "-scl_slope",
    "-sform",
    "-sform_code",
    "-slice_code",
    "-slice_duration",
    "-slice_end",
    "-slice_start",
    "-spacing",
    "-t_units",
    "-toffset",
    "-tstep",
    "-xyz_units",
];

fn bad(option: &str, value: Arg, expected: String) -> CmdError {
    let text = value.to_str();
    MxError::mx(format!("bad {option} \"{text}\": expected {expected}"), &["CONFIGURE", option, &text]).into()
}

/// A double that a header's f32 field can hold.
fn float32(interp: Interp, option: &str, value: Arg, positive: bool) -> Result<f32, CmdError> {
    let v = interp.get_double(value)?;
    let ok = v.is_finite() && v.abs() <= f32::MAX as f64 && if positive { v > 0.0 } else { true };
    if !ok {
        let what = if positive { "a positive number" } else { "a finite number" };
        return Err(bad(option, value, format!("{what} that fits a 32-bit float")));
    }
    Ok(v as f32)
}

fn code(interp: Interp, option: &str, value: Arg) -> Result<i16, CmdError> {
    let v = interp.get_wide(value)?;
    if !(0..=4).contains(&v) {
        return Err(bad(option, value, "a NIfTI xform code from 0 to 4".into()));
    }
    Ok(v as i16)
}

fn apply(interp: Interp, m: &mut Metadata, dims: [usize; 4], index: usize, value: Arg) -> Result<(), CmdError> {
    let option = NAMES[index];
    if header_facts::OPTIONS.contains(&option) {
        return header_facts::apply(interp, m, dims, option, value);
    }
    match option {
        "-description" => {
            let text = value.to_str();
            if text.len() > 80 || text.contains('\0') {
                return Err(bad(option, value, "text of at most 80 bytes".into()));
            }
            m.description = text.into_bytes();
        }
        "-qform_code" => m.qform_code = code(interp, option, value)?,
        "-scl_inter" => m.scl_inter = float32(interp, option, value, false)?,
        "-scl_slope" => m.scl_slope = float32(interp, option, value, false)?,
        "-sform" => {
            let rows = interp.list_elements(value)?;
            let expected = || "3 or 4 rows of 4 numbers, a 4th row being {0 0 0 1}".to_string();
            if rows.len() != 3 && rows.len() != 4 {
                return Err(bad(option, value, expected()));
            }
            let mut srow = [[0f32; 4]; 3];
            for (r, &row) in rows.iter().enumerate() {
                let cells = interp.list_elements(row)?;
                if cells.len() != 4 {
                    return Err(bad(option, value, expected()));
                }
                for (c, &cell) in cells.iter().enumerate() {
                    let v = float32(interp, option, cell, false).map_err(|_| bad(option, value, expected()))?;
                    if r < 3 {
                        srow[r][c] = v;
                    } else if v != [0.0, 0.0, 0.0, 1.0][c] {
                        return Err(bad(option, value, expected()));
                    }
                }
            }
            m.srow = srow;
        }
        "-sform_code" => m.sform_code = code(interp, option, value)?,
        "-spacing" => {
            let items = interp.list_elements(value)?;
            if items.len() != 3 {
                return Err(bad(option, value, "3 positive numbers {dx dy dz}".into()));
            }
            for (slot, &item) in m.spacing.iter_mut().zip(items.iter()) {
                *slot = float32(interp, option, item, true)
                    .map_err(|_| bad(option, value, "3 positive numbers {dx dy dz}".into()))?;
            }
        }
        "-t_units" => {
            if !m.set_time_unit(&value.to_str()) {
                return Err(bad(option, value, format!("one of {}", time_unit_names().collect::<Vec<_>>().join(", "))));
            }
        }
        "-tstep" => {
            let t = float32(interp, option, value, false)?;
            if t < 0.0 {
                return Err(bad(option, value, "a time step of at least 0".into()));
            }
            m.tstep = t;
        }
        "-xyz_units" => {
            if !m.set_spatial_unit(&value.to_str()) {
                return Err(bad(
                    option,
                    value,
                    format!("one of {}", spatial_unit_names().collect::<Vec<_>>().join(", ")),
                ));
            }
        }
        _ => unreachable!("name from OPTIONS"),
    }
    Ok(())
}

fn current(m: &Metadata, dims: [usize; 4], index: usize) -> Obj {
    let mut info = super::formats::metadata_info(m);
    info.extend(header_facts::info(m, dims));
    let key = &NAMES[index][1..];
    info.into_iter().find(|(k, _)| *k == key).map(|(_, v)| v).expect("every option is an info key")
}

/// $c configure ?-option ?value -option value ...??
pub fn command(entry: &CanvasEntry, interp: Interp, objv: &[Arg]) -> CmdResult {
    let args = &objv[2..];
    match args.len() {
        0 => {
            let canvas = entry.canvas.borrow();
            let (m, dims) = (canvas.metadata(), canvas.geometry().dims());
            Ok(Some(Obj::dict(NAMES.iter().enumerate().map(|(i, name)| (*name, current(m, dims, i))))))
        }
        1 => {
            let index = lookup(interp, args[0])?;
            let canvas = entry.canvas.borrow();
            Ok(Some(current(canvas.metadata(), canvas.geometry().dims(), index)))
        }
        n if n.is_multiple_of(2) => {
            // Work on a copy; the canvas changes only when every value was good.
            let mut m = entry.canvas.borrow().metadata().clone();
            let dims = entry.canvas.borrow().geometry().dims();
            for pair in args.chunks_exact(2) {
                let index = lookup(interp, pair[0])?;
                apply(interp, &mut m, dims, index, pair[1])?;
            }
            entry.canvas.borrow_mut().set_metadata(m);
            Ok(None)
        }
        _ => Err(interp.wrong_num_args(2, objv, "?-option? ?value -option value ...?")),
    }
}

fn lookup(interp: Interp, arg: Arg) -> Result<usize, CmdError> {
    interp.get_index(arg, &OPTIONS, c"option")
}
