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

use super::files::io_error;
use crate::core::error::MxResult;
use crate::core::MxError;
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

/// Rename every staged file over its target, or none: on failure the targets
/// are as they were and the error says which file failed. The temporary files
/// are the caller's to remove (they are gone once renamed).
pub fn commit_all(files: &[Staged]) -> MxResult<()> {
    let mut done: Vec<Replaced> = Vec::with_capacity(files.len());
    for f in files {
        let shown = f.target.to_string_lossy();
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
            Err(e) => {
                let mut err: MxError = io_error("write", &shown, e);
                let problems = roll_back(done);
                if files.len() > 1 && problems.is_empty() {
                    err.message.push_str(": no file of the set was changed");
                } else if !problems.is_empty() {
                    err.message.push_str(&format!("; {}", problems.join("; ")));
                }
                return Err(err);
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
mod tests {
    use super::super::files::{commit_all, PendingFile};
    use std::fs;
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    use std::path::{Path, PathBuf};

    struct Dir(PathBuf);
    impl Dir {
        fn new(tag: &str) -> Dir {
            let d = std::env::temp_dir().join(format!("mxreplace-{tag}-{}", std::process::id()));
            let _ = fs::remove_dir_all(&d);
            fs::create_dir_all(&d).unwrap();
            Dir(d)
        }
        fn names(&self) -> Vec<String> {
            let mut v: Vec<String> =
                fs::read_dir(&self.0).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into()).collect();
            v.sort();
            v
        }
    }
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    fn write(path: &Path, text: &str) -> PendingFile {
        PendingFile::write(path, false, |w| w.write_all(text.as_bytes())).unwrap()
    }

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).unwrap().mode() & 0o7777
    }

    #[test]
    fn a_replaced_file_keeps_its_mode_a_new_one_gets_the_umask_default() {
        let d = Dir::new("mode");
        let old = d.0.join("private.nii");
        fs::write(&old, "old").unwrap();
        fs::set_permissions(&old, fs::Permissions::from_mode(0o600)).unwrap();
        write(&old, "new").commit().unwrap();
        assert_eq!((fs::read_to_string(&old).unwrap().as_str(), mode(&old)), ("new", 0o600));
        fs::set_permissions(&old, fs::Permissions::from_mode(0o640)).unwrap();
        write(&old, "newer").commit().unwrap();
        assert_eq!(mode(&old), 0o640);
        // a new file: what File::create (0666 less the umask) gives beside it
        let plain = d.0.join("plain");
        fs::File::create(&plain).unwrap();
        let fresh = d.0.join("fresh.nii");
        write(&fresh, "x").commit().unwrap();
        assert_eq!(mode(&fresh), mode(&plain));
        assert_eq!(d.names(), ["fresh.nii", "plain", "private.nii"], "no temporary file is left");
    }

    #[test]
    fn the_temporary_name_is_short_so_any_legal_name_works() {
        let d = Dir::new("long");
        let name = format!("{}.nii", "a".repeat(250)); // 254 bytes: legal (NAME_MAX is 255)
        let path = d.0.join(&name);
        write(&path, "x").commit().unwrap();
        write(&path, "y").commit().unwrap(); // and replacing it (the old one is kept under a short name too)
        assert_eq!(fs::read_to_string(&path).unwrap(), "y");
        assert_eq!(d.names(), [name]);
    }

    #[test]
    fn a_set_is_replaced_entirely_or_not_at_all() {
        let d = Dir::new("pair");
        let (img, hdr) = (d.0.join("x.img"), d.0.join("x.hdr"));
        fs::write(&img, "old voxels").unwrap();
        fs::write(&hdr, "old header").unwrap();
        let files = vec![write(&img, "new voxels"), write(&hdr, "new header")];
        // The header's rename will fail: its name became a directory after
        // the files were written (the last moment anything can go wrong).
        fs::remove_file(&hdr).unwrap();
        fs::create_dir(&hdr).unwrap();
        fs::write(hdr.join("inside"), "").unwrap();
        let e = commit_all(files).unwrap_err();
        assert_eq!(e.code[0], "POSIX", "{e:?}");
        assert!(e.message.contains("x.hdr") && e.message.contains("no file of the set was changed"), "{}", e.message);
        assert_eq!(fs::read_to_string(&img).unwrap(), "old voxels", "the image was put back");
        assert_eq!(d.names(), ["x.hdr", "x.img"], "no temporary or kept file is left");
        // Where the image is new, a failure removes it again.
        fs::remove_file(&img).unwrap();
        let files = vec![write(&img, "new voxels"), write(&hdr, "new header")];
        commit_all(files).unwrap_err();
        assert_eq!(d.names(), ["x.hdr"]);
        // And with nothing in the way both are replaced.
        fs::remove_dir_all(&hdr).unwrap();
        fs::write(&img, "old").unwrap();
        commit_all(vec![write(&img, "new voxels"), write(&hdr, "new header")]).unwrap();
        assert_eq!(fs::read_to_string(&img).unwrap(), "new voxels");
        assert_eq!(fs::read_to_string(&hdr).unwrap(), "new header");
        assert_eq!(d.names(), ["x.hdr", "x.img"]);
    }
}
