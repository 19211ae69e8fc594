//! The package's locks across `fork`.
//!
//! A process may fork while one of its threads is inside the package: in
//! the middle of changing the transport table, the canvas segment registry
//! or the exit gate, or holding an exit-gate pass while it copies into a new
//! segment. The child has only the thread that forked, so a lock held by any
//! other thread would stay locked there forever, and a pass would never be
//! given back: the child hung in its exit handler (issue 17). So the thread
//! that forks first takes every lock of the package (gate, then table, then
//! registry: the order in which the package nests them), forks, and lets them
//! go in both processes; in the child, the passes of the parent's threads
//! are forgotten. The segments those threads were making are the parent's:
//! the child neither waits for them nor removes them.

use super::{exit_gate, shared, transport};
use std::any::Any;
use std::cell::RefCell;

thread_local! {
    /// The locks the forking thread holds from `prepare` until after the fork.
    static HELD: RefCell<Vec<Box<dyn Any>>> = const { RefCell::new(Vec::new()) };
}

/// Have the package's locks held across every `fork` of this process.
pub fn install() {
    crate::sys::process::at_fork(prepare, release, child);
}

fn prepare() {
    let held = vec![exit_gate::lock_for_fork(), transport::lock_for_fork(), shared::lock_for_fork()];
    HELD.with(|h| *h.borrow_mut() = held);
}

fn release() {
    // Let go in the reverse order of taking.
    let mut held = HELD.with(|h| std::mem::take(&mut *h.borrow_mut()));
    while held.pop().is_some() {}
}

fn child() {
    HELD.with(|h| {
        if let Some(gate) = h.borrow_mut().first_mut() {
            exit_gate::forked(gate.as_mut());
        }
    });
    release();
}
