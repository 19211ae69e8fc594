//! The C boundary, tested from Rust with a real interpreter: a panic in a
//! command becomes a Tcl error `{MX PANIC ...}` instead of unwinding into Tcl,
//! and the interpreter keeps working afterwards.
//!
//! Tcl 8.6 only: the test binary links libtcl itself, which the Tcl 9 build
//! cannot (its libtcl9.0 runs only through the fetched loader); under 9 the
//! same boundary is exercised by the tcltest suite (`make test9`).
#![cfg(not(tcl9))]

use mxcanvas::tcl::{create_command, Interp};
use std::ffi::{c_int, CStr, CString};
use tcl_sys::Tcl_Interp;

struct TestInterp(*mut Tcl_Interp);

impl TestInterp {
    fn new() -> TestInterp {
        // SAFETY: the test binary links libtcl; a fresh interpreter is
        // created, used and deleted on this thread only.
        let ptr = unsafe { tcl_sys::Tcl_CreateInterp() };
        // SAFETY: live interpreter, on its thread.
        assert_eq!(unsafe { mxcanvas::Mxcanvas_Init(ptr) }, tcl_sys::TCL_OK as c_int);
        TestInterp(ptr)
    }

    /// Evaluate `script`; Ok(result) or Err((result, errorcode)).
    fn eval(&self, script: &str) -> Result<String, (String, String)> {
        let script = CString::new(script).unwrap();
        // SAFETY: live interpreter; NUL-terminated script; the result strings
        // are copied before the next call into Tcl.
        unsafe {
            let rc = tcl_sys::Tcl_Eval(self.0, script.as_ptr());
            let result = CStr::from_ptr(tcl_sys::Tcl_GetStringResult(self.0)).to_string_lossy().into_owned();
            if rc == tcl_sys::TCL_OK as c_int {
                return Ok(result);
            }
            let code = tcl_sys::Tcl_GetVar2(self.0, c"errorCode".as_ptr(), std::ptr::null(), 0);
            Err((result, CStr::from_ptr(code).to_string_lossy().into_owned()))
        }
    }
}

impl Drop for TestInterp {
    fn drop(&mut self) {
        // SAFETY: deleting the interpreter we created.
        unsafe { tcl_sys::Tcl_DeleteInterp(self.0) };
    }
}

#[test]
fn a_panic_becomes_a_tcl_error_and_the_interpreter_survives() {
    let interp = TestInterp::new();
    // SAFETY: live interpreter on this thread, for the duration of the call.
    let safe = unsafe { Interp::from_raw(interp.0) };
    create_command(safe, "boom", |_, _| panic!("deliberate test panic"), None);
    let (msg, code) = interp.eval("boom").unwrap_err();
    assert_eq!(msg, "internal error in mxcanvas (please report it): deliberate test panic");
    assert_eq!(code, "MX PANIC {deliberate test panic}");
    // still usable
    assert_eq!(interp.eval("MxCanvas create c -width 2 -height 2; c set 1 1 3; c get 1 1").unwrap(), "3.0");
    assert_eq!(interp.eval("catch boom").unwrap(), "1");
}

#[test]
fn interpreter_deletion_releases_transports() {
    let interp = TestInterp::new();
    let id: i32 = interp.eval("MxCanvas create c -width 16 -height 16; MxExternCanvas c").unwrap().parse().unwrap();
    assert!(mxcanvas::sys::shm::stat(id).is_ok());
    drop(interp);
    assert!(mxcanvas::sys::shm::stat(id).is_err(), "segment {id} released with its interpreter");
}
