//! Errors for people: a message saying what was wrong and what was expected,
//! plus the `-errorcode` list a script can match on.

use crate::sys::SysError;
use std::fmt;

/// An error raised by the package. `code` becomes Tcl's `-errorcode`; its
/// first word is `MX` for the package's own errors, `POSIX` for system calls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MxError {
    pub message: String,
    pub code: Vec<String>,
}

impl MxError {
    /// An `MX ...` error: `code` lists the words after `MX`.
    pub fn mx(message: impl Into<String>, code: &[&str]) -> Self {
        let mut words = vec!["MX".to_string()];
        words.extend(code.iter().map(|w| w.to_string()));
        MxError { message: message.into(), code: words }
    }

    /// A `POSIX ENAME msg` error for a failed system call, with `context`
    /// saying what the package was trying to do.
    pub fn posix(context: impl fmt::Display, err: SysError) -> Self {
        MxError {
            message: format!("{context}: {err}"),
            code: vec!["POSIX".to_string(), err.errno_name(), err.errno_text()],
        }
    }

    /// An error whose code mimics Tcl's own argument parsing (`TCL ...`).
    pub fn tcl(message: impl Into<String>, code: &[&str]) -> Self {
        let mut words = vec!["TCL".to_string()];
        words.extend(code.iter().map(|w| w.to_string()));
        MxError { message: message.into(), code: words }
    }
}

impl fmt::Display for MxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for MxError {}

pub type MxResult<T> = Result<T, MxError>;
