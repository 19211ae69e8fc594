//! Making segments and ending the process, kept apart.
//!
//! A segment is made in steps: `shmget`, `shmat`, filling it (a copy of
//! 64 MiB takes a while), then entering it in the transport table or the
//! canvas registry, where the exit handler finds it. An exit handler that
//! ran in between, on another thread, would miss it: a leaked segment. So
//! every creation holds a [`Creating`] pass from before `shmget` until its
//! segment is registered, and the exit handler first [`close`]s the gate:
//! from then on no creation starts (`MX EXITING`), and it waits for those
//! under way to register before it releases what is registered.
//!
//! The gate also knows which process created the segments: a process forked
//! from this one inherits the tables but not the segments' ownership, and its
//! exit handlers, interpreter deletions and canvas deletions must leave its
//! parent's segments alone ([`created_here`]).

use super::error::MxError;
use once_cell::sync::Lazy;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Duration;

#[derive(Default)]
struct Gate {
    closed: bool,
    /// Passes held by threads of this process.
    under_way: usize,
}

static GATE: Lazy<(Mutex<Gate>, Condvar)> = Lazy::new(Default::default);

fn gate() -> MutexGuard<'static, Gate> {
    GATE.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The longest an exit waits for creations under way: a copy into a new
/// segment that takes longer than this is left to the kernel (its segment
/// may then outlive the process, as after SIGKILL; `mx::sweep` finds it).
const WAIT: Duration = Duration::from_secs(30);

/// Held from before a segment is made until it is registered.
pub struct Creating {
    pid: u32,
}

impl Creating {
    /// The process that made the segment, for [`created_here`].
    pub fn pid(&self) -> u32 {
        self.pid
    }
}

impl Drop for Creating {
    fn drop(&mut self) {
        let mut g = gate();
        // A pass taken before this process was forked from its parent was
        // not counted here (see `forked`).
        if !created_here(self.pid) {
            return;
        }
        g.under_way = g.under_way.saturating_sub(1);
        if g.under_way == 0 {
            GATE.1.notify_all();
        }
    }
}

/// A pass for making one segment, or `MX EXITING` once the process is exiting.
pub fn begin() -> Result<Creating, MxError> {
    let mut g = gate();
    if g.closed {
        return Err(MxError::mx("cannot create a shared memory segment: the process is exiting", &["EXITING"]));
    }
    g.under_way += 1;
    Ok(Creating { pid: std::process::id() })
}

/// The process is exiting: refuse new creations and wait (at most [`WAIT`])
/// for those under way to register their segments.
pub fn close() {
    let mut g = gate();
    g.closed = true;
    let (g, _timed_out) =
        GATE.1.wait_timeout_while(g, WAIT, |g| g.under_way > 0).unwrap_or_else(|poisoned| poisoned.into_inner());
    drop(g);
}

/// Whether the process is exiting (the gate is closed).
pub fn is_closed() -> bool {
    gate().closed
}

/// The gate's lock, held across `fork` (see `core::fork_guard`), so that the
/// child's copy of the gate is never one a vanished thread was changing.
pub(crate) fn lock_for_fork() -> Box<dyn std::any::Any> {
    Box::new(gate())
}

/// In a child just forked: the passes counted were held by threads of the
/// parent, which do not exist here and will never give them back. Without
/// this, the child's exit waited for them (issue 17: 50 of 50 children of a
/// process forked while another thread externed hung in `exit`).
pub(crate) fn forked(gate: &mut dyn std::any::Any) {
    if let Some(g) = gate.downcast_mut::<MutexGuard<'static, Gate>>() {
        forget_passes(g);
    }
}

fn forget_passes(g: &mut Gate) {
    g.under_way = 0;
}

/// Whether a segment made by process `pid` was made by this process (not by
/// the parent this process was forked from).
pub fn created_here(pid: u32) -> bool {
    pid == std::process::id()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passes_are_counted_and_this_process_made_them() {
        // The gate is never closed here: that would end every other test's creations.
        let a = begin().unwrap();
        let b = begin().unwrap();
        // (other tests of this binary may hold passes of their own meanwhile)
        assert!(gate().under_way >= 2);
        assert!(created_here(a.pid()));
        assert!(!created_here(a.pid() + 1));
        drop((a, b));
    }

    #[test]
    fn a_parents_pass_is_forgotten_in_the_child() {
        let mut g = Gate { closed: false, under_way: 3 };
        forget_passes(&mut g);
        assert_eq!(g.under_way, 0);
        // (that a parent's pass dropped in the child is not given back is
        // tests/fork_busy.rs's to show: here other tests' passes come and go)
    }
}
