//! The watchdog: a small process that outlives a killed interpreter's
//! process just long enough to remove the segments it left.
//!
//! Every segment the package makes is marked for removal (IPC_RMID) as soon
//! as the process has attached it ([`super::shm::NewSegment::attach_marked`]),
//! so after SIGKILL the kernel frees it once the last program detaches. What
//! that cannot cover is the moment between `shmget` and the mark (two system
//! calls): a process killed there leaves an unmarked segment that nothing is
//! attached to. In a loop of small transports that was 55 of 300 kills
//! (docs/safety.md). The watchdog covers it: forked once per process (before
//! its first segment), it holds the read end of a pipe whose write end only
//! this process holds (close-on-exec, so the external programs it runs do not
//! keep it). When the write end closes — the process has exited or was
//! killed — it removes the segments that process created and left unmarked,
//! unattached, with a key of the package's range, then exits.
//!
//! The watchdog is forked from a possibly multi-threaded process, so between
//! `fork` and `_exit` it only makes system calls (no allocation, no lock).
//! It first detaches the segments the fork copied into it (read from
//! `/proc/self/maps`; the interpreter waits until it has), or it would keep
//! them alive until it exits. It is the grandchild (double fork), in a
//! session of its own, with every other descriptor closed: the interpreter gets no child to reap, a
//! terminal's Ctrl-C does not reach it, and it keeps no pipe of the
//! interpreter's open. If it cannot be started (no process left under
//! `ulimit -u`, a sandbox), segments are still marked at once: only the
//! two-call window is then uncovered, and `mx::sweep` finds what it leaves.

use std::sync::atomic::{AtomicI32, Ordering};

/// The process whose watchdog runs (0: none yet; a negative pid: being started).
static WATCHED: AtomicI32 = AtomicI32::new(0);
/// The write end of the watchdog's pipe (-1: none).
static PIPE: AtomicI32 = AtomicI32::new(-1);

/// Linux's bit for "marked for removal" in `shm_perm.mode`, and the
/// `shmctl` commands that walk the segment table (see `shm.rs`).
const SHM_DEST: u32 = 0o1000;
const SHM_STAT: libc::c_int = 13;
const SHM_INFO: libc::c_int = 14;

/// Which segments the watchdog removes: created by the watched process,
/// unmarked, unattached, with `key & mask == base`.
#[derive(Debug, Clone, Copy)]
pub struct KeyRange {
    pub base: i32,
    pub mask: i32,
}

/// Start this process's watchdog unless it runs already. Cheap when it
/// does (one atomic load). A process forked from one with a watchdog starts
/// its own (the segments it makes have its pid as creator).
pub fn ensure(range: KeyRange) {
    // SAFETY: getpid has no preconditions.
    let me = unsafe { libc::getpid() };
    let current = WATCHED.load(Ordering::Acquire);
    if current == me || current == -me {
        return;
    }
    // One thread of this process starts it; the others go on (the first
    // segments of a process are made at the same time only by a race of
    // threads, and then only their two-call windows go uncovered).
    if WATCHED.compare_exchange(current, -me, Ordering::AcqRel, Ordering::Acquire).is_err() {
        return;
    }
    // The parent's pipe, inherited by this forked process, is the parent's
    // watchdog's business: let it see the parent alone.
    let inherited = PIPE.swap(-1, Ordering::AcqRel);
    if inherited >= 0 && current != 0 {
        // SAFETY: `inherited` is the write end this module opened in the
        // process this one was forked from; nothing else uses it.
        unsafe { libc::close(inherited) };
    }
    match spawn(me, range) {
        Some(fd) => {
            PIPE.store(fd, Ordering::Release);
            WATCHED.store(me, Ordering::Release);
        }
        // Not retried for every segment: a process that cannot fork now
        // will not be helped by trying a thousand times.
        None => WATCHED.store(me, Ordering::Release),
    }
}

/// Whether this process has a watchdog (for tests and `MxCanvas`'s docs).
pub fn running() -> bool {
    // SAFETY: getpid has no preconditions.
    let me = unsafe { libc::getpid() };
    WATCHED.load(Ordering::Acquire) == me && PIPE.load(Ordering::Acquire) >= 0
}

