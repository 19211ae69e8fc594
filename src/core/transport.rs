//! Transports: System V segments handed out to external programs.
//!
//! A transport is a segment plus this process's attachment to it, owned by
//! one interpreter (an [`Owner`]). All transports of the process live in one
//! table, so that interpreter deletion releases that interpreter's and
//! process exit releases everyone's, whichever thread the interpreter ran in.
//!
//! Removal policy: a segment the package created (`MxExternCanvas`) is
//! removed (IPC_RMID) whenever its transport is released. A segment created
//! elsewhere and adopted by `MxInternCanvas ... false` is removed only when
//! the script asks for it (`MxInternCanvas ... true`, `MxFreeTransport`);
//! when its interpreter goes away it is only detached. The package never
//! removes a segment it did not create unless a script named that segment in
//! one of those two calls.
//!
//! Ownership and permissions are the kernel's: segments are created with the
//! permission bits the script gave (0600 unless `-mode` widens them), owned by
//! the process's effective uid. Reading another user's segment needs its read
//! bit (IPC_STAT and shmat fail with EACCES otherwise); removing it needs to be
//! its owner or creator (or root): EPERM otherwise. Each such refusal is a
//! clean `POSIX` error that changes nothing.
//!
//! Sizes are never trusted: every attach learns the size with IPC_STAT, and
//! interning checks it against the canvas before copying a byte.
//!
//! Identifying our segments: the package creates its segments with a key in
//! the reserved range [`MX_KEY_BASE`]`..=MX_KEY_BASE + 0xFFFF` ("MX" =
//! 0x4D58 in the high half), retrying the next key on EEXIST, instead of
//! IPC_PRIVATE. Nothing ever looks a segment up by key (shmids are passed
//! around, as in MEDx); the key only says "made by mxcanvas" to
//! [`sweep_orphans`] and to `ipcs -m` readers. A segment marked for removal
//! shows key 0 (the kernel resets it), so it no longer counts as ours — it
//! is on its way out anyway.
//!
//! Zero-copy canvases (`-storage shm`, see [`super::shared`]): extern hands
//! out the canvas's own segment and interning it back into that canvas
//! copies nothing. Their transports hold no attachment (the canvas does),
//! and releasing them never removes the segment, which is the canvas's
//! memory: it is removed when the canvas is deleted.

use super::canvas::Canvas;
use super::copy::{copy_voxels, Dest};
use super::error::{MxError, MxResult};
use super::shared::is_canvas_segment;
use crate::sys::shm::{self, Attachment};
use crate::sys::SysError;
use nix::errno::Errno;
use once_cell::sync::Lazy;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

/// Identifies the interpreter that holds a transport.
pub type Owner = u64;

static NEXT_OWNER: AtomicU64 = AtomicU64::new(1);

/// A fresh owner id for a new interpreter.
pub fn new_owner() -> Owner {
    NEXT_OWNER.fetch_add(1, Ordering::Relaxed)
}

#[derive(Debug)]
enum Hold {
    /// The transport's own attachment.
    Own(Attachment),
    /// The segment is a `-storage shm` canvas's memory; the canvas holds
    /// the attachment.
    Canvas,
}

#[derive(Debug)]
struct Transport {
    hold: Hold,
    created_here: bool,
}

impl Transport {
    /// Mark for removal (when asked, and never a canvas's segment), then
    /// detach. Removing first means a refused IPC_RMID leaves the transport
    /// exactly as it was.
    fn release(self, remove: bool) -> Result<(), (Transport, SysError)> {
        let Hold::Own(attachment) = self.hold else {
            return Ok(()); // the canvas keeps its segment and attachment
        };
        if remove && !is_canvas_segment(attachment.id()) {
            if let Err(e) = shm::remove(attachment.id()) {
                return Err((Transport { hold: Hold::Own(attachment), created_here: self.created_here }, e));
            }
        }
        drop(attachment);
        Ok(())
    }
}

static TABLE: Lazy<Mutex<BTreeMap<(Owner, i32), Transport>>> = Lazy::new(Default::default);

/// The table, even if a panic elsewhere poisoned the lock: the map itself is
/// always consistent, since no operation leaves it half-updated.
fn table() -> MutexGuard<'static, BTreeMap<(Owner, i32), Transport>> {
    TABLE.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn no_segment(id: i32, err: SysError) -> MxError {
    match err.errno {
        Errno::EINVAL | Errno::EIDRM => MxError::posix(
            format!("no shared memory segment with id {id} (it was never created or has been removed)"),
            err,
        ),
        _ => MxError::posix(format!("cannot use shared memory segment {id}"), err),
    }
}

