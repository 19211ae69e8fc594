//! `fork` while another thread externs or interns (issue 17): a forked
//! child must never hang in `exit`, nor release its parent's segments.
//!
//! The process forked mid-copy: the other thread held an exit-gate pass
//! (and, now and then, the transport table's or the gate's lock). In the
//! child that thread does not exist, so nothing would ever give them back,
//! and every child hung in its exit handler (50 of 50, red team).
//!
//! A thread with its own interpreter externs and interns a 4 MiB canvas in
//! a loop; the main thread forks 50 times, and each child calls Tcl's `exit`
//! (every exit handler runs). A child still running after 20 s counts as
//! hung (and is killed, so the test fails instead of hanging). Then the
//! parent's own transport, made before, must still be there and usable.
//!
//! Tcl 8.6 only, as `fork.rs` (it links libtcl to make interpreters).
#![cfg(not(tcl9))]

use std::ffi::{c_int, CStr, CString};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
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

fn new_interp() -> *mut Tcl_Interp {
    // SAFETY: the test binary links libtcl; each interpreter stays on its thread.
    let interp = unsafe { tcl_sys::Tcl_CreateInterp() };
    // SAFETY: live interpreter, on its thread.
    assert_eq!(unsafe { mxcanvas::Mxcanvas_Init(interp) }, tcl_sys::TCL_OK as c_int);
    interp
}

enum End {
    Exited,
    Failed,
    Hung,
}

/// Wait for `child` for at most `limit`; kill it if it is still running.
fn reap(child: nix::unistd::Pid, limit: Duration) -> End {
    use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
    let deadline = Instant::now() + limit;
    loop {
        match waitpid(child, Some(WaitPidFlag::WNOHANG)).unwrap() {
            WaitStatus::StillAlive if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(2)),
            WaitStatus::StillAlive => {
                let _ = nix::sys::signal::kill(child, nix::sys::signal::Signal::SIGKILL);
                let _ = waitpid(child, None);
                return End::Hung;
            }
            WaitStatus::Exited(_, 0) => return End::Exited,
            _ => return End::Failed,
        }
    }
}

#[test]
fn forked_children_of_a_busy_process_exit_and_leave_the_parents_segments() {
    let interp = new_interp();
    let held: i32 =
        eval(interp, "MxCanvas create c -width 8 -height 8; c set 1 1 7; MxExternCanvas c").parse().unwrap();

    let stop = Arc::new(AtomicBool::new(false));
    let rounds = Arc::new(AtomicU64::new(0));
    let worker = {
        let (stop, rounds) = (stop.clone(), rounds.clone());
        std::thread::spawn(move || {
            let interp = new_interp();
            eval(interp, "MxCanvas create w -width 1024 -height 1024 -depth 4 -type uint8; w fill 3");
            while !stop.load(Ordering::Relaxed) {
                // Extern and intern in turn: both hold an exit-gate pass while copying.
                eval(interp, "MxInternCanvas w [MxExternCanvas w]");
                rounds.fetch_add(1, Ordering::Relaxed);
            }
            eval(interp, "MxCanvas delete w");
            // SAFETY: deleting the interpreter this thread created.
            unsafe { tcl_sys::Tcl_DeleteInterp(interp) };
        })
    };
    while rounds.load(Ordering::Relaxed) < 3 {
        std::thread::sleep(Duration::from_millis(1));
    }

    let mut hung = 0;
    let mut failed = 0;
    for _ in 0..50 {
        // SAFETY: the child only evaluates Tcl's `exit` in the interpreter it
        // inherited (what an extension's `fork` would let a script do) and
        // never returns into the test harness.
        match unsafe { nix::unistd::fork() }.unwrap() {
            nix::unistd::ForkResult::Child => {
                let script = CString::new("exit 0").unwrap();
                // SAFETY: the inherited interpreter, on the thread that made it.
                unsafe { tcl_sys::Tcl_Eval(interp, script.as_ptr()) };
                // SAFETY: `exit` returned, which it must not: fail the child.
                unsafe { libc::_exit(3) };
            }
            nix::unistd::ForkResult::Parent { child } => match reap(child, Duration::from_secs(20)) {
                End::Exited => {}
                End::Failed => failed += 1,
                End::Hung => hung += 1,
            },
        }
        if hung == 3 {
            break; // enough to fail; 50 hangs would take a quarter of an hour
        }
    }
    stop.store(true, Ordering::Relaxed);
    worker.join().unwrap();
    assert_eq!((hung, failed), (0, 0), "children that hung in exit, and that failed otherwise");
    // The parent's transport is still its own, and usable.
    assert!(mxcanvas::sys::shm::stat(held).is_ok());
    assert_eq!(eval(interp, &format!("c fill 0; MxInternCanvas c {held}; c get 1 1")), "7.0");
    assert_eq!(eval(interp, "MxTransports"), "");
    eval(interp, "c delete");
    // SAFETY: deleting the interpreter we created.
    unsafe { tcl_sys::Tcl_DeleteInterp(interp) };
}
