//! Replacing files without losing them and without letting anyone in:
//! unnamed temporary files where the system has them, unpredictable names
//! beside the target otherwise, only safe permission bits carried over, and a
//! set of files (an Analyze/NIfTI pair) replaced all together or not at all.
//!
//! Each new file is written completely before it gets any name: on Linux it
//! is an `O_TMPFILE` file in the target's directory ([`crate::sys::tmpfile`]),
//! which vanishes with the process if it is killed while writing. Only the
//! finished, synced file is linked to a fresh name and renamed over the
//! target. Where the file system has no `O_TMPFILE`, it is written under that
//! fresh name from the start (and a killed save leaves it behind, as before).
//!
//! Fresh names are `.mx` + 16 hex digits from the kernel's random pool +
//! `.tmp` or `.old` (short, so that any name the directory takes has room,
//! and hidden). Creation is exclusive, and a name that exists is skipped for
//! another random one, at most [`NAME_TRIES`] times: another user cannot
//! predict, and so cannot plant, the names a save will use.
//!
//! Committing a set keeps each old file under a second fresh name (a hard
//! link, so the target never disappears; a rename where links are not
//! possible) and renames the new one over it. If any rename fails, the files
//! already replaced get their old versions back and new ones are removed:
//! the set is as it was before the save. Only when every file is in place are
//! the kept old versions deleted, smallest first. The last file of a set (and
//! so a single file) needs no kept copy: its one rename either happens or
//! not, and nothing after it can fail. A process killed between a set's
//! first kept copy and its deletion (a few link and rename calls) leaves
//! that `.old` name, or between naming a finished file and renaming it its
//! `.tmp` name: the only moments a kill leaves a file where `O_TMPFILE` works
//! (tests/savesafety.test 1.x).

use crate::sys::{process, random, tmpfile};
use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// How many fresh names are tried before giving up. Sixteen taken random
/// 64-bit names in a row do not happen by chance.
pub const NAME_TRIES: usize = 16;

/// The directory a file named `target` is in (`.` for a bare name).
pub fn directory_of(target: &Path) -> PathBuf {
    match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Every fresh name tried was taken: the error (kind AlreadyExists, POSIX
/// EEXIST for a script) names the last one.
#[derive(Debug)]
pub struct Collision {
    pub last: PathBuf,
    pub tries: usize,
}

impl fmt::Display for Collision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} temporary names beside it were all taken, the last \"{}\"", self.tries, self.last.display())
    }
}

impl std::error::Error for Collision {}

/// Run `attempt` on fresh names `.mx<random>.<ending>` in `dir` until it does
/// not fail with AlreadyExists (a name someone else made, even on purpose,
/// is skipped, never reused), at most `tries` times.
pub fn with_fresh_name<T>(
    dir: &Path,
    ending: &str,
    tries: usize,
    mut attempt: impl FnMut(&Path) -> io::Result<T>,
) -> io::Result<(T, PathBuf)> {
    let mut last = dir.join(format!(".mx.{ending}"));
    for _ in 0..tries {
        let name = dir.join(format!(".mx{:016x}.{ending}", random::u64()?));
        match attempt(&name) {
            Ok(v) => return Ok((v, name)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = name,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::new(io::ErrorKind::AlreadyExists, Collision { last, tries }))
}

/// How a replaced file's mode and group are kept: read from the target as
/// it is now, if it is a regular file of this user's.
#[derive(Debug, Clone, Copy)]
pub struct Keep {
    mode: u32,
    gid: u32,
}

/// What the file being replaced is like, or None: the new file then gets
/// what a new name would (0666 less the umask, the process's group).
///
/// Only the permission bits (0777) of a regular file that the saving user
/// owns are kept, as SQLite and git do: never set-uid, set-gid or sticky
/// bits (a root save would otherwise make a set-id root program of what
/// another user wrote), never the mode or group of a file another user owns
/// (which that user chose, not us), and never those of a symlink's target
/// (the save replaces the link itself with a regular file, `lstat` is what
/// is looked at, and a link says nothing about the file that replaces it).
pub fn keep_of(target: &Path) -> Option<Keep> {
    let meta = fs::symlink_metadata(target).ok()?;
    (meta.is_file() && meta.uid() == process::effective_uid())
        .then(|| Keep { mode: meta.mode() & 0o777, gid: meta.gid() })
}

/// A temporary file being written: its name, or None while it has none (an
/// `O_TMPFILE` file, named by [`name_unnamed`] when it is finished).
pub type TempName = Option<PathBuf>;

/// Create the temporary file for `target`. A replacement is created 0600 (its
/// content is as private as the old file's until the old bits are applied);
/// a new file gets what a plain `open` would give, 0666 less the umask.
pub fn create_temp(target: &Path, keep: Option<Keep>) -> io::Result<(File, TempName)> {
    let dir = directory_of(target);
    let mode = if keep.is_some() { 0o600 } else { 0o666 };
    if let Some(file) = tmpfile::open_unnamed(&dir, mode)? {
        return Ok((file, None));
    }
    create_named(&dir, mode).map(|(file, name)| (file, Some(name)))
}

/// The fallback where the file system has no unnamed files: a new file under
/// a fresh name in `dir`.
pub fn create_named(dir: &Path, mode: u32) -> io::Result<(File, PathBuf)> {
    with_fresh_name(dir, "tmp", NAME_TRIES, |name| {
        OpenOptions::new().write(true).create_new(true).mode(mode).open(name)
    })
}

/// Give a finished unnamed temporary file for `target` a fresh name beside
/// it, just before it is renamed over the target.
pub fn name_unnamed(file: &File, target: &Path) -> io::Result<PathBuf> {
    with_fresh_name(&directory_of(target), "tmp", NAME_TRIES, |name| tmpfile::link(file, name)).map(|((), n)| n)
}

/// Give the finished temporary file the replaced file's group (where the
/// process may: a member of that group, or root) and permission bits.
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
    let (_, old) = with_fresh_name(&directory_of(target), "old", NAME_TRIES, |old| match fs::hard_link(target, old) {
        Err(e) if e.kind() != io::ErrorKind::AlreadyExists => {
            // No hard links here (some file systems): move it aside instead.
            if fs::symlink_metadata(old).is_ok() {
                return Err(io::Error::from_raw_os_error(libc::EEXIST));
            }
            fs::rename(target, old)
        }
        linked => linked,
    })?;
    Ok(Some(old))
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
    for (i, f) in files.iter().enumerate() {
        // The last file (and so a single file) needs no kept copy: when its
        // rename fails it was not replaced, and after it nothing can fail.
        let keep = if i + 1 < files.len() { keep_old(&f.target) } else { Ok(None) };
        let step = keep.and_then(|old| match fs::rename(&f.temp, &f.target) {
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
    // Smallest first: unlinking a large file frees its blocks inside the
    // call (18 ms for 64 MiB on ext4), but its name is gone when the call
    // starts. A process killed meanwhile leaves no kept name behind.
    let mut kept: Vec<(u64, PathBuf)> =
        done.into_iter().filter_map(|r| r.old).map(|o| (fs::symlink_metadata(&o).map_or(0, |m| m.len()), o)).collect();
    kept.sort();
    for (_, old) in kept {
        let _ = fs::remove_file(old);
    }
    Ok(())
}

#[cfg(test)]
#[path = "replace_tests.rs"]
mod tests;
