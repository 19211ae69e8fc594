//! Canvas voxels that live in a System V segment from the start
//! (`MxCanvas create ... -storage shm`), so that handing them to an external
//! program needs no copy.
//!
//! Lifetime rules (docs/performance.md explains them for script writers):
//! * the segment belongs to the canvas: it is created (mode 0600) with the
//!   canvas and marked for removal (IPC_RMID) as soon as the canvas has
//!   attached it, so it goes when the canvas is deleted (detached) — or the
//!   process killed — and the last program attached has detached;
//! * freeing a transport of it never removes it (see [`canvas_segment`]):
//!   the canvas would lose the memory that a later extern hands out;
//! * this module knows nothing of transports: the transport table asks
//!   [`canvas_segment`] whether the canvas behind a transport still lives
//!   (a generation number tells a deleted canvas's id from a reused one);
//! * [`remove_all`] at process exit and the IPC_RMID in `Drop` are kept
//!   for segments marked already (a second IPC_RMID changes nothing): they
//!   cost nothing and keep the rule local.

use super::error::{MxError, MxResult};
use super::exit_gate;
use super::segment::{create_failed, create_mx_segment};
use crate::sys::shm::{self, Attachment, OwnerIds};
use crate::sys::SysError;
use once_cell::sync::Lazy;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

/// The segments that are some live canvas's storage, process-wide: id to
/// the generation of the buffer that holds it and the process that made it.
static CANVAS_SEGMENTS: Lazy<Mutex<BTreeMap<i32, (u64, u32)>>> = Lazy::new(Default::default);
static NEXT_GENERATION: AtomicU64 = AtomicU64::new(1);

fn registry() -> MutexGuard<'static, BTreeMap<i32, (u64, u32)>> {
    CANVAS_SEGMENTS.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The generation of the live canvas whose storage segment `id` is, if any.
pub fn canvas_segment(id: i32) -> Option<u64> {
    registry().get(&id).map(|&(generation, _)| generation)
}

/// The registry's lock, held across `fork` (see `core::fork_guard`).
pub(crate) fn lock_for_fork() -> Box<dyn std::any::Any> {
    Box::new(registry())
}

/// Mark every canvas segment this process made for removal: it is exiting,
/// and its attachments go with it. Segments a parent process made (this one
/// was forked from it) are the parent's: left alone.
pub fn remove_all() {
    for (id, (_, pid)) in std::mem::take(&mut *registry()) {
        if exit_gate::created_here(pid) {
            // Nothing to report at exit; a segment already gone needs nothing.
            let _ = shm::remove(id);
        }
    }
}

/// A segment of exactly `len` bytes, zero-filled, attached read-write.
#[derive(Debug)]
pub struct SharedBuffer {
    attachment: Attachment,
    /// The segment's owner, learnt while it was new (mode 0600): changing its
    /// mode later needs no read permission (`MxExternCanvas $c -mode 0` takes
    /// the owner's own read bit away, and IPC_STAT would then fail).
    owner: OwnerIds,
    generation: u64,
    /// The process that made the segment (see `exit_gate::created_here`).
    pid: u32,
}

impl SharedBuffer {
    pub fn new(len: usize) -> MxResult<SharedBuffer> {
        // An mxcanvas key, like every segment the package makes: `ipcs` and
        // mx::sweep can tell it is ours (a live canvas is always attached,
        // so it is never taken for an orphan).
        // Held until the segment is registered, so an exit on another
        // thread cannot miss it (see `exit_gate`).
        let pass = exit_gate::begin()?;
        let segment = create_mx_segment(len, 0o600).map_err(|e| create_failed(len, e))?;
        let id = segment.id();
        // Marked for removal as soon as it is attached (`NewSegment::attach_marked`):
        // the kernel frees it when the canvas detaches, even after SIGKILL.
        let attachment =
            segment.attach_marked().map_err(|e| MxError::posix(format!("cannot attach new segment {id}"), e))?;
        let owner = shm::owner_ids(id).map_err(|e| MxError::posix(format!("cannot read new segment {id}"), e))?;
        // Registered before the attachment can go away, so that no moment
        // exists in which the segment is neither held nor known.
        let generation = NEXT_GENERATION.fetch_add(1, Ordering::Relaxed);
        registry().insert(id, (generation, pass.pid()));
        Ok(SharedBuffer { attachment, owner, generation, pid: pass.pid() })
    }

    /// Tells this buffer from an earlier one whose segment had the same id.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// The segment's shmid.
    pub fn id(&self) -> i32 {
        self.attachment.id()
    }

    /// Give the segment permission bits `mode` (what `MxExternCanvas -mode`
    /// asks of a zero-copy canvas), whatever its current bits are.
    pub fn set_mode(&self, mode: u32) -> Result<(), SysError> {
        // The current owner when the segment can be read (root may have
        // given it away); the remembered one when it cannot.
        let owner = shm::owner_ids(self.id()).unwrap_or(self.owner);
        shm::set_perm(self.id(), owner, mode)
    }

    pub fn as_bytes(&self) -> &[u8] {
        self.attachment.as_slice()
    }

    pub fn as_bytes_mut(&mut self) -> &mut [u8] {
        self.attachment.as_mut_slice().expect("canvas segments are attached read-write")
    }
}

impl Drop for SharedBuffer {
    fn drop(&mut self) {
        let id = self.id();
        // Mark first, then leave the registry, then detach (the
        // attachment's own Drop): the segment goes away when the last program
        // detaches. Marked before it leaves the registry, so that an exit on
        // another thread in between finds it there or finds it marked (found
        // by races-1.2: leaving first leaked it about once in 40 exits). An
        // error means it was already marked (at exit). A process forked from
        // the one that made the segment only detaches.
        if exit_gate::created_here(self.pid) {
            let _ = shm::remove(id);
        }
        registry().remove(&id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffer_is_a_zeroed_registered_segment_removed_on_drop() {
        let mut b = SharedBuffer::new(10_000).unwrap();
        let id = b.id();
        let info = shm::stat(id).unwrap();
        // Marked at once (a killed process leaves nothing), attached by the canvas.
        assert_eq!((info.size, info.mode, info.marked_for_removal, info.attachments), (10_000, 0o600, true, 1));
        assert!(b.as_bytes().iter().all(|&x| x == 0));
        b.as_bytes_mut()[9_999] = 5;
        assert_eq!(canvas_segment(id), Some(b.generation()));
        drop(b);
        assert_eq!(canvas_segment(id), None);
        assert!(shm::stat(id).is_err(), "removed and detached");
    }

    #[test]
    fn mode_changes_need_no_read_permission() {
        let b = SharedBuffer::new(4096).unwrap();
        b.set_mode(0).unwrap();
        b.set_mode(0o640).unwrap();
        assert_eq!(shm::stat(b.id()).unwrap().mode, 0o640);
    }

    #[test]
    fn a_program_attached_at_drop_keeps_the_memory() {
        let mut b = SharedBuffer::new(4096).unwrap();
        b.as_bytes_mut()[0] = 42;
        let other = Attachment::attach(b.id(), false).unwrap();
        let id = b.id();
        drop(b);
        assert!(shm::stat(id).unwrap().marked_for_removal);
        assert_eq!(other.as_slice()[0], 42);
        drop(other);
        assert!(shm::stat(id).is_err());
    }
}
