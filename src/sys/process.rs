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

/// What runs around `fork` (see [`at_fork`]).
#[derive(Clone, Copy)]
struct ForkHooks {
    prepare: fn(),
    parent: fn(),
    child: fn(),
}

static FORK_HOOKS: OnceCell<ForkHooks> = OnceCell::new();

fn run_fork_hook(pick: fn(&ForkHooks) -> fn()) {
    if let Some(hooks) = FORK_HOOKS.get() {
        // A panic must not unwind into the C library's fork.
        let _ = std::panic::catch_unwind(pick(hooks));
    }
}

extern "C" fn fork_prepare() {
    run_fork_hook(|h| h.prepare);
}

extern "C" fn fork_parent() {
    run_fork_hook(|h| h.parent);
}

extern "C" fn fork_child() {
    run_fork_hook(|h| h.child);
}

/// Run `prepare` in the thread that calls `fork` just before it forks, and
/// `parent` / `child` just after, in the parent and in the child
/// (`pthread_atfork`; once per process, later calls are ignored).
pub fn at_fork(prepare: fn(), parent: fn(), child: fn()) {
    if FORK_HOOKS.set(ForkHooks { prepare, parent, child }).is_ok() {
        // SAFETY: the three handlers are `extern "C" fn()`s that live as long
        // as the library, which Tcl never unloads.
        unsafe { libc::pthread_atfork(Some(fork_prepare), Some(fork_parent), Some(fork_child)) };
    }
}

/// The process's effective user id (whose segments `mx::sweep` takes).
pub fn effective_uid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

/// Whether process `pid` (in this process's pid namespace) still exists.
/// `kill(pid, 0)` probes without signalling: success or EPERM (it exists but
/// belongs to someone else) mean alive, ESRCH means gone. A zombie counts as
/// alive until its parent reaps it. Pid 0 and negative pids (what the kernel
/// reports for a creator outside our pid namespace) are "unknown", never "gone".
pub fn is_alive(pid: i32) -> bool {
    use nix::errno::Errno;
    if pid <= 0 {
        return true;
    }
    !matches!(nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), None), Err(Errno::ESRCH))
}

#[cfg(test)]
mod tests {
    use super::is_alive;

    #[test]
    fn this_process_is_alive_and_a_reaped_child_is_not() {
        assert!(is_alive(std::process::id() as i32));
        assert!(is_alive(0), "unknown creators are never declared gone");
        let mut child = std::process::Command::new("true").spawn().expect("spawn true");
        let pid = child.id() as i32;
        child.wait().unwrap();
        assert!(!is_alive(pid));
    }
}
