//! The header facts beyond orientation and scaling: dimensionality,
//! intent, slice timing, dim_info, calibration, toffset, aux_file, the
//! Analyze/SPM orient and origin, and (shown only) the header extensions.
//! [`super::facts::FACTS`] has one row per fact pointing at the getters and
//! setters here; each setter checks its value and names the expected range
//! when it refuses one.

use crate::core::{Canvas, Metadata, MxError};
use crate::formats::nifti::encode::{minimal_ndim, ndim_for};
use crate::tcl::{Arg, CmdError, Interp, Obj};

fn md(c: &Canvas) -> &Metadata {
    c.metadata()
}

/// A header byte string as Tcl text: each byte the character of the same
/// code (ISO 8859-1, as Tcl's `iso8859-1` encoding reads it), so that no
/// byte is lost and [`header_text`] gives the same bytes back.
pub(super) fn text(bytes: &[u8]) -> Option<Obj> {
    Some(Obj::string(&bytes.iter().map(|&b| char::from(b)).collect::<String>()))
}

/// The bytes of a header text field from a script's value: each character
/// one byte of the same code; characters above U+00FF, NUL and more than
/// `max` characters are refused.
pub(super) fn header_text(option: &str, value: Arg<'_>, max: usize) -> Result<Vec<u8>, CmdError> {
    let t = value.to_str();
    let expected = format!("text of at most {max} characters from U+0001 to U+00FF (each one byte of the header)");
    let bytes: Option<Vec<u8>> = t.chars().map(|c| u8::try_from(c).ok().filter(|&b| b != 0)).collect();
    match bytes {
        Some(b) if b.len() <= max => Ok(b),
        _ => Err(bad(option, value, &expected)),
    }
}

fn floats(v: &[f32]) -> Option<Obj> {
    Some(Obj::list(v.iter().map(|&x| Obj::double(x as f64))))
}

fn int(v: impl Into<i64>) -> Option<Obj> {
    Some(Obj::int(v.into()))
}

fn double(v: f32) -> Option<Obj> {
    Some(Obj::double(v as f64))
}

// ---- getters: `$c info` values ----

/// The `dim[0]` a save writes (the file's, or the geometry's).
pub fn ndim(c: &Canvas) -> Option<Obj> {
    int(ndim_for(c.geometry().dims(), md(c).extra.ndim))
}
pub fn intent_code(c: &Canvas) -> Option<Obj> {
    int(md(c).extra.intent_code)
}
pub fn intent_params(c: &Canvas) -> Option<Obj> {
    floats(&md(c).extra.intent_p)
}
pub fn intent_name(c: &Canvas) -> Option<Obj> {
    text(&md(c).extra.intent_name)
}
/// `dim_info` as {freq phase slice}: 1-based axes, 0 when not said.
pub fn dim_info(c: &Canvas) -> Option<Obj> {
    let b = md(c).extra.dim_info;
    Some(Obj::list([b & 3, (b >> 2) & 3, (b >> 4) & 3].map(|a| Obj::int(a as i64))))
}
pub fn slice_code(c: &Canvas) -> Option<Obj> {
    int(md(c).extra.slice_code)
}
pub fn slice_start(c: &Canvas) -> Option<Obj> {
    int(md(c).extra.slice_start)
}
pub fn slice_end(c: &Canvas) -> Option<Obj> {
    int(md(c).extra.slice_end)
}
pub fn slice_duration(c: &Canvas) -> Option<Obj> {
    double(md(c).extra.slice_duration)
}
pub fn cal_min(c: &Canvas) -> Option<Obj> {
    double(md(c).extra.cal_min)
}
pub fn cal_max(c: &Canvas) -> Option<Obj> {
    double(md(c).extra.cal_max)
}
pub fn toffset(c: &Canvas) -> Option<Obj> {
    double(md(c).extra.toffset)
}
pub fn aux_file(c: &Canvas) -> Option<Obj> {
    text(&md(c).extra.aux_file)
}
pub fn orient(c: &Canvas) -> Option<Obj> {
    int(md(c).extra.orient)
}
pub fn origin(c: &Canvas) -> Option<Obj> {
    Some(Obj::list(md(c).extra.origin.iter().map(|&o| Obj::int(o as i64))))
}
/// `{{code size} ...}`: each extension's ecode and content bytes.
pub fn extensions(c: &Canvas) -> Option<Obj> {
    let list = &md(c).extra.extensions;
    Some(Obj::list(list.iter().map(|e| Obj::list([Obj::int(e.code as i64), Obj::int(e.content.len() as i64)]))))
}

// ---- setters: `$c configure` options ----

/// `bad -option "value": expected ...`, errorcode `MX CONFIGURE -option
/// value`: every `$c configure` setter's refusal (facts.rs's too).
pub(super) fn bad(option: &str, value: Arg<'_>, expected: &str) -> CmdError {
    let shown = value.to_str();
    MxError::mx(format!("bad {option} \"{shown}\": expected {expected}"), &["CONFIGURE", option, &shown]).into()
}

fn int_in(interp: Interp, option: &str, value: Arg<'_>, lo: i64, hi: i64) -> Result<i64, CmdError> {
    let expected = format!("an integer from {lo} to {hi}");
    let v = interp.get_wide(value).map_err(|_| bad(option, value, &expected))?;
    if !(lo..=hi).contains(&v) {
        return Err(bad(option, value, &expected));
    }
    Ok(v)
}

