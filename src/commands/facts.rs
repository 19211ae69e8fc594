//! The facts a canvas tells about itself, one row each: what `$c info`
//! lists (in row order), what `$c info key` reads, and — for the rows with
//! a setter — the options `$c configure` and `$c cget` take (`-key`).
//!
//! Adding a header fact is adding one row (and its setter, if scripts may
//! set it): the option tables are derived from [`FACTS`], never written twice.

use super::header_facts::{self as hf, bad};
use crate::core::affine;
use crate::core::metadata::{spatial_unit_names, time_unit_names};
use crate::core::{Canvas, Metadata};
use crate::tcl::{Arg, CmdError, DynTable, Interp, Obj};
use once_cell::sync::Lazy;

/// Check `value` for option `-key` and store it in the (copied) metadata.
pub type Setter = fn(Interp, &str, Arg<'_>, &mut Metadata) -> Result<(), CmdError>;

pub struct Fact {
    pub key: &'static str,
    /// The fact's value; None when the canvas has no such fact (`shmid` of a heap canvas).
    pub get: fn(&Canvas) -> Option<Obj>,
    pub set: Option<Setter>,
}

const fn fact(key: &'static str, get: fn(&Canvas) -> Option<Obj>, set: Option<Setter>) -> Fact {
    Fact { key, get, set }
}

fn matrix(m: [[f64; 4]; 4]) -> Obj {
    // `+ 0.0` turns -0.0 (from zero rotation terms) into 0.0 for display.
    Obj::list(m.iter().map(|row| Obj::list(row.iter().map(|&v| Obj::double(v + 0.0)))))
}

fn md(c: &Canvas) -> &Metadata {
    c.metadata()
}

/// Every fact, in the order `$c info` lists them: geometry, header, storage.
pub static FACTS: &[Fact] = &[
    fact("width", |c| Some(Obj::int(c.geometry().width as i64)), None),
    fact("height", |c| Some(Obj::int(c.geometry().height as i64)), None),
    fact("depth", |c| Some(Obj::int(c.geometry().depth as i64)), None),
    fact("frames", |c| Some(Obj::int(c.geometry().frames as i64)), None),
    fact("type", |c| Some(Obj::string(c.voxel_type().name())), None),
    fact("bytes", |c| Some(Obj::int(c.bytes() as i64)), None),
    fact("spacing", |c| Some(Obj::list(md(c).spacing.iter().map(|&v| Obj::double(v as f64)))), Some(set_spacing)),
    fact("tstep", |c| Some(Obj::double(md(c).tstep as f64)), Some(set_tstep)),
    fact("xyz_units", |c| Some(Obj::string(md(c).spatial_unit())), Some(set_xyz_units)),
    fact("t_units", |c| Some(Obj::string(md(c).time_unit())), Some(set_t_units)),
    fact(
        "qform_code",
        |c| Some(Obj::int(md(c).qform_code as i64)),
        Some(|i, o, v, m| {
            m.qform_code = code(i, o, v)?;
            Ok(())
        }),
    ),
    fact("qform", |c| Some(matrix(md(c).qform_affine())), None),
    fact(
        "sform_code",
        |c| Some(Obj::int(md(c).sform_code as i64)),
        Some(|i, o, v, m| {
            m.sform_code = code(i, o, v)?;
            Ok(())
        }),
    ),
    fact("sform", |c| Some(matrix(md(c).sform_affine())), Some(set_sform)),
    // The one voxel-to-world affine (nibabel's `img.affine`): sform, qform or spacing.
    fact("affine", |c| Some(matrix(affine::best(md(c), &c.geometry()))), None),
    fact("description", |c| hf::text(&md(c).description), Some(set_description)),
    fact(
        "scl_slope",
        |c| Some(Obj::double(md(c).scl_slope as f64)),
        Some(|i, o, v, m| {
            m.scl_slope = float32(i, o, v, false)?;
            Ok(())
        }),
    ),
    fact(
        "scl_inter",
        |c| Some(Obj::double(md(c).scl_inter as f64)),
        Some(|i, o, v, m| {
            m.scl_inter = float32(i, o, v, false)?;
            Ok(())
        }),
    ),
    // The rest of the header (src/commands/header_facts.rs).
    fact("ndim", hf::ndim, Some(hf::set_ndim)),
    fact("intent_code", hf::intent_code, Some(hf::set_intent_code)),
    fact("intent_params", hf::intent_params, Some(hf::set_intent_params)),
    fact("intent_name", hf::intent_name, Some(hf::set_intent_name)),
    fact("dim_info", hf::dim_info, Some(hf::set_dim_info)),
    fact("slice_code", hf::slice_code, Some(hf::set_slice_code)),
    fact("slice_start", hf::slice_start, Some(hf::set_slice_start)),
    fact("slice_end", hf::slice_end, Some(hf::set_slice_end)),
    fact("slice_duration", hf::slice_duration, Some(hf::set_slice_duration)),
    fact("cal_min", hf::cal_min, Some(hf::set_cal_min)),
    fact("cal_max", hf::cal_max, Some(hf::set_cal_max)),
    fact("toffset", hf::toffset, Some(hf::set_toffset)),
    fact("aux_file", hf::aux_file, Some(hf::set_aux_file)),
    fact("orient", hf::orient, Some(hf::set_orient)),
    fact("origin", hf::origin, Some(hf::set_origin)),
    fact("extensions", hf::extensions, None),
    // Where the voxels live: `storage heap`, or `storage shm shmid ID`.
    fact("storage", |c| Some(Obj::string(c.storage_kind().name())), None),
    fact("shmid", |c| c.shmid().map(|id| Obj::int(id as i64)), None),
];

/// The `$c info key` table: every key, in row order.
pub static INFO_KEYS: Lazy<DynTable> = Lazy::new(|| DynTable::new(FACTS.iter().map(|f| f.key.to_string())));

/// Every fact as an option (`-key`), sorted by name: what `$c cget` reads
/// (as a Tk photo's cget reads any option) and `$c configure -key` names.
pub static OPTIONS: Lazy<(DynTable, Vec<&'static Fact>)> = Lazy::new(|| {
    let mut rows: Vec<&'static Fact> = FACTS.iter().collect();
    rows.sort_by_key(|f| f.key);
    (DynTable::new(rows.iter().map(|f| format!("-{}", f.key))), rows)
});