/// Fork the watchdog of process `parent`; returns the pipe's write end.
fn spawn(parent: libc::pid_t, range: KeyRange) -> Option<libc::c_int> {
    let mut fds = [-1 as libc::c_int; 2];
    // SAFETY: `fds` has room for the two descriptors pipe2 writes.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } == -1 {
        return None;
    }
    let [read_end, write_end] = fds;
    // A second pipe says when the watchdog has let go of the attachments
    // the fork gave it (end-of-file: it closes every other descriptor after
    // detaching), so that no segment this process frees later is kept alive
    // by it, even for a moment.
    let mut ready = [-1 as libc::c_int; 2];
    // SAFETY: as above.
    if unsafe { libc::pipe2(ready.as_mut_ptr(), libc::O_CLOEXEC) } == -1 {
        // SAFETY: both ends are ours and unused.
        unsafe {
            libc::close(read_end);
            libc::close(write_end);
        }
        return None;
    }
    let [ready_read, ready_write] = ready;
    // SAFETY: fork has no preconditions; the child below makes only system
    // calls until it exits, as a fork of a multi-threaded process must.
    let first = unsafe { libc::fork() };
    if first == 0 {
        // SAFETY: in the first child: system calls only, then _exit.
        unsafe {
            libc::setsid();
            if libc::fork() == 0 {
                watch(read_end, parent, range);
            }
            libc::_exit(0);
        }
    }
    // SAFETY: `read_end` and `ready_write` are ours and used no more here.
    unsafe {
        libc::close(read_end);
        libc::close(ready_write);
    }
    if first == -1 {
        // SAFETY: as above, for the other ends.
        unsafe {
            libc::close(write_end);
            libc::close(ready_read);
        }
        return None;
    }
    let mut status = 0;
    // SAFETY: `first` is our child; it exits at once. EINTR is retried; any
    // other error (SIGCHLD ignored, so it was reaped already) ends the wait.
    while unsafe { libc::waitpid(first, &mut status, 0) } == -1 && nix::errno::Errno::last() == nix::errno::Errno::EINTR
    {
    }
    let mut byte = 0u8;
    // SAFETY: reading one byte into a stack variable; end-of-file (the
    // watchdog closed its end, or died) or an error other than EINTR ends it.
    while unsafe { libc::read(ready_read, &mut byte as *mut u8 as *mut libc::c_void, 1) } == -1
        && nix::errno::Errno::last() == nix::errno::Errno::EINTR
    {}
    // SAFETY: ours, used no more.
    unsafe { libc::close(ready_read) };
    Some(write_end)
}

/// Detach every System V segment mapped into this (forked) process: the
/// lines of `/proc/self/maps` naming `/SYSV<key>` start at an attach address.
/// Reads with a stack buffer, allocates nothing. Returns how many it detached
/// (a pass that changes the map may miss lines: the caller repeats).
///
/// # Safety
///
/// Only in the watchdog: nothing in this process uses those mappings.
unsafe fn detach_all() -> usize {
    // SAFETY: open/read/close on a stack buffer; shmdt on addresses that the
    // kernel lists as the start of a System V attachment.
    unsafe {
        let fd = libc::open(c"/proc/self/maps".as_ptr(), libc::O_RDONLY | libc::O_CLOEXEC);
        if fd == -1 {
            return 0;
        }
        let mut detached = 0;
        let mut buf = [0u8; 4096];
        let mut line = [0u8; 512];
        let mut len = 0usize;
        loop {
            let n = libc::read(fd, buf.as_mut_ptr() as *mut libc::c_void, buf.len());
            if n <= 0 {
                break;
            }
            for &b in &buf[..n as usize] {
                if b != b'\n' {
                    if len < line.len() {
                        line[len] = b;
                        len += 1;
                    }
                    continue;
                }
                if let Some(addr) = sysv_start(&line[..len]) {
                    if libc::shmdt(addr as *const libc::c_void) == 0 {
                        detached += 1;
                    }
                }
                len = 0;
            }
        }
        libc::close(fd);
        detached
    }
}

