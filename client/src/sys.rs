//! The only code in this crate that calls libc: thin wrappers named after
//! the System V calls an external program needs. Every `unsafe` block says
//! why it is sound.
//!
//! `shmat` fails with `(void *)-1`, not NULL, and shmid 0 is a valid id.

use std::io;
use std::ptr::NonNull;

/// `shmctl(shmid, IPC_STAT)`: the segment's size in bytes, the only
/// trustworthy source for it.
pub(crate) fn segment_size(shmid: i32) -> io::Result<usize> {
    // SAFETY: shmid_ds is plain old data, for which all-zero bytes are a valid
    // value; the kernel overwrites it on success.
    let mut ds: libc::shmid_ds = unsafe { std::mem::zeroed() };
    // SAFETY: `ds` is a valid, writable shmid_ds for the duration of the call.
    let rc = unsafe { libc::shmctl(shmid, libc::IPC_STAT, &mut ds) };
    if rc == -1 {
        return Err(io::Error::last_os_error());
    }
    Ok(ds.shm_segsz as usize)
}

/// `shmat(shmid, NULL, flags)`: the kernel chooses a page-aligned address.
pub(crate) fn shmat(shmid: i32, read_only: bool) -> io::Result<NonNull<u8>> {
    let flags = if read_only { libc::SHM_RDONLY } else { 0 };
    // SAFETY: a null address lets the kernel choose where to map; the result
    // is checked against (void *)-1 before any use.
    let addr = unsafe { libc::shmat(shmid, std::ptr::null(), flags) };
    if addr as isize == -1 {
        return Err(io::Error::last_os_error());
    }
    NonNull::new(addr as *mut u8).ok_or_else(|| io::Error::from_raw_os_error(libc::EFAULT))
}

/// `shmdt(addr)`.
///
/// # Safety
/// `addr` must come from a successful [`shmat`] that has not been detached
/// yet, and no reference into the mapping may be used afterwards.
pub(crate) unsafe fn shmdt(addr: NonNull<u8>) -> io::Result<()> {
    // SAFETY: the caller guarantees `addr` is a live attachment that nothing
    // will use after this call.
    let rc = unsafe { libc::shmdt(addr.as_ptr() as *const libc::c_void) };
    if rc == -1 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Test support: what the Tcl side does (shmget, IPC_RMID, attach count).
#[cfg(test)]
pub(crate) mod testing {
    use std::io;

    /// A private segment of `size` bytes, removed when dropped.
    pub struct TestSegment(pub i32);

    impl TestSegment {
        pub fn new(size: usize) -> TestSegment {
            // SAFETY: shmget only reads its integer arguments.
            let id = unsafe { libc::shmget(libc::IPC_PRIVATE, size, libc::IPC_CREAT | libc::IPC_EXCL | 0o600) };
            assert!(id != -1, "shmget: {}", io::Error::last_os_error());
            TestSegment(id)
        }

        /// Number of attachments (`shm_nattch`).
        pub fn attachments(&self) -> u64 {
            // SAFETY: as in `segment_size`: zeroed POD, valid for the call.
            let mut ds: libc::shmid_ds = unsafe { std::mem::zeroed() };
            // SAFETY: `ds` is a valid, writable shmid_ds for the duration of the call.
            let rc = unsafe { libc::shmctl(self.0, libc::IPC_STAT, &mut ds) };
            assert!(rc != -1, "IPC_STAT: {}", io::Error::last_os_error());
            ds.shm_nattch as u64
        }

        /// Mark for removal now (the id stays known to the test).
        pub fn remove(&self) {
            // SAFETY: IPC_RMID takes no buffer; null is what the man page asks for.
            unsafe { libc::shmctl(self.0, libc::IPC_RMID, std::ptr::null_mut()) };
        }
    }

    impl Drop for TestSegment {
        fn drop(&mut self) {
            // Removing twice is harmless (EINVAL), so drop always tries.
            self.remove();
        }
    }
}
