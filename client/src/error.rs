//! Errors that say what was wrong and what was expected, ready to print as
//! `tool: <error>`.

use crate::VoxelType;
use std::fmt;
use std::io;

/// What can go wrong when an external program attaches a canvas.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// A system call failed (`shmctl`, `shmat`, `shmdt`).
    Os { call: &'static str, shmid: i32, source: io::Error },
    /// The segment is not the size the geometry says: the script passed the
    /// wrong geometry or the wrong shmid.
    Size { shmid: i32, expected: usize, actual: usize, geometry: String },
    /// The voxels were asked for as a different type than the geometry's.
    Type { expected: VoxelType, requested: VoxelType },
    /// Write access to a segment attached read-only.
    ReadOnly { shmid: i32 },
    /// A command-line argument that is not what was expected.
    Argument { what: &'static str, text: String, expected: String },
    /// A geometry whose byte count does not fit in `usize`.
    TooLarge { geometry: String },
    /// `MXCANVAS` is not set, is malformed, has no canvas of the index asked
    /// for, or describes a canvas that does not match its segment.
    Env { reason: String },
}

impl Error {
    /// The OS error number, for errors that come from a system call or that
    /// C's `mx_attach` reports with one (a size mismatch is `EINVAL` there).
    pub fn raw_os_error(&self) -> Option<i32> {
        match self {
            Error::Os { source, .. } => source.raw_os_error(),
            Error::Size { .. } => Some(libc::EINVAL),
            _ => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Os { call, shmid, source } => match source.raw_os_error() {
                Some(libc::EINVAL) | Some(libc::EIDRM) if *call != "shmdt" => {
                    write!(f, "no shared memory segment with id {shmid} (never created, or already freed)")
                }
                _ => write!(f, "{call} of shared memory segment {shmid} failed: {source}"),
            },
            Error::Size { shmid, expected, actual, geometry } => write!(
                f,
                "segment {shmid} is {actual} bytes, but a {geometry} canvas is {expected} bytes: \
                 check the geometry arguments"
            ),
            Error::Type { expected, requested } => {
                write!(f, "the canvas holds {expected} voxels, but they were asked for as {requested}")
            }
            Error::ReadOnly { shmid } => {
                write!(f, "segment {shmid} was attached read-only: expected Segment::attach to write")
            }
            Error::Argument { what, text, expected } => write!(f, "bad {what} \"{text}\": expected {expected}"),
            Error::TooLarge { geometry } => write!(f, "a {geometry} canvas is too large for this machine"),
            Error::Env { reason } => write!(f, "MXCANVAS: {reason}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Os { source, .. } => Some(source),
            _ => None,
        }
    }
}
