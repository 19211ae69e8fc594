//! The watchdog (issue 17) removes what a process killed between `shmget`
//! and marking the segment leaves: a forked child starts its watchdog, makes
//! one unmarked segment with a key of the package's range and one with a key
//! outside it, and dies without any cleanup (`_exit`, as after SIGKILL no
//! exit handler runs). The first must go; the second, not the package's,
//! must stay. A segment of another (dead) process with our key stays too:
//! the watchdog only takes its own process's.
//!
//! The watchdog also detaches at once the attachments the fork gave it: a
//! segment attached when the child started its watchdog is held by the
//! parent and the child only, while the child still runs.
//!
//! One test in its own binary: it forks.

use mxcanvas::core::segment::MX_KEY_BASE;
use mxcanvas::sys::shm;
use std::time::{Duration, Instant};

fn exists(id: i32) -> bool {
    shm::stat(id).is_ok()
}

/// A free key of the given range, starting from a pid-derived offset.
fn make(base: i32) -> i32 {
    let mut n = std::process::id().wrapping_mul(7919) & 0xFFFF;
    loop {
        match shm::create(base | n as i32, 4096, 0o600) {
            Ok(segment) => return segment.keep(),
            Err(e) if e.errno == nix::errno::Errno::EEXIST => n = (n + 1) & 0xFFFF,
            Err(e) => panic!("cannot make a test segment: {e}"),
        }
    }
}

#[test]
fn the_watchdog_removes_only_its_processs_unmarked_segments_of_our_range() {
    // Made by this (living) test process with our key: not the child's.
    let not_the_childs = make(MX_KEY_BASE);
    // Attached here, so the child inherits the attachment, and its
    // watchdog too: the watchdog must let it go at once, not at its exit.
    let inherited = make(0x2468_0000);
    let attached = shm::Attachment::attach(inherited, false).unwrap();
    let (read_end, write_end) = nix::unistd::pipe().unwrap();
    let (go_read, go_write) = nix::unistd::pipe().unwrap();
    // SAFETY: the child makes system calls only (the watchdog's start is a
    // fork and a pipe; shm::create is shmget) and leaves with _exit.
    match unsafe { nix::unistd::fork() }.unwrap() {
        nix::unistd::ForkResult::Child => {
            mxcanvas::core::segment::start_watchdog();
            let ours = make(MX_KEY_BASE);
            let foreign = make(0x1357_0000);
            let mut text = [0u8; 32];
            let len = {
                use std::io::Write;
                let mut cursor = std::io::Cursor::new(&mut text[..]);
                let _ = writeln!(cursor, "{ours} {foreign} {}", mxcanvas::sys::watchdog::running() as u8);
                cursor.position() as usize
            };
            let _ = nix::unistd::write(&write_end, &text[..len]);
            // Alive until the parent has seen the watchdog detach.
            let mut go = [0u8; 1];
            let _ = nix::unistd::read(std::os::fd::AsRawFd::as_raw_fd(&go_read), &mut go);
            // SAFETY: ends the child at once, as SIGKILL would: no exit handler.
            unsafe { libc::_exit(0) };
        }
        nix::unistd::ForkResult::Parent { child } => {
            drop(write_end);
            let mut text = [0u8; 64];
            let n = nix::unistd::read(std::os::fd::AsRawFd::as_raw_fd(&read_end), &mut text).unwrap();
            // This process and the child are attached; the watchdog was, and lets go.
            let deadline = Instant::now() + Duration::from_secs(10);
            let nattch = || shm::stat(inherited).map(|i| i.attachments).unwrap_or(0);
            while nattch() != 2 && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(5));
            }
            let while_child_lives = nattch();
            let _ = nix::unistd::write(&go_write, b"g");
            nix::sys::wait::waitpid(child, None).unwrap();
            drop(attached);
            let _ = shm::remove(inherited);
            assert_eq!(while_child_lives, 2, "the watchdog detached what it inherited");
            let words: Vec<i32> =
                std::str::from_utf8(&text[..n]).unwrap().split_whitespace().map(|w| w.parse().unwrap()).collect();
            let (ours, foreign, running) = (words[0], words[1], words[2]);
            assert_eq!(running, 1, "the child's watchdog started");
            // The watchdog works once the child is gone: wait for it (bounded).
            let deadline = Instant::now() + Duration::from_secs(10);
            while exists(ours) && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(5));
            }
            let result = (exists(ours), exists(foreign), exists(not_the_childs));
            for id in [ours, foreign, not_the_childs] {
                let _ = shm::remove(id);
            }
            assert_eq!(result, (false, true, true), "(ours removed, foreign kept, another process's kept)");
        }
    }
}