/// The start address of a `/proc/self/maps` line that maps a System V
/// segment (its path is `/SYSV` and eight hex digits), if it is one.
fn sysv_start(line: &[u8]) -> Option<usize> {
    let path_at = line.windows(5).position(|w| w == b"/SYSV")?;
    // The path is the last field: only spaces come before it after the inode.
    if !line[..path_at].ends_with(b" ") {
        return None;
    }
    let mut addr = 0usize;
    for &b in line.iter().take_while(|&&b| b != b'-') {
        let digit = (b as char).to_digit(16)? as usize;
        addr = addr.checked_mul(16)?.checked_add(digit)?;
    }
    Some(addr)
}

/// The watchdog itself: wait for end-of-file, remove what `parent` left, exit.
///
/// # Safety
///
/// Only in a freshly forked child: it closes every descriptor but `read_end`
/// and never returns.
unsafe fn watch(read_end: libc::c_int, parent: libc::pid_t, range: KeyRange) -> ! {
    // SAFETY: (the whole body) plain system calls on this process's own
    // state; the buffers are on this stack.
    unsafe {
        // Signal handlers of the interpreter's process must not run here,
        // nor its blocked signals stay blocked.
        for sig in 1..32 {
            if sig != libc::SIGKILL && sig != libc::SIGSTOP {
                libc::signal(sig, libc::SIG_DFL);
            }
        }
        let mut none: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut none);
        libc::sigprocmask(libc::SIG_SETMASK, &none, std::ptr::null_mut());
        libc::prctl(libc::PR_SET_NAME, c"mxcanvas-watch".as_ptr() as libc::c_ulong, 0, 0, 0);
        // The fork copied the process's attachments: let them go, or the
        // segments would stay until this watchdog exits.
        for _ in 0..8 {
            if detach_all() == 0 {
                break;
            }
        }
        libc::chdir(c"/".as_ptr());
        // Keep only the pipe, as descriptor 0.
        if read_end != 0 {
            libc::dup2(read_end, 0);
        }
        if libc::syscall(libc::SYS_close_range, 1 as libc::c_uint, libc::c_uint::MAX, 0 as libc::c_uint) == -1 {
            let mut limit: libc::rlimit = std::mem::zeroed();
            let top = if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0 {
                limit.rlim_cur.min(1 << 20) as libc::c_int
            } else {
                1024
            };
            for fd in 1..top {
                libc::close(fd);
            }
        }
        let mut byte = 0u8;
        loop {
            let n = libc::read(0, &mut byte as *mut u8 as *mut libc::c_void, 1);
            if n == 0 || (n == -1 && *libc::__errno_location() != libc::EINTR) {
                break;
            }
        }
        // SHM_INFO fills a struct shm_info, smaller than a shmid_ds.
        let mut ds: libc::shmid_ds = std::mem::zeroed();
        let highest = libc::shmctl(0, SHM_INFO, &mut ds);
        for slot in 0..=highest {
            let id = libc::shmctl(slot, SHM_STAT, &mut ds);
            if id == -1 {
                continue;
            }
            let mode = ds.shm_perm.mode as u32;
            if ds.shm_cpid == parent
                && ds.shm_nattch == 0
                && mode & SHM_DEST == 0
                && ds.shm_perm.__key & range.mask == range.base
            {
                libc::shmctl(id, libc::IPC_RMID, std::ptr::null_mut());
            }
        }
        libc::_exit(0)
    }
}

#[cfg(test)]
mod tests {
    use super::sysv_start;

    #[test]
    fn maps_lines_of_sysv_segments() {
        let shm = b"7f3a1c000000-7f3a1c010000 rw-s 00000000 00:01 98310                      /SYSV4d580012 (deleted)";
        assert_eq!(sysv_start(shm), Some(0x7f3a_1c00_0000));
        let private =
            b"7f3a1c000000-7f3a1c010000 rw-s 00000000 00:01 98311                      /SYSV00000000 (deleted)";
        assert_eq!(sysv_start(private), Some(0x7f3a_1c00_0000));
        assert_eq!(
            sysv_start(b"55d0c0a00000-55d0c0a21000 rw-p 00000000 00:00 0                          [heap]"),
            None
        );
        assert_eq!(sysv_start(b"7f00-7f10 r--p 00000000 08:01 1234 /usr/lib/x/SYSVfoo"), None);
        assert_eq!(sysv_start(b"zz-7f10 rw-s 00000000 00:01 1 /SYSV00000001 (deleted)"), None);
    }
}
