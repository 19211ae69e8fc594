//! mxcanvas: MEDx-style canvases for Tcl, handed to external programs
//! through System V shared memory.
//!
//! Layout of the crate:
//! * [`tcl`] — the binding layer, the only code using `tcl_sys`;
//! * [`commands`] — the Tcl commands: parse, call the core, build results;
//! * [`core`] — plain safe Rust: canvases, geometry, voxel types, transports;
//! * [`formats`] — plain safe Rust: NIfTI-1 / Analyze 7.5 files and PNG slices;
//! * [`sys`] — the only code calling libc (System V shared memory, allocation).

pub mod commands;
pub mod core;
pub mod formats;
pub mod sys;
pub mod tcl;

use std::ffi::c_int;
use std::panic::{catch_unwind, AssertUnwindSafe};
use tcl::stubs::tcl_call;

/// The package version that `package require mxcanvas` provides.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The entry point `load libmxcanvas.so Mxcanvas` calls.
///
/// # Safety
/// Called by Tcl with a live interpreter, on that interpreter's thread.
#[no_mangle]
pub unsafe extern "C" fn Mxcanvas_Init(interp: *mut tcl_sys::Tcl_Interp) -> c_int {
    // SAFETY: Tcl passes a live interpreter on its own thread.
    if !unsafe { tcl::stubs::init(interp) } {
        return tcl_sys::TCL_ERROR as c_int;
    }
    // SAFETY: as above; the Interp does not outlive this call.
    let safe_interp = unsafe { tcl::Interp::from_raw(interp) };
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        commands::register(safe_interp);
        let version = std::ffi::CString::new(VERSION).expect("version has no NUL");
        // SAFETY: live interpreter; both strings are NUL-terminated.
        unsafe { tcl_call!(tcl_PkgProvideEx(interp, c"mxcanvas".as_ptr(), version.as_ptr(), std::ptr::null())) }
    }));
    outcome.unwrap_or_else(|payload| {
        safe_interp.set_error(&tcl::command::panic_error(&*payload));
        tcl_sys::TCL_ERROR as c_int
    })
}
