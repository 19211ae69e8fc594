//! Files without a name until they are finished (Linux `O_TMPFILE`): a save
//! writes its data into an anonymous file in the target's directory, and
//! only a complete, synced file is given a name. A process killed while
//! writing leaves nothing behind: the kernel frees the file with the last
//! descriptor.

use std::ffi::CString;
use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::OpenOptionsExt;
use std::os::unix::io::AsRawFd;
use std::path::Path;

/// Open an unnamed regular file in directory `dir` for writing, created with
/// `mode` (less the umask). `Ok(None)` when the file system (or kernel) has
/// no `O_TMPFILE`: the kernel says EOPNOTSUPP, or (kernels before 3.11,
/// which read the flag as O_DIRECTORY) EISDIR, or EINVAL; the caller then
/// uses a named temporary file. Any other error (EACCES, ENOENT, ...) is
/// what creating a named file there would give as well.
pub fn open_unnamed(dir: &Path, mode: u32) -> io::Result<Option<File>> {
    // Without /proc (a chroot, a process outside the pid namespace /proc
    // was mounted for) the finished file could only be linked with
    // AT_EMPTY_PATH, which needs CAP_DAC_READ_SEARCH before Linux 6.10: a
    // named file then, rather than a save that fails at its very end.
    if !Path::new("/proc/self/fd").is_dir() {
        return Ok(None);
    }
    // Without O_EXCL, so that the finished file may be linked into the
    // directory (see `link`). std passes `mode` to open(2), which uses it
    // for O_TMPFILE as for O_CREAT.
    match OpenOptions::new().read(true).write(true).mode(mode).custom_flags(libc::O_TMPFILE).open(dir) {
        Ok(f) => Ok(Some(f)),
        Err(e) if matches!(e.raw_os_error(), Some(libc::EOPNOTSUPP | libc::EISDIR | libc::EINVAL)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Give the unnamed `file` (from [`open_unnamed`]) the name `new`, which must
/// not exist (EEXIST otherwise) and must be in the directory it was opened
/// in: `linkat` of `/proc/self/fd/N` with AT_SYMLINK_FOLLOW, which needs no
/// privilege (the way open(2)'s manual shows it).
pub fn link(file: &File, new: &Path) -> io::Result<()> {
    let invalid = |_| io::Error::from_raw_os_error(libc::EINVAL);
    let to = CString::new(new.as_os_str().as_bytes()).map_err(invalid)?;
    let from = CString::new(format!("/proc/self/fd/{}", file.as_raw_fd())).map_err(invalid)?;
    // SAFETY: both paths are NUL-terminated strings that live across the
    // call; AT_FDCWD with absolute or cwd-relative paths is always valid;
    // the descriptor `from` names stays open (borrowed from `file`).
    let result =
        unsafe { libc::linkat(libc::AT_FDCWD, from.as_ptr(), libc::AT_FDCWD, to.as_ptr(), libc::AT_SYMLINK_FOLLOW) };
    if result == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    #[test]
    fn an_unnamed_file_has_no_name_until_linked() {
        let dir = std::env::temp_dir().join(format!("mxtmpfile-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let Some(mut f) = open_unnamed(&dir, 0o600).unwrap() else {
            eprintln!("skipped: {} has no O_TMPFILE", dir.display());
            return;
        };
        f.write_all(b"voxels").unwrap();
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0, "nothing is visible while writing");
        let name = dir.join("done");
        link(&f, &name).unwrap();
        let mut back = String::new();
        File::open(&name).unwrap().read_to_string(&mut back).unwrap();
        assert_eq!(back, "voxels");
        // A taken name is EEXIST, never overwritten.
        assert_eq!(link(&f, &name).unwrap_err().raw_os_error(), Some(libc::EEXIST));
        // Errors other than "not supported" are reported, not hidden.
        let e = open_unnamed(&dir.join("missing"), 0o600).unwrap_err();
        assert_eq!(e.raw_os_error(), Some(libc::ENOENT));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
