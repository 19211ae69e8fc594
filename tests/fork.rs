//! A process forked from the interpreter's process never releases or removes
//! its parent's segments (issue 9): a real interpreter externs a canvas and
//! makes a `-storage shm` canvas, the process forks (as an extension's
//! `fork`, or any C code in the process, would), and the child deletes the
//! canvas and calls Tcl's `exit`, running every exit handler. The parent's
//! segments must still be there and usable (they are marked for removal from
//! the start, issue 17: the kernel frees them when the parent detaches); the
//! parent then frees them as usual. The child's own new transport is released by its exit.
//!
//! One test in its own binary: forking a process whose other threads might
//! hold a lock is not what is being tested here.
//!
//! Tcl 8.6 only, as `tcl_boundary.rs`: it links libtcl to make the
//! interpreter, which the Tcl 9 build cannot on this machine (its libtcl9.0
//! runs only through the fetched loader).
#![cfg(not(tcl9))]

use std::ffi::{c_int, CStr, CString};
use tcl_sys::Tcl_Interp;

fn eval(interp: *mut Tcl_Interp, script: &str) -> String {
    let script = CString::new(script).unwrap();
    // SAFETY: live interpreter on this thread; the result is copied at once.
    unsafe {
        let rc = tcl_sys::Tcl_Eval(interp, script.as_ptr());
        let result = CStr::from_ptr(tcl_sys::Tcl_GetStringResult(interp)).to_string_lossy().into_owned();
        assert_eq!(rc, tcl_sys::TCL_OK as c_int, "{script:?} failed: {result}");
        result
    }
}

fn state(id: i32) -> Option<bool> {
    mxcanvas::sys::shm::stat(id).ok().map(|info| info.marked_for_removal)
}

#[test]
fn a_forked_child_leaves_its_parents_segments_alone() {
    // SAFETY: the test binary links libtcl; the interpreter is used on this thread only.
    let interp = unsafe { tcl_sys::Tcl_CreateInterp() };
    // SAFETY: live interpreter, on its thread.
    assert_eq!(unsafe { mxcanvas::Mxcanvas_Init(interp) }, tcl_sys::TCL_OK as c_int);
    let transport: i32 =
        eval(interp, "MxCanvas create c -width 64 -height 64; c set 1 1 7; MxExternCanvas c").parse().unwrap();
    let canvas_seg: i32 =
        eval(interp, "MxCanvas create s -width 64 -height 64 -storage shm; dict get [s info] shmid").parse().unwrap();
    let shared_transport: i32 = eval(interp, "MxExternCanvas s").parse().unwrap();
    assert_eq!(shared_transport, canvas_seg);
    // Marked as soon as made (a killed interpreter leaves nothing), attached.
    assert_eq!((state(transport), state(canvas_seg)), (Some(true), Some(true)));

    // A pipe for the child's own new transport's id.
    let (read_end, write_end) = nix::unistd::pipe().unwrap();
    // SAFETY: this binary runs one test; the child only uses the interpreter
    // it inherited and exits through Tcl, never returning into the harness.
    match unsafe { nix::unistd::fork() }.unwrap() {
        nix::unistd::ForkResult::Child => {
            let own = eval(interp, "MxExternCanvas c");
            let _ = nix::unistd::write(&write_end, format!("{own}\n").as_bytes());
            // Deletes the shm canvas and the interpreter's state, then runs
            // the process exit handlers (and C's atexit) in the child.
            eval(interp, "MxCanvas delete s; rename c {}; exit 0");
            unreachable!("exit returned");
        }
        nix::unistd::ForkResult::Parent { child } => {
            drop(write_end);
            let status = nix::sys::wait::waitpid(child, None).unwrap();
            assert_eq!(status, nix::sys::wait::WaitStatus::Exited(child, 0));
            let mut text = [0u8; 32];
            let n = nix::unistd::read(std::os::fd::AsRawFd::as_raw_fd(&read_end), &mut text).unwrap();
            let own: i32 = std::str::from_utf8(&text[..n]).unwrap().trim().parse().unwrap();
            assert_eq!(state(transport), Some(true), "the parent's transport {transport} is still there");
            assert_eq!(state(canvas_seg), Some(true), "the parent's canvas segment {canvas_seg} is still there");
            assert_eq!(state(own), None, "the child's own transport {own} went with the child");
            // The parent still has everything, and frees it as usual.
            assert_eq!(eval(interp, "MxInternCanvas c [MxExternCanvas c]; c get 1 1"), "7.0");
            assert_eq!(
                eval(interp, "lsort -integer [MxTransports]"),
                format!("{} {}", transport.min(canvas_seg), transport.max(canvas_seg))
            );
            eval(interp, &format!("MxFreeTransport {transport}; MxCanvas delete s c"));
            assert_eq!((state(transport), state(canvas_seg)), (None, None));
            // SAFETY: deleting the interpreter we created.
            unsafe { tcl_sys::Tcl_DeleteInterp(interp) };
        }
    }
}
