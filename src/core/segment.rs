//! Making the package's segments: a key from the mxcanvas range, and the
//! error that says which system limit a refused `shmget` most likely hit.
//!
//! The package creates its segments with a key in the reserved range
//! [`MX_KEY_BASE`]`..=MX_KEY_BASE + 0xFFFF` ("MX" = 0x4D58 in the high half),
//! retrying the next key on EEXIST, instead of IPC_PRIVATE. Nothing ever
//! looks a segment up by key (shmids are passed around, as in MEDx); the key
//! only says "made by mxcanvas" to the watchdog ([`crate::sys::watchdog`]),
//! the orphan sweep ([`super::orphans`]) and `ipcs -m` readers, and only for
//! a moment: every segment is marked for removal as soon as it is attached
//! (`NewSegment::attach_marked`), and a marked segment shows key 0 (the
//! kernel resets it), so it no longer counts as ours — it is on its way out
//! anyway. What still carries the key is a segment whose process was killed
//! between `shmget` and the mark.

use super::error::MxError;
use crate::sys::shm;
use crate::sys::watchdog;
use crate::sys::SysError;
use nix::errno::Errno;
use once_cell::sync::Lazy;
use std::sync::atomic::{AtomicU64, Ordering};

/// The first key of the range mxcanvas creates its segments with ("MX").
pub const MX_KEY_BASE: i32 = 0x4D58_0000;
/// How many keys the range holds.
const MX_KEY_COUNT: u32 = 0x1_0000;

/// Whether `key` is in the range mxcanvas creates its segments with.
pub fn is_mx_key(key: i32) -> bool {
    key & !0xFFFF == MX_KEY_BASE
}

/// The `n`th key of the range (wrapping).
fn mx_key(n: u32) -> i32 {
    MX_KEY_BASE | (n % MX_KEY_COUNT) as i32
}

static NEXT_KEY: AtomicU64 = AtomicU64::new(0);

/// Where this process starts in the range: random (the standard library's
/// per-process random hash keys), so that nobody can tell which keys a
/// process will use next. Predicting them would buy an attacker nothing
/// (a key in use is skipped, and nothing looks segments up by key), but
/// squatting should not even be aimed.
static START: Lazy<u32> = Lazy::new(|| {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u32(std::process::id());
    h.finish() as u32
});

/// Create a segment with a fresh key from the mxcanvas range. Each process
/// starts at a random place in the range and walks it with a counter, so
/// collisions are rare; a key in use (EEXIST) — whoever holds it, even
/// another user squatting on purpose — just moves on to the next.
/// Large segments get huge pages where the system has them ([`shm::create_large`]).
pub fn create_mx_segment(bytes: usize, mode: u32) -> Result<shm::NewSegment, SysError> {
    start_watchdog();
    let start = *START;
    create_walking(|| start.wrapping_add(NEXT_KEY.fetch_add(1, Ordering::Relaxed) as u32), bytes, mode)
}

/// Try the keys `next` gives, skipping those in use, for at most the size of the range.
fn create_walking(mut next: impl FnMut() -> u32, bytes: usize, mode: u32) -> Result<shm::NewSegment, SysError> {
    let mut last = SysError { call: "shmget", errno: Errno::EEXIST };
    for _ in 0..MX_KEY_COUNT {
        match shm::create_large(mx_key(next()), bytes, mode) {
            Ok(segment) => return Ok(segment),
            Err(e) if e.errno == Errno::EEXIST => last = e,
            Err(e) => return Err(e),
        }
    }
    // Every key of the range names a live segment: 65536 mxcanvas segments.
    Err(last)
}

/// Make sure this process's watchdog runs ([`crate::sys::watchdog`]): it
/// removes the segments of our key range that a killed process made but had
/// not yet marked for removal. Called before each segment is made, and when
/// the package is loaded (while the process is small: the watchdog is a fork).
pub fn start_watchdog() {
    watchdog::ensure(watchdog::KeyRange { base: MX_KEY_BASE, mask: !0xFFFF });
}

/// Why shmget refused, with the system limit that is most likely the cause.
pub fn create_failed(bytes: usize, err: SysError) -> MxError {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_range() {
        assert!(is_mx_key(MX_KEY_BASE) && is_mx_key(MX_KEY_BASE + 0xFFFF));
        assert!(!is_mx_key(0) && !is_mx_key(0x4D59_0000) && !is_mx_key(-1));
        assert_eq!(mx_key(MX_KEY_COUNT + 3), MX_KEY_BASE + 3);
    }

    #[test]
    fn a_key_in_use_is_skipped() {
        // Hold a key of the range ourselves (moving on if another process has it)...
        let mut n = std::process::id().wrapping_mul(7919) % MX_KEY_COUNT;
        let blocker = loop {
            match shm::create(mx_key(n), 4096, 0o600) {
                Ok(segment) => break segment,
                Err(e) if e.errno == Errno::EEXIST => n += 1,
                Err(e) => panic!("cannot make the blocking segment: {e}"),
            }
        };
        let blocked = shm::stat(blocker.id()).unwrap().key;
        assert_eq!(blocked, mx_key(n));
        // ...then create starting at exactly that key: it must move on, not fail.
        let mut keys = n..;
        let made = create_walking(|| keys.next().unwrap(), 4096, 0o600).expect("skips the key in use");
        let key = shm::stat(made.id()).unwrap().key;
        assert!(is_mx_key(key) && key != blocked, "{key:#x} vs blocked {blocked:#x}");
        assert!(made.id() != blocker.id());
        assert!(keys.start > n + 1, "at least two keys were tried");
    }
}
