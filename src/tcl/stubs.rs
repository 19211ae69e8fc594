//! Access to Tcl's stubs table.
//!
//! `Tcl_InitStubs` (from the static libtclstub of the Tcl built against)
//! fills `tclStubsPtr`; [`tcl_call!`] calls a function through it. Tcl's C
//! macros that have no exported symbol (`Tcl_IncrRefCount`,
//! `Tcl_DecrRefCount`) are written in [`super::obj`] on top of this table.

use std::ffi::CStr;
use std::sync::atomic::{AtomicPtr, Ordering};
use tcl_sys::{TclStubs, Tcl_Interp};

static STUBS: AtomicPtr<TclStubs> = AtomicPtr::new(std::ptr::null_mut());

/// The oldest Tcl the library accepts: the one its headers are for.
#[cfg(not(tcl9))]
const VERSION: &CStr = c"8.6";
#[cfg(tcl9)]
const VERSION: &CStr = c"9.0";

/// `Tcl_InitStubs`. Tcl 8.6's is a function of three arguments; Tcl 9's
/// header makes it a macro over a four-argument function: `exact` also
/// carries the major and minor version compiled for, and the fourth is the
/// stubs magic, which differs per pointer size (`tcl.h`'s `TCL_STUB_MAGIC`).
/// Tcl 9 refuses a library built for another major version with this.
///
/// # Safety
/// `interp` must be a live interpreter, on the thread that owns it.
unsafe fn init_stubs(interp: *mut Tcl_Interp) -> *const std::ffi::c_char {
    #[cfg(not(tcl9))]
    // SAFETY: the caller passes a live interpreter; VERSION is NUL-terminated.
    return unsafe { tcl_sys::Tcl_InitStubs(interp, VERSION.as_ptr(), 0) };
    #[cfg(tcl9)]
    {
        // The version compiled for, as tcl.h's macro adds it to `exact` (0).
        const MAJOR: std::ffi::c_int = 9;
        const MINOR: std::ffi::c_int = 0;
        const EXACT: std::ffi::c_int = (MAJOR << 8) | (MINOR << 16);
        const MAGIC: std::ffi::c_int = (0xFCA3_BACB_u32 as i32).wrapping_add(std::mem::size_of::<*const ()>() as i32);
        // SAFETY: as above; EXACT and MAGIC are what tcl.h's macro passes.
        unsafe { tcl_sys::Tcl_InitStubs(interp, VERSION.as_ptr(), EXACT, MAGIC) }
    }
}

/// Initialise the stubs table for `interp`. Returns false (with Tcl's error
/// message left in the interpreter) when the interpreter is not the Tcl the
/// library was built for.
///
/// # Safety
/// `interp` must be a live interpreter, on the thread that owns it.
pub unsafe fn init(interp: *mut Tcl_Interp) -> bool {
    // SAFETY: the caller passes a live interpreter on its own thread.
    let actual = unsafe { init_stubs(interp) };
    if actual.is_null() {
        return false;
    }
    // SAFETY: Tcl_InitStubs succeeded, so tclStubsPtr points at the process's
    // stubs table, which lives as long as the Tcl library stays loaded.
    let table = unsafe { tcl_sys::tclStubsPtr };
    // SAFETY: as above, the pointer is valid for the life of the process.
    if let Some(missing) = first_missing(unsafe { &*table }) {
        // SAFETY: live interpreter; the message is NUL-terminated.
        unsafe { refuse(interp, &*table, missing) };
        return false;
    }
    STUBS.store(table as *mut TclStubs, Ordering::Release);
    true
}

/// Leave the error for a stubs table that lacks a function the package
/// calls (so that a missing slot is an error at `load`, never a panic later).
///
/// # Safety
/// `interp` is live; `table` is its stubs table.
unsafe fn refuse(interp: *mut Tcl_Interp, table: &TclStubs, missing: &str) {
    let message = format!(
        "cannot load mxcanvas (built for Tcl {VERSION:?}) into this Tcl: its stubs table has no {}",
        missing.replacen("tcl_", "Tcl_", 1)
    );
    if let (Some(new_string), Some(set_result)) = (table.tcl_NewStringObj, table.tcl_SetObjResult) {
        let len = super::size::to_tcl(message.len()).unwrap_or(0);
        // SAFETY: live interpreter; `message` is valid for `len` bytes and
        // Tcl copies it; the new value's reference goes to the result.
        unsafe { set_result(interp, new_string(message.as_ptr().cast(), len)) };
    }
}