/// The settable facts, sorted by option name: what `$c configure` lists
/// (a dict that `$c configure {*}$dict` takes back).
pub fn settable() -> impl Iterator<Item = &'static Fact> {
    OPTIONS.1.iter().copied().filter(|f| f.set.is_some())
}

/// The option `arg` names (unique prefixes; the standard bad-option error).
pub fn option(interp: Interp, arg: Arg<'_>) -> Result<&'static Fact, CmdError> {
    let index = interp.get_index_dyn(arg, &OPTIONS.0, c"option")?;
    Ok(OPTIONS.1[index])
}

/// The refusal to set a read-only fact (`-width`, `-affine`, ...).
pub fn read_only(fact: &Fact) -> CmdError {
    let names: Vec<String> = settable().map(|f| format!("-{}", f.key)).collect();
    crate::core::MxError::mx(
        format!("option \"-{}\" is read-only: expected one of the settable options {}", fact.key, names.join(", ")),
        &["CONFIGURE", "READONLY", &format!("-{}", fact.key)],
    )
    .into()
}

/// The fact `arg` names, for `$c info key`.
pub fn info_key(interp: Interp, arg: Arg<'_>) -> Result<&'static Fact, CmdError> {
    let index = interp.get_index_dyn(arg, &INFO_KEYS, c"key")?;
    Ok(&FACTS[index])
}

/// Every fact the canvas has, as `$c info` shows them.
pub fn info(canvas: &Canvas) -> Obj {
    Obj::dict(FACTS.iter().filter_map(|f| (f.get)(canvas).map(|v| (f.key, v))))
}

/// A double that a header's f32 field can hold.
fn float32(interp: Interp, option: &str, value: Arg<'_>, positive: bool) -> Result<f32, CmdError> {
    let v = interp.get_double(value)?;
    let ok = v.is_finite() && v.abs() <= f32::MAX as f64 && (!positive || v > 0.0);
    if !ok {
        let what = if positive { "a positive number" } else { "a finite number" };
        return Err(bad(option, value, &format!("{what} that fits a 32-bit float")));
    }
    Ok(v as f32)
}

fn code(interp: Interp, option: &str, value: Arg<'_>) -> Result<i16, CmdError> {
    let v = interp.get_wide(value)?;
    if !(0..=4).contains(&v) {
        return Err(bad(option, value, "a NIfTI xform code from 0 to 4"));
    }
    Ok(v as i16)
}

fn set_description(_: Interp, option: &str, value: Arg<'_>, m: &mut Metadata) -> Result<(), CmdError> {
    m.description = hf::header_text(option, value, 80)?;
    Ok(())
}

fn set_sform(interp: Interp, option: &str, value: Arg<'_>, m: &mut Metadata) -> Result<(), CmdError> {
    let rows = interp.list_elements(value)?;
    let expected = || bad(option, value, "3 or 4 rows of 4 numbers, a 4th row being {0 0 0 1}");
    if rows.len() != 3 && rows.len() != 4 {
        return Err(expected());
    }
    let mut srow = [[0f32; 4]; 3];
    for (r, row) in rows.iter().enumerate() {
        let cells = interp.list_elements(row.as_arg())?;
        if cells.len() != 4 {
            return Err(expected());
        }
        for (c, cell) in cells.iter().enumerate() {
            let v = float32(interp, option, cell.as_arg(), false).map_err(|_| expected())?;
            if r < 3 {
                srow[r][c] = v;
            } else if v != [0.0, 0.0, 0.0, 1.0][c] {
                return Err(expected());
            }
        }
    }
    m.srow = srow;
    Ok(())
}

fn set_spacing(interp: Interp, option: &str, value: Arg<'_>, m: &mut Metadata) -> Result<(), CmdError> {
    let items = interp.list_elements(value)?;
    let expected = || bad(option, value, "3 positive numbers {dx dy dz}");
    if items.len() != 3 {
        return Err(expected());
    }
    for (slot, item) in m.spacing.iter_mut().zip(items.iter()) {
        *slot = float32(interp, option, item.as_arg(), true).map_err(|_| expected())?;
    }
    Ok(())
}

fn set_tstep(interp: Interp, option: &str, value: Arg<'_>, m: &mut Metadata) -> Result<(), CmdError> {
    let t = float32(interp, option, value, false)?;
    if t < 0.0 {
        return Err(bad(option, value, "a time step of at least 0"));
    }
    m.tstep = t;
    Ok(())
}

fn set_t_units(_: Interp, option: &str, value: Arg<'_>, m: &mut Metadata) -> Result<(), CmdError> {
    if !m.set_time_unit(&value.to_str()) {
        return Err(bad(option, value, &format!("one of {}", time_unit_names().collect::<Vec<_>>().join(", "))));
    }
    Ok(())
}

fn set_xyz_units(_: Interp, option: &str, value: Arg<'_>, m: &mut Metadata) -> Result<(), CmdError> {
    if !m.set_spatial_unit(&value.to_str()) {
        return Err(bad(option, value, &format!("one of {}", spatial_unit_names().collect::<Vec<_>>().join(", "))));
    }
    Ok(())
}
