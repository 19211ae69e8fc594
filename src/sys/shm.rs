//! System V shared memory: thin wrappers named after the system calls.
//!
//! * [`create`] is `shmget(key, ..., IPC_CREAT | IPC_EXCL)` and returns a [`NewSegment`]
//!   guard that removes the segment again unless it is handed over with
//!   [`NewSegment::keep`] — so a half-built transport never leaks.
//! * [`Attachment`] is `shmat`; dropping it is `shmdt`.
//! * [`remove`] is `shmctl(IPC_RMID)`, an explicit, separate step (as
//!   `shmdt` and `IPC_RMID` are separate in C).
//! * [`stat`] is `shmctl(IPC_STAT)`: the only trusted source of a segment's size.
//! * [`list`] is `shmctl(SHM_INFO)` + `shmctl(SHM_STAT)`: every segment this
//!   process may read, as `ipcs -m` finds them (used to sweep orphans).
//!
//! Note that `shmat` reports failure with `(void *)-1`, not NULL, and that
//! shmid 0 is a valid id.

use super::SysError;
use std::ptr::NonNull;

/// Linux marks a segment scheduled for removal with this bit in `shm_perm.mode`.
const SHM_DEST: u32 = 0o1000;

/// What `IPC_STAT` tells about a segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SegmentInfo {
    pub id: i32,
    pub key: i32,
    pub size: usize,
    /// Permission bits (0o777 part of `shm_perm.mode`).
    pub mode: u32,
    /// The segment was marked for removal (IPC_RMID) and goes away at last detach.
    pub marked_for_removal: bool,
    pub attachments: u64,
    pub owner_uid: u32,
    pub creator_uid: u32,
    pub creator_pid: i32,
    pub last_pid: i32,
}

/// Linux's `shmctl` commands for walking the kernel's segment table
/// (`<linux/shm.h>`; the libc crate does not export them for Linux).
const SHM_STAT: libc::c_int = 13;
const SHM_INFO: libc::c_int = 14;

/// `shmctl(id, IPC_STAT)`.
pub fn stat(id: i32) -> Result<SegmentInfo, SysError> {
    // SAFETY: shmid_ds is plain old data; all-zero is a valid value, and the
    // kernel overwrites it on success.
    let mut ds: libc::shmid_ds = unsafe { std::mem::zeroed() };
    // SAFETY: `ds` is a valid, writable shmid_ds for the duration of the call.
    let rc = unsafe { libc::shmctl(id, libc::IPC_STAT, &mut ds) };
    if rc == -1 {
        return Err(SysError::last("shmctl(IPC_STAT)"));
    }
    Ok(info_from(id, &ds))
}

/// Every segment of this IPC namespace that this process may read
/// (`shmctl(SHM_INFO)` for the highest slot in use, then `shmctl(SHM_STAT)`
/// for each slot). Slots that are free, or that we may not read, are skipped.
pub fn list() -> Result<Vec<SegmentInfo>, SysError> {
    // SHM_INFO fills a `struct shm_info` (6 words), which is smaller than a
    // shmid_ds; the zeroed shmid_ds is used as a large-enough buffer.
    // SAFETY: shmid_ds is plain old data; all-zero is a valid value.
    let mut buf: libc::shmid_ds = unsafe { std::mem::zeroed() };
    // SAFETY: `buf` is writable and larger than struct shm_info.
    let highest = unsafe { libc::shmctl(0, SHM_INFO, &mut buf) };
    if highest == -1 {
        return Err(SysError::last("shmctl(SHM_INFO)"));
    }
    let mut found = Vec::new();
    for slot in 0..=highest {
        // SAFETY: as above.
        let mut ds: libc::shmid_ds = unsafe { std::mem::zeroed() };
        // SAFETY: `ds` is a valid, writable shmid_ds; SHM_STAT takes a slot
        // index and returns the segment's shmid.
        let id = unsafe { libc::shmctl(slot, SHM_STAT, &mut ds) };
        if id != -1 {
            found.push(info_from(id, &ds));
        }
    }
    Ok(found)
}

