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
//! It is the grandchild (double fork), in a session of its own, with every
//! other descriptor closed: the interpreter gets no child to reap, a
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
    // SAFETY: `read_end` is ours and used no more in this process.
    unsafe { libc::close(read_end) };
    if first == -1 {
        // SAFETY: as above, for the write end.
        unsafe { libc::close(write_end) };
        return None;
    }
    let mut status = 0;
    // SAFETY: `first` is our child; it exits at once. EINTR is retried; any
    // other error (SIGCHLD ignored, so it was reaped already) ends the wait.
    while unsafe { libc::waitpid(first, &mut status, 0) } == -1 && nix::errno::Errno::last() == nix::errno::Errno::EINTR
    {
    }
    Some(write_end)
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