/// Every stubs slot the package calls through [`tcl_call!`], per Tcl
/// version: checked when the library is loaded, and (by a test below)
/// against the sources, so the list cannot fall behind them.
macro_rules! slots_used {
    (both [$($f:ident),* $(,)?] tcl8 [$($f8:ident),* $(,)?] tcl9 [$($f9:ident),* $(,)?]) => {
        #[cfg(test)]
        const SLOTS_USED: &[&str] = &[$(stringify!($f),)* $(stringify!($f8),)* $(stringify!($f9),)*];

        /// The first slot the package calls that `table` leaves empty.
        fn first_missing(table: &TclStubs) -> Option<&'static str> {
            $(if table.$f.is_none() { return Some(stringify!($f)); })*
            #[cfg(not(tcl9))]
            { $(if table.$f8.is_none() { return Some(stringify!($f8)); })* }
            #[cfg(tcl9)]
            { $(if table.$f9.is_none() { return Some(stringify!($f9)); })* }
            None
        }
    };
}

slots_used! {
    both [
        tcl_AttemptAlloc, tcl_CreateExitHandler, tcl_CreateObjCommand, tcl_CreateThreadExitHandler,
        tcl_DStringFree, tcl_DStringInit, tcl_DbDecrRefCount,
        tcl_DeleteCommandFromToken, tcl_DictObjPut, tcl_EvalObjv, tcl_Free, tcl_GetAssocData,
        tcl_GetBooleanFromObj, tcl_GetCommandFromObj, tcl_GetCommandFullName, tcl_GetDoubleFromObj,
        tcl_GetIndexFromObjStruct, tcl_GetObjResult, tcl_GetObjType, tcl_GetStringFromObj,
        tcl_GetWideIntFromObj, tcl_ListObjAppendElement, tcl_ListObjGetElements, tcl_NewByteArrayObj,
        tcl_NewDictObj, tcl_NewDoubleObj, tcl_NewListObj, tcl_NewStringObj, tcl_NewWideIntObj,
        tcl_PkgProvideEx, tcl_PkgRequireEx, tcl_SetAssocData, tcl_SetDoubleObj, tcl_SetObjErrorCode, tcl_SetObjResult,
        tcl_SetWideIntObj, tcl_StringCaseMatch, tcl_UtfToExternalDString, tcl_WrongNumArgs,
    ]
    // Tcl 9's slot for Tcl_GetByteArrayFromObj is empty (the name became a
    // macro over Tcl_GetBytesFromObj, which 8.6 does not have).
    tcl8 [tcl_GetByteArrayFromObj]
    tcl9 [tcl_GetBytesFromObj]
}

/// The stubs table. Panics (caught at the command boundary) if used before
/// [`init`], which cannot happen for code reached from a Tcl command.
pub fn table() -> &'static TclStubs {
    let ptr = STUBS.load(Ordering::Acquire);
    assert!(!ptr.is_null(), "Tcl stubs table used before Mxcanvas_Init");
    // SAFETY: non-null pointers stored here come from a successful
    // Tcl_InitStubs and stay valid for the life of the process.
    unsafe { &*ptr }
}

/// Call Tcl function `f` through the stubs table: `tcl_call!(tcl_ResetResult(interp))`.
/// Must be used inside an `unsafe` block whose SAFETY line covers the arguments.
macro_rules! tcl_call {
    ($f:ident ( $($arg:expr),* $(,)? )) => {
        ($crate::tcl::stubs::table().$f.expect(concat!("Tcl stubs table has no ", stringify!($f))))($($arg),*)
    };
}
pub(crate) use tcl_call;

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// The slots named in `tcl_call!(tcl_...(` in the crate's sources (code
    /// lines, not comments).
    fn slots_in_sources() -> BTreeSet<String> {
        let mut found = BTreeSet::new();
        let mut dirs = vec![std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/src"))];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                for line in text.lines().filter(|l| !l.trim_start().starts_with("//")) {
                    for (i, _) in line.match_indices("tcl_call!(") {
                        let rest = line[i + "tcl_call!(".len()..].trim_start();
                        let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                        if name.starts_with("tcl_") {
                            found.insert(name);
                        }
                    }
                }
            }
        }
        found
    }

    #[test]
    fn every_slot_called_is_checked_at_load() {
        let listed: BTreeSet<String> = SLOTS_USED.iter().map(|s| s.to_string()).collect();
        let used = slots_in_sources();
        assert!(used.len() > 20, "the scan finds the calls: {used:?}");
        assert_eq!(used, listed, "slots_used! in src/tcl/stubs.rs must list exactly the slots the code calls");
    }

    #[test]
    fn an_empty_table_is_refused_naming_the_slot() {
        // SAFETY: TclStubs is plain data (integers, pointers and Option<fn>),
        // for which all-zero bytes are valid: every slot None.
        let empty: TclStubs = unsafe { std::mem::zeroed() };
        assert_eq!(first_missing(&empty), Some("tcl_AttemptAlloc"));
    }
}
