//! Voxel values that Tcl's plain getters cannot hand over exactly: integers
//! beyond 2^63-1 (uint64 reaches 2^64-1) and NaN (which get and stats return
//! on float canvases, so set and fill must take it back).

use super::interp::{is_bignum, Interp};
use super::obj::{Arg, Obj};
use super::stubs::tcl_call;
use std::ffi::{c_int, CStr};

/// Whether Tcl currently holds `arg` as a `double`.
fn is_double(arg: Arg<'_>) -> bool {
    // SAFETY: the argument is a live Tcl_Obj for the duration of the call;
    // `typePtr` is NULL or points at a static Tcl_ObjType whose `name` is a
    // NUL-terminated static string.
    unsafe {
        let type_ptr = (*arg.as_ptr()).typePtr;
        !type_ptr.is_null() && !(*type_ptr).name.is_null() && CStr::from_ptr((*type_ptr).name).to_bytes() == b"double"
    }
}

/// `Tcl_GetDoubleFromObj`, silent: `None` when `arg` is no double (or NaN).
fn try_double(arg: Arg<'_>) -> Option<f64> {
    let mut v: f64 = 0.0;
    // SAFETY: a NULL interpreter asks Tcl not to leave an error message;
    // `v` is a valid out-pointer.
    let rc = unsafe { tcl_call!(tcl_GetDoubleFromObj(std::ptr::null_mut(), arg.as_ptr(), &mut v)) };
    (rc == tcl_sys::TCL_OK as c_int).then_some(v)
}

impl Interp {
    /// An integer by Tcl's rules, exactly, from -(2^64-1) to 2^64-1; `None`
    /// for anything else (not an integer, or larger still). Silent.
    ///
    /// Tcl 8.6's `Tcl_GetWideIntFromObj` accepts bignums of up to 64 bits
    /// of magnitude and returns them wrapped to 64 bits (2^64-1 reads as
    /// -1). Such a value is a bignum (every integer that fits an i64 is
    /// not), its magnitude is 2^63 or more, and its sign — read from its
    /// double, which cannot round across zero — says which way to unwrap.
    ///
    /// Tcl 9's refuses them instead; a value Tcl then holds as a bignum is
    /// an integer by Tcl's rules, and its text is read here ([`bignum_text`]).
    pub fn try_integer(self, arg: Arg<'_>) -> Option<i128> {
        let mut v: tcl_sys::Tcl_WideInt = 0;
        // SAFETY: a NULL interpreter asks Tcl not to leave an error message;
        // `v` is a valid out-pointer.
        let rc = unsafe { tcl_call!(tcl_GetWideIntFromObj(std::ptr::null_mut(), arg.as_ptr(), &mut v)) };
        if cfg!(tcl9) {
            return match rc == tcl_sys::TCL_OK as c_int {
                true => Some(v.into()),
                false => is_bignum(arg).then(|| bignum_text(&arg.to_str())).flatten(),
            };
        }
        if rc != tcl_sys::TCL_OK as c_int {
            return None;
        }
        if !is_bignum(arg) {
            return Some(v.into());
        }
        let negative = try_double(arg).is_some_and(|d| d < 0.0);
        Some(if negative { i128::from(v) - (1i128 << 64) } else { i128::from(v as u64) })
    }

    /// A double by Tcl's rules, NaN included; `None` for anything else.
    /// Silent.
    ///
    /// `Tcl_GetDoubleFromObj` refuses NaN (`TCL VALUE DOUBLE NAN`) only
    /// after parsing it: the value is then a `double` holding the NaN
    /// (its sign and payload as written: `NaN`, `-NaN`, `NaN(7ff...)`),
    /// which is read from there.
    pub fn try_double_or_nan(self, arg: Arg<'_>) -> Option<f64> {
        if let Some(d) = try_double(arg) {
            return Some(d);
        }
        // SAFETY: a `double` Tcl_Obj keeps its value in `doubleValue`; the
        // argument is live for the call.
        let d = is_double(arg).then(|| unsafe { (*arg.as_ptr()).internalRep.doubleValue })?;
        d.is_nan().then_some(d)
    }
}

/// The value of an integer Tcl has already parsed as a bignum, from its
/// text, when its magnitude is at most 2^64-1 (else `None`). Tcl's integer
/// syntax: surrounding white space, a sign, a `0x`/`0o`/`0b`/`0d` prefix
/// (Tcl 9 reads a plain leading 0 as decimal), and in Tcl 9 `_` between
/// digits. A computed bignum's text is its decimal form.
fn bignum_text(text: &str) -> Option<i128> {
    let t = text.trim_matches(|c: char| c.is_ascii_whitespace());
    let (negative, t) = match t.as_bytes().first()? {
        b'-' => (true, &t[1..]),
        b'+' => (false, &t[1..]),
        _ => (false, t),
    };
    let lower = t.to_ascii_lowercase();
    let (radix, digits) = match lower.get(..2) {
        Some("0x") => (16, &lower[2..]),
        Some("0o") => (8, &lower[2..]),
        Some("0b") => (2, &lower[2..]),
        Some("0d") => (10, &lower[2..]),
        _ => (10, &lower[..]),
    };
    let digits: String = digits.chars().filter(|&c| c != '_').collect();
    let magnitude = u128::from_str_radix(&digits, radix).ok().filter(|&m| m <= u128::from(u64::MAX))?;
    let magnitude = i128::try_from(magnitude).ok()?;
    Some(if negative { -magnitude } else { magnitude })
}

impl Obj {
    /// An integer value of any voxel type. Tcl 8.6 has no unsigned 64-bit
    /// integer object: values beyond i64 are made as their decimal text,
    /// which Tcl reads as the same (bignum) integer wherever it takes one.
    pub fn integer(value: i128) -> Obj {
        match i64::try_from(value) {
            Ok(w) => Obj::int(w),
            Err(_) => Obj::string(&value.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::bignum_text;

    #[test]
    fn bignum_texts_in_tcl_syntax() {
        let max = i128::from(u64::MAX);
        assert_eq!(bignum_text("18446744073709551615"), Some(max));
        assert_eq!(bignum_text(" 18446744073709551615 "), Some(max));
        assert_eq!(bignum_text("0xFFFFFFFFFFFFFFFF"), Some(max));
        assert_eq!(bignum_text("0o1777777777777777777777"), Some(max));
        assert_eq!(
            bignum_text("-0b1000000000000000000000000000000000000000000000000000000000000001"),
            Some(-(1 << 63) - 1)
        );
        assert_eq!(bignum_text("+18_446_744_073_709_551_615"), Some(max));
        assert_eq!(bignum_text("18446744073709551616"), None);
        assert_eq!(bignum_text("-18446744073709551615"), Some(-max));
        assert_eq!(bignum_text("1.5"), None);
        assert_eq!(bignum_text(""), None);
    }
}
