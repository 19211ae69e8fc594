//! File names as Tcl's own file commands see them.
//!
//! Tcl keeps strings in its internal UTF-8 (NUL as C0 80, characters beyond
//! U+FFFF and lone surrogates as 3-byte sequences that Rust's UTF-8 rejects)
//! and converts a file name to the system encoding (`encoding system`) when
//! it calls the operating system. Doing the same conversion here —
//! `Tcl_UtfToExternalDString` with the system encoding, as Tcl's native
//! filesystem does — means `$c save $name` creates exactly the file that
//! `file exists $name` and `glob` find. A lossy conversion through Rust's
//! `String` would write a different name (with U+FFFD in it).
//!
//! Unlike `Tcl_FSGetNativePath` this keeps a relative name relative (Tcl
//! would make it absolute), so messages show the name the script gave.
//! Tilde expansion, which Tcl 8.6's `open` does, is not done: `~user`
//! names are taken literally (Tcl 9 does the same).

use super::obj::Arg;
use super::size::TclSize;
use super::stubs::tcl_call;
use crate::core::MxError;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;
use tcl_sys::Tcl_DString;

/// `arg` as a path in the system's encoding. A name with a NUL in it cannot
/// be given to the system (it would be cut short there): that is an error
/// naming the problem, `MX FILENAME NUL`.
pub fn native_path(arg: Arg<'_>) -> Result<PathBuf, MxError> {
    let mut len: TclSize = 0;
    // SAFETY: the argument is live for the call; Tcl returns its string
    // representation, valid for `len` bytes while the value is unchanged.
    let utf = unsafe { tcl_call!(tcl_GetStringFromObj(arg.as_ptr(), &mut len)) };
    // SAFETY: a zeroed Tcl_DString is plain data; Tcl_DStringInit sets it up
    // before use and Tcl_DStringFree releases what the conversion allocated.
    let bytes = unsafe {
        let mut ds: Tcl_DString = std::mem::zeroed();
        tcl_call!(tcl_DStringInit(&mut ds));
        // NULL encoding: the system encoding, as Tcl's native filesystem uses.
        let out = tcl_call!(tcl_UtfToExternalDString(std::ptr::null_mut(), utf, len, &mut ds));
        let n = ds.length.max(0) as usize;
        let bytes = std::slice::from_raw_parts(out as *const u8, n).to_vec();
        tcl_call!(tcl_DStringFree(&mut ds));
        bytes
    };
    if bytes.contains(&0) {
        let shown = arg.to_str().replace('\0', "\\0");
        return Err(MxError::mx(
            format!("bad file name \"{shown}\": it contains a NUL character, which no file name can hold"),
            &["FILENAME", "NUL"],
        ));
    }
    if bytes.is_empty() {
        return Err(MxError::mx("bad file name \"\": expected a file name", &["FILENAME", "EMPTY"]));
    }
    Ok(PathBuf::from(OsStr::from_bytes(&bytes)))
}
