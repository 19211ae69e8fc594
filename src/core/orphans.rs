//! Orphans: mxcanvas segments whose creating process is gone and that nothing
//! is attached to (a program killed before it freed its transports). Found by
//! their key ([`super::segment::is_mx_key`]); `mx::sweep` removes them.

use super::error::{MxError, MxResult};
use super::segment::is_mx_key;
use crate::sys::shm;

/// Is `info` an mxcanvas orphan: made by mxcanvas (key in our range), its
/// creating process gone, and nothing attached? A creator the kernel cannot
/// name in our pid namespace (pid 0) is never taken for gone.
pub fn is_orphan(info: &shm::SegmentInfo) -> bool {
    is_mx_key(info.key) && info.attachments == 0 && !crate::sys::process::is_alive(info.creator_pid)
}

/// The ids of the mxcanvas orphans of this IPC namespace that this process
/// can see, in increasing order.
pub fn orphans() -> MxResult<Vec<i32>> {
    let all = shm::list().map_err(|e| MxError::posix("cannot list shared memory segments", e))?;
    let mut ids: Vec<i32> = all.iter().filter(|i| is_orphan(i)).map(|i| i.id).collect();
    ids.sort_unstable();
    Ok(ids)
}

/// `mx::sweep`: remove every mxcanvas orphan ([`is_orphan`]) and return the
/// ids removed. Each candidate is looked at again just before IPC_RMID, so a
/// segment somebody attached in the meantime is left alone; one we may not
/// remove (another user's, EPERM) is skipped. Segments that are not ours, and
/// ours that a live process created or anybody is attached to, are never touched.
pub fn sweep_orphans() -> MxResult<Vec<i32>> {
    let mut removed = Vec::new();
    for id in orphans()? {
        let still = shm::stat(id).map(|info| is_orphan(&info)).unwrap_or(false);
        if still && shm::remove(id).is_ok() {
            removed.push(id);
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::segment::MX_KEY_BASE;

    #[test]
    fn orphan_rules() {
        let base = shm::SegmentInfo {
            id: 1,
            key: MX_KEY_BASE + 7,
            size: 16,
            mode: 0o600,
            marked_for_removal: false,
            attachments: 0,
            owner_uid: 0,
            creator_uid: 0,
            creator_pid: i32::MAX, // no such process (pid_max is far lower)
            last_pid: 0,
        };
        assert!(is_orphan(&base));
        assert!(!is_orphan(&shm::SegmentInfo { attachments: 1, ..base }));
        assert!(!is_orphan(&shm::SegmentInfo { key: 0, ..base }));
        assert!(!is_orphan(&shm::SegmentInfo { key: 0x1234_5678, ..base }));
        assert!(!is_orphan(&shm::SegmentInfo { creator_pid: std::process::id() as i32, ..base }));
        assert!(!is_orphan(&shm::SegmentInfo { creator_pid: 0, ..base }));
    }
}