fn info_from(id: i32, ds: &libc::shmid_ds) -> SegmentInfo {
    let mode = ds.shm_perm.mode as u32;
    SegmentInfo {
        id,
        key: ds.shm_perm.__key,
        size: ds.shm_segsz,
        mode: mode & 0o777,
        marked_for_removal: mode & SHM_DEST != 0,
        // c_ulong: u64 here, u32 on 32-bit targets.
        #[allow(clippy::unnecessary_cast)]
        attachments: ds.shm_nattch as u64,
        owner_uid: ds.shm_perm.uid,
        creator_uid: ds.shm_perm.cuid,
        creator_pid: ds.shm_cpid,
        last_pid: ds.shm_lpid,
    }
}

/// `shmctl(id, IPC_RMID)`: mark the segment for removal. The kernel frees it
/// when the last process detaches; attachments made before keep working.
pub fn remove(id: i32) -> Result<(), SysError> {
    // SAFETY: IPC_RMID takes no buffer; a null pointer is what the man page asks for.
    let rc = unsafe { libc::shmctl(id, libc::IPC_RMID, std::ptr::null_mut()) };
    if rc == -1 {
        return Err(SysError::last("shmctl(IPC_RMID)"));
    }
    Ok(())
}

/// A segment this process has just created and not yet handed over.
/// Dropping it removes the segment (IPC_RMID); [`NewSegment::keep`] hands it over.
#[derive(Debug)]
pub struct NewSegment {
    id: i32,
}

/// `shmget(key, size, IPC_CREAT | IPC_EXCL | mode)`: a brand-new segment.
/// Pass `libc::IPC_PRIVATE` as `key` for an anonymous one.
pub fn create(key: i32, size: usize, mode: u32) -> Result<NewSegment, SysError> {
    let flags = libc::IPC_CREAT | libc::IPC_EXCL | (mode & 0o777) as libc::c_int;
    // SAFETY: shmget only reads its integer arguments.
    let id = unsafe { libc::shmget(key, size, flags) };
    if id == -1 {
        return Err(SysError::last("shmget"));
    }
    Ok(NewSegment { id })
}

/// Like [`create`], but backed by huge pages (`SHM_HUGETLB`) when the
/// system has set some aside and the segment is large enough (at least four
/// huge pages, so rounding up wastes little); otherwise, or when the kernel
/// refuses (no free huge pages, no permission), an ordinary segment. Huge
/// pages make a fresh segment's page faults 512 times fewer. IPC_STAT still
/// reports exactly `size` bytes either way.
pub fn create_large(key: i32, size: usize, mode: u32) -> Result<NewSegment, SysError> {
    if let Some((huge_page, _)) = super::mem::hugetlb_pages() {
        if size >= 4 * huge_page {
            let flags = libc::IPC_CREAT | libc::IPC_EXCL | libc::SHM_HUGETLB | (mode & 0o777) as libc::c_int;
            // SAFETY: shmget only reads its integer arguments.
            let id = unsafe { libc::shmget(key, size, flags) };
            if id != -1 {
                return Ok(NewSegment { id });
            }
        }
    }
    create(key, size, mode)
}

/// `shmctl(id, IPC_SET)` changing only the permission bits to `mode & 0o777`.
pub fn set_mode(id: i32, mode: u32) -> Result<(), SysError> {
    // SAFETY: as in `stat`: plain old data, overwritten by the kernel.
    let mut ds: libc::shmid_ds = unsafe { std::mem::zeroed() };
    // SAFETY: `ds` is a valid, writable shmid_ds for the duration of the call.
    if unsafe { libc::shmctl(id, libc::IPC_STAT, &mut ds) } == -1 {
        return Err(SysError::last("shmctl(IPC_STAT)"));
    }
    set_perm(id, OwnerIds { uid: ds.shm_perm.uid, gid: ds.shm_perm.gid }, mode)
}

