//! Unpredictable numbers from the kernel, for names another user must not
//! be able to guess (temporary files beside a save).

use std::fs::File;
use std::io::{self, Read};

/// Fill `buf` from `getrandom(2)` (the kernel's CSPRNG, the same pool as
/// `/dev/urandom`); where the call does not exist (ENOSYS: kernels before
/// 3.17, some seccomp sandboxes) read `/dev/urandom` instead.
pub fn fill(buf: &mut [u8]) -> io::Result<()> {
    let mut done = 0;
    while done < buf.len() {
        let rest = &mut buf[done..];
        // SAFETY: `rest` is a valid, writable buffer of `rest.len()` bytes
        // for the whole call; getrandom writes at most that many.
        let n = unsafe { libc::getrandom(rest.as_mut_ptr().cast(), rest.len(), 0) };
        if n >= 0 {
            done += n as usize;
            continue;
        }
        let err = io::Error::last_os_error();
        match err.raw_os_error() {
            Some(libc::EINTR) => continue,
            Some(libc::ENOSYS) => return File::open("/dev/urandom")?.read_exact(rest),
            _ => return Err(err),
        }
    }
    Ok(())
}

/// One unpredictable 64-bit number.
pub fn u64() -> io::Result<u64> {
    let mut b = [0u8; 8];
    fill(&mut b)?;
    Ok(u64::from_ne_bytes(b))
}

#[cfg(test)]
mod tests {
    #[test]
    fn numbers_differ() {
        // Two equal draws from 2^64 would mean the kernel gave nothing.
        let a: Vec<u64> = (0..8).map(|_| super::u64().unwrap()).collect();
        let mut b = a.clone();
        b.sort_unstable();
        b.dedup();
        assert_eq!(a.len(), b.len());
    }
}