fn size_mismatch(id: i32, expected: usize, actual: usize) -> MxError {
    MxError::mx(
        format!("shared memory segment {id} is {actual} bytes, but the canvas needs exactly {expected}"),
        &["TRANSPORT", "SIZE", &expected.to_string(), &actual.to_string()],
    )
}

/// The first key of the range mxcanvas creates its segments with ("MX").
pub const MX_KEY_BASE: i32 = 0x4D58_0000;
/// How many keys the range holds.
const MX_KEY_COUNT: u32 = 0x1_0000;

/// Whether `key` is in the range mxcanvas creates its segments with.
pub fn is_mx_key(key: i32) -> bool {
    key & !0xFFFF == MX_KEY_BASE
}

static NEXT_KEY: AtomicU64 = AtomicU64::new(0);

/// Create a segment with a fresh key from the mxcanvas range. Processes start
/// at different places in the range (their pid) and walk it with a counter,
/// so collisions are rare; a key in use (EEXIST) just moves on to the next.
/// Large segments get huge pages where the system has them ([`shm::create_large`]).
pub(crate) fn create_mx_segment(bytes: usize, mode: u32) -> Result<shm::NewSegment, SysError> {
    let start = std::process::id().wrapping_mul(2_654_435_761);
    let mut last = SysError { call: "shmget", errno: Errno::EEXIST };
    for _ in 0..MX_KEY_COUNT {
        let n = NEXT_KEY.fetch_add(1, Ordering::Relaxed) as u32;
        let key = MX_KEY_BASE | (start.wrapping_add(n) % MX_KEY_COUNT) as i32;
        match shm::create_large(key, bytes, mode) {
            Ok(segment) => return Ok(segment),
            Err(e) if e.errno == Errno::EEXIST => last = e,
            Err(e) => return Err(e),
        }
    }
    // Every key of the range names a live segment: 65536 mxcanvas segments.
    Err(last)
}

/// Why shmget refused, with the system limit that is most likely the cause.
pub(crate) fn create_failed(bytes: usize, err: SysError) -> MxError {
    let mut e = MxError::posix(format!("cannot create a shared memory segment of {bytes} bytes"), err);
    e.message.push_str(match err.errno {
        Errno::ENOSPC => {
            " (the system's limit on the number of segments, kernel.shmmni, or on their \
                          total size, kernel.shmall, is reached: free transports or run mx::sweep)"
        }
        Errno::EINVAL => " (more than the system's largest segment, kernel.shmmax, allows)",
        Errno::ENOMEM => " (the system is out of memory for shared memory)",
        _ => "",
    });
    e
}

/// `MxExternCanvas`: a new segment of exactly the canvas's bytes, with
/// permission bits `mode`, holding a copy of the canvas. Returns its shmid.
/// A `-storage shm` canvas hands out its own segment instead, uncopied.
pub fn extern_canvas(owner: Owner, canvas: &Canvas, mode: u32) -> MxResult<i32> {
    if let Some(buffer) = canvas.shared() {
        let id = buffer.id();
        buffer.set_mode(mode).map_err(|e| MxError::posix(format!("cannot set the mode of canvas segment {id}"), e))?;
        table().entry((owner, id)).or_insert(Transport { hold: Hold::Canvas, created_here: true });
        return Ok(id);
    }
    let bytes = canvas.bytes();
    let segment = create_mx_segment(bytes, mode).map_err(|e| create_failed(bytes, e))?;
    let mut attachment = Attachment::attach(segment.id(), true)
        .map_err(|e| MxError::posix(format!("cannot attach new segment {}", segment.id()), e))?;
    let view = attachment.as_mut_slice().expect("attached read-write");
    if view.len() != bytes {
        return Err(size_mismatch(segment.id(), bytes, view.len()));
    }
    copy_voxels(view, canvas.as_bytes(), Dest::Fresh);
    let id = segment.keep();
    table().insert((owner, id), Transport { hold: Hold::Own(attachment), created_here: true });
    Ok(id)
}

