//! Replacing files without losing them: short temporary names beside the
//! target, the old file's permission bits (and group) carried over, and a
//! set of files (an Analyze/NIfTI pair) replaced all together or not at all.
//!
//! Each new file is written completely under a temporary name in the target's
//! directory (`.mxNNNNNNNN.tmp`: short, so that any name the directory takes
//! has room, and hidden). Committing a set then, file by file, keeps the old
//! file under a second temporary name (a hard link, so the target never
//! disappears; a rename where links are not possible) and renames the new
//! one over it. If any rename fails, the files already replaced get their
//! old versions back (renamed over the new ones) and new ones are removed:
//! the set is as it was before the save. Only when every file is in place
//! are the kept old versions deleted.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// The directory a file named `target` is in (`.` for a bare name).
pub fn directory_of(target: &Path) -> PathBuf {
    match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// A fresh name `.mxNNNNNNNN.<ending>` in `dir`. The number mixes the pid and
/// a counter, and creation is exclusive, so that a name someone else made
/// (even on purpose) is skipped, never reused.
fn fresh_name(dir: &Path, ending: &str) -> PathBuf {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let mixed = std::process::id().wrapping_mul(0x9E37_79B1) ^ n.wrapping_mul(0x85EB_CA6B);
    dir.join(format!(".mx{mixed:08x}.{ending}"))
}

/// How a replaced file's mode and group are kept: read from the target as
/// it is now, if it is a regular file.
#[derive(Debug, Clone, Copy)]
pub struct Keep {
    mode: u32,
    gid: u32,
}

/// What the file being replaced is like, or None for a new name (or a
/// target that is not a regular file, which the rename will replace or refuse).
pub fn keep_of(target: &Path) -> Option<Keep> {
    let meta = fs::metadata(target).ok()?;
    meta.is_file().then(|| Keep { mode: meta.mode() & 0o7777, gid: meta.gid() })
}

/// Create the temporary file for `target`. A replacement is created 0600 (its
/// content is as private as the old file's until the old bits are applied);
/// a new file gets what a plain `open` would give, 0666 less the umask.
pub fn create_temp(target: &Path, keep: Option<Keep>) -> io::Result<(File, PathBuf)> {
    let dir = directory_of(target);
    let mut last = io::Error::from(io::ErrorKind::AlreadyExists);
    for _ in 0..64 {
        let temp = fresh_name(&dir, "tmp");
        let mode = if keep.is_some() { 0o600 } else { 0o666 };
        match OpenOptions::new().write(true).create_new(true).mode(mode).open(&temp) {
            Ok(file) => return Ok((file, temp)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = e,
            Err(e) => return Err(e),
        }
    }
    Err(last)
}

/// Give the finished temporary file the replaced file's group (where the
/// process may: a member of that group, or root) and permission bits. The
/// group goes first: changing it clears set-id bits, which the mode restores.
pub fn apply_keep(file: &File, keep: Option<Keep>) -> io::Result<()> {
    let Some(keep) = keep else { return Ok(()) };
    if file.metadata()?.gid() != keep.gid {
        // Not permitted is not an error: the file keeps the process's group,
        // exactly what writing a new file would have given.
        let _ = std::os::unix::fs::fchown(file, None, Some(keep.gid));
    }
    file.set_permissions(fs::Permissions::from_mode(keep.mode))
}

/// A finished temporary file and the name it is to take.
#[derive(Debug)]
pub struct Staged {
    pub temp: PathBuf,
    pub target: PathBuf,
}

/// One target replaced: where its old version is kept, if it had one.
struct Replaced {
    target: PathBuf,
    old: Option<PathBuf>,
}

/// Keep the current `target` (a regular file or a symlink) under a fresh name
/// in its directory; None when there is nothing to keep.
fn keep_old(target: &Path) -> io::Result<Option<PathBuf>> {
    match fs::symlink_metadata(target) {
        Ok(m) if m.is_file() || m.file_type().is_symlink() => {}
        _ => return Ok(None),
    }
    let dir = directory_of(target);
    for _ in 0..64 {
        let old = fresh_name(&dir, "old");
        match fs::hard_link(target, &old) {
            Ok(()) => return Ok(Some(old)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            // No hard links here (some file systems): move it aside instead.
            Err(_) => {
                if fs::symlink_metadata(&old).is_ok() {
                    continue;
                }
                fs::rename(target, &old)?;
                return Ok(Some(old));
            }
        }
    }
    Err(io::Error::from(io::ErrorKind::AlreadyExists))
}

/// Put every replaced file back as it was, newest first; the messages of
/// whatever could not be put back.
fn roll_back(done: Vec<Replaced>) -> Vec<String> {
    let mut problems = vec![];
    for r in done.into_iter().rev() {
        let result = match &r.old {
            Some(old) => fs::rename(old, &r.target),
            None => fs::remove_file(&r.target),
        };
        if let Err(e) = result {
            let kept = r.old.map(|o| format!(" (the old file is kept as \"{}\")", o.display())).unwrap_or_default();
            problems.push(format!("\"{}\" could not be restored: {e}{kept}", r.target.display()));
        }
    }
    problems
}

/// Why a set could not be committed: which target's rename failed, and what
/// to add to the message (whether the set is as it was).
#[derive(Debug)]
pub struct Failed {
    pub target: PathBuf,
    pub error: io::Error,
    pub note: String,
}

/// Rename every staged file over its target, or none: on failure the targets
/// are as they were and the error says which file failed. The temporary files
/// are the caller's to remove (they are gone once renamed).
pub fn commit_all(files: &[Staged]) -> Result<(), Failed> {
    let mut done: Vec<Replaced> = Vec::with_capacity(files.len());
    for f in files {
        let step = keep_old(&f.target).and_then(|old| match fs::rename(&f.temp, &f.target) {
            Ok(()) => Ok(old),
            Err(e) => {
                // The target was never replaced: just forget the kept copy
                // (or move it back, when it was moved aside).
                if let Some(old) = old {
                    let _ = if fs::symlink_metadata(&f.target).is_ok() {
                        fs::remove_file(&old)
                    } else {
                        fs::rename(&old, &f.target)
                    };
                }
                Err(e)
            }
        });
        match step {
            Ok(old) => done.push(Replaced { target: f.target.clone(), old }),
            Err(error) => {
                let problems = roll_back(done);
                let note = if !problems.is_empty() {
                    format!("; {}", problems.join("; "))
                } else if files.len() > 1 {
                    ": no file of the set was changed".to_string()
                } else {
                    String::new()
                };
                return Err(Failed { target: f.target.clone(), error, note });
            }
        }
    }
    for r in done {
        if let Some(old) = r.old {
            let _ = fs::remove_file(old);
        }
    }
    Ok(())
}

#[cfg(test)]
#[path = "replace_tests.rs"]
mod tests;
