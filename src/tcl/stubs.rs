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
        const EXACT: std::ffi::c_int = (9 << 8) | (0 << 16);
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
    STUBS.store(table as *mut TclStubs, Ordering::Release);
    true
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