/// Interning a `-storage shm` canvas's own segment into it: the voxels are
/// already there. `free` ends the transport; otherwise it is (still) held.
fn intern_in_place(owner: Owner, id: i32, free: bool) {
    let mut table = table();
    if free {
        // An own attachment (this interpreter adopted the segment) is just
        // detached: the segment is the canvas's memory.
        table.remove(&(owner, id));
    } else {
        table.entry((owner, id)).or_insert(Transport { hold: Hold::Canvas, created_here: true });
    }
}

/// `MxInternCanvas`: copy segment `id` back into `canvas`; with `free`,
/// detach and mark it for removal. On error nothing has changed.
pub fn intern_canvas(owner: Owner, canvas: &mut Canvas, id: i32, free: bool) -> MxResult<()> {
    if canvas.shmid() == Some(id) {
        intern_in_place(owner, id, free);
        return Ok(());
    }
    let expected = canvas.bytes();
    let info = shm::stat(id).map_err(|e| no_segment(id, e))?;
    if info.size != expected {
        return Err(size_mismatch(id, expected, info.size));
    }
    // Take a held transport out of the table while copying (other threads'
    // interpreters keep using the table); a foreign segment is attached
    // read-only, which is all reading it back needs. So is a canvas
    // segment, whose transport holds no attachment of its own.
    let attach = || {
        Attachment::attach(id, false)
            .map_err(|e| MxError::posix(format!("cannot attach shared memory segment {id}"), e))
    };
    let held = table().remove(&(owner, id));
    let was_held = held.is_some();
    let restore = |t: Transport| {
        if was_held {
            table().insert((owner, id), t);
        }
    };
    let transport = match held {
        Some(t) => t,
        None => Transport { hold: Hold::Own(attach()?), created_here: false },
    };
    let reader = match &transport.hold {
        Hold::Own(_) => None,
        Hold::Canvas => match attach() {
            Ok(a) => Some(a),
            Err(e) => {
                restore(transport);
                return Err(e);
            }
        },
    };
    let source = match (&reader, &transport.hold) {
        (Some(a), _) | (None, Hold::Own(a)) => a,
        (None, Hold::Canvas) => unreachable!("a canvas hold got a reader above"),
    };
    if source.len() != expected {
        let actual = source.len();
        drop(reader);
        restore(transport);
        return Err(size_mismatch(id, expected, actual));
    }
    if free && !is_canvas_segment(id) {
        if let Err(e) = shm::remove(id) {
            drop(reader);
            restore(transport);
            return Err(MxError::posix(format!("cannot free shared memory segment {id}"), e));
        }
    }
    copy_voxels(canvas.as_bytes_mut(), source.as_slice(), Dest::Resident);
    drop(reader);
    if !free {
        table().insert((owner, id), transport);
    }
    Ok(())
}

/// Drop every transport that stands for canvas segment `id`: the canvas is
/// being deleted, and the id may be reused by an unrelated segment later.
pub fn forget_canvas_segment(id: i32) {
    table().retain(|&(_, held), t| held != id || !matches!(t.hold, Hold::Canvas));
}

/// `MxFreeTransport`: detach and remove a transport of `owner` without copying.
pub fn free_transport(owner: Owner, id: i32) -> MxResult<()> {
    let transport = table().remove(&(owner, id)).ok_or_else(|| {
        MxError::mx(
            format!("{id} is not a transport of this interpreter: expected one of the ids MxTransports lists"),
            &["LOOKUP", "TRANSPORT", &id.to_string()],
        )
    })?;
    transport.release(true).map_err(|(t, e)| {
        table().insert((owner, id), t);
        MxError::posix(format!("cannot free shared memory segment {id}"), e)
    })
}

/// The shmids `owner` holds, in increasing order.
pub fn transports(owner: Owner) -> Vec<i32> {
    table().range((owner, i32::MIN)..=(owner, i32::MAX)).map(|(&(_, id), _)| id).collect()
}

fn release_matching(keep: impl Fn(Owner) -> bool) {
    let released: Vec<Transport> = {
        let mut table = table();
        let (gone, kept): (BTreeMap<_, _>, BTreeMap<_, _>) =
            std::mem::take(&mut *table).into_iter().partition(|((owner, _), _)| !keep(*owner));
        *table = kept;
        gone.into_values().collect()
    };
    for transport in released {
        let remove = transport.created_here;
        // Teardown cannot report errors; a segment that refuses removal was
        // not ours to remove. The attachment is dropped either way.
        let _ = transport.release(remove).map_err(|(t, _)| drop(t));
    }
}

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