fn finite(interp: Interp, option: &str, value: Arg<'_>, at_least_zero: bool) -> Result<f32, CmdError> {
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

/// The elements of a list of one of the lengths `n`, each parsed by `parse`.
fn each<T>(
    interp: Interp,
    option: &str,
    value: Arg<'_>,
    n: &[usize],
    expected: &str,
    parse: impl Fn(Arg<'_>) -> Result<T, CmdError>,
) -> Result<Vec<T>, CmdError> {
    let list = interp.list_elements(value).map_err(|_| bad(option, value, expected))?;
    if !n.contains(&list.len()) {
        return Err(bad(option, value, expected));
    }
    list.iter().map(|item| parse(item.as_arg()).map_err(|_| bad(option, value, expected))).collect()
}

type SetResult = Result<(), CmdError>;

pub fn set_aux_file(_: Interp, option: &str, value: Arg<'_>, m: &mut Metadata) -> SetResult {
    m.extra.aux_file = header_text(option, value, 24)?;
    Ok(())
}
pub fn set_intent_name(_: Interp, option: &str, value: Arg<'_>, m: &mut Metadata) -> SetResult {
    m.extra.intent_name = header_text(option, value, 16)?;
    Ok(())
}
pub fn set_cal_max(interp: Interp, option: &str, value: Arg<'_>, m: &mut Metadata) -> SetResult {
    m.extra.cal_max = finite(interp, option, value, false)?;
    Ok(())
}
pub fn set_cal_min(interp: Interp, option: &str, value: Arg<'_>, m: &mut Metadata) -> SetResult {
    m.extra.cal_min = finite(interp, option, value, false)?;
    Ok(())
}
pub fn set_toffset(interp: Interp, option: &str, value: Arg<'_>, m: &mut Metadata) -> SetResult {
    m.extra.toffset = finite(interp, option, value, false)?;
    Ok(())
}
pub fn set_slice_duration(interp: Interp, option: &str, value: Arg<'_>, m: &mut Metadata) -> SetResult {
    m.extra.slice_duration = finite(interp, option, value, true)?;
    Ok(())
}
pub fn set_dim_info(interp: Interp, option: &str, value: Arg<'_>, m: &mut Metadata) -> SetResult {
    let expected = "3 axis numbers {freq phase slice}, each 0 (unknown) or 1 to 3";
    let a = each(interp, option, value, &[3], expected, |item| int_in(interp, option, item, 0, 3))?;
    m.extra.dim_info = (a[0] | a[1] << 2 | a[2] << 4) as u8;
    Ok(())
}
pub fn set_intent_code(interp: Interp, option: &str, value: Arg<'_>, m: &mut Metadata) -> SetResult {
    m.extra.intent_code = int_in(interp, option, value, 0, i16::MAX as i64)? as i16;
    Ok(())
}
pub fn set_intent_params(interp: Interp, option: &str, value: Arg<'_>, m: &mut Metadata) -> SetResult {
    let expected = "3 finite numbers {p1 p2 p3}";
    let p = each(interp, option, value, &[3], expected, |item| finite(interp, option, item, false))?;
    m.extra.intent_p = [p[0], p[1], p[2]];
    Ok(())
}
/// Checked against the geometry by [`check`] once every option is set.
pub fn set_ndim(interp: Interp, option: &str, value: Arg<'_>, m: &mut Metadata) -> SetResult {
    m.extra.ndim = int_in(interp, option, value, 1, 7)? as i16;
    Ok(())
}
pub fn set_orient(interp: Interp, option: &str, value: Arg<'_>, m: &mut Metadata) -> SetResult {
    m.extra.orient = int_in(interp, option, value, 0, 5)? as u8;
    Ok(())
}
pub fn set_origin(interp: Interp, option: &str, value: Arg<'_>, m: &mut Metadata) -> SetResult {
    let expected = "3 or 5 integers from -32768 to 32767 {x y z ?a b?} (1-based voxel coordinates)";
    let o = each(interp, option, value, &[3, 5], expected, |item| {
        int_in(interp, option, item, i16::MIN as i64, i16::MAX as i64)
    })?;
    m.extra.origin = [0; 5];
    for (slot, v) in m.extra.origin.iter_mut().zip(o) {
        *slot = v as i16;
    }
    Ok(())
}
pub fn set_slice_code(interp: Interp, option: &str, value: Arg<'_>, m: &mut Metadata) -> SetResult {
    m.extra.slice_code = int_in(interp, option, value, 0, 6)? as u8;
    Ok(())
}
pub fn set_slice_end(interp: Interp, option: &str, value: Arg<'_>, m: &mut Metadata) -> SetResult {
    m.extra.slice_end = int_in(interp, option, value, 0, i16::MAX as i64)? as i16;
    Ok(())
}
pub fn set_slice_start(interp: Interp, option: &str, value: Arg<'_>, m: &mut Metadata) -> SetResult {
    m.extra.slice_start = int_in(interp, option, value, 0, i16::MAX as i64)? as i16;
    Ok(())
}

/// Checks of configured values against the canvas (a setter sees only the
/// metadata): `-ndim` must describe the geometry. Run before the metadata
/// is stored, so a refused value changes nothing.
pub fn check(canvas: &Canvas, m: &Metadata) -> SetResult {
    let need = minimal_ndim(canvas.geometry().dims());
    let ndim = m.extra.ndim;
    if ndim != 0 && ndim != canvas.metadata().extra.ndim && ndim < need {
        let shown = ndim.to_string();
        return Err(MxError::mx(
            format!("bad -ndim \"{shown}\": expected an integer from {need} to 7"),
            &["CONFIGURE", "-ndim", &shown],
        )
        .into());
    }
    Ok(())
}
