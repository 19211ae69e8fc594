//! The one place where large buffers move between canvas storage and a
//! segment. Both directions go straight from one buffer to the other: no
//! intermediate Tcl objects or temporary copies.
//!
//! Where the time goes (measured, see docs/performance.md): copying a
//! canvas into a *fresh* segment costs far more than the copy itself,
//! because every 4 KiB page of the new segment is allocated and zeroed by
//! the kernel on its first write. Two things bring that down:
//! * large buffers are split into page-aligned pieces, one per core
//!   (`std::thread::scope`), so faults and copies run in parallel;
//! * a fresh destination is prefaulted piece by piece with one
//!   `MADV_POPULATE_WRITE` call each instead of one trap per page.
//!
//! Small buffers (below 4 MiB) are copied on the calling thread: a second
//! thread does not pay for itself there.

use crate::sys::mem;
use once_cell::sync::OnceCell;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// What the destination's pages are like, which decides whether prefaulting pays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dest {
    /// Just created (a new segment, a new Tcl byte array): no page is
    /// allocated yet, so prefaulting saves one trap per page.
    Fresh,
    /// Already in use (a canvas): prefaulting would only walk the page
    /// tables again (about 3 ms per 64 MiB), so it is skipped.
    Resident,
}

/// Below this size a copy runs on the calling thread: measured on the 2-core
/// build machines, a second thread does not pay for its start-up and for the
/// contention on the segment's page cache until a few MiB (at 1 MiB it is
/// 10-15% slower than one thread that prefaults).
pub const PARALLEL_MIN_BYTES: usize = 4 << 20;

/// Below this size a fresh destination is left to fault on touch: one
/// system call costs more than faulting a few pages.
const PREFAULT_MIN_BYTES: usize = 64 << 10;

/// From this size on a fresh destination is offered transparent huge pages.
const HUGE_HINT_MIN_BYTES: usize = 2 << 20;

/// Pieces are multiples of this, so each piece covers whole pages and is
/// worth a thread.
const PIECE_ALIGN: usize = 256 << 10;

/// How many threads a copy may use: the cores this process may run on (read once).
pub fn workers() -> usize {
    static WORKERS: OnceCell<usize> = OnceCell::new();
    *WORKERS.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// How many pieces a copy of `len` bytes is split into.
fn pieces_for(len: usize, workers: usize) -> usize {
    if len < PARALLEL_MIN_BYTES || workers < 2 {
        return 1;
    }
    workers.min(len.div_ceil(PIECE_ALIGN)).max(1)
}

/// One piece of a copy: (destination, source).
type Piece<'a> = (&'a mut [u8], &'a [u8]);

fn copy_piece(dst: &mut [u8], src: &[u8], dest: Dest) {
    if dest == Dest::Fresh && dst.len() >= PREFAULT_MIN_BYTES {
        if dst.len() >= HUGE_HINT_MIN_BYTES {
            // Where the system allows transparent huge pages on request
            // (anonymous memory: `enabled` = madvise; segments: `shmem_enabled`
            // = advise), one fault then fills 2 MiB instead of 4 KiB.
            mem::advise_huge_pages(dst);
        }
        // A kernel without MADV_POPULATE_WRITE just faults on touch below.
        mem::prefault_write(dst);
    }
    dst.copy_from_slice(src);
}

/// Copy `src` into `dst`; the caller has checked that the lengths match.
pub fn copy_voxels(dst: &mut [u8], src: &[u8], dest: Dest) {
    assert_eq!(dst.len(), src.len(), "copy_voxels: callers check lengths");
    let pieces = pieces_for(dst.len(), workers());
    if pieces == 1 {
        copy_piece(dst, src, dest);
        return;
    }
    let piece = dst.len().div_ceil(pieces).div_ceil(PIECE_ALIGN) * PIECE_ALIGN;
    // Every worker, the calling thread included, takes pieces until none is
    // left; so a thread that cannot be started (resource limits) is no
    // error: the others do its share.
    let work: Vec<Mutex<Option<Piece>>> =
        dst.chunks_mut(piece).zip(src.chunks(piece)).map(|p| Mutex::new(Some(p))).collect();
    let next = AtomicUsize::new(0);
    let worker = || loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        let Some(slot) = work.get(i) else { break };
        let taken = slot.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some((d, s)) = taken {
            copy_piece(d, s, dest);
        }
    };
    std::thread::scope(|scope| {
        for _ in 1..work.len() {
            let started = std::thread::Builder::new()
                .name("mxcanvas-copy".into())
                .stack_size(64 << 10)
                .spawn_scoped(scope, worker);
            if started.is_err() {
                break;
            }
        }
        worker();
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i * 7 % 253) as u8).collect()
    }

    #[test]
    fn small_and_large_copies_are_exact() {
        for len in [1, 4096, PARALLEL_MIN_BYTES - 1, PARALLEL_MIN_BYTES, (5 << 20) + 3] {
            let src = pattern(len);
            for dest in [Dest::Fresh, Dest::Resident] {
                let mut dst = vec![0u8; len];
                copy_voxels(&mut dst, &src, dest);
                assert!(dst == src, "len {len} {dest:?}");
            }
        }
    }

    #[test]
    fn pieces_follow_size_and_cores() {
        assert_eq!(pieces_for(4096, 8), 1);
        assert_eq!(pieces_for(64 << 20, 1), 1);
        assert_eq!(pieces_for(64 << 20, 2), 2);
        assert_eq!(pieces_for(PARALLEL_MIN_BYTES - 1, 8), 1);
        assert_eq!(pieces_for(PARALLEL_MIN_BYTES, 2), 2);
        assert_eq!(pieces_for(PARALLEL_MIN_BYTES, 64), 16, "pieces of at least 256 KiB");
        assert_eq!(pieces_for(5 << 20, 8), 8);
    }

    #[test]
    #[should_panic(expected = "callers check lengths")]
    fn mismatched_lengths_are_a_bug() {
        copy_voxels(&mut [0u8; 3], &[1u8; 4], Dest::Resident);
    }
}
