//! The package's entry point, as `load libmxcanvas.so Mxcanvas` calls it:
//! set up the stubs table, create the commands, `package provide`.

use super::command::panic_error;
use super::interp::Interp;
use super::stubs::{self, tcl_call};
use std::ffi::{c_int, CStr};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// The interpreter type the exported init function receives.
pub type RawInterp = tcl_sys::Tcl_Interp;

/// Initialise package `name` (version `version`) in `interp`: `register`
/// creates its commands. No panic unwinds out of here.
///
/// # Safety
/// Called by Tcl with a live interpreter, on that interpreter's thread.
pub unsafe fn init_package(interp: *mut RawInterp, name: &CStr, version: &str, register: fn(Interp)) -> c_int {
    // SAFETY: Tcl passes a live interpreter on its own thread.
    if !unsafe { stubs::init(interp) } {
        return tcl_sys::TCL_ERROR as c_int;
    }
    // SAFETY: as above; the Interp does not outlive this call.
    let safe_interp = unsafe { Interp::from_raw(interp) };
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        register(safe_interp);
        let version = std::ffi::CString::new(version).expect("version has no NUL");
        // SAFETY: live interpreter; both strings are NUL-terminated.
        unsafe { tcl_call!(tcl_PkgProvideEx(interp, name.as_ptr(), version.as_ptr(), std::ptr::null())) }
    }));
    outcome.unwrap_or_else(|payload| {
        safe_interp.set_error(&panic_error(&*payload));
        tcl_sys::TCL_ERROR as c_int
    })
}