/// Release everything `owner` holds: its interpreter is being deleted.
pub fn release_owner(owner: Owner) {
    release_matching(|o| o != owner);
}

/// Release every transport of the process: it is exiting.
pub fn release_all() {
    release_matching(|_| false);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::{Geometry, Value, VoxelType};

    fn canvas(t: VoxelType) -> Canvas {
        Canvas::new(Geometry::new([8, 4, 2, 1], t).unwrap(), t).unwrap()
    }

    #[test]
    fn extern_then_intern_round_trip() {
        let owner = new_owner();
        let mut c = canvas(VoxelType::Int16);
        c.set([3, 2, 1, 0], Value::Int(-1234)).unwrap();
        let id = extern_canvas(owner, &c, 0o600).unwrap();
        let info = shm::stat(id).unwrap();
        assert_eq!(info.size, c.bytes());
        assert_eq!(info.mode, 0o600);
        assert_eq!(transports(owner), vec![id]);

        // an "external program" writes a voxel
        {
            let mut a = Attachment::attach(id, true).unwrap();
            let at = ((1 * 4 + 2) * 8 + 4) * 2;
            a.as_mut_slice().unwrap()[at..at + 2].copy_from_slice(&77i16.to_ne_bytes());
        }
        intern_canvas(owner, &mut c, id, false).unwrap();
        assert_eq!(c.get([4, 2, 1, 0]).unwrap(), Value::Int(77));
        assert_eq!(transports(owner), vec![id]);
        assert!(!shm::stat(id).unwrap().marked_for_removal);

        intern_canvas(owner, &mut c, id, true).unwrap();
        assert!(transports(owner).is_empty());
        assert!(shm::stat(id).is_err(), "segment freed after detach");
    }

    #[test]
    fn size_mismatch_changes_nothing() {
        let owner = new_owner();
        let small = canvas(VoxelType::Uint8);
        let mut big = canvas(VoxelType::Float64);
        big.fill(Value::Float(2.0)).unwrap();
        let id = extern_canvas(owner, &small, 0o600).unwrap();
        let e = intern_canvas(owner, &mut big, id, true).unwrap_err();
        assert_eq!(e.code[..3], ["MX", "TRANSPORT", "SIZE"]);
        assert_eq!(transports(owner), vec![id]);
        assert_eq!(big.get([0, 0, 0, 0]).unwrap(), Value::Float(2.0));
        free_transport(owner, id).unwrap();
        assert!(shm::stat(id).is_err());
    }

    #[test]
    fn unknown_ids() {
        let owner = new_owner();
        let mut c = canvas(VoxelType::Uint8);
        let e = intern_canvas(owner, &mut c, -1, true).unwrap_err();
        assert_eq!(e.code[..2], ["POSIX", "EINVAL"]);
        let e = free_transport(owner, 12345).unwrap_err();
        assert_eq!(e.code, ["MX", "LOOKUP", "TRANSPORT", "12345"]);
    }

    #[test]
    fn foreign_segment_adopted_then_owner_released_is_only_detached() {
        let owner = new_owner();
        let mut c = canvas(VoxelType::Uint8);
        let seg = shm::create(libc::IPC_PRIVATE, c.bytes(), 0o600).unwrap();
        intern_canvas(owner, &mut c, seg.id(), false).unwrap();
        assert_eq!(transports(owner), vec![seg.id()]);
        assert_eq!(shm::stat(seg.id()).unwrap().attachments, 1);
        release_owner(owner);
        let info = shm::stat(seg.id()).unwrap();
        assert_eq!(info.attachments, 0);
        assert!(!info.marked_for_removal);
        drop(seg);
    }

    #[test]
    fn extern_uses_the_mx_key_range() {
        let owner = new_owner();
        let c = canvas(VoxelType::Uint8);
        let a = extern_canvas(owner, &c, 0o600).unwrap();
        let b = extern_canvas(owner, &c, 0o600).unwrap();
        let (ka, kb) = (shm::stat(a).unwrap().key, shm::stat(b).unwrap().key);
        assert!(is_mx_key(ka) && is_mx_key(kb) && ka != kb, "{ka:#x} {kb:#x}");
        assert!(!is_mx_key(0) && !is_mx_key(0x4D59_0000) && !is_mx_key(-1));
        // our own segments are attached and their creator (us) is alive
        let listed = orphans().unwrap();
        assert!(!listed.contains(&a) && !listed.contains(&b));
        release_owner(owner);
    }

    #[test]
    fn a_key_in_use_is_skipped() {
        // Occupy the key the next extern would try first; it must move on.
        let next = NEXT_KEY.load(Ordering::Relaxed) as u32;
        let start = std::process::id().wrapping_mul(2_654_435_761);
        let key = MX_KEY_BASE | (start.wrapping_add(next) % MX_KEY_COUNT) as i32;
        let blocker = shm::create(key, 4096, 0o600);
        let owner = new_owner();
        let id = extern_canvas(owner, &canvas(VoxelType::Uint8), 0o600).unwrap();
        assert!(is_mx_key(shm::stat(id).unwrap().key));
        release_owner(owner);
        drop(blocker);
    }

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

    #[test]
    fn release_owner_removes_created_segments() {
        let owner = new_owner();
        let c = canvas(VoxelType::Float32);
        let ids: Vec<i32> = (0..3).map(|_| extern_canvas(owner, &c, 0o600).unwrap()).collect();
        release_owner(owner);
        for id in ids {
            assert!(shm::stat(id).is_err());
        }
        assert!(transports(owner).is_empty());
    }

    fn shm_canvas() -> Canvas {
        let t = VoxelType::Float32;
        Canvas::new_in(Geometry::new([8, 4, 2, 1], t).unwrap(), t, crate::core::storage::StorageKind::Shm).unwrap()
    }

    #[test]
    fn shm_canvas_extern_hands_out_its_own_segment() {
        let owner = new_owner();
        let mut c = shm_canvas();
        let id = extern_canvas(owner, &c, 0o640).unwrap();
        assert_eq!(Some(id), c.shmid());
        let info = shm::stat(id).unwrap();
        assert_eq!((info.size, info.mode, info.marked_for_removal), (c.bytes(), 0o640, false));
        assert_eq!(extern_canvas(owner, &c, 0o600).unwrap(), id, "externing again is the same segment");
        assert_eq!(transports(owner), vec![id]);
        // the external program writes straight into the canvas
        {
            let mut a = Attachment::attach(id, true).unwrap();
            a.as_mut_slice().unwrap()[..4].copy_from_slice(&2.5f32.to_ne_bytes());
        }
        assert_eq!(c.get([0, 0, 0, 0]).unwrap(), Value::Float(2.5));
        intern_canvas(owner, &mut c, id, false).unwrap();
        assert_eq!(transports(owner), vec![id]);
        intern_canvas(owner, &mut c, id, true).unwrap();
        assert!(transports(owner).is_empty());
        let info = shm::stat(id).unwrap();
        assert!(!info.marked_for_removal, "the canvas keeps its memory");
        assert_eq!(c.get([0, 0, 0, 0]).unwrap(), Value::Float(2.5));
        drop(c);
        assert!(shm::stat(id).is_err(), "deleting the canvas removes its segment");
    }

    #[test]
    fn freeing_a_shm_canvas_transport_never_removes_the_segment() {
        let owner = new_owner();
        let c = shm_canvas();
        let id = extern_canvas(owner, &c, 0o600).unwrap();
        free_transport(owner, id).unwrap();
        assert!(!shm::stat(id).unwrap().marked_for_removal);
        // interned into another canvas (a copy), with free: still not removed
        let id = extern_canvas(owner, &c, 0o600).unwrap();
        let mut other = canvas(VoxelType::Float32);
        intern_canvas(owner, &mut other, id, true).unwrap();
        assert!(!shm::stat(id).unwrap().marked_for_removal);
        assert!(transports(owner).is_empty());
        release_owner(owner);
        assert!(!shm::stat(id).unwrap().marked_for_removal);
    }

    #[test]
    fn deleting_a_shm_canvas_drops_its_transports() {
        let owner = new_owner();
        let c = shm_canvas();
        let id = extern_canvas(owner, &c, 0o600).unwrap();
        let mut other = canvas(VoxelType::Float32);
        intern_canvas(owner, &mut other, id, false).unwrap();
        assert_eq!(transports(owner), vec![id]);
        drop(c);
        assert!(transports(owner).is_empty());
        assert!(shm::stat(id).is_err());
    }
}
