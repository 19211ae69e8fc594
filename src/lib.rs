//! mxcanvas: MEDx-style canvases for Tcl, handed to external programs
//! through System V shared memory.
//!
//! Layout of the crate:
//! * [`tcl`] — the binding layer, the only code using `tcl_sys` (the entry
//!   point below only names its interpreter type through [`tcl::init`]);
//! * [`commands`] — the Tcl commands: parse, call the core, build results;
//! * [`core`] — plain safe Rust: canvases, geometry, voxel types, transports;
//! * [`formats`] — plain safe Rust: NIfTI-1 / Analyze 7.5 files and PNG slices;
//! * [`sys`] — the only code calling libc (System V shared memory, allocation).

pub mod commands;
pub mod core;
pub mod formats;
pub mod sys;
pub mod tcl;

/// The package version that `package require mxcanvas` provides.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The entry point `load libmxcanvas.so Mxcanvas` calls.
///
/// # Safety
/// Called by Tcl with a live interpreter, on that interpreter's thread.
#[no_mangle]
pub unsafe extern "C" fn Mxcanvas_Init(interp: *mut tcl::init::RawInterp) -> std::ffi::c_int {
    // SAFETY: Tcl calls this with a live interpreter on its own thread.
    unsafe { tcl::init::init_package(interp, c"mxcanvas", VERSION, commands::register) }
}
