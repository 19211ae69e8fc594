//! Per-interpreter state (Tcl "assoc data") and process-exit cleanup.

use super::interp::Interp;
use super::stubs::tcl_call;
use std::ffi::{c_void, CStr};
use std::rc::Rc;
use std::sync::Once;
use tcl_sys::{ClientData, Tcl_Interp};

/// Something kept per interpreter, told when its interpreter is deleted.
pub trait InterpData: 'static {
    fn interp_deleted(&self);
}

unsafe extern "C" fn delete_assoc<T: InterpData>(client_data: ClientData, _interp: *mut Tcl_Interp) {
    let _ = std::panic::catch_unwind(|| {
        // SAFETY: Tcl calls this once, with the Rc leaked by `interp_state`.
        let data = unsafe { Rc::from_raw(client_data as *const T) };
        data.interp_deleted();
    });
}

/// The state stored under `key` in `interp`, created with `make` the first time.
pub fn interp_state<T: InterpData>(interp: Interp, key: &'static CStr, make: impl FnOnce() -> T) -> Rc<T> {
    // SAFETY: live interpreter; `key` is NUL-terminated; a NULL proc pointer
    // out-parameter is allowed.
    let existing = unsafe { tcl_call!(tcl_GetAssocData(interp.as_ptr(), key.as_ptr(), std::ptr::null_mut())) };
    if !existing.is_null() {
        let ptr = existing as *const T;
        // SAFETY: only this function stores data under `key`, always an Rc<T>
        // leaked with Rc::into_raw; we add a reference for the caller.
        unsafe {
            Rc::increment_strong_count(ptr);
            return Rc::from_raw(ptr);
        }
    }
    let state = Rc::new(make());
    let raw = Rc::into_raw(state.clone()) as *mut c_void;
    // SAFETY: `raw` is reclaimed exactly once by delete_assoc::<T>.
    unsafe { tcl_call!(tcl_SetAssocData(interp.as_ptr(), key.as_ptr(), Some(delete_assoc::<T>), raw)) };
    state
}

static EXIT_HOOK: Once = Once::new();

unsafe extern "C" fn run_exit_hook(client_data: ClientData) {
    let _ = std::panic::catch_unwind(|| {
        // SAFETY: client_data is the `fn()` registered by on_process_exit.
        let hook: fn() = unsafe { std::mem::transmute::<ClientData, fn()>(client_data) };
        hook();
    });
}

/// Run `hook` when the process exits through Tcl (`exit`, the end of a
/// tclsh script, `Tcl_Finalize`) and, as a backstop, at C `exit()`.
/// Registered once per process; later calls are ignored.
pub fn on_process_exit(hook: fn()) {
    EXIT_HOOK.call_once(|| {
        // SAFETY: a fn pointer round-trips through ClientData unchanged;
        // run_exit_hook matches Tcl_ExitProc.
        unsafe { tcl_call!(tcl_CreateExitHandler(Some(run_exit_hook), hook as ClientData)) };
        crate::sys::process::at_exit(hook);
    });
}

/// A hook and its argument, for [`on_thread_exit`].
type ThreadHook = (fn(u64), u64);

unsafe extern "C" fn run_thread_hook(client_data: ClientData) {
    let _ = std::panic::catch_unwind(|| {
        // SAFETY: client_data is the Box leaked by on_thread_exit; Tcl runs
        // each thread exit handler once, so it is reclaimed exactly once.
        let (hook, value) = *unsafe { Box::from_raw(client_data as *mut ThreadHook) };
        hook(value);
    });
}

/// Run `hook(value)` when the calling thread ends through Tcl
/// (`thread::exit`, the end of a Thread package thread's script,
/// `Tcl_FinalizeThread`), whether or not its interpreters were deleted.
pub fn on_thread_exit(hook: fn(u64), value: u64) {
    let data = Box::into_raw(Box::new((hook, value))) as ClientData;
    // SAFETY: run_thread_hook matches Tcl_ExitProc and takes back the Box.
    unsafe { tcl_call!(tcl_CreateThreadExitHandler(Some(run_thread_hook), data)) };
}
