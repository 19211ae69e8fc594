//! The operating-system layer: the only code that calls libc directly.
//!
//! Everything above this module is safe Rust. Each `unsafe` block here carries
//! a `// SAFETY:` line saying why the call is sound.

pub mod alloc;
pub mod deflate;
pub mod mem;
pub mod process;
pub mod random;
pub mod shm;
pub mod tmpfile;
pub mod watchdog;

use std::fmt;

/// A failed system call: which call, and the errno it left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SysError {
    pub call: &'static str,
    pub errno: nix::errno::Errno,
}

impl SysError {
    /// Capture `errno` right after `call` failed.
    pub fn last(call: &'static str) -> Self {
        SysError { call, errno: nix::errno::Errno::last() }
    }

    /// The symbolic errno name, as Tcl's `POSIX` errorcode wants it ("EINVAL").
    pub fn errno_name(&self) -> String {
        format!("{:?}", self.errno)
    }

    /// The errno text in Tcl's style: lower-case first letter ("invalid argument").
    pub fn errno_text(&self) -> String {
        let desc = self.errno.desc();
        let mut chars = desc.chars();
        match chars.next() {
            Some(first) => first.to_lowercase().chain(chars).collect(),
            None => String::new(),
        }
    }
}

impl fmt::Display for SysError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} failed: {}", self.call, self.errno_text())
    }
}

impl std::error::Error for SysError {}