/// A segment's owner, as IPC_SET needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OwnerIds {
    pub uid: u32,
    pub gid: u32,
}

/// The owner of segment `id` (IPC_STAT, so it needs the read bit).
pub fn owner_ids(id: i32) -> Result<OwnerIds, SysError> {
    // SAFETY: as in `stat`: plain old data, overwritten by the kernel.
    let mut ds: libc::shmid_ds = unsafe { std::mem::zeroed() };
    // SAFETY: `ds` is a valid, writable shmid_ds for the duration of the call.
    if unsafe { libc::shmctl(id, libc::IPC_STAT, &mut ds) } == -1 {
        return Err(SysError::last("shmctl(IPC_STAT)"));
    }
    Ok(OwnerIds { uid: ds.shm_perm.uid, gid: ds.shm_perm.gid })
}

/// `shmctl(id, IPC_SET)` with a known owner: sets the permission bits to
/// `mode & 0o777` without reading the segment first. IPC_SET needs only
/// ownership, IPC_STAT the read bit: a segment whose owner took away its own
/// read bit (`-mode 0`) can still be given a new mode this way.
pub fn set_perm(id: i32, owner: OwnerIds, mode: u32) -> Result<(), SysError> {
    // SAFETY: as in `stat`: plain old data; IPC_SET reads only uid, gid and mode.
    let mut ds: libc::shmid_ds = unsafe { std::mem::zeroed() };
    ds.shm_perm.uid = owner.uid;
    ds.shm_perm.gid = owner.gid;
    ds.shm_perm.mode = (mode & 0o777) as libc::c_ushort;
    // SAFETY: `ds` is a valid shmid_ds for the duration of the call.
    if unsafe { libc::shmctl(id, libc::IPC_SET, &mut ds) } == -1 {
        return Err(SysError::last("shmctl(IPC_SET)"));
    }
    Ok(())
}

impl NewSegment {
    pub fn id(&self) -> i32 {
        self.id
    }

    /// Attach the new segment read-write and at once mark it for removal
    /// (what X11's MIT-SHM does): from then on the kernel frees it when the
    /// last process detaches, so a process killed with SIGKILL leaves nothing
    /// once the programs attached to the segment have detached. Linux lets a
    /// process attach a marked segment by its id for as long as somebody is
    /// attached, so handing the id out still works while this attachment is
    /// held. IPC_RMID comes before the IPC_STAT of [`Attachment::attach`],
    /// so the segment is unmarked for two system calls only (shmget, shmat).
    pub fn attach_marked(self) -> Result<Attachment, SysError> {
        // SAFETY: a null address lets the kernel choose where to map; the
        // result is checked against (void *)-1 before any use.
        let addr = unsafe { libc::shmat(self.id, std::ptr::null(), 0) };
        if addr as isize == -1 {
            return Err(SysError::last("shmat"));
        }
        let ptr = NonNull::new(addr as *mut u8).ok_or(SysError { call: "shmat", errno: nix::errno::Errno::EFAULT })?;
        // From here on the guard detaches on every path, errors included.
        let mut attachment = Attachment { id: self.id, ptr, len: 0, writable: true };
        // Marked while attached: the segment stays until `attachment` goes.
        // (On error `self` is dropped: IPC_RMID again, then the detach frees it.)
        remove(self.id)?;
        std::mem::forget(self);
        attachment.len = stat(attachment.id)?.size;
        Ok(attachment)
    }

    /// Hand the segment over: it is no longer removed when this guard goes away.
    pub fn keep(self) -> i32 {
        let id = self.id;
        std::mem::forget(self);
        id
    }
}

impl Drop for NewSegment {
    fn drop(&mut self) {
        // Nothing else knows this id yet, so removing it is always right; an
        // error here (the segment already gone) leaves nothing to clean up.
        let _ = remove(self.id);
    }
}

