//! Process-level hooks.

use once_cell::sync::OnceCell;

static HOOK: OnceCell<fn()> = OnceCell::new();

extern "C" fn run_hook() {
    if let Some(hook) = HOOK.get() {
        // A panic must not unwind out of an atexit handler.
        let _ = std::panic::catch_unwind(hook);
    }
}

/// Run `hook` when the process calls `exit()` (once; later calls are ignored).
pub fn at_exit(hook: fn()) {
    if HOOK.set(hook).is_ok() {
        // SAFETY: run_hook is an `extern "C" fn()` that lives as long as the
        // library, which Tcl never unloads.
        unsafe { libc::atexit(run_hook) };
    }
}