/// An attachment of a segment into this process (`shmat`). Dropping it
/// detaches (`shmdt`); it never removes the segment.
///
/// # Aliasing
///
/// Like a `memmap2` map of a shared file, the memory behind the slices this
/// hands out is shared with other processes, which may write it at any time:
/// Rust's rule that a `&[u8]` does not change while borrowed holds only as
/// far as this process is concerned. The package keeps to that rule by
/// protocol, not by type: a segment is handed to an external program, which
/// runs to completion (or is waited for) before the script interns it, and
/// the voxels are read only then; they are only ever copied as plain bytes
/// (never read as references, enums or anything with invalid bit patterns),
/// so a concurrent writer can make the values wrong, never the program
/// unsound in the bytes' interpretation. Within this process, `&mut self`
/// makes [`Attachment::as_mut_slice`] the only writable view.
#[derive(Debug)]
pub struct Attachment {
    id: i32,
    ptr: NonNull<u8>,
    len: usize,
    writable: bool,
}

// SAFETY: an attachment is process-wide memory; the address stays valid from
// any thread until `shmdt`, which only `Drop` calls, so moving the owner to
// another thread (e.g. into the process-wide transport table) is sound.
unsafe impl Send for Attachment {}

impl Attachment {
    /// Attach segment `id` read-write (or read-only), learning its size from
    /// IPC_STAT: the size is never taken on trust. The size is read *after*
    /// `shmat`, while we are attached: an attached segment cannot go away, so
    /// the size is that of the very segment mapped (a stat before shmat could
    /// describe a segment removed and replaced in between).
    pub fn attach(id: i32, writable: bool) -> Result<Attachment, SysError> {
        let flags = if writable { 0 } else { libc::SHM_RDONLY };
        // SAFETY: a null address lets the kernel choose where to map; the
        // result is checked against (void *)-1 before any use.
        let addr = unsafe { libc::shmat(id, std::ptr::null(), flags) };
        if addr as isize == -1 {
            return Err(SysError::last("shmat"));
        }
        let ptr = NonNull::new(addr as *mut u8).ok_or(SysError { call: "shmat", errno: nix::errno::Errno::EFAULT })?;
        // From here on the guard detaches on every path, errors included.
        let mut attachment = Attachment { id, ptr, len: 0, writable };
        attachment.len = stat(id)?.size;
        Ok(attachment)
    }

    pub fn id(&self) -> i32 {
        self.id
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The segment's bytes. Another process may write them concurrently; the
    /// transport protocol (the external program runs to completion before the
    /// script interns) is what makes a read meaningful.
    pub fn as_slice(&self) -> &[u8] {
        // SAFETY: the mapping is `len` bytes long (IPC_STAT at attach time;
        // System V segments never change size) and stays mapped until `self`
        // is dropped, which the borrow prevents.
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr(), self.len) }
    }

    /// The segment's bytes, writable. `None` for a read-only attachment.
    pub fn as_mut_slice(&mut self) -> Option<&mut [u8]> {
        if !self.writable {
            return None;
        }
        // SAFETY: as for `as_slice`, and the mapping was attached read-write;
        // `&mut self` makes this the only slice handed out by this process.
        Some(unsafe { std::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len) })
    }
}

impl Drop for Attachment {
    fn drop(&mut self) {
        // SAFETY: `ptr` came from a successful shmat and is detached only here.
        // shmdt can only fail for an address that is not attached, which this
        // type rules out; there is nothing useful to do with an error in Drop.
        let _ = unsafe { libc::shmdt(self.ptr.as_ptr() as *const libc::c_void) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_attach_write_stat_remove() {
        let seg = create(libc::IPC_PRIVATE, 8192, 0o600).expect("shmget");
        let id = seg.id();
        let info = stat(id).unwrap();
        assert_eq!(info.size, 8192);
        assert_eq!(info.mode, 0o600);
        assert!(!info.marked_for_removal);
        {
            let mut a = Attachment::attach(id, true).unwrap();
            a.as_mut_slice().unwrap()[100] = 42;
            let b = Attachment::attach(id, false).unwrap();
            assert_eq!(b.as_slice()[100], 42);
            assert!(b.as_slice().len() == 8192);
            assert_eq!(stat(id).unwrap().attachments, 2);
        }
        assert_eq!(stat(id).unwrap().attachments, 0);
        drop(seg); // the guard removes it
        assert_eq!(stat(id).unwrap_err().errno, nix::errno::Errno::EINVAL);
    }

    #[test]
    fn kept_segment_survives_the_guard() {
        let id = create(libc::IPC_PRIVATE, 4096, 0o640).unwrap().keep();
        assert_eq!(stat(id).unwrap().mode, 0o640);
        remove(id).unwrap();
        assert!(stat(id).is_err());
    }

    #[test]
    fn attachment_outlives_removal() {
        let seg = create(libc::IPC_PRIVATE, 4096, 0o600).unwrap();
        let mut a = Attachment::attach(seg.id(), true).unwrap();
        let id = seg.keep();
        remove(id).unwrap();
        assert!(stat(id).unwrap().marked_for_removal);
        a.as_mut_slice().unwrap()[0] = 7;
        assert_eq!(a.as_slice()[0], 7);
        drop(a);
        assert!(stat(id).is_err());
    }

    #[test]
    fn attach_marked_marks_and_others_still_attach_by_id() {
        let seg = create(libc::IPC_PRIVATE, 4096, 0o600).unwrap();
        let id = seg.id();
        let mut mine = seg.attach_marked().unwrap();
        let info = stat(id).unwrap();
        assert_eq!((info.marked_for_removal, info.attachments, mine.len()), (true, 1, 4096));
        mine.as_mut_slice().unwrap()[9] = 9;
        // Linux: a marked segment is attached by id while somebody is attached.
        let late = Attachment::attach(id, false).unwrap();
        assert_eq!(late.as_slice()[9], 9);
        set_mode(id, 0o644).unwrap();
        assert_eq!(stat(id).unwrap().mode, 0o644);
        drop(mine);
        assert_eq!(late.as_slice()[9], 9, "the late one keeps it");
        drop(late);
        assert!(stat(id).is_err(), "gone at the last detach");
    }

    #[test]
    fn large_segments_are_exactly_sized_and_mode_can_change() {
        let size = (16 << 20) + 5;
        let seg = create_large(libc::IPC_PRIVATE, size, 0o600).unwrap();
        assert_eq!(stat(seg.id()).unwrap().size, size);
        set_mode(seg.id(), 0o640).unwrap();
        let info = stat(seg.id()).unwrap();
        assert_eq!((info.mode, info.marked_for_removal), (0o640, false));
        assert!(set_mode(-1, 0o600).is_err());
    }

    #[test]
    fn read_only_attachment_refuses_mut() {
        let seg = create(libc::IPC_PRIVATE, 4096, 0o600).unwrap();
        let mut a = Attachment::attach(seg.id(), false).unwrap();
        assert!(a.as_mut_slice().is_none());
    }

    #[test]
    fn list_finds_a_new_segment() {
        let seg = create(libc::IPC_PRIVATE, 4096, 0o600).unwrap();
        let all = list().unwrap();
        let mine = all.iter().find(|i| i.id == seg.id()).expect("listed");
        assert_eq!(mine.size, 4096);
        assert_eq!(mine.creator_pid, std::process::id() as i32);
    }

    #[test]
    fn unknown_ids_fail_cleanly() {
        assert!(stat(-1).is_err());
        assert!(Attachment::attach(-1, true).is_err());
        assert!(remove(-1).is_err());
        let e = stat(-1).unwrap_err();
        assert_eq!(e.errno_name(), "EINVAL");
        assert_eq!(e.errno_text(), "invalid argument");
    }
}
